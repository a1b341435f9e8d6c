package io.keymesh.channel;

import io.keymesh.wire.MaxStreamDataFrame;
import io.keymesh.wire.VarInt;
import java.util.Arrays;

/**
 * The receiving side of one reliable, ordered channel: RFC 9000's stream receiver (sections 2–4)
 * yielding whole messages, each sent as a QUIC varint length followed by its bytes (see
 * {@link SendStream}). STREAM frames may come in any order, repeated or overlapping; bytes are
 * reassembled by offset and every message comes out once, in order, from {@link #pollMessage()}.
 *
 * <p><b>Flow control and large messages.</b> The peer may send up to the advertised limit
 * (MAX_STREAM_DATA), which starts at the window and is raised to <i>consumed + window</i> once
 * half a window has been consumed (section 4.2). "Consumed" is the end of the last polled message,
 * except while no complete message waits to be polled: then every in-order byte counts as
 * consumed, including those of the message being assembled. A message larger than the window thus
 * still flows (its bytes move into its own assembly buffer, which starts at what the peer has sent
 * of it, at least {@link #ASSEMBLY_CHUNK}, and doubles up to the message's length as more
 * arrives), while complete messages the application leaves unpolled hold the window back. Memory
 * held is at most one window of out-of-order and complete-but-unpolled data plus one message
 * being assembled (at most the maximum message size), and grows only with bytes that arrived. The
 * same consumption is released to the connection's {@link FlowControl.Receive}, so the messages
 * being assembled on all channels together are bounded by {@link IncompleteMessages} instead.
 *
 * <p><b>Violations.</b> Data beyond the advertised limit or the final size, a changed final size, a
 * length prefix above the maximum message size or a stream that ends inside a message makes
 * {@link #receive} return false and sets {@link #violation()}; the connection then closes with that
 * error. Nothing is thrown for what the peer sent.
 *
 * <p>Out-of-order bytes are kept in a ring that covers their span above the in-order data (at least
 * {@link #ASSEMBLY_CHUNK}, at most one window; the span is charged to flow control from its start,
 * so the connection window bounds the rings of all channels together), freed when the gap fills;
 * in-order bytes go straight into the message. Arrays given to {@link #receive} are read during the
 * call only; returned messages belong to the caller. Not thread-safe.
 */
public final class ReceiveStream {
    /** Default per-channel receive window in bytes. */
    public static final int DEFAULT_WINDOW = 1 << 20;
    /**
     * Smallest allocation for a message being assembled and for the out-of-order ring. A message's
     * buffer starts at what the peer has sent of it so far (at least this, at most its length) and
     * doubles as more arrives; the ring holds the span of out-of-order data and grows and shrinks
     * with it. Neither is sized by what a length prefix claims.
     */
    static final int ASSEMBLY_CHUNK = 1 << 12;

    private static final byte[] EMPTY = new byte[0];

    private final long channelId;
    private final int window;
    private final int maxMessage;
    private final FlowControl.Receive connection;
    private final IncompleteMessages.Receive incomplete;

    private long limit;          // highest MAX_STREAM_DATA advertised
    private boolean updateLost;
    private long highest;        // highest offset + length received
    private long finalSize = -1;
    private long assembled;      // every byte below went into messages
    private long base;           // consumed, for flow control
    private long delivered;      // end of the last polled message

    private final RangeSet received = new RangeSet(); // out-of-order ranges held in the ring, all > assembled
    private byte[] ring;

    // the length prefix or message being assembled
    private int prefixLength;
    private int prefixGot;
    private long prefixValue;
    private boolean inBody;
    private byte[] message;
    private int messageLength;
    private int messageGot;

    // complete messages, oldest first, with the stream offset where each ends; a ring whose length
    // is a power of two (16, doubled when full), so positions wrap with a mask
    private byte[][] ready = new byte[16][];
    private long[] readyEnd = new long[16];
    private int readyHead;
    private int readyCount;

    private StreamViolation violation;
    private boolean reset;
    private long resetErrorCode;

    /** A stream with the default window and maximum message size. */
    public ReceiveStream(long channelId, FlowControl.Receive connection) {
        this(channelId, DEFAULT_WINDOW, SendStream.DEFAULT_MAX_MESSAGE, connection);
    }

    /**
     * @param channelId the channel's id on the wire
     * @param window the receive window in bytes: also the initial MAX_STREAM_DATA the peer's
     *     {@link SendStream} must be created with
     * @param maxMessageBytes the largest message accepted; a longer length prefix is a violation
     * @param connection the connection-level window this stream charges, or null for none (tests)
     */
    public ReceiveStream(long channelId, int window, int maxMessageBytes, FlowControl.Receive connection) {
        this(channelId, window, maxMessageBytes, connection, null);
    }

    /**
     * {@link #ReceiveStream(long, int, int, FlowControl.Receive)} whose message being assembled
     * counts against {@code incomplete}, shared by the connection's channels (null: none); beyond
     * its limit is a {@link StreamViolation#INCOMPLETE_MESSAGES}.
     */
    ReceiveStream(long channelId, int window, int maxMessageBytes, FlowControl.Receive connection,
            IncompleteMessages.Receive incomplete) {
        if (channelId < 0 || channelId > VarInt.MAX) {
            throw new IllegalArgumentException("channel id out of range: " + channelId);
        }
        if (window <= 1) {
            throw new IllegalArgumentException("window <= 1: " + window);
        }
        if (maxMessageBytes < 0 || maxMessageBytes > SendStream.MAX_MESSAGE_LIMIT) {
            throw new IllegalArgumentException("max message out of range: " + maxMessageBytes);
        }
        this.channelId = channelId;
        this.window = window;
        this.maxMessage = maxMessageBytes;
        this.connection = connection;
        this.incomplete = incomplete;
        this.limit = window;
    }

    public long channelId() {
        return channelId;
    }

    // ------------------------------------------------------------------ frames in

    /**
     * Takes the data of one STREAM frame: {@code b[off..off+len)} at stream {@code offset}, and
     * whether the frame carried the FIN.
     *
     * @return true if accepted (duplicates included); false on a violation, after which the stream
     *     takes nothing more
     */
    public boolean receive(long offset, byte[] b, int off, int len, boolean fin) {
        if (violation != null) {
            return false;
        }
        if (reset) {
            return true; // RFC 9000 section 3.2: data after a reset is discarded
        }
        long end = offset + len;
        if (finalSize >= 0 && (end > finalSize || (fin && end != finalSize))) {
            return fail(StreamViolation.FINAL_SIZE);
        }
        if (fin && end < highest) {
            return fail(StreamViolation.FINAL_SIZE);
        }
        if (end > limit) {
            return fail(StreamViolation.FLOW_CONTROL);
        }
        if (end > highest) {
            if (connection != null && !connection.onReceived(end - highest)) {
                return fail(StreamViolation.FLOW_CONTROL);
            }
            highest = end;
        }
        if (fin) {
            finalSize = end;
        }
        if (end > assembled) {
            if (offset <= assembled) {
                long from = assembled;
                if (!feed(b, off + (int) (from - offset), (int) (end - from))) {
                    return false;
                }
                received.remove(from, end);
                if (!drain()) {
                    return false;
                }
                fitRing();
            } else {
                store(offset, b, off, len);
                received.add(offset, end);
            }
        }
        if (finalSize >= 0 && assembled == finalSize && (inBody || prefixGot > 0)) {
            return fail(StreamViolation.TRUNCATED_MESSAGE);
        }
        updateBase();
        return true;
    }

    /**
     * Takes a RESET_STREAM frame (RFC 9000 section 3.2): undelivered messages are dropped and the
     * final size is checked and charged like data.
     *
     * @return true if accepted; false on a violation
     */
    public boolean onReset(long finalSize, long errorCode) {
        if (violation != null) {
            return false;
        }
        if (reset) {
            return finalSize == this.finalSize || fail(StreamViolation.FINAL_SIZE);
        }
        if ((this.finalSize >= 0 && finalSize != this.finalSize) || finalSize < highest) {
            return fail(StreamViolation.FINAL_SIZE);
        }
        if (finalSize > limit) {
            return fail(StreamViolation.FLOW_CONTROL);
        }
        if (connection != null && !connection.onReceived(finalSize - highest)) {
            return fail(StreamViolation.FLOW_CONTROL);
        }
        highest = finalSize;
        this.finalSize = finalSize;
        reset = true;
        resetErrorCode = errorCode;
        if (connection != null) {
            connection.onConsumed(finalSize - base);
        }
        base = finalSize;
        Arrays.fill(ready, null);
        readyCount = 0;
        dropMessage();
        ring = null;
        received.clear();
        return true;
    }

    // ------------------------------------------------------------------ application side

    /** The next complete message in order, or null if none is ready. */
    public byte[] pollMessage() {
        if (readyCount == 0) {
            return null;
        }
        byte[] m = ready[readyHead];
        delivered = readyEnd[readyHead];
        ready[readyHead] = null;
        readyHead = (readyHead + 1) & (ready.length - 1);
        readyCount--;
        updateBase();
        if (isFinished()) {
            ring = null;
        }
        return m;
    }

    /** Number of complete messages waiting for {@link #pollMessage()}. */
    public int readyMessages() {
        return readyCount;
    }

    // ------------------------------------------------------------------ frames out

    /** True if a MAX_STREAM_DATA frame is due: half a window consumed since the last one, or the last one lost. */
    public boolean wantsMaxStreamDataFrame() {
        return violation == null && !reset && finalSize < 0
                && (updateLost || base + window - limit >= window / 2);
    }

    /**
     * Writes a due MAX_STREAM_DATA frame, raising the limit to consumed + window; the connection
     * records {@link #maxStreamData()} with the packet.
     *
     * @return the frame's length, or 0 if none is due or it does not fit
     */
    public int writeMaxStreamDataFrame(byte[] b, int off, int maxLen) {
        if (!wantsMaxStreamDataFrame()) {
            return 0;
        }
        long next = Math.max(limit, base + window);
        if (MaxStreamDataFrame.frameLength(channelId, next) > maxLen) {
            return 0;
        }
        limit = next;
        updateLost = false;
        return MaxStreamDataFrame.write(b, off, channelId, next);
    }

    /** A packet carrying MAX_STREAM_DATA {@code value} was lost: due again unless a newer limit went out. */
    public void onMaxStreamDataLost(long value) {
        if (value == limit) {
            updateLost = true;
        }
    }

    // ------------------------------------------------------------------ state

    /** The limit advertised so far (the initial window until the first update). */
    public long maxStreamData() {
        return limit;
    }

    /** The violation that stopped this stream, or null. */
    public StreamViolation violation() {
        return violation;
    }

    /** True when nothing more will come: the FIN's data all delivered through {@link #pollMessage()}, or reset. */
    public boolean isFinished() {
        return reset || (finalSize >= 0 && assembled == finalSize && readyCount == 0);
    }

    /** True if the peer reset the channel. */
    public boolean isReset() {
        return reset;
    }

    /** The peer's error code from RESET_STREAM, if {@link #isReset()}. */
    public long resetErrorCode() {
        return resetErrorCode;
    }

    /** The final size once known (FIN or reset), else -1. */
    public long finalSize() {
        return finalSize;
    }

    /** Highest offset + length received. */
    public long highestReceived() {
        return highest;
    }

    /** Bytes consumed for flow control (see the class comment). */
    public long consumed() {
        return base;
    }

    // ------------------------------------------------------------------ internals

    private boolean fail(StreamViolation v) {
        violation = v;
        dropMessage();
        ring = null;
        return false;
    }

    private void updateBase() {
        long b = readyCount == 0 ? assembled : delivered;
        if (b > base) {
            if (connection != null) {
                connection.onConsumed(b - base);
            }
            base = b;
        }
    }

    /** Drops the message being assembled, if any, and what it held. */
    private void dropMessage() {
        if (inBody && incomplete != null) {
            incomplete.onReleased(messageGot);
        }
        message = null;
        inBody = false;
        messageGot = 0;
    }

    /** Copies out-of-order data into the ring; {@code [offset, offset+len)} lies within one window above assembled. */
    private void store(long offset, byte[] b, int off, int len) {
        long span = Math.max(offset + len, received.isEmpty() ? 0 : received.end(received.size() - 1)) - assembled;
        if (ring == null || ring.length < span) {
            int size = ring == null ? 0 : ring.length;
            resizeRing((int) Math.min(window, Math.max(Math.max(ASSEMBLY_CHUNK, span), 2L * size)));
        }
        int pos = (int) (offset % ring.length);
        int first = Math.min(len, ring.length - pos);
        System.arraycopy(b, off, ring, pos, first);
        System.arraycopy(b, off + first, ring, 0, len - first);
    }

    /**
     * Moves the ring's ranges into a ring of {@code size} bytes (at least their span above
     * assembled): a byte at stream offset {@code o} lives at {@code o % ring.length}.
     */
    private void resizeRing(int size) {
        byte[] r = new byte[size];
        if (ring != null) {
            for (int i = 0; i < received.size(); i++) {
                for (long o = received.start(i), e = received.end(i); o < e; ) {
                    int from = (int) (o % ring.length);
                    int to = (int) (o % size);
                    int n = (int) Math.min(e - o, Math.min(ring.length - from, size - to));
                    System.arraycopy(ring, from, r, to, n);
                    o += n;
                }
            }
        }
        ring = r;
    }

    /**
     * After data was drained: an empty ring is freed, and one more than four times the span still
     * held is halved to twice it, so that a ring's memory follows the out-of-order data it holds.
     */
    private void fitRing() {
        if (ring == null) {
            return;
        }
        if (received.isEmpty()) {
            ring = null;
            return;
        }
        long span = received.end(received.size() - 1) - assembled;
        if (ring.length > ASSEMBLY_CHUNK && 4 * span <= ring.length) {
            resizeRing((int) Math.max(ASSEMBLY_CHUNK, 2 * span));
        }
    }

    /** Bytes allocated for out-of-order data (tests). */
    int ringCapacity() {
        return ring == null ? 0 : ring.length;
    }

    /** Bytes allocated for the message being assembled (tests). */
    int assemblyCapacity() {
        return message == null ? 0 : message.length;
    }

    /** Feeds ring data that has become contiguous. */
    private boolean drain() {
        while (!received.isEmpty() && received.start(0) <= assembled) {
            long e = received.end(0);
            received.remove(received.start(0), e);
            if (e > assembled) {
                int n = (int) (e - assembled);
                int pos = (int) (assembled % ring.length);
                int first = Math.min(n, ring.length - pos);
                if (!feed(ring, pos, first) || !feed(ring, 0, n - first)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Parses in-order stream bytes into length prefixes and messages. */
    private boolean feed(byte[] src, int off, int len) {
        while (len > 0) {
            if (!inBody && prefixGot == 0) {
                // The common case of small messages: a whole prefix and message in this frame, copied
                // out in one step (no assembly buffer to zero and fill).
                int pl = VarInt.encodedLength(src[off]);
                if (pl <= len) {
                    long v = VarInt.read(src, off, off + len);
                    if (v > maxMessage) {
                        return fail(StreamViolation.MESSAGE_TOO_LARGE);
                    }
                    if (v <= len - pl) {
                        int start = off + pl;
                        int end = start + (int) v;
                        assembled += end - off;
                        complete(v == 0 ? EMPTY : Arrays.copyOfRange(src, start, end));
                        len -= end - off;
                        off = end;
                        continue;
                    }
                }
            }
            if (!inBody) {
                int v = src[off++] & 0xff;
                len--;
                assembled++;
                if (prefixGot == 0) {
                    prefixLength = 1 << (v >>> 6);
                    prefixValue = v & 0x3f;
                } else {
                    prefixValue = (prefixValue << 8) | v;
                }
                if (++prefixGot == prefixLength) {
                    prefixGot = 0;
                    if (prefixValue > maxMessage) {
                        return fail(StreamViolation.MESSAGE_TOO_LARGE);
                    }
                    messageLength = (int) prefixValue;
                    messageGot = 0;
                    if (messageLength == 0) {
                        complete(EMPTY);
                    } else {
                        // What the peer has sent beyond this point, not what the prefix claims.
                        long sent = highest - assembled;
                        message = new byte[(int) Math.min(messageLength, Math.max(ASSEMBLY_CHUNK, sent))];
                        inBody = true;
                    }
                }
            } else {
                int n = Math.min(len, messageLength - messageGot);
                if (messageGot + n < messageLength && incomplete != null && !incomplete.onAssembled(n)) {
                    messageGot += n; // held: released by dropMessage
                    return fail(StreamViolation.INCOMPLETE_MESSAGES);
                }
                if (messageGot + n > message.length) {
                    long grown = Math.max(2L * message.length, (long) messageGot + n);
                    message = Arrays.copyOf(message, (int) Math.min(messageLength, grown));
                }
                System.arraycopy(src, off, message, messageGot, n);
                messageGot += n;
                off += n;
                len -= n;
                assembled += n;
                if (messageGot == messageLength) {
                    byte[] m = message;
                    message = null;
                    inBody = false;
                    if (incomplete != null && n < messageLength) {
                        incomplete.onReleased(messageLength - n); // the pieces before this one, counted
                    }
                    complete(m);
                }
            }
        }
        return true;
    }

    /** Message {@code m}, which ends where the assembled bytes end, is complete. */
    private void complete(byte[] m) {
        if (readyCount == ready.length) {
            int n = readyCount * 2;
            byte[][] r = new byte[n][];
            long[] e = new long[n];
            for (int k = 0; k < readyCount; k++) {
                int p = (readyHead + k) & (ready.length - 1);
                r[k] = ready[p];
                e[k] = readyEnd[p];
            }
            ready = r;
            readyEnd = e;
            readyHead = 0;
        }
        int p = (readyHead + readyCount) & (ready.length - 1);
        ready[p] = m;
        readyEnd[p] = assembled;
        readyCount++;
    }
}
