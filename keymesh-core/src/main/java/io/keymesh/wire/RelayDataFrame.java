package io.keymesh.wire;

/**
 * The RELAY_DATA mesh frame ({@link MeshFrame#RELAY_DATA} 0x53): one WireGuard message of another
 * session, unmodified, travelling on a circuit.
 * <pre>
 *   type 0x53   length (varint)   circuit id (varint)   inner message (the rest of the body, at least 1 byte)
 * </pre>
 * The circuit id is the one the circuit's RELAY_OPEN carried on this link. The inner message's
 * length is what the body leaves after the circuit id; a body with nothing after it is malformed.
 *
 * <p>The frame is sent per packet, so it can be built in place: with the inner message already at
 * {@code buf[m..m+n)}, {@code writeHeader(buf, m - headerLength(c, n), c, n)} writes the header
 * just in front of it and returns {@code m}; {@link #MAX_HEADER_LENGTH} bytes of room in front of
 * a message are always enough. Writing is static and thread-safe. Reading fills a reusable instance
 * without allocating or copying: the inner message is left where it is, and the offsets refer to the
 * array given to {@link #decode}. An instance is not thread-safe. Bad input makes {@code decode}
 * return false; it never throws.
 */
public final class RelayDataFrame {
    /** The longest header: type, an 8-byte length and an 8-byte circuit id. */
    public static final int MAX_HEADER_LENGTH = 17;
    /** The longest inner message written, so that every length fits an {@code int}. */
    public static final int MAX_INNER_LENGTH = Integer.MAX_VALUE - MAX_HEADER_LENGTH;

    private long circuit;
    private int innerOffset;
    private int innerLength;

    /**
     * Bytes in front of the inner message: type, length and circuit id.
     *
     * @throws IllegalArgumentException if {@code innerLength} is not 1 to {@link #MAX_INNER_LENGTH}
     *     or the circuit id is not a varint
     */
    public static int headerLength(long circuit, int innerLength) {
        checkInner(innerLength);
        int c = VarInt.length(circuit);
        return 1 + VarInt.length(c + innerLength) + c;
    }

    /** Bytes the whole frame takes; throws as {@link #headerLength} does. */
    public static int frameLength(long circuit, int innerLength) {
        return headerLength(circuit, innerLength) + innerLength;
    }

    /**
     * The longest inner message a RELAY_DATA frame on this circuit can carry in
     * {@code maxFrameLength} bytes (type and length included).
     *
     * @return that length, or -1 if not even a 1-byte message fits
     */
    public static int maxInnerLength(int maxFrameLength, long circuit) {
        int c = VarInt.length(circuit);
        long best = -1;
        for (int n = 1; n <= 8; n <<= 1) { // n: bytes of the length varint
            long largestBody = n == 8 ? VarInt.MAX : (1L << (8 * n - 2)) - 1;
            long inner = Math.min((long) maxFrameLength - 1 - n - c, largestBody - c);
            best = Math.max(best, inner);
        }
        return best < 1 ? -1 : (int) Math.min(best, MAX_INNER_LENGTH);
    }

    /**
     * Writes the header of a frame carrying {@code innerLength} bytes at {@code buf[off]}; the inner
     * message goes at the returned index, which is {@code off + headerLength(circuit, innerLength)}.
     * Bytes from there on are not touched.
     *
     * @return the index where the inner message goes
     * @throws IllegalArgumentException as {@link #headerLength} does
     */
    public static int writeHeader(byte[] buf, int off, long circuit, int innerLength) {
        checkInner(innerLength);
        int c = VarInt.length(circuit);
        int p = MeshFrame.writeHeader(buf, off, MeshFrame.RELAY_DATA, c + innerLength);
        return p + VarInt.write(buf, p, circuit);
    }

    /**
     * Writes a whole frame at {@code b[off]}, its inner message from
     * {@code inner[innerOff..innerOff+innerLength)}, which may overlap the frame's bytes.
     *
     * @return the frame's length
     * @throws IllegalArgumentException as {@link #headerLength} does
     */
    public static int write(byte[] b, int off, long circuit, byte[] inner, int innerOff, int innerLength) {
        int h = headerLength(circuit, innerLength);
        System.arraycopy(inner, innerOff, b, off + h, innerLength); // first: the header may overlap the source
        writeHeader(b, off, circuit, innerLength);
        return h + innerLength;
    }

    private static void checkInner(int innerLength) {
        if (innerLength < 1 || innerLength > MAX_INNER_LENGTH) {
            throw new IllegalArgumentException("a relayed message has 1 to " + MAX_INNER_LENGTH
                    + " bytes, not " + innerLength);
        }
    }

    /**
     * Reads a body without copying it.
     *
     * @return true if it is a circuit id followed by at least one byte; false (and this instance's
     *     fields undefined) otherwise, or if the body is not within {@code b}
     */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        if (bodyOff < 0 || bodyLen < 0 || bodyOff > b.length - bodyLen) {
            return false;
        }
        int end = bodyOff + bodyLen;
        long c = VarInt.read(b, bodyOff, end);
        if (c < 0) {
            return false;
        }
        int p = bodyOff + VarInt.encodedLength(b[bodyOff]);
        if (p >= end) {
            return false;
        }
        circuit = c;
        innerOffset = p;
        innerLength = end - p;
        return true;
    }

    /** The circuit id. */
    public long circuit() {
        return circuit;
    }

    /** Index of the inner message's first byte in the array given to {@link #decode}. */
    public int innerOffset() {
        return innerOffset;
    }

    /** Bytes of the inner message, at least 1. */
    public int innerLength() {
        return innerLength;
    }
}
