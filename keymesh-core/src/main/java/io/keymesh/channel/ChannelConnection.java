package io.keymesh.channel;

import io.keymesh.channel.ChannelTable.Channel;
import io.keymesh.wire.CompressionOffer;
import io.keymesh.wire.ConnectionCloseFrame;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.PacketHeaderFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Reliable, ordered message channels with one peer, carried in WireGuard transport payloads with
 * QUIC's machinery: numbered packets acknowledged with ACK ranges, loss detection and probe
 * timeouts (RFC 9002), congestion control with pacing (CUBIC or NewReno), connection- and
 * channel-level flow control and multiplexed channels without head-of-line blocking between them
 * (RFC 9000), and path-MTU discovery (RFC 8899). Lost frames, not packets, are sent again. A
 * delay signal ({@link StandingQueue}) keeps the sender from holding a standing queue on paths
 * that rarely lose packets.
 *
 * <p>A channel is bidirectional and named by a number either side may use first; the other side
 * learns of it from its first frame ({@link Events#onChannelOpened}). Each side lets the other have at
 * most {@link ChannelConfig#maxChannels()} channels open at once (RFC 9000 section 4.6, MAX_STREAMS;
 * see {@link ChannelLimits}): a peer that opens more breaks the protocol, and a channel this side
 * opens beyond the peer's limit sends nothing until the peer raises it. Messages of any size up to
 * {@link ChannelConfig#maxMessage()} are cut into frames that fit the path and reassembled.
 *
 * <p>Each side picks a random connection id when its state starts, and every packet carries both
 * ids ({@link PacketHeaderFrame}): when the peer starts over (it restarted), the channels of the
 * old connection are reported lost and a new connection begins, with a new id of ours, so packets
 * of the old one are recognised and dropped on both sides.
 *
 * <p>An owner that {@linkplain #setIdleClose enables it} lets the connection be forgotten on both
 * ends once it has been idle for the idle timeout with no channel: one side proposes, the other
 * accepts only if it holds no channel either ({@link IdleClose}), and each side hears
 * {@link Events#onClosedIdle}. Nothing is lost; the owner's next message starts a new connection.
 *
 * <p>Sans-I/O: the owner passes the time into every call, hands in received payloads, is given
 * payloads to send through {@link Output} (synchronously, inside these calls), and calls
 * {@link #onTimeout} at {@link #nextTimeout()}. Not thread-safe.
 *
 * <p>The connection owns the state; its {@link PacketReceiver} handles what arrives (the
 * connection ids, each frame), and its {@link PacketBuilder} decides which packets go out and what
 * each carries, builds them and hands them to the {@link Output}. What belongs to the path the
 * packets take is in its {@link PathState}.
 */
public final class ChannelConnection {
    /** Where the connection's packets go: to the session layer, to be encrypted and sent. */
    @FunctionalInterface
    public interface Output {
        /**
         * Sends the payload {@code buf[off..off+len)}; the path's {@linkplain PathOverhead#headroom()
         * headroom} before it and {@linkplain PathOverhead#tailroom() tailroom} after it are free for
         * the layers below. The array is reused after the call.
         */
        void sendPayload(byte[] buf, int off, int len);
    }

    /** What the application hears, synchronously, on the owner's thread. */
    public interface Events {
        /** A whole message on {@code channelId}; the array is the receiver's. */
        void onMessage(long channelId, byte[] message);

        /**
         * A whole message on a channel whose peer codes its messages (its STREAM frames are
         * STREAM_CODED): the message begins with the codec header the owner put there, and the owner
         * decodes it. By default it goes to {@link #onMessage} as it came.
         */
        default void onCodedMessage(long channelId, byte[] message) {
            onMessage(channelId, message);
        }

        /**
         * The peer said what it decodes (a COMPRESSION frame with a higher version than before), or
         * null: what it said no longer holds (the connection started over or ended).
         */
        default void onPeerCompression(CompressionOffer offer) {}

        /** The peer used a channel number for the first time. */
        default void onChannelOpened(long channelId) {}

        /** A channel that refused a message can take it now. */
        default void onWritable(long channelId) {}

        /** The peer ended its side of the channel: cleanly (error code 0, after all its messages) or by reset. */
        default void onChannelClosed(long channelId, long errorCode) {}

        /**
         * The channel is finished both ways and forgotten; its number cannot be used again on this
         * connection (a new connection starts afresh).
         */
        default void onChannelRetired(long channelId) {}

        /**
         * {@link #UNANSWERED_PTOS} probe timeouts in a row went by without an acknowledgement: the
         * peer may have restarted (its session keys are gone, so it drops everything we send) or
         * the path died. The owner may start a new handshake at once instead of waiting for the
         * session layer's timers; called again after each further probe timeout.
         */
        default void onUnanswered(int probeTimeouts) {}

        /**
         * The connection ended — the peer closed it or restarted, it was idle too long, or the peer
         * broke the protocol. Every channel of it is gone; messages not yet acknowledged may be lost.
         */
        default void onConnectionLost(String reason) {}

        /**
         * The connection ended by agreement with the peer ({@link #setIdleClose}): it was idle and
         * held no channel on either side, so nothing was lost. Messages that {@link #offer} refused
         * while it was being agreed were not taken: the owner gives them to a new connection,
         * whose channel numbers start afresh.
         */
        default void onClosedIdle() {}
    }

    /** Probe timeouts in a row after which {@link Events#onUnanswered} is told (RFC 9002's PTO backs off each time). */
    public static final int UNANSWERED_PTOS = 1;
    /** Send a PING when nothing was sent for this fraction of the idle timeout while channels are open. */
    private static final int KEEPALIVE_DIVISOR = 3;
    /** Error codes of CONNECTION_CLOSE (RFC 9000 section 20.1 numbering where it applies). */
    public static final long PROTOCOL_VIOLATION = 0x0a;

    private final ChannelConfig config;
    private final Events events;
    private final PacketBuilder packets;
    private final PacketReceiver receiver;
    private final IdleClose idleClose = new IdleClose();

    /** The path packets take; its ceiling is the configured one until the owner lowers it. */
    private PathState path;
    private LossDetector loss;
    private ReceivedPackets received;
    private FlowControl.Send connectionSend;
    private FlowControl.Receive connectionReceive;
    private ChannelTable channels;
    private final RetiredChannels retired;
    /** Channels that became writable during an ACK, told after it (the loss detector must not be re-entered). */
    private final List<Long> becameWritable = new ArrayList<>();
    private boolean lost;
    private boolean ecnAllowed;
    /** What the peer decodes, from its latest COMPRESSION frame in this connection state, or null. */
    private CompressionOffer peerOffer;

    private final boolean[] created = new boolean[1];

    public ChannelConnection(ChannelConfig config, RandomGenerator random, long nowNanos, Output output, Events events) {
        this(config, random, nowNanos, output, events, new RetiredChannels());
    }

    /**
     * A connection that keeps its retired channel numbers in {@code retired}, which its owner may
     * read from any thread (see {@link RetiredChannels}). The connection empties it now, and again
     * whenever it starts over or ends; an owner that replaces an ended connection may hand the same
     * set to the next one.
     */
    public ChannelConnection(ChannelConfig config, RandomGenerator random, long nowNanos, Output output, Events events,
            RetiredChannels retired) {
        this.config = config;
        this.events = events;
        this.retired = retired;
        this.packets = new PacketBuilder(config.maxUdpPayload(), output, idleClose);
        this.receiver = new PacketReceiver(this, config, random, events, packets, becameWritable);
        start(nowNanos, new PathState(config.congestion(), config.maxUdpPayload(), PathOverhead.WIREGUARD));
    }

    /** Starts a new connection state, on {@code path} (fresh: nothing measured on it yet). */
    private void start(long now, PathState path) {
        this.path = path;
        path.allowEcn(ecnAllowed);
        loss = new LossDetector(path.rtt, path.congestion, new Fates());
        received = new ReceivedPackets();
        connectionSend = new FlowControl.Send(config.connectionWindow());
        connectionReceive = new FlowControl.Receive(config.connectionWindow());
        retired.clear(); // a new state numbers its channels afresh
        channels = new ChannelTable(config, connectionSend, connectionReceive, retired);
        lost = false;
        receiver.start(now, path, loss, received, connectionSend, channels); // draws a new id of ours
        packets.start(now, path, loss, received, connectionSend, connectionReceive, channels);
        forgetPeerCompression();
        idleClose.reset(); // a proposal of ours is void: the peer started over
        becameWritable.addAll(idleClose.takeRefusedOffers()); // told after the packet that started over
    }

    private void forgetPeerCompression() {
        if (peerOffer != null) {
            peerOffer = null;
            events.onPeerCompression(null);
        }
    }

    /**
     * The peer started over (its {@link PacketReceiver} saw a new id of the peer's): everything
     * starts afresh but the path's ceiling the owner lowered and its overhead.
     */
    void startOver(long now) {
        start(now, new PathState(config.congestion(), path.ceiling(), path.overhead()));
    }

    /** A first packet of the peer's was accepted: an ended connection is not ended any more. */
    void resume() {
        lost = false;
    }

    // ------------------------------------------------------------------ application side

    /**
     * Queues {@code message} on {@code channelId} (opening the channel if new) and sends what it can.
     * The connection keeps the array.
     *
     * @return false if the channel's send buffer cannot take it now: {@link Events#onWritable} follows
     * @throws IllegalArgumentException if the message is larger than the configured maximum
     * @throws IllegalStateException if the channel was closed, or the connection is lost
     */
    public boolean send(long nowNanos, long channelId, byte[] message) {
        boolean taken = offer(channelId, message);
        if (taken) {
            flush(nowNanos);
        }
        return taken;
    }

    /**
     * Queues {@code message} on {@code channelId} like {@link #send} but sends nothing: the caller
     * calls {@link #flush} after a batch of offers, so that small messages queued together share
     * packets instead of each leaving in a packet of its own.
     *
     * @return false if the channel's send buffer cannot take it now: {@link Events#onWritable} follows
     * @throws IllegalArgumentException if the message is larger than the configured maximum
     * @throws IllegalStateException if the channel was closed, or the connection is lost
     */
    public boolean offer(long channelId, byte[] message) {
        return offer(channelId, message, false);
    }

    /**
     * {@link #offer(long, byte[])} for a channel whose messages the owner codes ({@code coded}: each
     * begins with a codec header, and its frames are STREAM_CODED, so that the peer's owner decodes
     * them, {@link Events#onCodedMessage}) or not. A channel direction is one or the other from its
     * first message on.
     *
     * @throws IllegalArgumentException also if the channel sent messages under the other mark
     */
    public boolean offer(long channelId, byte[] message, boolean coded) {
        SendStream send = streamTaking(channelId, message.length, coded);
        return send != null && send.offer(message);
    }

    /**
     * Queues messages already framed as the channel's stream carries them (plain, not coded), and
     * gives the array to {@code done} once acknowledged in full (null: not told): see
     * {@link SendStream#offerFramed(byte[], int, int, Consumer)}. Otherwise as
     * {@link #offer(long, byte[])}.
     */
    public boolean offerFramed(long channelId, byte[] framed, int length, int largest, Consumer<byte[]> done) {
        SendStream send = streamTaking(channelId, largest, false);
        return send != null && send.offerFramed(framed, length, largest, done);
    }

    /**
     * The send stream of {@code channelId}, marked {@code coded} or not, for messages of at most
     * {@code largest} bytes; null while an idle-close proposal waits for the peer's answer (the
     * offer is refused, and the owner told when to try again).
     *
     * @throws IllegalStateException if the connection is lost
     * @throws IllegalArgumentException if {@code largest} is above the maximum message size
     */
    private SendStream streamTaking(long channelId, int largest, boolean coded) {
        if (lost) {
            throw new IllegalStateException("the connection is lost");
        }
        if (idleClose.pending()) {
            if (largest > config.maxMessage()) {
                throw new IllegalArgumentException("message of " + largest + " bytes; the limit is " + config.maxMessage());
            }
            idleClose.refuseOffer(channelId); // nothing may go until the peer answers the proposal
            return null;
        }
        SendStream send = channel(channelId, false).send;
        send.markCoded(coded);
        return send;
    }

    /**
     * What this side decodes, told to the peer in a COMPRESSION frame (sent reliably, and again in
     * each new connection state); a later offer needs a higher {@link CompressionOffer#version()}.
     * Null: none is sent, and the peer sends raw messages only. It goes with the next packet: call
     * {@link #flush} for it to go at once.
     */
    public void setCompressionOffer(CompressionOffer offer) {
        packets.setCompressionOffer(offer);
    }

    /** What the peer decodes, as its latest COMPRESSION frame in the current state said, or null if none came. */
    public CompressionOffer peerCompression() {
        return peerOffer;
    }

    /** A COMPRESSION frame from the peer: kept, and told, if newer than the one held. */
    void onPeerCompression(CompressionOffer offer) {
        if (peerOffer == null || offer.version() > peerOffer.version()) {
            peerOffer = offer;
            events.onPeerCompression(offer);
        }
    }

    /**
     * True if data sent on some channel (or a channel's end) is not yet acknowledged by the peer;
     * false also once the connection is lost (nothing more will be).
     */
    public boolean hasUnacknowledgedData() {
        return !lost && channels.hasUnacknowledgedData();
    }

    /** True if {@link #send} would take a message of {@code length} bytes on {@code channelId} now. */
    public boolean canSend(long channelId, int length) {
        if (idleClose.pending()) {
            return false;
        }
        Channel c = channels.get(channelId);
        if (c != null) {
            return !lost && c.send.canOffer(length);
        }
        return !lost && !channels.isRetired(channelId) && length <= config.maxMessage();
    }

    /**
     * True if {@code channelId} was used and finished on the connection's current state, so that
     * {@link #send} on it fails; false again once the connection starts over or ends. Any thread.
     */
    public boolean isRetired(long channelId) {
        return retired.contains(channelId);
    }

    /**
     * Ends our side of a channel after the messages queued so far.
     *
     * @return false if the connection has no such channel — never used, or already retired — and
     *     there was nothing to end
     */
    public boolean closeChannel(long nowNanos, long channelId) {
        Channel c = channels.get(channelId);
        if (c == null) {
            return false;
        }
        c.send.close();
        flush(nowNanos);
        return true;
    }

    /**
     * Abandons our side of a channel (RFC 9000 section 3.1 "Reset Sent"): what is queued or not yet
     * acknowledged is dropped and RESET_STREAM with {@code errorCode} goes to the peer, whose
     * application hears {@link Events#onChannelClosed} with that code. The peer's side is not
     * touched: what it sends still arrives, and the channel retires once that side ends too. Does
     * nothing more if our side was reset before or has had everything acknowledged.
     *
     * @return false if the connection has no such channel — never used, or already retired — and
     *     there was nothing to reset
     * @throws IllegalArgumentException if {@code errorCode} is not a varint
     */
    public boolean resetChannel(long nowNanos, long channelId, long errorCode) {
        Channel c = channels.get(channelId);
        if (c == null) {
            return false;
        }
        c.send.reset(errorCode);
        flush(nowNanos);
        return true;
    }

    /**
     * Closes the whole connection: a CONNECTION_CLOSE goes to the peer; later calls to {@link #send}
     * fail. The owner asked for it, so no {@link Events#onConnectionLost} follows.
     */
    public void close(long nowNanos, String reason) {
        if (lost) {
            return;
        }
        packets.scheduleClose(ConnectionCloseFrame.NO_ERROR, reason);
        flush(nowNanos);
        end();
    }

    /**
     * The path changed to one that may carry less (the peer moved): path-MTU discovery starts over
     * from the base size and searches up to {@code maxUdpPayload}, which may not exceed the
     * configured {@link ChannelConfig#maxUdpPayload()}. Frames in larger packets that get lost are
     * sent again in packets of the new size. The ceiling holds for the rest of the connection's
     * life, also when the peer restarts.
     */
    public void restartPathMtuDiscovery(int maxUdpPayload) {
        checkCeiling(maxUdpPayload);
        path.restartPmtuDiscovery(maxUdpPayload, path.overhead());
    }

    /**
     * The peer is now reached over another path (RFC 9000 section 9.4), carrying UDP payloads up to
     * {@code maxUdpPayload} (at most the configured one) with {@code overhead}, which hold also when
     * the peer restarts. After a port-only change the RTT estimate, window and pacing carry over, and
     * path-MTU discovery unless ceiling or overhead differ; after any other, all start from initial
     * values, and packets sent before leave bytes in flight (their loss is still detected).
     *
     * @throws IllegalArgumentException if {@code maxUdpPayload} is above the configured maximum
     */
    public void onPathChanged(PathChange change, int maxUdpPayload, PathOverhead overhead) {
        checkCeiling(maxUdpPayload);
        if (change == PathChange.NEW_ADDRESS) {
            path = new PathState(config.congestion(), maxUdpPayload, overhead);
            path.allowEcn(ecnAllowed);
            loss.onPathChanged(path.rtt, path.congestion);
            receiver.setPath(path);
        } else if (maxUdpPayload != path.ceiling() || !overhead.equals(path.overhead())) {
            path.restartPmtuDiscovery(maxUdpPayload, overhead);
        }
        packets.setPath(path);
    }

    private void checkCeiling(int maxUdpPayload) {
        if (maxUdpPayload > config.maxUdpPayload()) {
            throw new IllegalArgumentException(maxUdpPayload + " above the configured " + config.maxUdpPayload());
        }
    }

    /**
     * The session under the connection was renewed while a probe timeout was pending (the owner
     * started a handshake after {@link Events#onUnanswered}): what is unacknowledged may have been
     * dropped for the old keys, so probes go now, as at a PTO, instead of at the backed-off one.
     */
    public void sessionRenewed(long nowNanos) {
        sessionRenewed(nowNanos, false);
    }

    /**
     * {@link #sessionRenewed(long)}, and also when no probe timeout is pending if the peer started
     * the handshake ({@code byPeer}): a peer that restarted starts one as soon as our packets reach
     * it, and what is unacknowledged went to its lost session — sent again now, it reaches the
     * peer's new connection (which answers with its new id) a round trip later instead of a probe
     * timeout later. A peer's routine rekey costs the same at most: a probe's worth of packets.
     */
    public void sessionRenewed(long nowNanos, boolean byPeer) {
        if (lost || (loss.ptoCount() == 0 && !byPeer) || loss.ackElicitingInFlight() == 0) {
            return;
        }
        packets.addProbes(LossDetector.PTO_PROBE_PACKETS);
        flush(nowNanos);
    }

    /**
     * Sends a PING now (an ack-eliciting packet under this connection's id, whatever else is due),
     * unless the connection has ended.
     */
    public void ping(long nowNanos) {
        if (lost) {
            return;
        }
        packets.schedulePing();
        flush(nowNanos);
    }

    /** The largest UDP payload this connection may ever use: its configured ceiling ({@link ChannelConfig#maxUdpPayload()}). */
    public int maxUdpPayloadCeiling() {
        return config.maxUdpPayload();
    }

    /** True once the connection has ended (closed, lost or idle). */
    public boolean isLost() {
        return lost;
    }

    /** True if the connection has not ended and has channels not yet retired (open, or closed but not finished). */
    public boolean hasChannels() {
        return !lost && !channels.isEmpty();
    }

    // ------------------------------------------------------------------ network side

    /**
     * Processes a received payload whose first frame is {@link MeshFrame#PACKET}; datagram frames in
     * it are skipped (the owner handles them). Anything malformed is dropped and counted; a
     * protocol violation by the peer ends the connection.
     */
    public void onPayload(long nowNanos, byte[] buf, int off, int len) {
        onPayload(nowNanos, buf, off, len, 0);
    }

    /**
     * {@link #onPayload(long, byte[], int, int)} of a payload whose datagram arrived with the ECN
     * codepoint {@code ecn} (0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE): counted and reported back.
     */
    public void onPayload(long nowNanos, byte[] buf, int off, int len, int ecn) {
        receiver.onPayload(nowNanos, buf, off, len, ecn);
        if (!lost && idleClose.ackedWithoutAnswer()) {
            // The peer acknowledged our proposal and, in the same packet, did not answer it: a peer
            // that predates IDLE_CLOSE (ours answers in the packet with that ACK, and an acceptor
            // sends nothing after it). As refused: what was held goes on this connection.
            for (Long id : idleClose.takeRefusedOffers()) {
                events.onWritable(id);
            }
        }
    }

    /**
     * True if a channel packet that arrives where its owner holds no connection with the peer is
     * worth one: it carries a frame that asks for an answer. Acknowledgements, CONNECTION_CLOSE,
     * IDLE_CLOSE_ANSWER (late packets of a connection that ended) and IDLE_CLOSE (a proposal to
     * forget a connection this side holds no more: another copy of one it accepted, or one whose
     * acceptance was lost — the proposer, unanswered, ends its side after the idle timeout) are
     * dropped instead, so that they do not bring a forgotten connection back. Never throws.
     */
    public static boolean needsConnection(byte[] payload, int off, int len) {
        if (len < 2 || (payload[off] & 0xff) != MeshFrame.PACKET) {
            return false;
        }
        boolean[] asks = new boolean[1];
        MeshFrame.forEach(payload, off, len, (type, b, bodyOff, bodyLen) -> {
            asks[0] |= type != MeshFrame.PACKET && type != io.keymesh.wire.AckFrame.TYPE && type != io.keymesh.wire.AckFrame.TYPE_ECN
                    && type != MeshFrame.CONNECTION_CLOSE && type != MeshFrame.IDLE_CLOSE_ANSWER
                    && type != MeshFrame.IDLE_CLOSE;
        });
        return asks[0];
    }

    /**
     * Whether ECN may be tried on the current path and those that follow: the owner's I/O marks
     * datagrams to the peer's address while {@link #ecnMarking()} says so and reads the bits of what
     * arrives, and the path is direct. Off by default.
     */
    public void setEcnAllowed(boolean allowed) {
        ecnAllowed = allowed;
        path.allowEcn(allowed);
    }

    /** True while packets to the peer must go marked ECT(0) (RFC 9000 section 13.4.2). */
    public boolean ecnMarking() {
        return path.ecn.marking();
    }

    /** ECN on the current path: its validation state, and why it failed if it did. */
    public EcnValidation ecn() {
        return path.ecn;
    }

    /**
     * Lets the connection be forgotten on both ends when it is idle with no channel (see
     * {@link IdleClose}); off by default. Enabled, it proposes that after the idle timeout without a
     * packet either way, with no channel, if the peer has spoken on it (one that never heard the
     * peer ends without a word once nothing came for the idle timeout); accepts the peer's proposal
     * if it holds no channel; and tells {@link Events#onClosedIdle} when either was agreed. From its
     * proposal until the answer, {@link #offer} refuses messages ({@link Events#onWritable} follows
     * if the proposal is refused, {@link Events#onClosedIdle} if accepted). A proposal unanswered
     * for the idle timeout ends the connection the same way (the peer, silent that long, holds
     * nothing it could still deliver); one that a channel of the peer's met meanwhile loses it.
     */
    public void setIdleClose(boolean enabled) {
        idleClose.setEnabled(enabled);
    }

    /** The peer proposes forgetting the connection ({@link PacketReceiver}, an IDLE_CLOSE frame). */
    void onIdleCloseProposal(long now, long proposal) {
        if (idleClose.onProposal(proposal, channels.isEmpty())) {
            // the acceptance, with the ACK of the proposal, and nothing else: the state goes now
            packets.sendIdleAnswer(now, receiver.localId(), receiver.peerId());
            endIdle();
        }
        // a refusal goes with the flush after the packet
    }

    /** The peer's answer to our proposal ({@link PacketReceiver}, an IDLE_CLOSE_ANSWER frame). */
    void onIdleCloseAnswer(long proposal, boolean accepted) {
        switch (idleClose.onAnswer(proposal, accepted)) {
            case ACCEPTED -> endIdle();
            case REFUSED -> becameWritable.addAll(idleClose.takeRefusedOffers()); // told after the packet
            case IGNORED -> { }
        }
    }

    /** True from our idle-close proposal until its answer. */
    boolean idleClosePending() {
        return idleClose.pending();
    }

    private void endIdle() {
        end();
        events.onClosedIdle();
    }

    /** Ends the connection for {@code reason} and tells the application, unless it has ended already. */
    void lose(String reason) {
        if (!lost) {
            end();
            events.onConnectionLost(reason);
        }
    }

    /** The connection is over: nothing more is sent, and no channel number stays retired. */
    private void end() {
        lost = true;
        retired.clear();
        forgetPeerCompression();
        idleClose.reset();
        idleClose.takeRefusedOffers(); // the owner offers them again elsewhere, or loses them with the connection
    }

    /**
     * The channel {@code id}, opened if new; for a retired number, null if the peer used it (a
     * late frame) and an exception if we do.
     */
    Channel channel(long id, boolean remote) {
        Channel live = channels.get(id);
        if (live != null) {
            return live; // the common case: no look at the retired numbers
        }
        if (channels.isRetired(id)) {
            if (remote) {
                return null;
            }
            throw new IllegalStateException("channel " + id + " was used and closed on this connection; channel numbers are not reused");
        }
        Channel c = channels.getOrCreate(id, created);
        if (created[0] && remote) {
            events.onChannelOpened(id);
        }
        return c;
    }

    // ------------------------------------------------------------------ timers

    /** When {@link #onTimeout} should next be called, or {@link Long#MAX_VALUE}. */
    public long nextTimeout() {
        if (lost) {
            return Long.MAX_VALUE;
        }
        long t = Math.min(loss.nextTimeout(), received.ackDeadline());
        t = Math.min(t, packets.pacingWakeup());
        if (!channels.isEmpty() || idleClose.pending()) {
            t = Math.min(t, idleSinceNanos() + idleTimeoutNanos());
        }
        if (!channels.isEmpty() && loss.ackElicitingInFlight() == 0) {
            t = Math.min(t, packets.lastSentNanos() + idleTimeoutNanos() / KEEPALIVE_DIVISOR);
        }
        if (mayProposeIdleClose() || mayEndUnheard()) {
            t = Math.min(t, lastActivityNanos() + idleTimeoutNanos());
        }
        return t;
    }

    /**
     * The idle timeout in force: the configured one, but at least three probe timeouts of the
     * current path (RFC 9000 section 10.1), so that a slow path's backed-off probes are not cut short.
     */
    private long idleTimeoutNanos() {
        return Math.max(config.idleTimeoutNanos(), 3 * path.rtt.ptoBase());
    }

    /**
     * True if an idle-close proposal would be due once the connection has been idle long enough:
     * it holds no channel, and the peer has spoken on it (a proposal to a connection whose id we
     * do not know would go with destination 0, which any new connection of the peer's takes for its
     * own, so that a late copy could bind it to one that is gone).
     */
    private boolean mayProposeIdleClose() {
        return idleClose.mayPropose() && channels.isEmpty() && receiver.peerId() != 0;
    }

    /**
     * True if the connection, holding no channel, has never heard the peer: ended without a
     * proposal once nothing went either way for the idle timeout (the peer never spoke on it, so it
     * holds nothing of it to deliver; and nothing of ours, sent to destination 0, is still on its
     * way to be taken by a new connection of the peer's).
     */
    private boolean mayEndUnheard() {
        return idleClose.enabled() && !idleClose.pending() && channels.isEmpty() && receiver.peerId() == 0;
    }

    /**
     * Since when the connection counts as idle for losing it (RFC 9000 section 10.1): the last
     * packet received, or the first ack-eliciting packet sent after it if later — a connection
     * quiet for long, with no channel, does not count as idle the moment it opens one — or the
     * proposal to forget the connection if later: one unanswered for the idle timeout loses it.
     */
    private long idleSinceNanos() {
        long since = Math.max(receiver.lastReceivedNanos(), packets.firstElicitingSinceReceiptNanos());
        return idleClose.pending() ? Math.max(since, idleClose.proposedAtNanos()) : since;
    }

    /** When a packet last went either way. */
    private long lastActivityNanos() {
        return Math.max(receiver.lastReceivedNanos(), packets.lastSentNanos());
    }

    /** Runs what is due: loss and probe timers, delayed ACKs, pacing, keepalive, idle timeout. */
    public void onTimeout(long nowNanos) {
        if (lost) {
            return;
        }
        if (mayEndUnheard() && nowNanos - lastActivityNanos() >= idleTimeoutNanos()) {
            endIdle(); // the peer never spoke on it, and nothing went either way for the idle timeout
            return;
        }
        if ((!channels.isEmpty() || idleClose.pending()) && nowNanos - idleSinceNanos() >= idleTimeoutNanos()) {
            if (channels.isEmpty()) {
                // Our proposal went unanswered that long: the peer is gone, or holds nothing it
                // could still deliver (a channel of its would have been lost for the same silence,
                // unless only its direction failed: then it hears "the peer restarted" when the
                // path comes back). Ended as agreed: nothing to report; what waited goes on a new
                // connection.
                endIdle();
            } else {
                lose("idle: nothing received for " + idleTimeoutNanos() / 1_000_000 + " ms");
            }
            return;
        }
        if (loss.nextTimeout() <= nowNanos) {
            packets.addProbes(loss.onTimeout(nowNanos));
            if (loss.ptoCount() >= UNANSWERED_PTOS) {
                events.onUnanswered(loss.ptoCount());
            }
        }
        if (!channels.isEmpty() && loss.ackElicitingInFlight() == 0
                && nowNanos - packets.lastSentNanos() >= idleTimeoutNanos() / KEEPALIVE_DIVISOR) {
            packets.schedulePing(); // nothing in flight would tell us the peer is gone
        }
        if (mayProposeIdleClose() && nowNanos - lastActivityNanos() >= idleTimeoutNanos()) {
            idleClose.propose(nowNanos);
        }
        flush(nowNanos);
    }

    // ------------------------------------------------------------------ sending

    /** Sends as much as congestion control, pacing and flow control allow. */
    public void flush(long now) {
        packets.flush(now, receiver.localId(), receiver.peerId());
    }

    /** Routes each sent packet's fate to the frames it carried. */
    private final class Fates implements LossDetector.Listener {
        @Override
        public void onPacketAcked(SentPacket packet) {
            SentFrames f = (SentFrames) packet.frames();
            channels.onAcked(f, becameWritable);
            idleClose.onAcked(f);
            if (f.ackLargest >= 0) {
                received.onAckFrameAcknowledged(f.ackLargest);
            }
            if (f.compressionVersion >= 0) {
                packets.onCompressionAcked(f.compressionVersion);
            }
            f.path.onPacketAcked(f, packet.timeSent());
        }

        @Override
        public void onPacketLost(SentPacket packet) {
            SentFrames f = (SentFrames) packet.frames();
            channels.onLost(f);
            idleClose.onLost(f);
            if (f.maxData >= 0) {
                connectionReceive.onMaxDataLost(f.maxData);
            }
            if (f.maxStreams >= 0) {
                channels.receiveLimits().onMaxStreamsLost(f.maxStreams);
            }
            if (f.dataBlocked >= 0) {
                connectionSend.onBlockedLost(f.dataBlocked);
            }
            if (f.compressionVersion >= 0) {
                packets.onCompressionLost(f.compressionVersion);
            }
            f.path.onPacketLost(f, packet.timeSent());
        }
    }

    // ------------------------------------------------------------------ statistics

    /**
     * A snapshot of the connection's measurements. {@code udpPayloadSize} is the size of a full
     * packet now: the path MTU found (less IP and UDP headers), rounded down to WireGuard's padding.
     * The RTT, window, path-MTU, standing-queue and ECN figures are the current path's: {@code ecn}
     * is its {@link EcnValidation.State} and {@code ceMarks} the CE marks reported on it.
     * {@code spuriousLosses} counts packets acknowledged after {@code packetsLost} had counted them
     * (reordered or late, not lost): the packets the path really lost are the difference.
     */
    public record Stats(long packetsSent, long packetsReceived, long packetsLost, long duplicatesDropped,
            long stalePacketsDropped, long connectionResets, long smoothedRttNanos, long congestionWindow,
            long bytesInFlight, int udpPayloadSize, long blackHoles, int channels, long minRttNanos,
            long standingQueues, long restartsAnnounced, EcnValidation.State ecn, long ceMarks, long spuriousLosses) {}

    /** Protocol violations by the peer that ended a connection state of this one (each closed it). */
    public long protocolViolations() {
        return receiver.protocolViolations();
    }

    /** Channels the peer opened on the current state that are not yet retired (at most {@link ChannelConfig#maxChannels()}). */
    long channelsOpenedByPeer() {
        return channels.receiveLimits().open();
    }

    /** Channels this side opened on the current state, in all, and the peer's limit on them. */
    long channelsOpened() {
        return channels.sendLimits().opened();
    }

    long peerChannelLimit() {
        return channels.sendLimits().limit();
    }

    /** Bytes of the peer's messages held incomplete on the current state, over all channels (at most {@link ChannelConfig#maxIncompleteBytes()}). */
    long incompleteBytesHeld() {
        return channels.incompleteBytesHeld();
    }

    /** Bytes of this side's messages started and not yet acknowledged in full, on the current state. */
    long incompleteBytesReserved() {
        return channels.incompleteBytesReserved();
    }

    /** Packets this connection has sent (data, acknowledgements, probes). */
    public long packetsSent() {
        return packets.packetsSent();
    }

    /** Packets this connection has sent that carried channel data (new or sent again). */
    public long dataPacketsSent() {
        return packets.dataPacketsSent();
    }

    public Stats stats() {
        StandingQueue queue = path.standingQueue;
        return new Stats(packets.packetsSent(), receiver.packetsReceived(), loss.packetsLost(), receiver.duplicatesDropped(),
                receiver.stalePacketsDropped(), receiver.connectionResets(), path.rtt.smoothed(), path.congestion.window(),
                loss.bytesInFlight(), path.fullPacketSize(), path.pmtu().blackHoles(), channels.size(),
                queue.minRtt() == Long.MAX_VALUE ? 0 : queue.minRtt(), queue.signals(), receiver.restartsAnnounced(),
                path.ecn.state(), path.ecn.ceMarks(), loss.spuriousLosses());
    }
}
