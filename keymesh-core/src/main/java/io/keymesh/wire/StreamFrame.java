package io.keymesh.wire;

/**
 * The STREAM mesh frame (types {@link MeshFrame#STREAM} 0x08 and {@link MeshFrame#STREAM_FIN}
 * 0x09; RFC 9000 section 19.8): a range of one channel's byte stream.
 * <pre>
 *   type (0x08, or 0x09 when the frame ends the channel)   length (varint)
 *   channel id (varint)   offset (varint)   data (the rest of the body)
 * </pre>
 * The data's length is what the body leaves after the two varints; it may be empty only in a
 * frame that carries the end (type 0x09). With 0x09, offset + data length is the channel's final
 * size. As in RFC 9000, offset + data length never exceeds 2^62-1.
 *
 * <p>Writing is static. Reading fills a reusable instance, so decoding a frame allocates nothing;
 * an instance is not thread-safe, and its data offsets refer to the array given to
 * {@link #decode}. Bad input makes {@code decode} return false; it never throws.
 */
public final class StreamFrame {
    private long channelId;
    private long offset;
    private int dataOffset;
    private int dataLength;
    private boolean fin;

    /** Bytes a whole STREAM frame (type, length, body) takes. */
    public static int frameLength(long channelId, long offset, int dataLength) {
        int body = VarInt.length(channelId) + VarInt.length(offset) + dataLength;
        return MeshFrame.frameLength(body);
    }

    /**
     * The most data bytes, at most {@code available}, that a STREAM frame for this channel and offset
     * can carry in {@code maxFrameLength} bytes (type and length included).
     *
     * @return that data length (0 if only an empty frame fits), or -1 if not even an empty frame fits
     */
    public static int maxDataLength(int maxFrameLength, long channelId, long offset, long available) {
        int fixed = VarInt.length(channelId) + VarInt.length(offset);
        long room = (long) maxFrameLength - 1 - fixed; // for the length varint and the data
        long best = -1;
        for (int n = 1; n <= 8; n <<= 1) {
            long largestBody = n == 8 ? VarInt.MAX : (1L << (8 * n - 2)) - 1; // what an n-byte length holds
            long d = Math.min(Math.min(available, room - n), largestBody - fixed);
            best = Math.max(best, d);
        }
        return (int) Math.max(-1, best);
    }

    /**
     * Writes a STREAM frame's type, length, channel id and offset at {@code b[off]}; the caller puts
     * {@code dataLength} bytes of data at the returned index.
     *
     * @return the index where the data goes
     * @throws IllegalArgumentException if offset + dataLength exceeds 2^62-1, or a non-final frame is empty
     */
    public static int writeHeader(byte[] b, int off, long channelId, long offset, int dataLength, boolean fin) {
        if (dataLength < 0 || offset < 0 || offset > VarInt.MAX - dataLength) {
            throw new IllegalArgumentException("stream range out of bounds: " + offset + "+" + dataLength);
        }
        if (dataLength == 0 && !fin) {
            throw new IllegalArgumentException("an empty STREAM frame must carry the end");
        }
        int body = VarInt.length(channelId) + VarInt.length(offset) + dataLength;
        int p = MeshFrame.writeHeader(b, off, fin ? MeshFrame.STREAM_FIN : MeshFrame.STREAM, body);
        p += VarInt.write(b, p, channelId);
        p += VarInt.write(b, p, offset);
        return p;
    }

    /**
     * Writes a whole STREAM frame at {@code b[off]}, its data from {@code data[dataOff..dataOff+dataLength)}.
     *
     * @return the frame's length in bytes
     */
    public static int write(byte[] b, int off, long channelId, long offset, boolean fin,
                            byte[] data, int dataOff, int dataLength) {
        int p = writeHeader(b, off, channelId, offset, dataLength, fin);
        System.arraycopy(data, dataOff, b, p, dataLength);
        return p + dataLength - off;
    }

    /**
     * Reads a STREAM frame's body ({@code type} as read by {@link MeshFrame#forEach}).
     *
     * @return true if it is a well-formed STREAM frame; false (and this instance's fields undefined) if
     *     the type is not STREAM, a varint is truncated, offset + length exceeds 2^62-1, or a frame
     *     without the end carries no data
     */
    public boolean decode(int type, byte[] b, int bodyOff, int bodyLen) {
        if (type != MeshFrame.STREAM && type != MeshFrame.STREAM_FIN) {
            return false;
        }
        if (bodyOff < 0 || bodyLen < 0 || bodyOff > b.length - bodyLen) {
            return false;
        }
        int end = bodyOff + bodyLen;
        long id = VarInt.read(b, bodyOff, end);
        if (id < 0) {
            return false;
        }
        int p = bodyOff + VarInt.encodedLength(b[bodyOff]);
        long off = VarInt.read(b, p, end);
        if (off < 0) {
            return false;
        }
        p += VarInt.encodedLength(b[p]);
        int len = end - p;
        boolean f = type == MeshFrame.STREAM_FIN;
        if (off > VarInt.MAX - len || (len == 0 && !f)) {
            return false;
        }
        channelId = id;
        offset = off;
        dataOffset = p;
        dataLength = len;
        fin = f;
        return true;
    }

    /** The channel this frame belongs to. */
    public long channelId() {
        return channelId;
    }

    /** The stream offset of the first data byte. */
    public long offset() {
        return offset;
    }

    /** Index of the first data byte in the array given to {@link #decode}. */
    public int dataOffset() {
        return dataOffset;
    }

    /** Number of data bytes. */
    public int dataLength() {
        return dataLength;
    }

    /** True if the frame ends the channel: offset + dataLength is the final size. */
    public boolean fin() {
        return fin;
    }
}
