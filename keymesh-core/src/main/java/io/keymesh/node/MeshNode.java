package io.keymesh.node;

import io.keymesh.channel.ChannelConfig;
import io.keymesh.channel.ChannelConnection;
import io.keymesh.crypto.Aead;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.io.NodeIo;
import io.keymesh.io.UdpNodeIo;
import io.keymesh.session.DropReason;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.SessionEvents;
import io.keymesh.session.Endpoint;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.wire.InnerPayload;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.TransportData;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A keymesh node: one UDP port, a key pair, and peers reached by public key over WireGuard
 * sessions. Strangers, and nodes without the network key, get no answer at all.
 *
 * <p>Threading: the node runs on its {@link NodeIo}'s loop thread. Its public methods may be called
 * from any thread; {@link NodeListener} callbacks run on the loop thread and must not block (hand
 * work to another thread). Methods that return a future complete on the loop thread, or at once
 * when called from it.
 *
 * <p>Closed or failed: once the node is closed, or its loop thread has stopped on a failure (on a
 * real socket: an I/O error of the socket, or a {@link VirtualMachineError} in a callback; a
 * listener that throws anything else is logged and counted, {@link UdpNodeIo#callbackErrors()},
 * and the loop goes on), it takes no more work: {@link #send}, {@link #channel} and
 * {@link Channel#send} throw {@link IllegalStateException}, and methods that return a future return
 * one that has already failed with an {@link IllegalStateException}. A call that was queued for the
 * loop when it stopped fails the same way rather than never completing.
 *
 * <p>Datagrams are unreliable, as UDP: one accepted by {@link #send} may still be lost on the way.
 * Before a session exists they wait (up to 128 per peer) for the handshake. {@link #send} refuses
 * work beyond {@link #MAX_PENDING_SENDS} queued sends or {@link #MAX_PENDING_SEND_BYTES} queued
 * bytes instead of queueing without bound.
 */
public final class MeshNode implements AutoCloseable {
    /**
     * Largest datagram: a UDP payload over IPv4 (65,507) less WireGuard's header and tag (32), the
     * worst-case padding (15) and the frame header (5).
     */
    public static final int MAX_DATAGRAM_LENGTH = 65_507 - TransportData.MIN_LENGTH - 15 - 5;
    /** Sends queued for the loop thread beyond which {@link #send} returns false. */
    public static final int MAX_PENDING_SENDS = 16_384;
    /**
     * Bytes of datagrams queued for the loop thread beyond which {@link #send} returns false. The
     * count alone would let {@link #MAX_PENDING_SENDS} large datagrams hold about a gibibyte of
     * heap; 4 MiB, as much as the socket's send buffer, is milliseconds of work for the loop, and a
     * longer queue would only add delay.
     */
    public static final int MAX_PENDING_SEND_BYTES = 4 << 20;
    /** Bytes of messages a {@link Channel} holds for its connection before it refuses more. */
    public static final int CHANNEL_QUEUE_BYTES = 1 << 20;
    /** The reason {@link #removePeer} gives for the channels and the peer it ends. */
    public static final String PEER_REMOVED = "peer removed";

    private final EngineLoop loop;
    private final GuardedListener listener;
    private final NodeConfig config;
    private final Map<PublicKey, PeerState> peers = new ConcurrentHashMap<>();
    private final PendingSends pendingSends = new PendingSends(MAX_PENDING_SENDS, MAX_PENDING_SEND_BYTES);
    private final AtomicLong sendsRefused = new AtomicLong();
    private volatile boolean closed;
    /** What stopped the loop thread, if it stopped on a failure rather than by {@link #close()}. */
    private volatile Throwable loopFailure;
    private long unknownFrames;
    private long malformedPayloads;
    private long ipPacketsIgnored;

    private MeshNode(NodeConfig config, NodeListener listener, NodeIo io) {
        this.config = config;
        this.listener = new GuardedListener(listener);
        this.loop = new EngineLoop(io, config.privateKey(), new Events());
    }

    /** Starts a node on a real UDP socket bound to {@code config.listen()}. */
    public static MeshNode start(NodeConfig config, NodeListener listener) {
        return start(config, listener, new UdpNodeIo(config.listen()));
    }

    /** Starts a node on {@code io} (for example a simulated network); {@code config.listen()} is not used. */
    public static MeshNode start(NodeConfig config, NodeListener listener, NodeIo io) {
        MeshNode node = new MeshNode(config, listener, io);
        CompletableFuture<Void> configured = node.loop.call((engine, now) -> {
            engine.setTransportAead(Aead.named(config.aead()));
            if (config.networkKey() != null) {
                engine.setMembershipKey(config.networkKey());
            }
            for (PeerConfig p : config.peers()) {
                node.addPeerOnLoop(engine, p);
            }
            return null;
        });
        node.loop.start(node::loopStopped); // the loop runs queued tasks (the configuration) before it receives
        try {
            configured.join();
        } catch (java.util.concurrent.CompletionException e) {
            node.close();
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
        return node;
    }

    /** This node's public key. */
    public PublicKey publicKey() {
        return config.privateKey().publicKey();
    }

    /** The bound UDP address. */
    public InetSocketAddress localAddress() {
        return loop.io().localAddress();
    }

    /** True if {@code key} is an allowed peer. */
    public boolean isPeer(PublicKey key) {
        return peers.containsKey(key);
    }

    /**
     * Sends {@code data[off..off+len)} to the peer {@code to} as one datagram. The bytes are copied
     * before return. On a real socket, with a session up and no earlier send to that peer waiting
     * for the loop, the datagram is encrypted and sent on the calling thread before return;
     * otherwise the loop thread sends it (after a handshake if need be), after the sends to that
     * peer queued before it. On the loop thread itself (from a listener callback) it is sent at once,
     * ahead of that peer's datagrams other threads have queued, and never refused.
     *
     * @return true if accepted, false if refused because {@link #MAX_PENDING_SENDS} sends or
     *     {@link #MAX_PENDING_SEND_BYTES} bytes are queued for the loop (counted in {@link #sendsRefused})
     * @throws IllegalArgumentException if {@code to} is not a peer or the datagram is longer than
     *     {@link #MAX_DATAGRAM_LENGTH}
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit in {@code data}
     * @throws IllegalStateException if the node is closed or its loop failed
     */
    public boolean send(PublicKey to, byte[] data, int off, int len) {
        ensureOpen();
        PeerState state = peers.get(to);
        if (state == null) {
            throw new IllegalArgumentException("not a peer of this node: " + to);
        }
        if (len < 0 || len > MAX_DATAGRAM_LENGTH) {
            throw new IllegalArgumentException("datagram of " + len + " bytes; at most " + MAX_DATAGRAM_LENGTH);
        }
        java.util.Objects.checkFromIndexSize(off, len, data.length); // before counting it as pending
        int frameLen = MeshFrame.frameLength(len);
        int bufLen = SessionEngine.SEND_HEADROOM + frameLen + 15 + TransportData.TAG_LENGTH;
        // Off the loop thread: encrypted and sent on this thread when the session allows and no
        // earlier send to the peer waits for the loop (it would be overtaken). Otherwise through
        // the loop. Only a peer's own sends are ordered: other peers' queued sends do not hold it up.
        boolean onLoop = loop.io().inLoop();
        if (state.pendingSends.get() == 0 && loop.io().concurrentSends() && !onLoop) {
            SendScratch scratch = SendScratch.acquire();
            try {
                byte[] buf = scratch.buffer(bufLen);
                frameDatagram(data, off, len, buf);
                if (loop.sendOnCallerThread(state.session, buf, SessionEngine.SEND_HEADROOM, frameLen, scratch.aead(config.aead()))) {
                    state.datagramsSent.incrementAndGet();
                    return true;
                }
            } finally {
                SendScratch.release(scratch);
            }
        }
        // From a listener callback (the loop thread) the call below runs inline: nothing is queued,
        // so nothing is counted against the bounds and nothing is refused.
        if (!onLoop) {
            if (!pendingSends.tryAdd(bufLen)) {
                sendsRefused.incrementAndGet();
                return false;
            }
            state.pendingSends.incrementAndGet();
        }
        byte[] buf = new byte[bufLen];
        frameDatagram(data, off, len, buf);
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<Void> done = loop.call((engine, now) -> {
            ran.set(true);
            try {
                if (peers.get(to) == state) {
                    state.datagramsSent.incrementAndGet();
                    engine.send(now, state.session, buf, SessionEngine.SEND_HEADROOM, frameLen);
                }
            } finally {
                if (!onLoop) {
                    // after sending: a send to this peer on another thread must not overtake this one
                    state.pendingSends.decrementAndGet();
                    pendingSends.remove(bufLen);
                }
            }
            return null;
        });
        if (!ran.get() && done.isCompletedExceptionally()) { // refused: the loop stopped since the check above
            state.pendingSends.decrementAndGet();
            pendingSends.remove(bufLen);
            throw stoppedException();
        }
        return true;
    }

    /** Writes the DATAGRAM frame of {@code data[off..off+len)} at the engine's headroom in {@code buf}. */
    private static void frameDatagram(byte[] data, int off, int len, byte[] buf) {
        int bodyOff = MeshFrame.writeHeader(buf, SessionEngine.SEND_HEADROOM, MeshFrame.DATAGRAM, len);
        System.arraycopy(data, off, buf, bodyOff, len);
    }

    /** {@link #send(PublicKey, byte[], int, int)} of a whole array. */
    public boolean send(PublicKey to, byte[] data) {
        return send(to, data, 0, data.length);
    }

    /**
     * Adds (allows) a peer at run time.
     *
     * @return completes once the peer is added; has failed with {@link IllegalStateException} if
     *     the node is closed or its loop failed
     * @throws IllegalArgumentException if {@code peer} is this node's own key
     */
    public CompletableFuture<Void> addPeer(PeerConfig peer) {
        if (peer.publicKey().equals(publicKey())) {
            throw new IllegalArgumentException("a node cannot be its own peer");
        }
        return onLoop((engine, now) -> {
            addPeerOnLoop(engine, peer);
            return null;
        });
    }

    /**
     * Removes a peer at run time: its connection is closed (the peer is sent a CONNECTION_CLOSE),
     * its session ends with its keys zeroed, and it gets no further answer. The listener hears it as
     * it would hear a connection lost and a peer gone, on the loop thread before the future
     * completes, with the reason {@value #PEER_REMOVED}: {@link NodeListener#onChannelsLost} if the
     * peer had channels (on its connection, or handles not yet lost), then
     * {@link NodeListener#onPeerDown} if it was up. Its channel handles are lost.
     *
     * @return completes with whether {@code key} was a peer; has failed with
     *     {@link IllegalStateException} if the node is closed or its loop failed
     */
    public CompletableFuture<Boolean> removePeer(PublicKey key) {
        return onLoop((engine, now) -> {
            PeerState s = peers.remove(key);
            if (s == null) {
                return false;
            }
            boolean hadChannels = s.connection != null && s.connection.hasChannels();
            if (s.connection != null) {
                s.connection.close(now, PEER_REMOVED); // reports nothing: reported below
                s.connection = null;
            }
            for (Channel c : s.channels.values()) {
                hadChannels |= c.lostReason == null;
            }
            loseChannels(s, PEER_REMOVED);
            boolean removed = engine.removePeer(key);
            boolean wasUp = s.up;
            s.up = false;
            try {
                if (hadChannels) {
                    listener.onChannelsLost(key, PEER_REMOVED);
                }
            } finally {
                if (wasUp) {
                    listener.onPeerDown(key, PEER_REMOVED); // also if the listener threw above
                }
            }
            return removed;
        });
    }

    /**
     * Starts a handshake with {@code key} now (WireGuard allows one per 5 s).
     *
     * @return completes with whether a handshake was started; fails with
     *     {@link IllegalArgumentException} if {@code key} is not a peer, and with
     *     {@link IllegalStateException} if the node is closed or its loop failed
     */
    public CompletableFuture<Boolean> connect(PublicKey key) {
        return onLoop((engine, now) -> {
            PeerState s = peers.get(key);
            if (s == null) {
                throw new IllegalArgumentException("not a peer of this node: " + key);
            }
            return engine.initiateHandshake(now, s.session);
        });
    }

    /** A snapshot of every peer; a failed future ({@link IllegalStateException}) if the node is closed or its loop failed. */
    public CompletableFuture<List<PeerStats>> peerStats() {
        return onLoop((engine, now) -> {
            List<PeerStats> out = new ArrayList<>();
            for (Peer p : engine.peers()) {
                PeerState s = peers.get(p.publicKey());
                long hs = p.lastHandshakeNanos();
                out.add(new PeerStats(p.publicKey(), UdpEndpoint.addressOf(p.endpoint()), s != null && s.up, hs < 0 ? -1 : now - hs,
                        p.handshakesCompleted(), p.txPackets(), p.rxPackets(), p.txBytes(), p.rxBytes(),
                        s == null ? 0 : s.datagramsSent.get(), s == null ? 0 : s.datagramsReceived));
            }
            return out;
        });
    }

    /**
     * Packets dropped by the session layer, by reason (only reasons that occurred); a failed future
     * ({@link IllegalStateException}) if the node is closed or its loop failed.
     */
    public CompletableFuture<Map<DropReason, Long>> drops() {
        return onLoop((engine, now) -> {
            Map<DropReason, Long> out = new EnumMap<>(DropReason.class);
            for (DropReason r : DropReason.values()) {
                if (engine.dropped(r) > 0) {
                    out.put(r, engine.dropped(r));
                }
            }
            return out;
        });
    }

    /**
     * The reliable connection's measurements for {@code peer} (RTT, window, losses, path MTU), or
     * null if none; a failed future ({@link IllegalStateException}) if the node is closed or its
     * loop failed.
     */
    public CompletableFuture<ChannelConnection.Stats> channelStats(PublicKey peer) {
        return onLoop((engine, now) -> {
            PeerState s = peers.get(peer);
            return s == null || s.connection == null ? null : s.connection.stats();
        });
    }

    /** Sends refused because too many datagrams, or too many bytes, were queued for the loop. */
    public long sendsRefused() {
        return sendsRefused.get();
    }

    /**
     * Exceptions the {@link NodeListener}'s callbacks threw: each is logged and counted, and the node
     * goes on as if the callback had returned.
     */
    public long listenerErrors() {
        return listener.errors();
    }

    /**
     * Payload frames of types this node does not know (skipped), malformed payloads, ignored IP
     * packets; a failed future ({@link IllegalStateException}) if the node is closed or its loop failed.
     */
    public CompletableFuture<long[]> frameCounters() {
        return onLoop((engine, now) -> new long[] {unknownFrames, malformedPayloads, ipPacketsIgnored});
    }

    /**
     * Runs {@code f} with the session engine on the loop thread: for diagnostics and tests. A failed
     * future ({@link IllegalStateException}) if the node is closed or its loop failed.
     */
    public <T> CompletableFuture<T> withEngine(EngineLoop.EngineFunction<T> f) {
        return onLoop(f);
    }

    /** {@link EngineLoop#call}, unless the node is closed or its loop failed: then a future that has failed. */
    private <T> CompletableFuture<T> onLoop(EngineLoop.EngineFunction<T> f) {
        return isOpen() ? loop.call(f) : CompletableFuture.failedFuture(stoppedException());
    }

    /** Throws {@link IllegalStateException} if the node is closed or its loop failed. Any thread. */
    void ensureOpen() {
        if (!isOpen()) {
            throw stoppedException();
        }
    }

    /** False once the node is closed or its loop failed. Any thread. */
    boolean isOpen() {
        return !closed && loopFailure == null;
    }

    private IllegalStateException stoppedException() {
        Throwable failure = loopFailure;
        return failure == null
                ? new IllegalStateException("node is closed")
                : new IllegalStateException("node failed: its loop thread stopped on " + failure, failure);
    }

    /**
     * Loop thread, as the loop stops for good. A loop that failed takes the node with it: from then
     * on it refuses work as a closed one does (its calls queued meanwhile fail next).
     */
    /** Loop thread, once, when the loop stops for good: whatever stopped it, no session outlives it. */
    private void loopStopped(Throwable failure) {
        if (failure != null) {
            loopFailure = failure;
        }
        peers.clear();
        loop.engine().removeAllPeers();
    }

    /**
     * Stops the node after its reliable channels have delivered what they took: waits until every
     * message accepted by a {@link Channel} is acknowledged by its peer (or that peer's connection
     * is lost), at most {@code drainTimeout}, then {@link #close()}s. Not on the loop thread: nothing
     * is sent or acknowledged while it waits there (from a listener callback, hand it to another
     * thread, or call {@link #close()}).
     *
     * @return true if everything was acknowledged in time
     * @throws IllegalStateException if called on the node's loop thread (in a simulation every
     *     thread is; the node is left open)
     */
    public boolean close(java.time.Duration drainTimeout) {
        if (loop.io().inLoop()) {
            throw new IllegalStateException("close(drainTimeout) called on the node's loop thread, where nothing"
                    + " drains while it waits; call it from another thread, or close() to stop at once");
        }
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        boolean drained = false;
        while (!closed) {
            try {
                drained = loop.call((engine, now) -> {
                    for (PeerState s : peers.values()) {
                        for (Channel c : s.channels.values()) {
                            if (!c.queue.isEmpty() && c.lostReason == null) {
                                return false;
                            }
                        }
                        if (s.connection != null && s.connection.hasUnacknowledgedData()) {
                            return false;
                        }
                    }
                    return true;
                }).get(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                break; // the loop is gone or stuck: close anyway
            }
            if (drained || System.nanoTime() - deadline > 0) {
                break;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        return drained;
    }

    /**
     * Stops the node and releases its socket; every peer's connection sends its peer a
     * CONNECTION_CLOSE, then every session's keys and handshake state are zeroed and no thread can
     * send with them any more (as {@link #removePeer} does). The listener is told nothing of it — no {@link NodeListener#onChannelsLost},
     * no {@link NodeListener#onPeerDown} — as the application ended it all itself. The private key
     * is the caller's to close.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            loop.call((engine, now) -> {
                for (PeerState s : peers.values()) {
                    if (s.connection != null) {
                        s.connection.close(now, "node closing");
                    }
                }
                engine.removeAllPeers(); // after the CONNECTION_CLOSEs, which the sessions encrypt
                peers.clear(); // tasks queued behind this one find no peer: no new handshake, no new connection
                return null;
            }).get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        loop.close();
    }

    // ------------------------------------------------------------------ reliable channels

    /** The largest message a channel takes. */
    int maxMessage() {
        return config.channels().maxMessage();
    }

    /**
     * The reliable channel {@code channelId} to {@code peer}: the same handle until it is closed or
     * its connection is lost, then a new one. Both ends use the same number for one channel.
     *
     * @throws IllegalArgumentException if {@code peer} is not a peer, the id is negative, or the id was used and
     *     closed on the current connection (finished channels are retired; their numbers are not reused)
     */
    public Channel channel(PublicKey peer, long channelId) {
        ensureOpen();
        if (channelId < 0 || channelId > io.keymesh.wire.VarInt.MAX) {
            throw new IllegalArgumentException("channel id out of range: " + channelId);
        }
        PeerState state = peers.get(peer);
        if (state == null) {
            throw new IllegalArgumentException("not a peer of this node: " + peer);
        }
        if (state.retiredChannels.contains(channelId)) {
            throw new IllegalArgumentException("channel " + channelId + " to " + peer
                    + " was used and closed on the current connection; channel numbers are not reused");
        }
        return state.channels.compute(channelId, (id, c) ->
                c == null || c.lostReason != null || c.closed ? new Channel(this, peer, id) : c);
    }

    /** The channel handles the node keeps for {@code peer} (0 if it is not a peer); for tests. */
    int channelHandles(PublicKey peer) {
        PeerState s = peers.get(peer);
        return s == null ? 0 : s.channels.size();
    }

    /**
     * Runs {@link #drain} on the loop thread, once per burst of sends.
     *
     * @throws IllegalStateException if the loop has stopped (the node closed or failed meanwhile)
     */
    void scheduleDrain(Channel c) {
        if (c.drainScheduled.compareAndSet(false, true)) {
            // Always queued, also from the loop thread: a send from inside a listener callback
            // must not re-enter the connection that is delivering. The task object is the
            // channel's own, so a burst costs no allocation here.
            try {
                loop.io().execute(c.drainTask);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                c.drainScheduled.set(false);
                throw stoppedException();
            }
        }
    }

    /** Loop thread: {@link Channel#drainTask}. */
    void drainNow(Channel c) {
        try {
            drain(c, loop.io().nanoTime());
        } finally {
            loop.rearm(); // also after a listener threw: the loop goes on, and so must the deadlines
        }
    }

    /** Loop thread: moves a channel's queued messages into its connection as far as it takes them. */
    private void drain(Channel c, long now) {
        c.drainScheduled.set(false);
        PeerState state = peers.get(c.peer());
        if (state == null) {
            c.lose("not a peer any more");
            return;
        }
        if (c.lostReason != null) {
            c.dropQueued(); // a send that raced the loss
            return;
        }
        if (state.channels.get(c.id()) != c) {
            // A handle made while its peer was being removed (and perhaps added again): it belongs
            // to no connection the node tracks.
            c.lose("not a peer any more");
            return;
        }
        try {
            feed(state, c, now);
        } finally {
            state.connectionWakeup.rearm(); // also after a listener threw
        }
    }

    private void feed(PeerState state, Channel c, long now) {
        ChannelConnection conn = connectionFor(state, now);
        byte[] m;
        try {
            // Everything queued goes in first and leaves in one flush: a burst of small messages
            // shares packets.
            while ((m = c.queue.peek()) != null && conn.offer(c.id(), m)) {
                c.queue.poll();
                c.queuedBytes.addAndGet(-m.length);
            }
            if (c.closed && c.queue.isEmpty()) {
                if (!conn.closeChannel(now, c.id())) {
                    // It never reached the connection (nothing sent or received on it), so it will
                    // never retire: nothing is left to do with it.
                    state.channels.remove(c.id(), c);
                }
            } else {
                conn.flush(now);
            }
        } catch (IllegalStateException e) {
            c.lose(e.getMessage());
            state.channels.remove(c.id(), c);
        }
        if (c.queuedBytes.get() < CHANNEL_QUEUE_BYTES / 2 && c.wantsWritable.compareAndSet(true, false)) {
            listener.onChannelWritable(c.peer(), c.id());
        }
    }

    private ChannelConnection connectionFor(PeerState state, long now) {
        if (state.connection == null) {
            PublicKey key = state.session.publicKey();
            ChannelConfig channels = config.channels();
            int loopback = LoopbackPath.maxUdpPayload(UdpEndpoint.addressOf(state.session.endpoint()));
            state.loopbackConnection = loopback > channels.maxUdpPayload();
            if (state.loopbackConnection) {
                channels = channels.withMaxUdpPayload(loopback);
            }
            state.connection = new ChannelConnection(channels, loop.io().random(), now,
                    (buf, off, len) -> loop.engine().send(loop.io().nanoTime(), state.session, buf, off, len),
                    new ConnectionEvents(key, state), state.retiredChannels);
        } else if (state.loopbackConnection && !LoopbackPath.isLoopback(UdpEndpoint.addressOf(state.session.endpoint()))) {
            state.loopbackConnection = false; // the peer moved off this host
            state.connection.restartPathMtuDiscovery(config.channels().maxUdpPayload());
        }
        return state.connection;
    }

    /** Loop thread: a peer's connection reached its deadline (it is the current one: a removed peer's was dropped). */
    private void onConnectionTimeout(PeerState s, long now) {
        ChannelConnection c = s.connection;
        if (c != null && peers.get(s.session.publicKey()) == s && c.nextTimeout() <= now) {
            c.onTimeout(now);
        }
        loop.rearm();
    }

    /** A peer's connection's events, passed on to the listener with the peer's key. */
    private final class ConnectionEvents implements ChannelConnection.Events {
        private final PublicKey peer;
        private final PeerState state;

        ConnectionEvents(PublicKey peer, PeerState state) {
            this.peer = peer;
            this.state = state;
        }

        @Override
        public void onMessage(long channelId, byte[] message) {
            listener.onMessage(peer, channelId, message);
        }

        @Override
        public void onChannelOpened(long channelId) {
            listener.onChannelOpened(peer, channelId);
        }

        @Override
        public void onWritable(long channelId) {
            Channel c = state.channels.get(channelId);
            if (c != null && !c.queue.isEmpty()) {
                scheduleDrain(c);
            }
        }

        @Override
        public void onChannelClosed(long channelId, long errorCode) {
            listener.onChannelClosed(peer, channelId, errorCode);
        }

        @Override
        public void onChannelRetired(long channelId) {
            // The connection has put the number among state.retiredChannels.
            state.channels.computeIfPresent(channelId, (id, c) -> c.closed ? null : c);
        }

        @Override
        public void onConnectionLost(String reason) {
            // The connection has emptied state.retiredChannels: the next one numbers its channels afresh.
            if (state.connection != null && state.connection.isLost()) {
                state.connection = null; // the next channel use starts a new connection
            }
            // else the peer restarted: the connection has already started over with the peer's new
            // id and a new id of ours, which it is telling the peer; a fresh connection here would
            // have yet another id, and the two sides would drop each other's packets as stale.
            loseChannels(state, reason);
            listener.onChannelsLost(peer, reason);
        }
    }

    /**
     * Loop thread: every channel handle of {@code state} is lost with {@code reason}; the node
     * forgets them and the messages they held are dropped. {@link #channel} gives new handles.
     */
    private static void loseChannels(PeerState state, String reason) {
        for (Channel c : state.channels.values()) {
            c.lose(reason);
            state.channels.remove(c.id(), c); // not a handle made meanwhile for the same number
        }
    }

    private void addPeerOnLoop(SessionEngine engine, PeerConfig pc) {
        PresharedKey psk = config.networkKey() == null ? PresharedKey.ZERO : config.networkKey();
        Peer p = engine.addPeer(pc.publicKey(), psk);
        p.setEndpoint(UdpEndpoint.of(pc.endpoint()));
        p.setPersistentKeepaliveSeconds(pc.persistentKeepaliveSeconds());
        if (pc.wireGuardCompatible()) {
            engine.setWireGuardCompatible(p, true);
        }
        PeerState state = new PeerState(p);
        state.connectionWakeup = new Wakeup(loop.io(), () -> state.connection == null ? Long.MAX_VALUE : state.connection.nextTimeout(),
                now -> onConnectionTimeout(state, now));
        peers.put(pc.publicKey(), state);
    }

    private final class Events implements SessionEvents {
        @Override
        public void deliver(Peer peer, int kind, byte[] payload, int off, int len) {
            if (kind != InnerPayload.MESH_FRAMES) {
                ipPacketsIgnored++;
                return;
            }
            PeerState state = peers.get(peer.publicKey());
            if (state != null && (payload[off] & 0xff) == MeshFrame.PACKET) {
                try {
                    long now = loop.io().nanoTime();
                    connectionFor(state, now).onPayload(now, payload, off, len);
                } finally {
                    state.connectionWakeup.rearm(); // also after a listener threw
                }
                return;
            }
            boolean ok = MeshFrame.forEach(payload, off, len, (type, b, bodyOff, bodyLen) -> {
                if (type == MeshFrame.DATAGRAM) {
                    if (state != null) {
                        state.datagramsReceived++;
                    }
                    listener.onDatagram(peer.publicKey(), b, bodyOff, bodyLen);
                } else {
                    unknownFrames++;
                }
            });
            if (!ok) {
                malformedPayloads++;
            }
        }

        @Override
        public void handshakeCompleted(Peer peer) {
            PeerState s = peers.get(peer.publicKey());
            if (s != null && !s.up) {
                s.up = true;
                listener.onPeerUp(peer.publicKey());
            }
        }

        /** WireGuard's roaming: the peer's endpoint follows its authenticated packets. */
        @Override
        public void authenticated(Peer peer, Endpoint from) {
            if (!from.equals(peer.endpoint())) {
                peer.setEndpoint(from);
                listener.onEndpointChanged(peer.publicKey(), UdpEndpoint.addressOf(from));
            }
        }

        @Override
        public void handshakeGaveUp(Peer peer) {
            down(peer, "no handshake answer for 90 s");
        }

        @Override
        public void keysZeroed(Peer peer) {
            down(peer, "session expired");
        }

        private void down(Peer peer, String reason) {
            PeerState s = peers.get(peer.publicKey());
            if (s != null && s.up) {
                s.up = false;
                listener.onPeerDown(peer.publicKey(), reason);
            }
        }
    }
}
