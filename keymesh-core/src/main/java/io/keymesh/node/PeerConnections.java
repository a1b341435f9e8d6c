package io.keymesh.node;

import io.keymesh.channel.ChannelConfig;
import io.keymesh.channel.ChannelConnection;
import io.keymesh.channel.PathChange;
import io.keymesh.channel.PathOverhead;
import io.keymesh.compress.Compression;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import io.keymesh.session.UdpEndpoint;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Map;

/**
 * Each peer's reliable connection ({@link ChannelConnection}, made on first use) and the
 * application's {@link Channel} handles on it, both kept in the peer's {@link PeerState}: handles
 * given out ({@link #channel}), their queued messages drained into the connection, received channel
 * packets, the connection's timer and events, and handles lost with their connection or peer.
 *
 * <p>Any thread: {@link #channel}, {@link #handles}, {@link #scheduleDrain}, and what {@link Channel}
 * asks ({@link #maxMessage}, whether the node is open). Everything else: the loop thread.
 */
final class PeerConnections {
    private static final Logger log = LoggerFactory.getLogger(PeerConnections.class);

    /** Handshakes started because acknowledgements stopped coming: at most one per this long. */
    static final long UNANSWERED_HANDSHAKE_INTERVAL = 1_000_000_000L;
    /** The overlay, for the path a connection starts on; set once, before the loop starts. */
    MeshOverlay overlay;
    private final EngineLoop loop;
    private final GuardedListener listener;
    private final NodeConfig config;
    private final Map<PublicKey, PeerState> peers;
    private final RunState run;
    /** Channel compression: dictionaries, offer, encoders, the loop's decoder. */
    final ChannelCodecs codecs;
    /** Hands a channel's queue to its connection ({@link #feed}); one object, reused, loop thread only. */
    private final Feeder feeder = new Feeder();

    PeerConnections(EngineLoop loop, GuardedListener listener, NodeConfig config, Map<PublicKey, PeerState> peers,
            RunState run) {
        this.codecs = new ChannelCodecs(config.compression(), config.channels().maxMessage());
        this.loop = loop;
        this.listener = listener;
        this.config = config;
        this.peers = peers;
        this.run = run;
    }

    /** The largest message a channel takes. Any thread. */
    int maxMessage() {
        return config.channels().maxMessage();
    }

    /** {@link RunState#ensureOpen()}, for {@link Channel}. Any thread. */
    void ensureOpen() {
        run.ensureOpen();
    }

    /** {@link RunState#isOpen()}, for {@link Channel}. Any thread. */
    boolean isOpen() {
        return run.isOpen();
    }

    /** {@link MeshNode#channel}, with its contract. Any thread. */
    Channel channel(PublicKey peer, long channelId) {
        return channel(peer, channelId, null);
    }

    /**
     * {@link MeshNode#channel(PublicKey, long, Compression)}, with its contract; {@code compression}
     * null: the live handle whatever it sends with, or a new one without compression. Any thread.
     */
    Channel channel(PublicKey peer, long channelId, Compression compression) {
        run.ensureOpen();
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
        Compression wanted = codecs.effective(compression == null ? Compression.NONE : compression);
        Channel handle = state.channels.compute(channelId, (id, c) ->
                c == null || c.lostReason != null || c.closed ? new Channel(this, peer, id, wanted) : c);
        if (compression != null && !handle.compression().equals(wanted)) {
            throw new IllegalArgumentException("channel " + channelId + " to " + peer + " is open with compression "
                    + handle.compression() + ", not " + wanted);
        }
        return handle;
    }

    /** {@code message} coded for the coded channel {@code c}, on the caller's thread. Any thread. */
    byte[] encode(Channel c, byte[] message) {
        PeerState state = peers.get(c.peer());
        return codecs.encode(c, message, state == null ? null : state.peerCompression);
    }

    /**
     * Loop thread: tells every connection the node's new offer (its dictionaries were reloaded).
     */
    void offerChanged() {
        long now = loop.io().nanoTime();
        for (PeerState s : peers.values()) {
            if (s.connection != null && !s.connection.isLost()) {
                s.connection.setCompressionOffer(codecs.store.offer());
                s.connection.flush(now);
                s.connectionWakeup.rearm();
            }
        }
    }

    /** The channel handles kept for {@code peer} (0 if it is not a peer). Any thread. */
    int handles(PublicKey peer) {
        PeerState s = peers.get(peer);
        return s == null ? 0 : s.channels.size();
    }

    /**
     * Runs {@link #drain} on the loop thread, once per burst of sends. Any thread.
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
                throw run.stoppedException();
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
        boolean writable = false;
        try {
            long reset = c.resetCode;
            if (reset != 0) {
                c.dropQueued(); // abandoned with the rest
                if (!conn.resetChannel(now, c.id(), reset)) {
                    state.channels.remove(c.id(), c); // never reached the connection: nothing to tell the peer
                }
                return;
            }
            // Everything queued goes in first and leaves in one flush: a burst of small messages
            // shares packets.
            feeder.set(state, c, conn);
            try {
                writable = c.queue.drain(feeder);
            } finally {
                feeder.set(null, null, null);
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
        if (writable) {
            listener.onChannelWritable(c.peer(), c.id());
        }
    }

    private final class Feeder implements ChannelQueue.Taker {
        private PeerState state;
        private Channel channel;
        private ChannelConnection connection;

        void set(PeerState state, Channel channel, ChannelConnection connection) {
            this.state = state;
            this.channel = channel;
            this.connection = connection;
        }

        @Override
        public boolean message(byte[] message) {
            boolean coded = channel.coded();
            return connection.offer(channel.id(), coded ? codecs.forPeer(channel, message, state.peerCompression) : message,
                    coded);
        }

        @Override
        public boolean framed(byte[] framed, int length, int largest) {
            return connection.offerFramed(channel.id(), framed, length, largest, channel.queue.reuse);
        }
    }

    /**
     * Loop thread: a payload from {@code state}'s peer whose first frame is PACKET, for its
     * connection ({@link PayloadRouter.Handler}).
     */
    void receive(PublicKey from, PeerState state, byte[] payload, int off, int len) {
        if (state.connection == null && !ChannelConnection.needsConnection(payload, off, len)) {
            return; // a late acknowledgement or answer of a connection that ended: nothing to answer, nothing to start
        }
        try {
            long now = loop.io().nanoTime();
            connectionFor(state, now).onPayload(now, payload, off, len, loop.receivingEcn());
            syncEcn(state); // an ACK may have settled ECN on the path
        } finally {
            state.connectionWakeup.rearm(); // also after a listener threw
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
            int relayedMax = overlay.relayedMaxMessage(state.session);
            if (relayedMax > channels.maxUdpPayload()) {
                // A circuit whose every hop is a loopback path carries large messages: search up to them.
                channels = channels.withMaxUdpPayload(Math.min(relayedMax, LoopbackPath.MAX_UDP_PAYLOAD));
            }
            state.connection = new ChannelConnection(channels, loop.io().random(), now,
                    (buf, off, len) -> {
                        syncEcn(state); // the packet was built marked or not as the connection says now
                        loop.engine().send(loop.io().nanoTime(), state.session, buf, off, len);
                    },
                    new ConnectionEvents(key, state), state.retiredChannels);
            state.connection.setEcnAllowed(ecnAllowed(state));
            state.connection.setIdleClose(true);
            state.connection.setCompressionOffer(codecs.store.offer()); // goes with its first packet
            int relayed = overlay.relayedMaxMessage(state.session);
            if (relayed > 0) { // starts on a relayed path: packets no larger than the circuit carries
                state.connection.onPathChanged(PathChange.NEW_ADDRESS, Math.min(relayed, channels.maxUdpPayload()),
                        PathOverhead.WIREGUARD);
            }
        } else if (state.loopbackConnection && !LoopbackPath.isLoopback(UdpEndpoint.addressOf(state.session.endpoint()))) {
            state.loopbackConnection = false; // the peer moved off this host
            state.connection.restartPathMtuDiscovery(config.channels().maxUdpPayload());
        }
        return state.connection;
    }

    /**
     * Loop thread: the peer's packets take another path now ({@code relayedMax}: the largest message
     * it carries if it is relayed, else 0). Its connection follows RFC 9000 section 9.4: a new port
     * of the same address keeps the RTT and congestion state, anything else starts them afresh, and
     * path-MTU discovery searches up to what the new path may carry.
     */
    void pathChanged(PeerState state, Endpoint previous, Endpoint current, int relayedMax) {
        ChannelConnection c = state.connection;
        if (c == null || c.isLost()) {
            return;
        }
        InetSocketAddress was = UdpEndpoint.addressOf(previous);
        InetSocketAddress is = UdpEndpoint.addressOf(current);
        PathChange kind = was != null && is != null && was.getAddress().equals(is.getAddress())
                ? PathChange.PORT_ONLY : PathChange.NEW_ADDRESS;
        int configured = config.channels().maxUdpPayload();
        if (state.loopbackConnection) {
            int loopback = LoopbackPath.maxUdpPayload(is);
            configured = loopback > 0 ? loopback : configured;
        }
        int ceiling = relayedMax > 0 ? relayedMax : configured;
        c.onPathChanged(kind, Math.min(ceiling, c.maxUdpPayloadCeiling()), PathOverhead.WIREGUARD);
        c.setEcnAllowed(ecnAllowed(state));
        syncEcn(state);
        state.connectionWakeup.rearm();
    }

    /**
     * Whether ECN may be tried with the peer: the node allows it, the I/O marks and reads the bits,
     * and the peer is reached directly (a relay's hop is another path, with its own marks).
     */
    private boolean ecnAllowed(PeerState state) {
        return config.ecn() && loop.io().ecnCapable() && state.session.endpoint() instanceof UdpEndpoint;
    }

    /**
     * Makes the I/O mark datagrams to the peer's address ECT(0) exactly while its connection says
     * packets go marked: on a change of either, the old address is unmarked and the new one marked.
     */
    private void syncEcn(PeerState state) {
        ChannelConnection c = state.connection;
        InetSocketAddress want = c != null && c.ecnMarking() ? UdpEndpoint.addressOf(state.session.endpoint()) : null;
        InetSocketAddress had = state.ecnMarkedAddress;
        if (want == had || (want != null && want.equals(had))) {
            return;
        }
        if (c != null && c.ecn().state() == io.keymesh.channel.EcnValidation.State.FAILED) {
            log.info("peer {}: the path to {} failed ECN validation ({}); its packets go unmarked",
                    state.session.publicKey().toBase64(), had, c.ecn().failure());
        }
        if (had != null) {
            loop.io().setEcnMarking(had, false);
        }
        if (want != null) {
            loop.io().setEcnMarking(want, true);
        }
        state.ecnMarkedAddress = want;
    }

    /** Loop thread: a handshake with the peer completed; a connection waiting on probe timeouts resends now. */
    void sessionRenewed(PeerState state) {
        ChannelConnection c = state.connection;
        if (c != null) {
            c.sessionRenewed(loop.io().nanoTime(), state.session.sessionInitiatedByPeer());
            state.connectionWakeup.rearm();
        }
    }

    /**
     * Loop thread: sends the peer a PING from our connection (made now if there is none), so that a
     * peer that still holds a connection with our previous life sees our new connection id and
     * starts over at once ({@link ChannelConnection}'s connection-id rules). Costs one small packet.
     */
    void announce(PeerState state) {
        long now = loop.io().nanoTime();
        connectionFor(state, now).ping(now);
        state.connectionWakeup.rearm();
    }

    /** Loop thread: gives a peer being added the timer of its connection. */
    void peerAdded(PeerState state) {
        state.connectionWakeup = new Wakeup(loop.io(), () -> state.connection == null ? Long.MAX_VALUE : state.connection.nextTimeout(),
                now -> onConnectionTimeout(state, now));
    }

    /** Loop thread: a peer's connection reached its deadline (it is the current one: a removed peer's was dropped). */
    private void onConnectionTimeout(PeerState s, long now) {
        ChannelConnection c = s.connection;
        if (c != null && peers.get(s.session.publicKey()) == s && c.nextTimeout() <= now) {
            c.onTimeout(now);
        }
        loop.rearm();
    }

    /**
     * Loop thread: {@code s}'s peer was removed. Its connection is closed (a CONNECTION_CLOSE to the
     * peer; nothing reported) and its handles are lost with {@code reason}.
     *
     * @return whether it had channels (on its connection, or handles not yet lost)
     */
    boolean peerRemoved(PeerState s, long now, String reason) {
        boolean hadChannels = s.connection != null && s.connection.hasChannels();
        if (s.connection != null) {
            s.connection.close(now, reason); // reports nothing: the caller does
            s.connection = null;
        }
        for (Channel c : s.channels.values()) {
            hadChannels |= c.lostReason == null;
        }
        loseChannels(s, reason);
        return hadChannels;
    }

    /** Loop thread: the node is closing; every connection sends its peer a CONNECTION_CLOSE. */
    void closeAll(long now) {
        for (PeerState s : peers.values()) {
            if (s.connection != null) {
                s.connection.close(now, "node closing");
            }
        }
    }

    /** Loop thread: true if no handle holds a message and every connection has had all it sent acknowledged. */
    boolean drained() {
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
        public void onCodedMessage(long channelId, byte[] message) {
            byte[] plain = codecs.decode(message);
            if (plain != null) { // else dropped and counted
                listener.onMessage(peer, channelId, plain);
            }
        }

        @Override
        public void onPeerCompression(io.keymesh.wire.CompressionOffer offer) {
            state.peerCompression = offer;
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

        /**
         * Acknowledgements stopped coming: if the peer restarted, our session's keys mean nothing to
         * it and it drops all we send, silently, until WireGuard's timers start a handshake after
         * 15 s. Start one now (at most one per {@link #UNANSWERED_HANDSHAKE_INTERVAL}): a restarted
         * peer answers it and the session is replaced within a round trip; a live one just rekeys.
         */
        @Override
        public void onUnanswered(int probeTimeouts) {
            if (!state.session.isWireGuardCompatible() && peers.get(peer) == state) {
                loop.engine().initiateHandshakeSooner(loop.io().nanoTime(), state.session, UNANSWERED_HANDSHAKE_INTERVAL);
                loop.rearm();
            }
        }

        /**
         * The connection was idle with no channel on either side, and both agreed to forget it:
         * nothing is reported. Handles whose messages it refused meanwhile go to a new connection.
         */
        @Override
        public void onClosedIdle() {
            forget(state); // the next channel use starts a new connection
            syncEcn(state);
            for (Channel c : state.channels.values()) {
                if (!c.queue.isEmpty() && c.lostReason == null) {
                    scheduleDrain(c);
                }
            }
        }

        @Override
        public void onConnectionLost(String reason) {
            // The connection has emptied state.retiredChannels: the next one numbers its channels afresh.
            if (state.connection != null && state.connection.isLost()) {
                forget(state); // the next channel use starts a new connection
            }
            // else the peer restarted: the connection has already started over with the peer's new
            // id and a new id of ours, which it is telling the peer; a fresh connection here would
            // have yet another id, and the two sides would drop each other's packets as stale.
            loseChannels(state, reason);
            listener.onChannelsLost(peer, reason);
        }
    }

    /**
     * Loop thread: drops {@code state}'s connection, which has ended; the packets it sent with
     * channel data stay counted ({@link #dataPacketsSent}).
     */
    private static void forget(PeerState state) {
        state.dataPacketsOfEndedConnections += state.connection.dataPacketsSent();
        state.connection = null;
    }

    /**
     * Loop thread: the channel packets that carried data sent to {@code state}'s peer, over every
     * connection with it (a connection that ends does not take its count along).
     */
    static long dataPacketsSent(PeerState state) {
        ChannelConnection c = state.connection;
        return state.dataPacketsOfEndedConnections + (c == null ? 0 : c.dataPacketsSent());
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
}
