package io.keymesh.wire;

/**
 * The STREAM mesh frame (types {@link MeshFrame#STREAM} 0x08 and {@link MeshFrame#STREAM_FIN}
 * 0x09; RFC 9000 section 19.8): a range of one channel's byte stream.
 * <pre>
 *   type (0x08, or 0x09 when the frame ends the channel)   length (varint)
 *   channel id (varint)   offset (varint)   data (the rest of the body)
 * </pre>
 * Types {@link MeshFrame#STREAM_CODED} 0x0a and {@link MeshFrame#STREAM_CODED_FIN} 0x0b are the
 * same frame of a channel direction whose messages each begin with a codec header (see
 * {@code io.keymesh.compress.CodedMessage}): bit 0x02 of the type says so ({@link #coded()}).
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
    private boolean coded;

    /** The frame type for these flags: 0x08, with 0x01 if it ends the channel and 0x02 if its messages are coded. */
    public static int type(boolean fin, boolean coded) {
        return MeshFrame.STREAM | (fin ? 1 : 0) | (coded ? CODED_BIT : 0);
    }

    /** The type bit that marks a coded channel direction. */
    private static final int CODED_BIT = 0x02;

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
        return writeHeader(b, off, channelId, offset, dataLength, fin, false);
    }

    /**
     * {@link #writeHeader(byte[], int, long, long, int, boolean)} for a channel direction whose
     * messages are coded ({@code coded}: types 0x0a / 0x0b) or not (0x08 / 0x09).
     */
    public static int writeHeader(byte[] b, int off, long channelId, long offset, int dataLength, boolean fin,
                                  boolean coded) {
        if (dataLength < 0 || offset < 0 || offset > VarInt.MAX - dataLength) {
            throw new IllegalArgumentException("stream range out of bounds: " + offset + "+" + dataLength);
        }
        if (dataLength == 0 && !fin) {
            throw new IllegalArgumentException("an empty STREAM frame must carry the end");
        }
        int body = VarInt.length(channelId) + VarInt.length(offset) + dataLength;
        int p = MeshFrame.writeHeader(b, off, type(fin, coded), body);
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
     *     the type is not one of STREAM's four, a varint is truncated, offset + length exceeds 2^62-1, or a frame
     *     without the end carries no data
     */
    public boolean decode(int type, byte[] b, int bodyOff, int bodyLen) {
        if ((type & ~(CODED_BIT | 1)) != MeshFrame.STREAM) {
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
        boolean f = (type & 1) != 0;
        if (off > VarInt.MAX - len || (len == 0 && !f)) {
            return false;
        }
        channelId = id;
        offset = off;
        dataOffset = p;
        dataLength = len;
        fin = f;
        coded = (type & CODED_BIT) != 0;
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

    /** True if the channel direction's messages each begin with a codec header (types 0x0a, 0x0b). */
    public boolean coded() {
        return coded;
    }
}
