package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import io.keymesh.overlay.FrameLinks;
import io.keymesh.overlay.Overlay;
import io.keymesh.overlay.PeerPaths;
import io.keymesh.overlay.RelayedEndpoint;
import io.keymesh.overlay.SeekEndpoint;
import io.keymesh.overlay.Seeks;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.MessageType;
import io.keymesh.session.Endpoint;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.Transmit;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.wire.MeshFrame;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's side of the {@link Overlay}: relay and probe frames from the {@link PayloadRouter} go
 * to it; what it sends goes into sessions through the engine; the path it picks for a peer becomes
 * the peer's endpoint, the peer's connection is told of the new path, and the listener hears of it.
 *
 * <p>A packet the engine seals for a relayed path ({@link RelayedEndpoint}) on the loop thread is
 * framed and sent at once inside the session with the path's first relay: that send concerns
 * another peer, whose state the engine's call in progress does not hold. What cannot go at once —
 * a packet sealed on another thread (a datagram sent on the caller's thread), a batch (the engine
 * is walking the peer's waiting packets, and a send for the relay could stage and walk its own
 * into the same batch), a packet while a relay frame is being written — is copied to an outbox and
 * sent by a loop task right after.
 *
 * <p>Loop thread, except {@link #relayedTransmit}, which any thread may use.
 */
final class MeshOverlay implements Overlay.Host {
    /** Bytes a relay frame adds to a WireGuard message inside the session with the relay: its header (at most). */
    private static final int RELAY_FRAME_OVERHEAD = 17;
    /** The session's own overhead around that frame: header, padding (at most 15) and tag. */
    private static final int SESSION_OVERHEAD = SessionEngine.SEND_HEADROOM + 15 + 16;

    /** Circuit ends relays may open to this node (peers reaching it through them), at once; not the relay service's limit. */
    static final int MAX_INBOUND_CIRCUITS = 1024;

    private record Outgoing(Endpoint to, byte[] packet) {}

    private final EngineLoop loop;
    private final GuardedListener listener;
    private final NodeConfig config;
    private final Map<PublicKey, PeerState> peers;
    private final PeerConnections connections;
    private final Links links = new Links();
    private final Overlay overlay;
    private final Wakeup wakeup;
    private final ConcurrentLinkedQueue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final Runnable flushTask = this::flush;
    private final byte[] probeScratch = new byte[SessionEngine.SEND_HEADROOM + 256 + FrameLinks.TAILROOM];
    private long relayedDropped;
    /** When the host's addresses were last read, or {@link Long#MIN_VALUE}. */
    private long hostAddressesRead = Long.MIN_VALUE;

    /** How often the host's addresses are read again (a new one is a network change: punching runs again). */
    static final long HOST_ADDRESS_POLL_NANOS = 10_000_000_000L;

    /** Where the engine's packets for relayed paths go; any thread. */
    final Transmit relayedTransmit = new Transmit() {
        @Override
        public void send(Endpoint to, byte[] buf, int off, int len) {
            if (loop.io().inLoop() && !framing()) {
                sendNow(loop.io().nanoTime(), to, buf, off, len);
                return;
            }
            enqueue(to, buf, off, len);
        }

        @Override
        public void send(Endpoint to, io.keymesh.session.PacketBatch batch) {
            for (int i = 0; i < batch.count(); i++) {
                enqueue(to, batch.buf(i), batch.offset(i), batch.length(i));
            }
        }
    };

    /**
     * Loop thread: a packet for a relayed path goes on its circuit; a handshake initiation for a
     * peer being sought goes out in a seek; anything else for a sought peer has nowhere to go.
     */
    private void sendNow(long now, Endpoint to, byte[] buf, int off, int len) {
        if (to instanceof RelayedEndpoint r) {
            if (!overlay.circuits().send(now, r, buf, off, len)) {
                relayedDropped++; // the circuit is gone: lost, as on any dead path
            }
        } else if (to instanceof SeekEndpoint s) {
            if (len == HandshakeInitiation.LENGTH && MessageType.of(buf, off, len) == MessageType.HANDSHAKE_INITIATION) {
                overlay.seek(now, s.target(), buf, off);
                wakeup.rearm();
            } else {
                relayedDropped++; // no path yet: only the initiation travels, in the seek
            }
        }
    }

    /** True while a relay frame is being written: its buffer is in use. */
    private boolean framing() {
        return links.isBusy();
    }

    private void enqueue(Endpoint to, byte[] buf, int off, int len) {
        outbox.add(new Outgoing(to, java.util.Arrays.copyOfRange(buf, off, off + len)));
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                loop.io().execute(flushTask);
            } catch (RejectedExecutionException e) {
                outbox.clear(); // the node has stopped
            }
        }
    }

    MeshOverlay(EngineLoop loop, GuardedListener listener, NodeConfig config, Map<PublicKey, PeerState> peers,
            PeerConnections connections, PayloadRouter router) {
        this.loop = loop;
        this.listener = listener;
        this.config = config;
        this.peers = peers;
        this.connections = connections;
        PublicKey self = config.privateKey().publicKey();
        this.overlay = new Overlay(self, config.relay(), config.discovery(), MAX_INBOUND_CIRCUITS, this, links,
                runSeed(self, loop.io()));
        this.wakeup = new Wakeup(loop.io(), () -> overlay.nextTimeout(loop.io().nanoTime()), this::onTimeout);
        for (int type : new int[] {MeshFrame.RELAY_OPEN, MeshFrame.RELAY_OPENED, MeshFrame.RELAY_REFUSED,
                MeshFrame.RELAY_DATA, MeshFrame.RELAY_CLOSE, MeshFrame.PROBE, MeshFrame.PROBE_ACK, MeshFrame.SEEK,
                MeshFrame.REACH, MeshFrame.CANDIDATES, MeshFrame.OBSERVED_ADDRESS}) {
            router.registerFrame(type, (from, state, b, off, len) -> {
                if (state == null) {
                    return; // no longer a peer
                }
                if (type == MeshFrame.PROBE_ACK && pings != null
                        && pings.answered(loop.io().nanoTime(), from, router.source(), b, off, len)) {
                    return; // the application's ping, not a path probe
                }
                overlay.onFrame(loop.io().nanoTime(), from, router.source(), type, b, off, len);
                if (type != MeshFrame.RELAY_DATA) {
                    wakeup.rearm();
                }
            });
        }
        loop.routeOtherEndpoints(relayedTransmit);
        readHostAddresses(loop.io().nanoTime());
    }

    /** Gives the overlay the host's addresses (its host candidates). */
    private void readHostAddresses(long now) {
        hostAddressesRead = now;
        overlay.hostAddresses(loop.io().localAddresses());
    }

    /**
     * A number for this run of the node: its key mixed with the clock at start, so a node that
     * restarts under the same key numbers its circuits afresh (a relay may still hold the old ones),
     * while a simulation, whose clock is virtual, stays the same run after run. Not drawn from the
     * node's random stream, which the session layer's keys and indices come from.
     */
    private static long runSeed(PublicKey self, io.keymesh.io.NodeIo io) {
        return new java.util.SplittableRandom(self.hashCode() ^ (io.nanoTime() + io.wallClockOffsetNanos())).nextLong();
    }

    /** The overlay's state, for statistics; loop thread. */
    Overlay overlay() {
        return overlay;
    }

    /** Packets for relayed paths waiting in the outbox for the loop thread. */
    int outboxSize() {
        return outbox.size();
    }

    // ------------------------------------------------------------------ peers and sessions

    /**
     * A peer was added: its paths (configured endpoint, routes through relays).
     *
     * @return true if the overlay picks its paths; false if it roams as in WireGuard (no relays,
     *     or a stock WireGuard peer), which the caller then applies itself
     */
    boolean addPeer(PeerConfig pc) {
        overlay.addPeer(loop.io().nanoTime(), pc.publicKey(), UdpEndpoint.of(pc.endpoint()), pc.relays(),
                pc.wireGuardCompatible());
        wakeup.rearm();
        return !overlay.paths(pc.publicKey()).isRoaming();
    }

    /** A peer was removed: its circuits close. */
    void removePeer(PublicKey key) {
        overlay.removePeer(loop.io().nanoTime(), key);
        wakeup.rearm();
    }

    void linkUp(PublicKey key) {
        overlay.linkUp(loop.io().nanoTime(), key);
        wakeup.rearm();
    }

    /** Stops seeking {@code key}, without calling it unreachable. */
    void cancelSeek(PublicKey key) {
        overlay.seeks().cancel(key);
    }

    void linkDown(PublicKey key) {
        overlay.linkDown(loop.io().nanoTime(), key);
        wakeup.rearm();
    }

    /** An authenticated packet, at {@code now}, of a peer whose paths the overlay picks, from {@code from}. */
    void authenticated(long now, Peer peer, Endpoint from) {
        if (overlay.authenticated(now, peer.publicKey(), from)) {
            wakeup.rearm();
        }
    }

    /**
     * A roaming peer's authenticated packet came from {@code from}, not its endpoint. If that is a
     * relayed path and the peer is not a stock WireGuard peer, the overlay takes it under its policy
     * (so that it can go direct again) and moves its endpoint there itself.
     *
     * @return true if the overlay picks the peer's paths from now on (its endpoint is set)
     */
    boolean roamed(long now, PeerState s, Endpoint from) {
        boolean adopted = overlay.roamed(now, s.session.publicKey(), from);
        if (adopted) {
            s.overlayPaths = true;
        }
        wakeup.rearm();
        return adopted;
    }

    /** A handshake with the peer completed: it is told again the address we see it at. */
    void handshakeCompleted(Peer peer) {
        PeerState s = peers.get(peer.publicKey());
        if (s != null && s.found.how() == Found.How.NOT_YET) {
            boolean sought = overlay.seeks().isSeeking(peer.publicKey());
            s.found = sought && peer.endpoint() instanceof RelayedEndpoint r ? new Found(Found.How.SOUGHT, r.via())
                    : new Found(Found.How.REACHED_US, null);
        }
        overlay.handshakeCompleted(loop.io().nanoTime(), peer.publicKey(), peer.endpoint());
        wakeup.rearm();
    }

    /**
     * A payload of a peer whose paths the overlay picks was delivered at {@code now}: unless it was
     * a probe, the peer's data came over {@code from}.
     */
    void delivered(long now, Peer peer, Endpoint from, byte[] payload, int off) {
        int first = payload[off] & 0xff;
        if (from != null && first != MeshFrame.PROBE && first != MeshFrame.PROBE_ACK) {
            overlay.dataFrom(now, peer.publicKey(), from);
        }
    }

    /** The largest WireGuard message the peer's current path carries if it is relayed, else 0. */
    int relayedMaxMessage(Peer peer) {
        return peer.endpoint() instanceof RelayedEndpoint r ? overlay.circuits().maxMessage(r) : 0;
    }

    // ------------------------------------------------------------------ Overlay.Host

    @Override
    public void receive(RelayedEndpoint from, byte[] buf, int off, int len) {
        loop.engine().receive(loop.io().nanoTime(), buf, off, len, from);
    }

    @Override
    public boolean sendVia(PublicKey peer, Endpoint path, byte[] frame, int off, int len) {
        PeerState s = peers.get(peer);
        if (s == null || len > probeScratch.length - SessionEngine.SEND_HEADROOM - FrameLinks.TAILROOM) {
            return false;
        }
        System.arraycopy(frame, off, probeScratch, SessionEngine.SEND_HEADROOM, len);
        return loop.engine().sendTo(loop.io().nanoTime(), s.session, path, probeScratch, SessionEngine.SEND_HEADROOM,
                len);
    }

    @Override
    public void use(PublicKey peer, Endpoint endpoint, Endpoint previous) {
        PeerState s = peers.get(peer);
        if (s == null) {
            return;
        }
        s.session.setEndpoint(endpoint);
        int relayedMax = relayedMaxMessage(s.session);
        s.maxDatagram = DatagramLimit.of(endpoint, config.channels().maxUdpPayload(), relayedMax);
        if (endpoint.equals(previous)) {
            return; // the path in use answers again after the peer was sought (noWorkingPath): nothing else changed
        }
        connections.pathChanged(s, previous, endpoint, relayedMax);
        if (endpoint instanceof UdpEndpoint u) {
            listener.onEndpointChanged(peer, u.address());
        }
        listener.onPathChanged(peer, PathInfo.of(endpoint, true, overlay.paths(peer)));
        long now = loop.io().nanoTime();
        if (previous == null && !s.session.hasSession(now)) {
            // The first path to a peer reached through relays: meet it now. Nothing else would send
            // to it first, and its paths can only be probed inside a session.
            loop.engine().initiateHandshake(now, s.session);
        }
    }

    @Override
    public void unreachable(PublicKey peer) {
        PeerState s = peers.get(peer);
        if (s != null && onUnreachable != null) {
            onUnreachable.accept(s);
        }
    }

    /**
     * Every path to a peer found by discovery is gone or failing (its relay died, its circuit closed,
     * the direct path stopped answering): it is sought again — its packets wait for a seek, which a
     * handshake starts now (the session layer sends the initiation to the {@link SeekEndpoint}) —
     * and the new circuit the seek brings becomes its path. Peers with a configured way keep it.
     */
    @Override
    public void noWorkingPath(PublicKey peer) {
        PeerState s = peers.get(peer);
        if (s == null || !s.discoverable) {
            return;
        }
        s.session.setEndpoint(new SeekEndpoint(peer));
        s.maxDatagram = DatagramLimit.of(s.session.endpoint(), config.channels().maxUdpPayload(), 0);
        loop.engine().initiateHandshakeSooner(loop.io().nanoTime(), s.session, Seeks.RETRY_NANOS);
        reseeks++;
    }

    /** Times a peer found by discovery lost every path and was sought again. */
    long reseeks() {
        return reseeks;
    }

    private long reseeks;

    @Override
    public boolean initiateHandshake(PublicKey peer, long minIntervalNanos) {
        PeerState s = peers.get(peer);
        return s != null && loop.engine().initiateHandshakeSooner(loop.io().nanoTime(), s.session, minIntervalNanos);
    }

    /** The application's pings, whose answers are taken before the overlay sees them; set once, before the loop starts. */
    Pings pings;

    /** What the node does with a peer no member knows; set once, before the loop starts. */
    java.util.function.Consumer<PeerState> onUnreachable;

    /**
     * The application's packets to {@code peer}: its datagrams and the channel packets that carry
     * messages. Not the session's whole count — the overlay's own probes, candidates and address
     * reports, and keepalives, would then count as sending, and a pair that sent once would keep
     * probing its path every half second for ever instead of every 4 s when idle — nor the channel
     * connection's acknowledgements and PINGs, which an open but quiet channel sends (a PING every
     * third of the idle timeout, each answered).
     */
    @Override
    public long packetsSent(PublicKey peer) {
        PeerState s = peers.get(peer);
        if (s == null) {
            return 0;
        }
        return s.datagramsSent.get() + PeerConnections.dataPacketsSent(s);
    }

    // ------------------------------------------------------------------ sending on relayed paths

    /** Loop thread: sends what the outbox holds, each packet inside the session with its path's relay. */
    private void flush() {
        flushScheduled.set(false);
        long now = loop.io().nanoTime();
        try {
            Outgoing o;
            while ((o = outbox.poll()) != null) {
                sendNow(now, o.to, o.packet, 0, o.packet.length);
            }
        } finally {
            loop.rearm();
        }
    }

    private void onTimeout(long now) {
        try {
            if (now - hostAddressesRead >= HOST_ADDRESS_POLL_NANOS) {
                readHostAddresses(now);
            }
            overlay.onTimeout(now);
        } finally {
            loop.rearm();
        }
    }

    /** {@link MeshNode#relayStats()}. */
    RelayStats stats() {
        var relay = overlay.relay();
        long refused = 0;
        for (int code = 0; code < 16; code++) {
            refused += relay.refused(code);
        }
        return new RelayStats(relay.circuits(), relay.packetsForwarded(), relay.bytesForwarded(), refused,
                relay.packetsOverRate(), overlay.circuits().size(), overlay.circuitsRefused(), relayedDropped,
                relay.notWireGuard(), overlay.malformedFrames(), overlay.circuits().unknownCircuitMessages(),
                overlay.circuits().inboundRefused());
    }

    /** Packets for relayed paths whose circuit was gone by the time they were to be sent. */
    long relayedDropped() {
        return relayedDropped;
    }

    /** Relay frames go into the session with the link's peer. */
    private final class Links extends FrameLinks {
        Links() {
            super(SessionEngine.SEND_HEADROOM);
        }

        @Override
        public boolean isConnected(PublicKey key) {
            PeerState s = peers.get(key);
            return s != null && s.up && !s.session.isWireGuardCompatible() && s.session.hasSession(loop.io().nanoTime());
        }

        @Override
        public int maxInnerMessage(PublicKey key) {
            PeerState s = peers.get(key);
            if (s == null) {
                return 0;
            }
            int udp = LoopbackPath.maxUdpPayload(UdpEndpoint.addressOf(s.session.endpoint()));
            if (udp <= 0) {
                udp = config.channels().maxUdpPayload();
            }
            return Math.max(0, udp - SESSION_OVERHEAD - RELAY_FRAME_OVERHEAD);
        }

        @Override
        public List<PublicKey> connectedMembers() {
            long now = loop.io().nanoTime();
            List<PublicKey> out = new java.util.ArrayList<>();
            for (PeerState s : peers.values()) {
                if (s.up && !s.session.isWireGuardCompatible() && s.session.hasSession(now)) {
                    out.add(s.session.publicKey());
                }
            }
            return out;
        }

        @Override
        protected void sendFrame(PublicKey link, byte[] buf, int off, int len) {
            PeerState s = peers.get(link);
            if (s != null) {
                loop.engine().send(loop.io().nanoTime(), s.session, buf, off, len);
            }
        }
    }

    /** For statistics: the candidates {@code peer} last sent. */
    List<java.net.InetSocketAddress> remoteCandidates(Peer peer) {
        return overlay.remoteCandidates(peer.publicKey());
    }

    /** For statistics: how long {@code peer} has been direct (see {@link PeerStats#directForNanos}), or -1. */
    long directFor(Peer peer, long now) {
        PeerPaths p = overlay.paths(peer.publicKey());
        return p == null || p.isRoaming() || p.directSinceNanos() == Long.MIN_VALUE ? -1 : now - p.directSinceNanos();
    }

    /** For statistics: the paths to {@code peer}, the one in use first. */
    List<PathInfo> paths(Peer peer) {
        return PathInfo.all(overlay.paths(peer.publicKey()), peer.endpoint());
    }
}
