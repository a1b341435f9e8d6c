package io.keymesh.wire;

/**
 * The MAX_STREAMS mesh frame ({@link MeshFrame#MAX_STREAMS} 0x12; RFC 9000 section 19.11): how
 * many channels, counted from the start of the connection state, the receiver of this frame may
 * open towards its sender. A side opens a channel with its first STREAM or RESET_STREAM frame on
 * that channel number.
 * <pre>
 *   type 0x12   length (varint)   maximum streams (varint)
 * </pre>
 * Stateless and thread-safe; reading never throws.
 */
public final class MaxStreamsFrame {
    private MaxStreamsFrame() {}

    /** Bytes the whole frame takes. */
    public static int frameLength(long maximum) {
        return MeshFrame.frameLength(VarInt.length(maximum));
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, long maximum) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.MAX_STREAMS, VarInt.length(maximum));
        return p + VarInt.write(b, p, maximum) - off;
    }

    /** Reads the body; returns the maximum, or -1 if the body is not exactly one varint. */
    public static long read(byte[] b, int bodyOff, int bodyLen) {
        return VarIntBody.read(b, bodyOff, bodyLen);
    }
}
