package io.keymesh.channel;

import io.keymesh.wire.AckFrame;
import io.keymesh.wire.CompressionFrame;
import io.keymesh.wire.CompressionOffer;
import io.keymesh.wire.ConnectionCloseFrame;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.PacketHeaderFrame;
import java.util.Arrays;

/**
 * Builds and sends the packets of one {@link ChannelConnection}: on each {@link #flush} it decides
 * which packets may go out now and what each carries, numbers them, records them with the loss
 * detector and the path ({@link PathState}: pacer, path-MTU discovery), and hands them to the
 * connection's {@link ChannelConnection.Output}.
 *
 * <p>Which packets, in order: a CONNECTION_CLOSE that is due goes in one packet (after an ACK, if
 * any) and ends the flush; a due path-MTU probe (PING and PADDING to the probe size) goes first if
 * the congestion window has room for it; then packets while an ACK is due, ack-eliciting frames wait
 * (an ACK rides along with them if packets arrived since the last one) or PTO probes are owed
 * (RFC 9002 section 6.2.4). Ack-eliciting frames wait for the congestion window and the pacer
 * (RFC 9002 sections 7 and 7.7) — and for a due path-MTU probe that the window could hold once it
 * drains; while they wait, an ACK that is due goes alone. Probes owed after a PTO are sent whatever
 * the window; the second of a repeated timeout is a small ACK and PING, so that an answer comes
 * back even through a black hole (RFC 8899 section 4.3). Every ack-eliciting packet but a
 * path-MTU probe counts toward bytes in flight: a lost probe is not congestion.
 *
 * <p>What a packet carries, in order: the PACKET header (both connection ids and the packet number,
 * {@link PacketHeaderFrame}); an ACK whenever packets arrived since the last one or one is due
 * (RFC 9000 section 13.2; when one is due is {@link ReceivedPackets}'s rule, decimation included);
 * then COMPRESSION (once per connection state), MAX_DATA and DATA_BLOCKED, the channels' control frames and their STREAM frames round-robin
 * ({@link ChannelTable}); then a PING if the packet must elicit an ACK and nothing else does, or a
 * keepalive is due. Every frame sent is noted in the packet's {@link SentFrames}, so that its fate
 * reaches its owner.
 *
 * <p>The parts of the connection's state it reads and updates are given to it by {@link #start}
 * whenever the connection starts afresh, and the path by {@link #setPath} when it changes; it owns
 * what only sending uses: the packet numbers, the frames due that no other part tracks (PTO probes,
 * PING, CONNECTION_CLOSE), and the buffer packets are written into, with the path's headroom before
 * them, reused for every packet: an ordinary packet allocates nothing but its {@link SentFrames}.
 * Not thread-safe; owned by its connection.
 */
final class PacketBuilder {
    /** The payload limit of a packet that only acknowledges, or acknowledges and pings. */
    private static final int SMALL_PACKET_PAYLOAD = 256;
    /** {@link #sendPacket}'s probe size for a small ACK-and-PING packet. */
    private static final int SMALL_PROBE = -1;
    /** {@link #sendPacket}'s probe size for a packet of an ACK only, sent while the window is full. */
    private static final int ACK_ONLY = -2;
    /** {@code sendPacket}'s probe size for a packet of an ACK and the IDLE_CLOSE_ANSWER that is due. */
    private static final int IDLE_ANSWER = -3;

    private final ChannelConnection.Output output;
    private final IdleClose idleClose;
    private final int maxUdpPayload;
    private byte[] out = new byte[0];
    private final AckFrame ackOut = new AckFrame();

    private PathState path;
    private LossDetector loss;
    private ReceivedPackets received;
    private FlowControl.Send connectionSend;
    private FlowControl.Receive connectionReceive;
    private ChannelTable channels;

    private long nextPacketNumber;
    private int probesPending;
    private boolean pingPending;
    private boolean closeFramePending;
    private long closeErrorCode;
    private String closeReason = "";
    private long lastSentNanos;
    /** Whether an ack-eliciting packet went since the peer's last packet was accepted, and when the first did. */
    private boolean elicitedSinceReceipt;
    private long firstElicitingSinceReceiptNanos = Long.MIN_VALUE;
    private long pacingWakeup = Long.MAX_VALUE;
    private long packetsSent;
    /** Packets that carried channel data (STREAM frames: messages, new or sent again). */
    private long dataPacketsSent;
    /** What this side decodes, told to the peer once per connection state (COMPRESSION), or null. */
    private CompressionOffer offer;
    private boolean offerPending;
    private boolean offerAcked;

    /**
     * @param maxUdpPayload the largest UDP payload any packet will have (the configured ceiling of
     *     path-MTU discovery): sizes the buffer, with the path's room before and after for the layers below
     * @param output where packets go
     */
    PacketBuilder(int maxUdpPayload, ChannelConnection.Output output, IdleClose idleClose) {
        this.idleClose = idleClose;
        this.output = output;
        this.maxUdpPayload = maxUdpPayload;
    }

    /**
     * Starts building for a new connection state, whose parts these are: packet numbers start from
     * 0, no probe, PING or CONNECTION_CLOSE is due, and the last packet counts as sent at
     * {@code nowNanos}. {@link #packetsSent()} goes on counting.
     */
    void start(long nowNanos, PathState path, LossDetector loss, ReceivedPackets received,
            FlowControl.Send connectionSend, FlowControl.Receive connectionReceive, ChannelTable channels) {
        setPath(path);
        this.loss = loss;
        this.received = received;
        this.connectionSend = connectionSend;
        this.connectionReceive = connectionReceive;
        this.channels = channels;
        nextPacketNumber = 0;
        probesPending = 0;
        pingPending = false;
        closeFramePending = false;
        offerPending = offer != null; // the peer's new state has not heard it
        offerAcked = false;
        lastSentNanos = nowNanos;
        pacingWakeup = Long.MAX_VALUE;
        elicitedSinceReceipt = false;
        firstElicitingSinceReceiptNanos = Long.MIN_VALUE;
    }

    /**
     * Packets go on {@code path} from now on: it sizes them, paces them and chooses the probes.
     * Call it again when the path's overhead changed (the buffer is made for it here).
     */
    void setPath(PathState path) {
        this.path = path;
        PathOverhead o = path.overhead();
        if (out.length < o.headroom() + maxUdpPayload + o.tailroom()) {
            out = new byte[o.headroom() + maxUdpPayload + o.tailroom()];
        }
    }

    /** A probe timeout asks for {@code count} more probe packets (RFC 9002 section 6.2.4). */
    void addProbes(int count) {
        probesPending += count;
    }

    /** A PING is due: the next packet carries one (a keepalive). */
    void schedulePing() {
        pingPending = true;
    }

    /** A CONNECTION_CLOSE with this error code and reason is due: the next {@link #flush} sends it and nothing after it. */
    void scheduleClose(long errorCode, String reason) {
        closeErrorCode = errorCode;
        closeReason = reason;
        closeFramePending = true;
    }

    /**
     * Tells the peer {@code newOffer} in a COMPRESSION frame, sent reliably: again when a packet
     * carrying it is lost while it is still the current offer, and again in every new connection
     * state. Null sends none (the peer then sends raw messages only).
     */
    void setCompressionOffer(CompressionOffer newOffer) {
        offer = newOffer;
        offerPending = newOffer != null;
        offerAcked = false;
    }

    /** A packet that carried the COMPRESSION frame of {@code version} was acknowledged. */
    void onCompressionAcked(long version) {
        if (offer != null && offer.version() == version) {
            offerAcked = true;
        }
    }

    /** A packet that carried the COMPRESSION frame of {@code version} was lost: sent again if still current. */
    void onCompressionLost(long version) {
        if (offer != null && offer.version() == version && !offerAcked) {
            offerPending = true;
        }
    }

    /** When the pacer lets held-back data go, if the last {@link #flush} stopped for it; else {@link Long#MAX_VALUE}. */
    long pacingWakeup() {
        return pacingWakeup;
    }

    /** A packet of the peer's was accepted: the next ack-eliciting packet restarts the idle timer. */
    void onPacketReceived() {
        elicitedSinceReceipt = false;
    }

    /**
     * When the first ack-eliciting packet counted in flight since the peer's last accepted packet was sent, or
     * {@link Long#MIN_VALUE} if none was: it restarts the idle timer (RFC 9000 section 10.1), so
     * that a connection quiet for long does not count as idle the moment it sends again.
     */
    long firstElicitingSinceReceiptNanos() {
        return firstElicitingSinceReceiptNanos;
    }

    /** When the last packet was sent (or the connection state started, if none since). */
    long lastSentNanos() {
        return lastSentNanos;
    }

    /** Packets sent, over every connection state. */
    long packetsSent() {
        return packetsSent;
    }

    /** Packets sent that carried channel data (new or sent again), not only acknowledgements, PINGs or control frames. */
    long dataPacketsSent() {
        return dataPacketsSent;
    }

    /**
     * Sends as much as congestion control, pacing and flow control allow (see the class comment),
     * in packets from {@code localId} to {@code peerId} (0 while the peer's id is not known: no
     * path-MTU probe goes then).
     */
    void flush(long now, int localId, int peerId) {
        pacingWakeup = Long.MAX_VALUE;
        for (int guard = 0; guard < 10_000; guard++) {
            boolean ackDue = received.ackDue(now);
            boolean ack = ackDue || (received.hasNewPackets() && hasAckElicitingWork());
            boolean probe = probesPending > 0;
            boolean work = hasAckElicitingWork();
            if (closeFramePending) {
                sendPacket(now, localId, peerId, false, 0);
                closeFramePending = false;
                return;
            }
            if (idleClose.answerDue()) {
                // Like an ACK, not held back by the window or the pacer: an acceptor forgets the
                // connection right after this flush.
                sendPacket(now, localId, peerId, false, IDLE_ANSWER);
                continue;
            }
            if (maybeProbePath(now, localId, peerId)) {
                continue;
            }
            if (!ack && !work && !probe) {
                return;
            }
            // Bytes in flight count whole UDP payloads: a full packet is maxPayload() and the path's overhead.
            boolean limited = !probe && work && (!path.congestion.canSend(loss.bytesInFlight(), path.fullPacketSize())
                    || probeWaitsForRoom(now, peerId));
            if (!limited && work && !probe) {
                long at = path.nextSendTime(now);
                if (at > now) {
                    pacingWakeup = at;
                    limited = true;
                }
            }
            if (limited) {
                if (ackDue) {
                    // An ACK alone is not congestion controlled; one that would only have ridden
                    // along with data waits for the data (or its delay).
                    sendPacket(now, localId, peerId, false, ACK_ONLY);
                }
                return;
            }
            if (probe && probesPending == 1 && loss.ptoCount() > 1) {
                // The second probe of a repeated timeout is small, so that it gets through even if
                // the path shrank under full-size packets: its ACK lets loss detection, and then
                // black-hole detection, see what happened to them (RFC 8899 section 4.3).
                sendPacket(now, localId, peerId, true, SMALL_PROBE);
            } else {
                sendPacket(now, localId, peerId, probe || work, 0);
            }
            if (probe) {
                probesPending--;
            }
        }
    }

    /** Sends the due IDLE_CLOSE_ANSWER now, with an ACK, in a packet of its own and nothing else. */
    void sendIdleAnswer(long now, int localId, int peerId) {
        if (idleClose.answerDue()) {
            sendPacket(now, localId, peerId, false, IDLE_ANSWER);
        }
    }

    /** True if some frame that elicits an ACK waits to be sent. */
    private boolean hasAckElicitingWork() {
        return pingPending || offerPending || idleClose.hasWork() || connectionReceive.wantsMaxDataFrame() || connectionSend.wantsBlockedFrame()
                || channels.receiveLimits().wantsMaxStreamsFrame() || channels.hasWork();
    }

    /**
     * Sends a path-MTU probe if one is due, the peer is known and the window has room for it
     * (probes are not counted in flight, but they must not overrun the window either).
     */
    private boolean maybeProbePath(long now, int localId, int peerId) {
        if (peerId == 0) {
            return false;
        }
        int size = path.pmtu().probeSizeDue(now);
        if (size == 0 || !path.congestion.canSend(loss.bytesInFlight(), size)) {
            return false;
        }
        sendPacket(now, localId, peerId, true, size);
        return true;
    }

    /**
     * True if a due path-MTU probe waits for room in a window large enough to hold it: new data
     * then waits too, or the data sent as each ACK frees a little room would keep a probe larger
     * than that room out for good (a probe for a loopback path's 64 KiB, behind 1.2 KB packets).
     */
    private boolean probeWaitsForRoom(long now, int peerId) {
        if (peerId == 0) {
            return false;
        }
        int size = path.pmtu().probeSizeDue(now);
        return size > 0 && path.congestion.window() >= size && !path.congestion.canSend(loss.bytesInFlight(), size);
    }

    /**
     * Builds and sends one packet: header, ACK, control frames, then channel data round-robin.
     *
     * @param elicit put an ack-eliciting frame in (a PING if nothing else)
     * @param probeSize a path-MTU probe of this UDP payload size (PING and padding), {@link #SMALL_PROBE}
     *     for an ACK and PING only, {@link #ACK_ONLY} for an ACK alone, or 0
     */
    private void sendPacket(long now, int localId, int peerId, boolean elicit, int probeSize) {
        if (probeSize == SMALL_PROBE) {
            pingPending = true;
        }
        int start = path.overhead().headroom();
        int limit = probeSize > 0 ? path.overhead().payloadLimit(probeSize)
                : probeSize == SMALL_PROBE || probeSize == ACK_ONLY || probeSize == IDLE_ANSWER ? SMALL_PACKET_PAYLOAD
                : path.maxPayload();
        int end = start + limit;
        long pn = nextPacketNumber++;
        SentFrames sent = new SentFrames();
        sent.path = path;
        sent.ecnMarked = path.ecn.marking();
        int p = start + PacketHeaderFrame.write(out, start, localId, peerId, pn);
        boolean ackEliciting = false;
        if (probeSize == IDLE_ANSWER) {
            // Before the ACK, which may fill the packet: the answer must ride with the ACK of the
            // proposal (a proposal acknowledged without one counts as refused).
            p = idleClose.writeAnswer(out, p, end, sent);
            ackEliciting = sent.idleCloseRefusal >= 0; // a refusal is sent again if lost; an acceptance is not
        }

        if (received.hasNewPackets() || received.ackDue(now)) {
            received.fillAckFrame(ackOut, now);
            int n = ackOut.write(out, p, end - p);
            if (n > 0) {
                p += n;
                sent.ackLargest = ackOut.largestAcknowledged();
                received.onAckSent();
            }
        }
        if (closeFramePending) {
            int n = ConnectionCloseFrame.frameLength(closeErrorCode, closeReason);
            if (n <= end - p) {
                p += ConnectionCloseFrame.write(out, p, closeErrorCode, closeReason);
            }
        } else if (probeSize > 0) {
            p = MeshFrame.writeHeader(out, p, MeshFrame.PING, 0);
            ackEliciting = true;
            sent.probeSize = probeSize;
            Arrays.fill(out, p, end, (byte) 0); // PADDING to the probe size
            p = end;
        } else if (probeSize == SMALL_PROBE) {
            p = MeshFrame.writeHeader(out, p, MeshFrame.PING, 0);
            ackEliciting = true;
            pingPending = false;
        } else if (probeSize == ACK_ONLY) {
            // nothing but the ACK
        } else if (probeSize == IDLE_ANSWER) {
            // the answer went first
        } else {
            int before = p;
            p = idleClose.writeProposal(out, p, end, sent);
            p = writeControlFrames(p, end, sent);
            int streams = p;
            p = channels.writeStreamFrames(out, p, end, sent);
            if (p > streams) {
                dataPacketsSent++;
            }
            ackEliciting = p > before;
            if (elicit && !ackEliciting || pingPending) {
                if (end - p >= 2) {
                    p = MeshFrame.writeHeader(out, p, MeshFrame.PING, 0);
                    ackEliciting = true;
                }
                pingPending = false;
            }
        }
        int payload = p - start;
        int udpSize = path.overhead().udpSize(payload);
        sent.udpSize = udpSize;
        // Black-hole detection counts packets of the size path-MTU discovery confirmed; a full
        // packet is that size before rounding down to WireGuard's padding.
        sent.pmtuSize = probeSize == 0 && payload == limit ? path.pmtu().udpPayloadSize() : udpSize;
        // A lost probe is not congestion (RFC 8899); a refusal of the peer's IDLE_CLOSE is sent again if lost.
        boolean inFlight = ackEliciting && (probeSize == 0 || probeSize == IDLE_ANSWER);
        loss.onPacketSent(pn, now, udpSize, ackEliciting, inFlight, sent);
        if (inFlight) {
            path.onPacedPacketSent(now, udpSize);
        }
        if (probeSize > 0) {
            path.pmtu().onProbeSent(probeSize);
        }
        packetsSent++;
        lastSentNanos = now;
        if (inFlight && !elicitedSinceReceipt) { // a path-MTU probe is not: its loss leaves nothing to probe again
            elicitedSinceReceipt = true;
            firstElicitingSinceReceiptNanos = now;
        }
        output.sendPayload(out, start, payload);
    }

    /** Writes the connection's COMPRESSION, MAX_DATA, MAX_STREAMS and DATA_BLOCKED frames if due, then the channels' control frames. */
    private int writeControlFrames(int p, int end, SentFrames sent) {
        if (offerPending && CompressionFrame.frameLength(offer) <= end - p) {
            p += CompressionFrame.write(out, p, offer);
            sent.compressionVersion = offer.version();
            offerPending = false;
        }
        if (connectionReceive.wantsMaxDataFrame()) {
            int n = connectionReceive.writeMaxDataFrame(out, p, end - p);
            if (n > 0) {
                sent.maxData = connectionReceive.limit();
                p += n;
            }
        }
        ChannelLimits.Receive limits = channels.receiveLimits();
        if (limits.wantsMaxStreamsFrame()) {
            int n = limits.writeMaxStreamsFrame(out, p, end - p);
            if (n > 0) {
                sent.maxStreams = limits.limit();
                p += n;
            }
        }
        if (connectionSend.wantsBlockedFrame()) {
            int n = connectionSend.writeBlockedFrame(out, p, end - p);
            if (n > 0) {
                sent.dataBlocked = connectionSend.limit();
                p += n;
            }
        }
        return channels.writeControlFrames(out, p, end, sent);
    }
}
