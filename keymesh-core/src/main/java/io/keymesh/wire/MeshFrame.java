package io.keymesh.wire;

/**
 * Mesh frames: what a transport payload carries when its first byte is not an IP version nibble
 * (see {@link InnerPayload}). A payload is a sequence of frames, each
 * <pre>
 *   type (1 byte)   length (QUIC varint)   body (length bytes)
 * </pre>
 * so a receiver skips frames of types it does not know. Type {@link #PADDING} (0x00) ends the
 * sequence: everything after it is padding (WireGuard pads payloads with zeros). Frame types never
 * fall in 0x40–0x4F or 0x60–0x6F, so the first frame cannot be mistaken for an IP packet.
 *
 * <p>Types defined so far (channel frames reuse RFC 9000's numbers where they are legal here; the
 * body is the RFC 9000 body minus what our length prefix makes redundant):
 * <ul>
 *   <li>{@code 0x00} {@link #PADDING} — ends the sequence.
 *   <li>{@code 0x01} {@link #PING} — empty; elicits an acknowledgement.
 *   <li>{@code 0x02}, {@code 0x03} ACK — {@link AckFrame} (RFC 9000 section 19.3).
 *   <li>{@code 0x04} {@link #RESET_STREAM} — channel id, error code, final size
 *       ({@link ResetStreamFrame}; RFC 9000 section 19.4).
 *   <li>{@code 0x08} {@link #STREAM}, {@code 0x09} {@link #STREAM_FIN} — channel id, offset, data;
 *       0x09 also marks the end of the channel ({@link StreamFrame}; RFC 9000 section 19.8).
 *   <li>{@code 0x0a} {@link #STREAM_CODED}, {@code 0x0b} {@link #STREAM_CODED_FIN} — the same, for a
 *       channel direction whose messages each begin with a codec header ({@link StreamFrame#coded()}).
 *   <li>{@code 0x10} {@link #MAX_DATA} — the connection's receive limit ({@link MaxDataFrame};
 *       RFC 9000 section 19.9).
 *   <li>{@code 0x11} {@link #MAX_STREAM_DATA} — channel id, the channel's receive limit
 *       ({@link MaxStreamDataFrame}; RFC 9000 section 19.10).
 *   <li>{@code 0x12} {@link #MAX_STREAMS} — how many channels the receiver may open, counted from
 *       the start of the connection state ({@link MaxStreamsFrame}; RFC 9000 section 19.11).
 *   <li>{@code 0x14} {@link #DATA_BLOCKED} — the connection limit the sender is blocked at
 *       ({@link DataBlockedFrame}; RFC 9000 section 19.12).
 *   <li>{@code 0x15} {@link #STREAM_DATA_BLOCKED} — channel id, the channel limit the sender is
 *       blocked at ({@link StreamDataBlockedFrame}; RFC 9000 section 19.13).
 *   <li>{@code 0x1c} {@link #CONNECTION_CLOSE} — error code, reason ({@link ConnectionCloseFrame}).
 *   <li>{@code 0x20} {@link #PACKET} — first frame of a channel packet: source and destination
 *       connection ids, packet number ({@link PacketHeaderFrame}).
 *   <li>{@code 0x31} {@link #DATAGRAM} — an unreliable application datagram.
 *   <li>{@code 0x32} {@link #COMPRESSION} — the codecs and zstd dictionaries the sender decodes
 *       ({@link CompressionFrame}).
 *   <li>{@code 0x33} {@link #IDLE_CLOSE} — proposal number: the sender's channel connection is idle
 *       and holds no channel, and may be forgotten on both ends ({@link IdleCloseFrame}).
 *   <li>{@code 0x34} {@link #IDLE_CLOSE_ANSWER} — proposal number, accepted or refused
 *       ({@link IdleCloseFrame}).
 *   <li>{@code 0x50} {@link #RELAY_OPEN} — circuit id, route of 1 to 4 node keys, the last the
 *       target ({@link RelayOpenFrame}).
 *   <li>{@code 0x51} {@link #RELAY_OPENED} — circuit id, the largest inner message the circuit
 *       carries ({@link RelayOpenedFrame}).
 *   <li>{@code 0x52} {@link #RELAY_REFUSED} — circuit id, reason code ({@link CircuitReasonFrame},
 *       codes in {@link RelayReason}).
 *   <li>{@code 0x53} {@link #RELAY_DATA} — circuit id, one relayed WireGuard message
 *       ({@link RelayDataFrame}).
 *   <li>{@code 0x54} {@link #RELAY_CLOSE} — circuit id, reason code ({@link CircuitReasonFrame}).
 *   <li>{@code 0x5A} {@link #SEEK} — seek id, hops left, origin and target keys, the members passed,
 *       the origin's handshake initiation for the target ({@link SeekFrame}).
 *   <li>{@code 0x5B} {@link #REACH} — a Bloom filter of the keys the sender holds sessions with
 *       ({@link ReachFrame}).
 *   <li>{@code 0x58} {@link #PROBE} — probe id; elicits a PROBE_ACK ({@link ProbeFrame}).
 *   <li>{@code 0x59} {@link #PROBE_ACK} — probe id, optionally the address and port the probe came
 *       from ({@link ProbeFrame}).
 *   <li>{@code 0x5C} {@link #CANDIDATES} — punching round, flags, up to 8 candidate addresses
 *       ({@link CandidatesFrame}).
 *   <li>{@code 0x5D} {@link #OBSERVED_ADDRESS} — the address the receiver's packets come from, as
 *       the sender sees them ({@link ObservedAddressFrame}).
 * </ul>
 *
 * <p>Stateless helpers over a caller's array; thread-safe.
 */
public final class MeshFrame {
    /** The rest of the payload is padding. */
    public static final int PADDING = 0x00;
    /** An unreliable application datagram; the body is the datagram. */
    public static final int DATAGRAM = 0x31;
    /** Abrupt end of a channel's sending side: channel id, error code, final size. */
    public static final int RESET_STREAM = 0x04;
    /** Channel data: channel id, offset, data. */
    public static final int STREAM = 0x08;
    /** Channel data that ends the channel: channel id, offset, data; offset + length is the final size. */
    public static final int STREAM_FIN = 0x09;
    /** {@link #STREAM} of a channel direction whose messages begin with a codec header. */
    public static final int STREAM_CODED = 0x0a;
    /** {@link #STREAM_FIN} of a channel direction whose messages begin with a codec header. */
    public static final int STREAM_CODED_FIN = 0x0b;
    /** What the sender decodes on channels: version, flags, dictionaries ({@link CompressionFrame}). */
    public static final int COMPRESSION = 0x32;
    /** Proposes forgetting an idle channel connection that holds no channel: proposal number ({@link IdleCloseFrame}). */
    public static final int IDLE_CLOSE = 0x33;
    /** Accepts or refuses an {@link #IDLE_CLOSE}: proposal number, accepted ({@link IdleCloseFrame}). */
    public static final int IDLE_CLOSE_ANSWER = 0x34;
    /** Keeps a connection alive and elicits an acknowledgement; empty body (RFC 9000 section 19.2). */
    public static final int PING = 0x01;
    /** Ends the channel connection: error code, reason (RFC 9000 section 19.19). */
    public static final int CONNECTION_CLOSE = 0x1c;
    /** First frame of every channel packet: connection ids and packet number ({@link PacketHeaderFrame}). */
    public static final int PACKET = 0x20;
    /** Connection-level flow-control limit: maximum data (varint). */
    public static final int MAX_DATA = 0x10;
    /** Channel-level flow-control limit: channel id, maximum stream data. */
    public static final int MAX_STREAM_DATA = 0x11;
    /** How many channels the receiver may open on the connection, in all: maximum streams (varint). */
    public static final int MAX_STREAMS = 0x12;
    /** The sender has data but is blocked by the connection limit: the limit. */
    public static final int DATA_BLOCKED = 0x14;
    /** The sender has channel data but is blocked by the channel limit: channel id, the limit. */
    public static final int STREAM_DATA_BLOCKED = 0x15;
    /** Asks the receiver to relay a circuit: circuit id, route of node keys ({@link RelayOpenFrame}). */
    public static final int RELAY_OPEN = 0x50;
    /** The circuit is open end to end: circuit id, largest inner message ({@link RelayOpenedFrame}). */
    public static final int RELAY_OPENED = 0x51;
    /** The circuit could not be opened: circuit id, reason code ({@link CircuitReasonFrame}). */
    public static final int RELAY_REFUSED = 0x52;
    /** One relayed WireGuard message: circuit id, the message ({@link RelayDataFrame}). */
    public static final int RELAY_DATA = 0x53;
    /** The circuit is closed: circuit id, reason code ({@link CircuitReasonFrame}). */
    public static final int RELAY_CLOSE = 0x54;
    /** Path check: probe id; elicits a {@link #PROBE_ACK} ({@link ProbeFrame}). */
    public static final int PROBE = 0x58;
    /** Looks for a key through the members: seek id, hops, origin, target, passed keys, initiation ({@link SeekFrame}). */
    public static final int SEEK = 0x5A;
    /** The keys the sender reaches in one hop, as a Bloom filter: hash count, bits ({@link ReachFrame}). */
    public static final int REACH = 0x5B;
    /** Answer to a {@link #PROBE}: probe id, optionally the address it came from ({@link ProbeFrame}). */
    public static final int PROBE_ACK = 0x59;
    /** The sender's candidate addresses, for hole punching: round, flags, candidates ({@link CandidatesFrame}). */
    public static final int CANDIDATES = 0x5C;
    /** The receiver's address as the sender sees it ({@link ObservedAddressFrame}). */
    public static final int OBSERVED_ADDRESS = 0x5D;

    private MeshFrame() {}

    /** True if {@code type} may be used as a frame type (not an IP version nibble, not padding). */
    public static boolean isValidType(int type) {
        int nibble = (type & 0xf0) >>> 4;
        return type > 0 && type <= 0xff && nibble != 4 && nibble != 6;
    }

    /** Bytes a frame with a {@code bodyLength}-byte body takes. */
    public static int frameLength(int bodyLength) {
        return 1 + VarInt.length(bodyLength) + bodyLength;
    }

    /** Writes a frame header at {@code b[off]}; returns the offset where the body goes. */
    public static int writeHeader(byte[] b, int off, int type, int bodyLength) {
        if (!isValidType(type)) {
            throw new IllegalArgumentException("not a frame type: " + type);
        }
        b[off] = (byte) type;
        return off + 1 + VarInt.write(b, off + 1, bodyLength);
    }

    /** Receives the frames of a payload, one call each. */
    @FunctionalInterface
    public interface Visitor {
        void frame(int type, byte[] b, int bodyOff, int bodyLen);
    }

    /**
     * Calls {@code visitor} for each frame in {@code b[off..off+len)} up to padding or the end.
     *
     * @return true if the payload was well formed, false if a frame was truncated (frames before it
     *     were visited)
     */
    public static boolean forEach(byte[] b, int off, int len, Visitor visitor) {
        int end = off + len;
        int p = off;
        while (p < end) {
            int type = b[p] & 0xff;
            if (type == PADDING) {
                return true;
            }
            long bodyLen = VarInt.read(b, p + 1, end);
            if (bodyLen < 0) {
                return false;
            }
            int bodyOff = p + 1 + VarInt.encodedLength(b[p + 1]);
            if (bodyLen > end - bodyOff) {
                return false;
            }
            visitor.frame(type, b, bodyOff, (int) bodyLen);
            p = bodyOff + (int) bodyLen;
        }
        return true;
    }
}
