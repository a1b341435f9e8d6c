package io.keymesh.channel;

import io.keymesh.channel.ChannelTable.Channel;
import io.keymesh.wire.AckFrame;
import io.keymesh.wire.CompressionFrame;
import io.keymesh.wire.CompressionOffer;
import io.keymesh.wire.ConnectionCloseFrame;
import io.keymesh.wire.IdleCloseFrame;
import io.keymesh.wire.MaxDataFrame;
import io.keymesh.wire.MaxStreamDataFrame;
import io.keymesh.wire.MaxStreamsFrame;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.PacketHeaderFrame;
import io.keymesh.wire.ResetStreamFrame;
import io.keymesh.wire.StreamFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Handles the packets that arrive for one {@link ChannelConnection}, the counterpart of its
 * {@link PacketBuilder}: the connection ids and their rules ({@link PacketHeaderFrame}: a packet
 * for a connection of ours that is gone is dropped and answered, a new id of the peer's means it
 * started over), duplicates, when ACKs go (decimation), each frame applied to the connection's
 * state, and then what the application hears: whole messages, channels ended by the peer,
 * channels that became writable or finished. A frame that breaks the protocol ends the connection
 * with a CONNECTION_CLOSE.
 *
 * <p>The parts of the connection's state it reads and updates are given to it by {@link #start}
 * whenever the connection starts afresh, and the path by {@link #setPath} when it changes; it owns
 * the connection ids (a new id of ours is drawn at each start), the frame decoders, and the counts
 * of what it received and dropped. It ends or starts over its connection through the connection
 * ({@link ChannelConnection#lose}, {@link ChannelConnection#startOver}). Not thread-safe; owned
 * by its connection.
 */
final class PacketReceiver {
    /** {@code ChannelTable.Channel.peerCoding}: the peer's STREAM frames on the channel are plain, or coded. */
    private static final byte PLAIN = 1;
    private static final byte CODED = 2;
    /**
     * ACK decimation: once this many packets arrived and the RTT is known, an ACK goes after every
     * {@link #DECIMATED_ACK_THRESHOLD} ack-eliciting packets (fewer for packets so large that ten
     * would be over an eighth of a channel window, but at least two) or a quarter of the smoothed
     * RTT (at least kGranularity, at most max_ack_delay), as QUIC stacks do for bulk transfers;
     * before that, after every second packet (RFC 9000 section 13.2.2) so that slow start is clocked.
     */
    private static final int DECIMATION_AFTER_PACKETS = 100;
    /** Ack-eliciting packets per ACK once decimating. */
    private static final int DECIMATED_ACK_THRESHOLD = 10;
    /** Answers to packets for a connection of ours that is gone, at most one per this long. */
    static final long ANNOUNCE_INTERVAL_NANOS = 100_000_000L;

    private final ChannelConnection connection;
    private final ChannelConfig config;
    private final RandomGenerator random;
    private final ChannelConnection.Events events;
    private final PacketBuilder packets;
    /** Channels that became writable during an ACK, told after it (the loss detector must not be re-entered). */
    private final List<Long> becameWritable;
    private final List<Long> retiredNow = new ArrayList<>();

    private int localId;
    private int peerId;
    private final int[] retiredPeerIds = new int[4];
    private int retiredCount;

    private PathState path;
    private LossDetector loss;
    private ReceivedPackets received;
    private FlowControl.Send connectionSend;
    private ChannelTable channels;
    private boolean decimatingAcks;
    private int ackThreshold;
    private long lastReceivedNanos;

    /** The frame walks of {@link #onPayload}, made once: receiving allocates nothing per packet. */
    private final MeshFrame.Visitor scan = this::scanFrame;
    private final MeshFrame.Visitor dispatch = this::dispatchFrame;
    private int scanHeader;
    private boolean scanAckEliciting;
    private long frameNow;

    private final AckFrame ackIn = new AckFrame();
    private final PacketHeaderFrame headerIn = new PacketHeaderFrame();
    private final StreamFrame streamIn = new StreamFrame();
    private final MaxStreamDataFrame maxStreamDataIn = new MaxStreamDataFrame();
    private final ResetStreamFrame resetIn = new ResetStreamFrame();
    private final ConnectionCloseFrame closeIn = new ConnectionCloseFrame();
    private final long[] answerIn = new long[2];

    private long packetsReceived;
    private long duplicatesDropped;
    private long stalePacketsDropped;
    private long connectionResets;
    private long restartsAnnounced;
    private long protocolViolations;
    private long lastAnnounceNanos = Long.MIN_VALUE;

    /**
     * @param random draws the connection ids of ours
     * @param becameWritable filled by the connection while an ACK is processed; told and emptied here after it
     */
    PacketReceiver(ChannelConnection connection, ChannelConfig config, RandomGenerator random,
            ChannelConnection.Events events, PacketBuilder packets, List<Long> becameWritable) {
        this.connection = connection;
        this.config = config;
        this.random = random;
        this.events = events;
        this.packets = packets;
        this.becameWritable = becameWritable;
    }

    /**
     * Starts receiving for a new connection state, whose parts these are: a new id of ours (drawn
     * from the generator now), no id of the peer's yet, no ACK decimation, and the last packet
     * counts as received at {@code nowNanos}. The counts and the peer's retired ids go on.
     */
    void start(long nowNanos, PathState path, LossDetector loss, ReceivedPackets received,
            FlowControl.Send connectionSend, ChannelTable channels) {
        localId = newId();
        peerId = 0;
        this.path = path;
        this.loss = loss;
        this.received = received;
        decimatingAcks = false;
        this.connectionSend = connectionSend;
        this.channels = channels;
        lastReceivedNanos = nowNanos;
    }

    private int newId() {
        int id;
        do {
            id = random.nextInt();
        } while (id == 0 || id == localId);
        return id;
    }

    /** The connection is now on {@code path}: RTT samples from ACKs go to it. */
    void setPath(PathState path) {
        this.path = path;
    }

    /** Our connection id: never 0. */
    int localId() {
        return localId;
    }

    /** The peer's connection id, or 0 until a packet of its was accepted. */
    int peerId() {
        return peerId;
    }

    /** When a packet was last accepted (or the connection state started). */
    long lastReceivedNanos() {
        return lastReceivedNanos;
    }

    /** {@link ChannelConnection#onPayload}. */
    /** The first walk over a packet's frames: its header, and whether anything in it elicits an ACK. */
    private void scanFrame(int type, byte[] b, int bodyOff, int bodyLen) {
        if (type == MeshFrame.PACKET) {
            scanHeader = scanHeader == 0 && headerIn.decode(b, bodyOff, bodyLen) ? 1 : -1;
        } else if (type != AckFrame.TYPE && type != AckFrame.TYPE_ECN && type != MeshFrame.CONNECTION_CLOSE) {
            scanAckEliciting = true;
        }
    }

    /** The second walk: each frame handled, until the connection is lost. */
    private void dispatchFrame(int type, byte[] b, int bodyOff, int bodyLen) {
        if (!connection.isLost()) {
            frame(frameNow, type, b, bodyOff, bodyLen);
        }
    }

    void onPayload(long nowNanos, byte[] buf, int off, int len, int ecn) {
        if (len < 2 || (buf[off] & 0xff) != MeshFrame.PACKET) {
            return;
        }
        scanHeader = 0;
        scanAckEliciting = false;
        boolean wellFormed = MeshFrame.forEach(buf, off, len, scan);
        if (!wellFormed || scanHeader != 1) {
            stalePacketsDropped++;
            return;
        }
        if (!acceptIds(nowNanos)) {
            return;
        }
        RttEstimator rtt = path.rtt;
        if (packetsReceived >= DECIMATION_AFTER_PACKETS && rtt.hasSample()) {
            // Never more than an eighth of a channel window unacknowledged: with large packets
            // (a loopback path) ten of them would hold back most of the sender's window.
            int threshold = Math.clamp(config.channelWindow() / 8 / len, ReceivedPackets.ACK_ELICITING_THRESHOLD,
                    DECIMATED_ACK_THRESHOLD);
            if (!decimatingAcks || threshold != ackThreshold) {
                decimatingAcks = true;
                ackThreshold = threshold;
                long delay = Math.min(rtt.maxAckDelay(), Math.max(RttEstimator.GRANULARITY_NANOS, rtt.smoothed() / 4));
                received.setAckFrequency(threshold, delay);
            }
        }
        if (!received.onReceived(headerIn.packetNumber(), scanAckEliciting, nowNanos)) {
            duplicatesDropped++;
            return;
        }
        received.onEcn(ecn, scanAckEliciting, nowNanos);
        packetsReceived++;
        lastReceivedNanos = nowNanos;
        packets.onPacketReceived();
        long outerNow = frameNow; // a frame's events may route another payload here meanwhile
        frameNow = nowNanos;
        try {
            MeshFrame.forEach(buf, off, len, dispatch);
        } finally {
            frameNow = outerNow;
        }
        if (!connection.isLost()) {
            deliverMessages(); // after a violation, violation() delivered what came before it
        }
        for (int i = 0; i < becameWritable.size() && !connection.isLost(); i++) {
            events.onWritable(becameWritable.get(i));
        }
        becameWritable.clear();
        if (!connection.isLost()) {
            channels.retireFinished(retiredNow);
            for (int i = 0; i < retiredNow.size(); i++) {
                events.onChannelRetired(retiredNow.get(i));
            }
            retiredNow.clear();
        }
        if (!connection.isLost()) {
            connection.flush(nowNanos);
        }
    }

    /** The connection-id rules of {@link PacketHeaderFrame}; false if the packet is to be dropped. */
    private boolean acceptIds(long now) {
        int src = headerIn.sourceId();
        int dst = headerIn.destinationId();
        for (int i = 0; i < retiredCount; i++) {
            if (retiredPeerIds[i] == src) {
                stalePacketsDropped++; // from the peer's previous life
                return false;
            }
        }
        if (src == 0 || (dst != 0 && dst != localId)) {
            stalePacketsDropped++; // for a connection of ours that no longer exists
            if (src != 0 && (peerId == 0 || peerId == src)) {
                announceRestart(now, src);
            }
            return false;
        }
        if (peerId == 0) {
            peerId = src;
            connection.resume();
        } else if (src != peerId) {
            // The peer started over: what we had with it is gone.
            retiredPeerIds[retiredCount++ % retiredPeerIds.length] = peerId;
            retiredCount = Math.min(retiredCount, retiredPeerIds.length);
            connectionResets++;
            boolean hadChannels = !channels.isEmpty();
            connection.startOver(now);
            peerId = src;
            if (hadChannels) {
                events.onConnectionLost("the peer restarted");
            }
        }
        return true;
    }

    /**
     * The peer still sends to a connection of ours that is gone (we restarted, or started over):
     * answer with a PING under our current id, addressed to its connection, so that it sees a new
     * id of ours, starts over itself and reports its channels lost, instead of sending into the void
     * until its idle timeout. Its id is not adopted here, so its next connection (a new id) is taken
     * as the first, not as another restart. At most one answer per {@link #ANNOUNCE_INTERVAL_NANOS}.
     */
    private void announceRestart(long now, int peerConnection) {
        if (connection.isLost() || (lastAnnounceNanos != Long.MIN_VALUE && now - lastAnnounceNanos < ANNOUNCE_INTERVAL_NANOS)) {
            return;
        }
        lastAnnounceNanos = now;
        restartsAnnounced++;
        packets.schedulePing();
        packets.flush(now, localId, peerConnection);
    }

    private void frame(long now, int type, byte[] b, int off, int len) {
        switch (type) {
            case AckFrame.TYPE, AckFrame.TYPE_ECN -> {
                long samples = path.rtt.samples();
                long inFlight = loss.bytesInFlight();
                if (!ackIn.decode(type, b, off, len)
                        || !loss.onAckReceived(ackIn, now, channels.isApplicationLimited())) {
                    violation(now, "bad ACK");
                } else {
                    if (path.rtt.samples() != samples) {
                        path.onRttSample(now, ackIn.ackDelayNanos(), inFlight);
                    }
                    path.onAckFrame(now, ackIn);
                }
            }
            case MeshFrame.STREAM, MeshFrame.STREAM_FIN, MeshFrame.STREAM_CODED, MeshFrame.STREAM_CODED_FIN -> {
                if (!streamIn.decode(type, b, off, len)) {
                    violation(now, "bad STREAM frame");
                    return;
                }
                Channel c = openedByPeer(now, streamIn.channelId());
                if (c == null) {
                    return; // a late copy for a retired channel (the packet is acknowledged, the frame dropped), or a violation
                }
                byte coding = streamIn.coded() ? CODED : PLAIN;
                if (c.peerCoding != coding) {
                    if (c.peerCoding != 0) {
                        violation(now, "channel " + c.id + ": coded and plain STREAM frames");
                        return;
                    }
                    c.peerCoding = coding;
                }
                if (!c.receive.receive(streamIn.offset(), b, streamIn.dataOffset(), streamIn.dataLength(), streamIn.fin())) {
                    violation(now, "channel " + c.id + ": " + c.receive.violation());
                }
            }
            case MeshFrame.MAX_DATA -> {
                long max = MaxDataFrame.read(b, off, len);
                if (max < 0) {
                    violation(now, "bad MAX_DATA");
                } else {
                    connectionSend.onMaxData(max);
                }
            }
            case MeshFrame.MAX_STREAMS -> {
                long max = MaxStreamsFrame.read(b, off, len);
                if (max < 0) {
                    violation(now, "bad MAX_STREAMS");
                } else {
                    channels.sendLimits().onMaxStreams(max);
                }
            }
            case MeshFrame.MAX_STREAM_DATA -> {
                if (!maxStreamDataIn.decode(b, off, len)) {
                    violation(now, "bad MAX_STREAM_DATA");
                } else {
                    // Only for a channel this side sent on: it opens no channel (RFC 9000 section 19.10
                    // would for a bidirectional stream; here the sender of data opens, see ChannelLimits).
                    Channel c = channels.get(maxStreamDataIn.channelId());
                    if (c != null) {
                        c.send.onMaxStreamData(maxStreamDataIn.maximum());
                    }
                }
            }
            case MeshFrame.RESET_STREAM -> {
                if (!resetIn.decode(b, off, len)) {
                    violation(now, "bad RESET_STREAM");
                    return;
                }
                Channel c = openedByPeer(now, resetIn.channelId());
                if (c == null) {
                    return;
                }
                if (!c.receive.onReset(resetIn.finalSize(), resetIn.errorCode())) {
                    violation(now, "channel " + c.id + ": " + c.receive.violation());
                }
            }
            case MeshFrame.COMPRESSION -> {
                CompressionOffer offer = CompressionFrame.read(b, off, len);
                if (offer == null) {
                    violation(now, "bad COMPRESSION");
                } else {
                    connection.onPeerCompression(offer);
                }
            }
            case MeshFrame.IDLE_CLOSE -> {
                long proposal = IdleCloseFrame.readProposal(b, off, len);
                if (proposal < 0) {
                    violation(now, "bad IDLE_CLOSE");
                } else {
                    connection.onIdleCloseProposal(now, proposal);
                }
            }
            case MeshFrame.IDLE_CLOSE_ANSWER -> {
                if (!IdleCloseFrame.readAnswer(b, off, len, answerIn)) {
                    violation(now, "bad IDLE_CLOSE_ANSWER");
                } else {
                    connection.onIdleCloseAnswer(answerIn[0], answerIn[1] == 1);
                }
            }
            case MeshFrame.CONNECTION_CLOSE -> {
                String reason = closeIn.decode(b, off, len) ? closeIn.reason() : "";
                connection.lose("the peer closed the connection" + (reason.isEmpty() ? "" : ": " + reason));
            }
            default -> {
                // PING, DATA_BLOCKED, STREAM_DATA_BLOCKED, DATAGRAM (the owner's), unknown types: nothing to do.
            }
        }
    }

    /**
     * The channel a STREAM or RESET_STREAM frame of the peer's is for, opened if new; null for a
     * retired number (a late frame), or after a violation: the peer opened more channels than this
     * side's limit lets it (RFC 9000 section 4.6, STREAM_LIMIT_ERROR).
     */
    private Channel openedByPeer(long now, long id) {
        Channel c = channels.get(id);
        if (c != null && c.peerOpened) {
            return c; // the common case
        }
        if (c == null && channels.isRetired(id)) {
            return null;
        }
        ChannelLimits.Receive limits = channels.receiveLimits();
        if (!limits.onOpened()) {
            violation(now, "channel " + id + ": more channels than the limit of " + limits.limit() + " opened (STREAM_LIMIT_ERROR)");
            return null;
        }
        if (c == null) {
            c = connection.channel(id, true);
        }
        c.peerOpened = true;
        return c;
    }

    private void deliverMessages() {
        List<Channel> order = channels.inOrder();
        for (int i = 0; i < order.size(); i++) {
            Channel c = order.get(i);
            byte[] m;
            while ((m = c.receive.pollMessage()) != null) {
                if (c.peerCoding == CODED) {
                    events.onCodedMessage(c.id, m);
                } else {
                    events.onMessage(c.id, m);
                }
                if (connection.isLost()) {
                    return;
                }
            }
            if (!c.closedReported && (c.receive.isFinished() || c.receive.isReset())) {
                channels.endReported(c);
                events.onChannelClosed(c.id, c.receive.isReset() ? c.receive.resetErrorCode() : 0);
            }
        }
    }

    private void violation(long now, String what) {
        if (connection.isLost()) {
            return;
        }
        protocolViolations++;
        deliverMessages(); // what came complete before the violation, while the connection is still up
        if (connection.isLost()) {
            return; // the application closed it meanwhile
        }
        packets.scheduleClose(ChannelConnection.PROTOCOL_VIOLATION, what);
        connection.flush(now);
        connection.lose("protocol violation by the peer: " + what);
    }

    // ------------------------------------------------------------------ statistics

    long packetsReceived() {
        return packetsReceived;
    }

    long duplicatesDropped() {
        return duplicatesDropped;
    }

    long stalePacketsDropped() {
        return stalePacketsDropped;
    }

    long connectionResets() {
        return connectionResets;
    }

    long restartsAnnounced() {
        return restartsAnnounced;
    }

    long protocolViolations() {
        return protocolViolations;
    }
}
