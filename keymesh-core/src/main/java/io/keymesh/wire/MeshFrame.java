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
 * <p>Stateless helpers over a caller's array; thread-safe.
 */
public final class MeshFrame {
    /** The rest of the payload is padding. */
    public static final int PADDING = 0x00;
    /** An unreliable application datagram; the body is the datagram. */
    public static final int DATAGRAM = 0x31;

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
