package io.keymesh.channel;

import io.keymesh.wire.ResetStreamFrame;
import io.keymesh.wire.StreamDataBlockedFrame;
import io.keymesh.wire.StreamFrame;
import io.keymesh.wire.VarInt;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The sending side of one reliable, ordered channel: RFC 9000's stream sender (sections 2–4, 19.8)
 * carrying whole messages. Each message enters the stream as a QUIC varint length followed by its
 * bytes; the stream is cut into STREAM frames as the connection asks for them.
 *
 * <p><b>Buffer and back-pressure.</b> Stream bytes from the first unacknowledged one to the last
 * queued one are buffered (length prefixes included); {@link #offer} refuses a message that would
 * take that above the send buffer's capacity, except when the buffer is empty, so a message larger
 * than the buffer is streamed through on its own rather than never accepted. After a refusal,
 * {@link #pollWritable()} turns true once the refused size would be taken. Memory held is at most
 * the capacity or one message, whichever is larger.
 *
 * <p><b>Sending.</b> {@link #writeFrame} emits the next STREAM frame: ranges declared lost first
 * (retransmission of lost <i>frames' byte ranges</i>, RFC 9000 section 13.3), then new data up to
 * the peer's MAX_STREAM_DATA and the connection credit ({@link FlowControl.Send}; retransmissions
 * do not use credit), then a bare FIN. The connection records each frame's
 * {@link #lastFrameOffset()}, {@link #lastFrameLength()} and {@link #lastFrameFin()} with its packet
 * and reports them back through {@link #onAcked} or {@link #onLost}.
 *
 * <p><b>Ownership.</b> {@link #offer} takes the array: the caller must not change it afterwards.
 * Arrays given to {@code writeFrame} are only written during the call. Not thread-safe: one
 * connection drives it. Nothing is allocated per frame.
 */
public final class SendStream {
    /** Default send buffer capacity in bytes. */
    public static final int DEFAULT_SEND_BUFFER = 1 << 20;
    /** Default largest message in bytes (64 MiB). */
    public static final int DEFAULT_MAX_MESSAGE = 64 << 20;
    /** Largest configurable message: what a Java array and a 4-byte varint length hold. */
    public static final int MAX_MESSAGE_LIMIT = (1 << 30) - 1;

    private final long channelId;
    private final long capacity;
    private final int maxMessage;
    private final FlowControl.Send connection;
    private final IncompleteMessages.Send incomplete;

    // queued chunks, a ring ordered by stream offset: a message (its length prefix, not stored, then
    // its bytes) or a framed batch (prefixes and messages, chunkPrefix 0). Chunk k is
    // [chunkStart, chunkStart + chunkPrefix + chunkLength) of the stream, its bytes the first
    // chunkLength of chunkBody; chunkSize is what it reserves of IncompleteMessages once started
    // (a message's length; a batch's largest message). The ring's length is a power of two (16,
    // doubled when full), so positions wrap with a mask.
    private long[] chunkStart = new long[16];
    private byte[][] chunkBody = new byte[16][];
    private byte[] chunkPrefix = new byte[16];
    private int[] chunkLength = new int[16];
    private int[] chunkSize = new int[16];
    private int head;
    private int count;

    private long writeOffset;  // end of queued data
    private long sentOffset;   // first byte never sent
    private long ackedOffset;  // every byte below is acknowledged
    private long startedEnd;   // end of the last message whose first byte was sent
    private long reserved;     // message bytes started and not acknowledged in full (IncompleteMessages)
    private final RangeSet acked = new RangeSet(); // acknowledged ranges above ackedOffset
    private final RangeSet lost = new RangeSet();  // ranges to retransmit
    private long peerLimit;    // peer's MAX_STREAM_DATA

    private boolean closed;
    private long finalSize = -1;
    private boolean finSent;
    private boolean finLost;
    private boolean finAcked;

    private boolean reset;
    private long resetErrorCode;
    private boolean resetPending;
    private boolean resetAcked;

    private long refusedSize = -1;
    private boolean writableEvent;
    private long blockedReportedAt = -1;

    private long lastOffset;
    private int lastLength;
    private boolean lastFin;

    private final byte[] prefix = new byte[8];
    /** Told of each framed batch acknowledged in full ({@link #offerFramed(byte[], int, int, Consumer)}). */
    private Consumer<byte[]> framedDone;
    /** The messages begin with a codec header: the frames are STREAM_CODED (set by the first message). */
    private boolean coded;

    /** A stream with the default buffer and message limits. */
    public SendStream(long channelId, long initialMaxStreamData, FlowControl.Send connection) {
        this(channelId, DEFAULT_SEND_BUFFER, DEFAULT_MAX_MESSAGE, initialMaxStreamData, connection);
    }

    /**
     * @param channelId the channel's id on the wire
     * @param sendBufferBytes capacity of the send buffer (see the class comment)
     * @param maxMessageBytes the largest message {@link #offer} takes
     * @param initialMaxStreamData the peer's initial MAX_STREAM_DATA for this channel (its receive window)
     * @param connection the connection credit this stream draws on, or null for none (tests)
     */
    public SendStream(long channelId, long sendBufferBytes, int maxMessageBytes, long initialMaxStreamData,
                      FlowControl.Send connection) {
        this(channelId, sendBufferBytes, maxMessageBytes, initialMaxStreamData, connection, null);
    }

    /**
     * {@link #SendStream(long, long, int, long, FlowControl.Send)} that starts a message only while
     * {@code incomplete} has room for it (null: always).
     */
    SendStream(long channelId, long sendBufferBytes, int maxMessageBytes, long initialMaxStreamData,
               FlowControl.Send connection, IncompleteMessages.Send incomplete) {
        if (channelId < 0 || channelId > VarInt.MAX) {
            throw new IllegalArgumentException("channel id out of range: " + channelId);
        }
        if (sendBufferBytes <= 0) {
            throw new IllegalArgumentException("send buffer <= 0: " + sendBufferBytes);
        }
        if (maxMessageBytes < 0 || maxMessageBytes > MAX_MESSAGE_LIMIT) {
            throw new IllegalArgumentException("max message out of range: " + maxMessageBytes);
        }
        if (initialMaxStreamData < 0) {
            throw new IllegalArgumentException("initial max stream data < 0: " + initialMaxStreamData);
        }
        this.channelId = channelId;
        this.capacity = sendBufferBytes;
        this.maxMessage = maxMessageBytes;
        this.peerLimit = initialMaxStreamData;
        this.connection = connection;
        this.incomplete = incomplete;
    }

    public long channelId() {
        return channelId;
    }

    // ------------------------------------------------------------------ application side

    /**
     * Queues one message. The stream keeps {@code message}; do not change it afterwards.
     *
     * @return false if the buffer cannot take it now; {@link #pollWritable()} says when to try again
     * @throws IllegalArgumentException if the message is larger than the maximum message size
     * @throws IllegalStateException if the stream was closed or reset
     */
    public boolean offer(byte[] message) {
        if (message.length > maxMessage) {
            throw new IllegalArgumentException("message of " + message.length + " bytes exceeds the maximum of " + maxMessage);
        }
        return queue(message, VarInt.length(message.length), message.length, message.length);
    }

    /**
     * Queues several messages already framed as the stream carries them: {@code framed[0..length)}
     * is a sequence of whole messages, each a QUIC varint length and its bytes, none longer than
     * {@code largest} (at most the maximum message size). The stream keeps {@code framed}; do not
     * change its first {@code length} bytes afterwards. The same back-pressure as {@link #offer}.
     * A sender that frames small messages as it makes them spares the connection a step per message.
     *
     * @return false if the buffer cannot take them now; {@link #pollWritable()} says when to try again
     * @throws IllegalArgumentException if {@code largest} is above the maximum message size, or the
     *     lengths are out of range
     * @throws IllegalStateException if the stream was closed or reset
     */
    public boolean offerFramed(byte[] framed, int length, int largest) {
        return offerFramed(framed, length, largest, null);
    }

    /**
     * {@link #offerFramed(byte[], int, int)}, giving {@code framed} to {@code done} once every byte
     * of it is acknowledged (never if the stream is reset or abandoned): from then on the stream
     * does not read it again, and its sender may fill it anew. The last {@code done} given is the
     * one used.
     */
    public boolean offerFramed(byte[] framed, int length, int largest, Consumer<byte[]> done) {
        if (largest > maxMessage || largest < 0 || length < 1 || length > framed.length) {
            throw new IllegalArgumentException("framed messages of " + length + " bytes, the largest " + largest
                    + "; the maximum message is " + maxMessage);
        }
        if (!queue(framed, 0, length, largest)) {
            return false;
        }
        if (done != null) {
            framedDone = done;
        }
        return true;
    }

    /**
     * Queues a chunk — {@code prefixLength} bytes of length prefix (not stored) then
     * {@code body[0..length)} — reserving {@code size} once started, unless the buffer is full.
     */
    private boolean queue(byte[] body, int prefixLength, int length, int size) {
        if (closed || reset) {
            throw new IllegalStateException("channel " + channelId + " is " + (reset ? "reset" : "closed"));
        }
        long span = prefixLength + (long) length;
        if (!fits(span)) {
            refusedSize = span;
            return false;
        }
        push(writeOffset, body, prefixLength, length, size);
        writeOffset += span;
        return true;
    }

    /**
     * Marks whether this direction's messages begin with a codec header (its frames are then
     * STREAM_CODED, which tells the peer). Fixed by the first message: until then it may change.
     *
     * @throws IllegalArgumentException if a message was queued already under the other mark
     */
    public void markCoded(boolean coded) {
        if (coded == this.coded) {
            return;
        }
        if (writeOffset > 0) {
            throw new IllegalArgumentException("channel " + channelId + " already sends " + (this.coded ? "coded" : "plain")
                    + " messages; a channel direction is one or the other from its first message");
        }
        this.coded = coded;
    }

    /** True if this direction's messages begin with a codec header ({@link #markCoded}). */
    public boolean isCoded() {
        return coded;
    }

    /** True if a message of {@code length} bytes would be taken now. */
    public boolean canOffer(int length) {
        return !closed && !reset && length <= maxMessage && fits(VarInt.length(length) + (long) length);
    }

    /** True once after a refused {@link #offer} when that message would now be taken; then false until the next refusal. */
    public boolean pollWritable() {
        boolean w = writableEvent;
        writableEvent = false;
        return w;
    }

    /** Ends the channel after the messages queued so far: their end is the final size (RFC 9000 section 4.5). */
    public void close() {
        if (closed || reset) {
            return;
        }
        closed = true;
        finalSize = writeOffset;
    }

    /**
     * Abandons the channel (RFC 9000 section 3.1 "Reset Sent"): queued data is dropped and a
     * RESET_STREAM frame with the final size {@link #sentOffset()} is due. Does nothing once
     * everything has been acknowledged or after an earlier reset.
     */
    public void reset(long errorCode) {
        if (reset || isFinished()) {
            return;
        }
        if (errorCode < 0 || errorCode > VarInt.MAX) {
            throw new IllegalArgumentException("error code out of range: " + errorCode);
        }
        reset = true;
        resetErrorCode = errorCode;
        resetPending = true;
        finalSize = sentOffset;
        lost.clear();
        acked.clear();
        Arrays.fill(chunkBody, null);
        count = 0;
        refusedSize = -1;
    }

    // ------------------------------------------------------------------ connection side: sending

    /**
     * True if {@link #writeFrame} has something to send (given enough room). When new data waits
     * only on connection credit, this also marks the connection blocked (see
     * {@link FlowControl.Send#wantsBlockedFrame()}).
     */
    public boolean hasFrameToSend() {
        if (reset) {
            return false;
        }
        if (!lost.isEmpty()) {
            return true;
        }
        if (sentOffset < Math.min(writeOffset, peerLimit) && mayStartAt(sentOffset)) {
            if (connection == null || connection.credit() > 0) {
                return true;
            }
            connection.markBlocked();
            return false;
        }
        return finPending() && sentOffset == finalSize;
    }

    /**
     * Writes the next STREAM frame, at most {@code maxLen} bytes, at {@code buf[off]}.
     *
     * @return the frame's length, or 0 if there is nothing to send or it does not fit (then the
     *     {@code lastFrame*} values are unchanged)
     */
    public int writeFrame(byte[] buf, int off, int maxLen) {
        if (reset) {
            return 0;
        }
        if (!lost.isEmpty()) {
            long s = lost.start(0);
            long e = lost.end(0);
            int n = StreamFrame.maxDataLength(maxLen, channelId, s, e - s);
            if (n <= 0) {
                return 0;
            }
            lost.remove(s, s + n);
            return emit(buf, off, s, n);
        }
        long credit = connection == null ? Long.MAX_VALUE : connection.credit();
        long end = startable(Math.min(writeOffset, peerLimit), maxLen);
        if (sentOffset < end) {
            if (credit == 0) {
                connection.markBlocked();
            } else {
                long available = Math.min(end - sentOffset, credit);
                int n = StreamFrame.maxDataLength(maxLen, channelId, sentOffset, available);
                if (n <= 0) {
                    return 0;
                }
                long s = sentOffset;
                sentOffset += n;
                if (connection != null) {
                    connection.consume(n);
                }
                started(sentOffset);
                return emit(buf, off, s, n);
            }
        } else if (finPending() && sentOffset == finalSize) {
            if (StreamFrame.maxDataLength(maxLen, channelId, finalSize, 0) < 0) {
                return 0;
            }
            return emit(buf, off, finalSize, 0);
        }
        return 0;
    }

    private int emit(byte[] buf, int off, long s, int n) {
        boolean fin = finPending() && s + n == finalSize;
        int p = StreamFrame.writeHeader(buf, off, channelId, s, n, fin, coded);
        copyOut(s, buf, p, n);
        if (fin) {
            finSent = true;
            finLost = false;
        }
        lastOffset = s;
        lastLength = n;
        lastFin = fin;
        return p + n - off;
    }

    /** Stream offset of the data in the last frame {@link #writeFrame} wrote. */
    public long lastFrameOffset() {
        return lastOffset;
    }

    /** Data length of the last frame {@link #writeFrame} wrote. */
    public int lastFrameLength() {
        return lastLength;
    }

    /** True if the last frame {@link #writeFrame} wrote carried the FIN. */
    public boolean lastFrameFin() {
        return lastFin;
    }

    /** True if a STREAM_DATA_BLOCKED frame is due: data waits on the peer's MAX_STREAM_DATA (RFC 9000 section 4.1). */
    public boolean wantsBlockedFrame() {
        return !reset && writeOffset > sentOffset && sentOffset >= peerLimit && blockedReportedAt != peerLimit;
    }

    /** Writes a due STREAM_DATA_BLOCKED frame; returns its length, or 0 if none is due or it does not fit. */
    public int writeBlockedFrame(byte[] buf, int off, int maxLen) {
        if (!wantsBlockedFrame() || StreamDataBlockedFrame.frameLength(channelId, peerLimit) > maxLen) {
            return 0;
        }
        blockedReportedAt = peerLimit;
        return StreamDataBlockedFrame.write(buf, off, channelId, peerLimit);
    }

    /** A packet carrying STREAM_DATA_BLOCKED for {@code limitInFrame} was lost: resend while still blocked there. */
    public void onBlockedLost(long limitInFrame) {
        if (limitInFrame == blockedReportedAt) {
            blockedReportedAt = -1;
        }
    }

    /** True if a RESET_STREAM frame is due. */
    public boolean wantsResetFrame() {
        return resetPending;
    }

    /** Writes a due RESET_STREAM frame; returns its length, or 0 if none is due or it does not fit. */
    public int writeResetFrame(byte[] buf, int off, int maxLen) {
        if (!resetPending || ResetStreamFrame.frameLength(channelId, resetErrorCode, finalSize) > maxLen) {
            return 0;
        }
        resetPending = false;
        return ResetStreamFrame.write(buf, off, channelId, resetErrorCode, finalSize);
    }

    // ------------------------------------------------------------------ connection side: feedback

    /** The STREAM frame {@code [offset, offset+length)} (with {@code fin} as sent) was acknowledged. */
    public void onAcked(long offset, int length, boolean fin) {
        if (reset) {
            return;
        }
        if (fin) {
            finAcked = true;
            finLost = false;
        }
        long end = offset + length;
        if (length == 0 || end <= ackedOffset) {
            return;
        }
        lost.remove(offset, end);
        acked.add(Math.max(offset, ackedOffset), end);
        if (acked.start(0) == ackedOffset) {
            ackedOffset = acked.end(0);
            acked.remove(acked.start(0), ackedOffset);
            release();
        }
    }

    /** The STREAM frame {@code [offset, offset+length)} (with {@code fin} as sent) was declared lost. */
    public void onLost(long offset, int length, boolean fin) {
        if (reset) {
            return;
        }
        if (fin && !finAcked) {
            finLost = true;
        }
        long end = offset + length;
        long x = acked.firstGap(Math.max(offset, ackedOffset));
        while (x < end) {
            long y = Math.min(end, acked.nextStart(x));
            lost.add(x, y);
            x = acked.firstGap(y);
        }
    }

    /** A MAX_STREAM_DATA frame arrived; limits never shrink. */
    public void onMaxStreamData(long maximum) {
        if (maximum > peerLimit) {
            peerLimit = maximum;
        }
    }

    /** The RESET_STREAM frame was lost: it is due again. */
    public void onResetLost() {
        if (reset && !resetAcked) {
            resetPending = true;
        }
    }

    /** The RESET_STREAM frame was acknowledged. */
    public void onResetAcked() {
        if (reset) {
            resetAcked = true;
            resetPending = false;
            unreserve(reserved); // the peer dropped what it had assembled
        }
    }

    // ------------------------------------------------------------------ state

    /** True when the channel's sending side is done: all data and the FIN acknowledged, or the reset acknowledged. */
    public boolean isFinished() {
        return reset ? resetAcked : closed && finAcked && ackedOffset == finalSize;
    }

    public boolean isClosed() {
        return closed;
    }

    public boolean isReset() {
        return reset;
    }

    /** Bytes buffered: from the first unacknowledged stream byte to the end of queued data. */
    public long bufferedBytes() {
        return reset ? 0 : writeOffset - ackedOffset;
    }

    /** End of the data queued so far (stream offset). */
    public long writeOffset() {
        return writeOffset;
    }

    /** First stream offset never sent: the stream's use of flow-control credit. */
    public long sentOffset() {
        return sentOffset;
    }

    /** Every stream byte below this offset is acknowledged. */
    public long ackedOffset() {
        return ackedOffset;
    }

    /** The peer's MAX_STREAM_DATA. */
    public long peerMaxStreamData() {
        return peerLimit;
    }

    /** The final size once closed or reset, else -1. */
    public long finalSize() {
        return finalSize;
    }

    // ------------------------------------------------------------------ internals

    private boolean finPending() {
        return closed && !reset && !finAcked && (!finSent || finLost);
    }

    private boolean fits(long size) {
        long buffered = writeOffset - ackedOffset;
        return buffered == 0 || buffered + size <= capacity;
    }

    /** Drops fully acknowledged messages and reports writability. */
    private void release() {
        while (count > 0) {
            int h = head;
            long end = chunkStart[h] + chunkPrefix[h] + chunkLength[h];
            if (end > ackedOffset) {
                break;
            }
            if (end <= startedEnd) {
                unreserve(chunkSize[h]);
            }
            if (chunkPrefix[h] == 0 && framedDone != null) {
                framedDone.accept(chunkBody[h]); // acknowledged in full: the sender may reuse it
            }
            chunkBody[h] = null;
            head = (h + 1) & (chunkBody.length - 1);
            count--;
        }
        if (refusedSize >= 0 && fits(refusedSize)) {
            refusedSize = -1;
            writableEvent = true;
        }
    }

    /** True if new data at {@code offset} may go: it continues a started message, or the message it starts fits. */
    private boolean mayStartAt(long offset) {
        if (incomplete == null || offset < startedEnd) {
            return true;
        }
        return chunkSize[(head + chunkIndex(offset)) & (chunkBody.length - 1)] <= incomplete.available();
    }

    /**
     * Where new data may go up to, at most {@code end}: through the started messages, then through
     * each further one while {@link IncompleteMessages} has room for it (looking no further than
     * {@code maxLen} bytes past {@link #sentOffset}, what one frame can carry).
     */
    private long startable(long end, int maxLen) {
        long e = Math.max(startedEnd, sentOffset);
        if (incomplete == null || e >= end) {
            return end;
        }
        long room = incomplete.available();
        for (int k = chunkIndex(e); e < end && e < sentOffset + maxLen && k < count; k++) {
            int p = (head + k) & (chunkBody.length - 1);
            int size = chunkSize[p];
            if (size > room) {
                break;
            }
            room -= size;
            e += chunkPrefix[p] + chunkLength[p];
        }
        return Math.min(e, end);
    }

    /** Data below {@code sent} went: the messages it began are started, and their bytes reserved. */
    private void started(long sent) {
        if (incomplete == null) {
            return;
        }
        for (int k = chunkIndex(startedEnd); startedEnd < sent; k++) {
            int p = (head + k) & (chunkBody.length - 1);
            int size = chunkSize[p];
            startedEnd += chunkPrefix[p] + chunkLength[p];
            reserved += size;
            incomplete.reserve(size);
        }
    }

    private void unreserve(long n) {
        if (incomplete != null && n > 0) {
            reserved -= n;
            incomplete.release(n);
        }
    }

    private void push(long start, byte[] body, int prefixLength, int length, int size) {
        if (count == chunkBody.length) {
            int n = count * 2;
            long[] st = new long[n];
            byte[][] b = new byte[n][];
            byte[] pr = new byte[n];
            int[] le = new int[n];
            int[] si = new int[n];
            for (int k = 0; k < count; k++) {
                int p = (head + k) & (chunkBody.length - 1);
                st[k] = chunkStart[p];
                b[k] = chunkBody[p];
                pr[k] = chunkPrefix[p];
                le[k] = chunkLength[p];
                si[k] = chunkSize[p];
            }
            chunkStart = st;
            chunkBody = b;
            chunkPrefix = pr;
            chunkLength = le;
            chunkSize = si;
            head = 0;
        }
        int p = (head + count) & (chunkBody.length - 1);
        chunkStart[p] = start;
        chunkBody[p] = body;
        chunkPrefix[p] = (byte) prefixLength;
        chunkLength[p] = length;
        chunkSize[p] = size;
        count++;
    }

    /** Logical index of the chunk holding stream offset {@code s}. */
    private int chunkIndex(long s) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (chunkStart[(head + mid) & (chunkBody.length - 1)] <= s) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }

    /** Copies stream bytes {@code [s, s+n)} to {@code dst[dstOff..]}. */
    private void copyOut(long s, byte[] dst, int dstOff, int n) {
        int k = n == 0 ? 0 : chunkIndex(s);
        while (n > 0) {
            int p = (head + k) & (chunkBody.length - 1);
            byte[] body = chunkBody[p];
            int pl = chunkPrefix[p];
            long pos = s - chunkStart[p];
            if (pos == 0 && n >= pl && pl > 0) { // a message's whole prefix: straight into the packet
                VarInt.write(dst, dstOff, chunkLength[p]);
                s += pl;
                dstOff += pl;
                n -= pl;
                pos = pl;
            } else if (pos < pl) {
                VarInt.write(prefix, 0, chunkLength[p]);
                int c = (int) Math.min(pl - pos, n);
                System.arraycopy(prefix, (int) pos, dst, dstOff, c);
                s += c;
                dstOff += c;
                n -= c;
                pos += c;
            }
            if (n > 0) {
                int bp = (int) (pos - pl);
                int c = Math.min(chunkLength[p] - bp, n);
                System.arraycopy(body, bp, dst, dstOff, c);
                s += c;
                dstOff += c;
                n -= c;
            }
            k++;
        }
    }
}
