package io.keymesh.wire;

/**
 * The STREAM_DATA_BLOCKED mesh frame ({@link MeshFrame#STREAM_DATA_BLOCKED} 0x15; RFC 9000
 * section 19.13): the sender has data for a channel but that channel's limit stops it.
 * <pre>
 *   type 0x15   length (varint)   channel id (varint)   maximum stream data (varint): the limit
 * </pre>
 * Writing is static; reading fills a reusable instance (not thread-safe) and never throws.
 */
public final class StreamDataBlockedFrame {
    private final long[] fields = new long[2];

    /** Bytes the whole frame takes. */
    public static int frameLength(long channelId, long limit) {
        return MeshFrame.frameLength(VarInt.length(channelId) + VarInt.length(limit));
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, long channelId, long limit) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.STREAM_DATA_BLOCKED,
                VarInt.length(channelId) + VarInt.length(limit));
        p += VarInt.write(b, p, channelId);
        return p + VarInt.write(b, p, limit) - off;
    }

    /** Reads the body; false if it is not exactly two varints. */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        return VarIntBody.readAll(b, bodyOff, bodyLen, fields);
    }

    /** The channel, after a successful {@link #decode}. */
    public long channelId() {
        return fields[0];
    }

    /** The limit the sender is blocked at, after a successful {@link #decode}. */
    public long limit() {
        return fields[1];
    }
}
