package io.keymesh.wire;

/**
 * The MAX_STREAM_DATA mesh frame ({@link MeshFrame#MAX_STREAM_DATA} 0x11; RFC 9000 section 19.10):
 * the highest stream offset the sender of this frame is willing to receive on one channel.
 * <pre>
 *   type 0x11   length (varint)   channel id (varint)   maximum stream data (varint)
 * </pre>
 * Writing is static; reading fills a reusable instance (not thread-safe) and never throws.
 */
public final class MaxStreamDataFrame {
    private final long[] fields = new long[2];

    /** Bytes the whole frame takes. */
    public static int frameLength(long channelId, long maximum) {
        return MeshFrame.frameLength(VarInt.length(channelId) + VarInt.length(maximum));
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, long channelId, long maximum) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.MAX_STREAM_DATA,
                VarInt.length(channelId) + VarInt.length(maximum));
        p += VarInt.write(b, p, channelId);
        return p + VarInt.write(b, p, maximum) - off;
    }

    /** Reads the body; false if it is not exactly two varints. */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        return VarIntBody.readAll(b, bodyOff, bodyLen, fields);
    }

    /** The channel, after a successful {@link #decode}. */
    public long channelId() {
        return fields[0];
    }

    /** The maximum stream data, after a successful {@link #decode}. */
    public long maximum() {
        return fields[1];
    }
}
