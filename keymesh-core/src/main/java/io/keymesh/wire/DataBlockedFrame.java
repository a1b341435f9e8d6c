package io.keymesh.wire;

/**
 * The DATA_BLOCKED mesh frame ({@link MeshFrame#DATA_BLOCKED} 0x14; RFC 9000 section 19.12): the
 * sender has channel data to send but the connection-level limit stops it.
 * <pre>
 *   type 0x14   length (varint)   maximum data (varint): the limit at which it is blocked
 * </pre>
 * Stateless and thread-safe; reading never throws.
 */
public final class DataBlockedFrame {
    private DataBlockedFrame() {}

    /** Bytes the whole frame takes. */
    public static int frameLength(long limit) {
        return MeshFrame.frameLength(VarInt.length(limit));
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, long limit) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.DATA_BLOCKED, VarInt.length(limit));
        return p + VarInt.write(b, p, limit) - off;
    }

    /** Reads the body; returns the limit, or -1 if the body is not exactly one varint. */
    public static long read(byte[] b, int bodyOff, int bodyLen) {
        return VarIntBody.read(b, bodyOff, bodyLen);
    }
}
