package io.keymesh.wire;

/**
 * The MAX_DATA mesh frame ({@link MeshFrame#MAX_DATA} 0x10; RFC 9000 section 19.9): the most
 * channel data, summed over all channels, that the sender of this frame is willing to receive on
 * the connection.
 * <pre>
 *   type 0x10   length (varint)   maximum data (varint)
 * </pre>
 * Stateless and thread-safe; reading never throws.
 */
public final class MaxDataFrame {
    private MaxDataFrame() {}

    /** Bytes the whole frame takes. */
    public static int frameLength(long maximum) {
        return MeshFrame.frameLength(VarInt.length(maximum));
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, long maximum) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.MAX_DATA, VarInt.length(maximum));
        return p + VarInt.write(b, p, maximum) - off;
    }

    /** Reads the body; returns the maximum, or -1 if the body is not exactly one varint. */
    public static long read(byte[] b, int bodyOff, int bodyLen) {
        return VarIntBody.read(b, bodyOff, bodyLen);
    }
}
