package io.keymesh.wire;

/**
 * The RESET_STREAM mesh frame ({@link MeshFrame#RESET_STREAM} 0x04; RFC 9000 section 19.4): the
 * sender abandons a channel's sending side; data not yet delivered will not be.
 * <pre>
 *   type 0x04   length (varint)   channel id (varint)   application error code (varint)   final size (varint)
 * </pre>
 * Writing is static; reading fills a reusable instance (not thread-safe) and never throws.
 */
public final class ResetStreamFrame {
    private final long[] fields = new long[3];

    /** Bytes the whole frame takes. */
    public static int frameLength(long channelId, long errorCode, long finalSize) {
        return MeshFrame.frameLength(VarInt.length(channelId) + VarInt.length(errorCode) + VarInt.length(finalSize));
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, long channelId, long errorCode, long finalSize) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.RESET_STREAM,
                VarInt.length(channelId) + VarInt.length(errorCode) + VarInt.length(finalSize));
        p += VarInt.write(b, p, channelId);
        p += VarInt.write(b, p, errorCode);
        return p + VarInt.write(b, p, finalSize) - off;
    }

    /** Reads the body; false if it is not exactly three varints. */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        return VarIntBody.readAll(b, bodyOff, bodyLen, fields);
    }

    /** The channel, after a successful {@link #decode}. */
    public long channelId() {
        return fields[0];
    }

    /** The application's error code, after a successful {@link #decode}. */
    public long errorCode() {
        return fields[1];
    }

    /** The channel's final size, after a successful {@link #decode}. */
    public long finalSize() {
        return fields[2];
    }
}
