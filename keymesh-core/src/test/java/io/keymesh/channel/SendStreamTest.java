package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The sending side: framing, back-pressure, retransmission of lost ranges, flow control, FIN and reset. */
class SendStreamTest {
    private static final HexFormat HEX = HexFormat.of();
    private final byte[] buf = new byte[4096];

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    private byte[] next(SendStream s, int maxLen) {
        int n = s.writeFrame(buf, 0, maxLen);
        return Arrays.copyOf(buf, n);
    }

    private static SendStream stream(int sendBuffer, long peerLimit) {
        return new SendStream(9, sendBuffer, 1 << 20, peerLimit, null);
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    @Test
    void messagesAreLengthPrefixedInTheStream() {
        SendStream s = stream(1000, 1000);
        assertTrue(s.offer("hello".getBytes()));
        assertTrue(s.offer(new byte[0]));
        // STREAM, body 9: channel 9, offset 0, then 05 "hello" and 00 (the empty message)
        assertArrayEquals(hex("08 09 09 00 05 68656c6c6f 00"), next(s, 100));
        assertEquals(0, s.lastFrameOffset());
        assertEquals(7, s.lastFrameLength());
        assertFalse(s.lastFrameFin());
        assertEquals(0, s.writeFrame(buf, 0, 100), "nothing more to send");
        assertFalse(s.hasFrameToSend());
    }

    @Test
    void aMessageLongerThan63BytesHasATwoByteLength() {
        SendStream s = stream(1000, 1000);
        s.offer(bytes(300, 0));
        byte[] f = next(s, 400);
        // body = 1 + 1 + 2 + 300 = 304 -> length 0x4130; the message length 300 = 0x412c
        assertArrayEquals(hex("08 4130 09 00 412c 00010203"), Arrays.copyOf(f, 11));
        assertEquals(1 + 2 + 304, f.length);
    }

    @Test
    void framesNeverExceedTheSizeAskedFor() {
        SendStream s = stream(100_000, 100_000);
        s.offer(bytes(50_000, 3));
        long expected = 0;
        for (int max = 5; s.hasFrameToSend(); max = max % 1500 + 7) {
            int n = s.writeFrame(buf, 0, max);
            assertTrue(n <= max);
            if (n > 0) {
                assertEquals(expected, s.lastFrameOffset());
                expected += s.lastFrameLength();
            }
        }
        assertEquals(50_004, expected, "4-byte length prefix");
        assertEquals(0, s.writeFrame(buf, 0, 3), "no room for a header");
    }

    @Test
    void closeSendsTheFinWithTheLastDataOrAlone() {
        SendStream s = stream(1000, 1000);
        s.offer("ab".getBytes());
        s.close();
        assertArrayEquals(hex("09 05 09 00 02 6162"), next(s, 100), "FIN on the last data");
        assertTrue(s.lastFrameFin());
        assertEquals(3, s.finalSize());
        assertThrows(IllegalStateException.class, () -> s.offer(new byte[1]));

        SendStream t = stream(1000, 1000);
        t.offer("ab".getBytes());
        next(t, 100);
        t.close();
        assertTrue(t.hasFrameToSend());
        assertArrayEquals(hex("09 02 09 03"), next(t, 100), "a bare FIN at the final size");
        assertEquals(3, t.lastFrameOffset());
        assertEquals(0, t.lastFrameLength());
        assertTrue(t.lastFrameFin());
        assertFalse(t.hasFrameToSend());
        assertFalse(t.isFinished());
        t.onAcked(0, 3, false);
        assertFalse(t.isFinished(), "FIN not acknowledged");
        t.onAcked(3, 0, true);
        assertTrue(t.isFinished());
    }

    @Test
    void aLostFinIsSentAgain() {
        SendStream s = stream(1000, 1000);
        s.offer("abcdef".getBytes());
        s.close();
        next(s, 8);          // [0, 1)
        next(s, 100);        // [1, 7) with FIN
        assertTrue(s.lastFrameFin());
        s.onAcked(0, 1, false);
        s.onLost(1, 6, true);
        next(s, 100);
        assertEquals(1, s.lastFrameOffset());
        assertEquals(6, s.lastFrameLength());
        assertTrue(s.lastFrameFin(), "the retransmission ending at the final size carries the FIN");
        // the data arrives in another packet, only the FIN is lost again
        s.onAcked(1, 6, false);
        s.onLost(1, 6, true);
        assertArrayEquals(hex("09 02 09 07"), next(s, 100), "only the FIN is left to send");
        s.onAcked(7, 0, true);
        assertTrue(s.isFinished());
        assertEquals(0, s.writeFrame(buf, 0, 100));
    }

    @Test
    void lostRangesGoFirstAndOnlyTheirUnacknowledgedBytes() {
        SendStream s = stream(10_000, 10_000);
        byte[] m = bytes(1000, 1);
        s.offer(m);
        byte[][] sent = new byte[4][];
        for (int i = 0; i < 4; i++) {
            sent[i] = next(s, 100); // each frame: 4-5 header bytes and ~95 data bytes
        }
        long o1 = offsetOf(sent, 1);
        s.onLost(0, (int) o1, false);                       // frame 0 lost
        // frames 1..3: part of frame 2 acknowledged (as a later retransmission would be), then frames 1..3 declared lost
        s.onAcked(o1 + 50, 30, false);
        long o4 = s.sentOffset();
        s.onLost(o1, (int) (o4 - o1), false);
        // retransmitted: [0, o1), then [o1, o1 + 50), then [o1 + 80, o4), then new data
        assertEquals(0, retransmitStart(s));
        assertEquals(o1, s.lastFrameOffset() + s.lastFrameLength());
        assertEquals(o1, retransmitStart(s));
        assertEquals(o1 + 50, s.lastFrameOffset() + s.lastFrameLength());
        assertEquals(o1 + 80, retransmitStart(s));
        long end = s.lastFrameOffset() + s.lastFrameLength();
        while (end < o4) {
            assertEquals(end, retransmitStart(s));
            end = s.lastFrameOffset() + s.lastFrameLength();
        }
        assertEquals(o4, end);
        assertEquals(o4, retransmitStart(s), "then new data");
    }

    /** Stream offset of frame {@code i}: frames were written back to back. */
    private static long offsetOf(byte[][] frames, int i) {
        long off = 0;
        for (int k = 0; k < i; k++) {
            off += frames[k].length - headerLength(frames[k]);
        }
        return off;
    }

    private static int headerLength(byte[] frame) {
        io.keymesh.wire.StreamFrame f = new io.keymesh.wire.StreamFrame();
        io.keymesh.wire.MeshFrame.forEach(frame, 0, frame.length, (t, b, off, len) -> f.decode(t, b, off, len));
        return f.dataOffset();
    }

    private long retransmitStart(SendStream s) {
        assertTrue(s.writeFrame(buf, 0, 100) > 0);
        return s.lastFrameOffset();
    }

    @Test
    void retransmittedBytesAreTheOriginalBytes() {
        SendStream s = stream(10_000, 10_000);
        s.offer(bytes(700, 5));
        s.offer(bytes(10, 9));
        byte[] stream = new byte[(int) s.writeOffset()];
        while (s.hasFrameToSend()) {
            copyData(next(s, 64), stream);
        }
        s.onLost(3, 500, false);
        s.onAcked(100, 20, false);
        byte[] again = new byte[stream.length];
        while (s.hasFrameToSend()) {
            copyData(next(s, 37), again);
        }
        for (int i = 3; i < 503; i++) {
            if (i < 100 || i >= 120) {
                assertEquals(stream[i], again[i], "byte " + i);
            } else {
                assertEquals(0, again[i], "acknowledged byte " + i + " was sent again");
            }
        }
    }

    private static void copyData(byte[] frame, byte[] stream) {
        io.keymesh.wire.StreamFrame f = new io.keymesh.wire.StreamFrame();
        io.keymesh.wire.MeshFrame.forEach(frame, 0, frame.length, (t, b, off, len) -> {
            assertTrue(f.decode(t, b, off, len));
            System.arraycopy(b, f.dataOffset(), stream, (int) f.offset(), f.dataLength());
        });
    }

    @Test
    void aSpuriousLossIsNotRetransmittedOnceAcknowledged() {
        SendStream s = stream(1000, 1000);
        s.offer(bytes(50, 0));
        next(s, 100);
        s.onLost(0, 51, false);
        s.onAcked(0, 51, false);
        assertFalse(s.hasFrameToSend());
        assertEquals(0, s.bufferedBytes());
    }

    @Test
    void backPressureWhenTheBufferIsFullAndWritableAfterAcks() {
        SendStream s = stream(100, 1000);
        assertTrue(s.offer(bytes(40, 0)));  // 41 bytes
        assertTrue(s.offer(bytes(40, 1)));  // 82
        assertFalse(s.offer(bytes(30, 2)), "82 + 31 > 100");
        assertFalse(s.canOffer(30));
        assertTrue(s.canOffer(17));
        assertEquals(82, s.bufferedBytes());
        assertFalse(s.pollWritable());
        next(s, 200);
        s.onAcked(41, 41, false);
        assertFalse(s.pollWritable(), "acknowledged out of order: the first message still holds its bytes");
        assertEquals(82, s.bufferedBytes());
        s.onAcked(0, 41, false);
        assertEquals(0, s.bufferedBytes());
        assertTrue(s.pollWritable());
        assertFalse(s.pollWritable(), "signalled once");
        assertTrue(s.offer(bytes(30, 2)));
    }

    @Test
    void writableOnceTheRefusedMessageFits() {
        SendStream s = stream(100, 1000);
        s.offer(bytes(40, 0));
        s.offer(bytes(40, 1));
        assertFalse(s.offer(bytes(30, 2)));
        next(s, 10);
        s.onAcked(0, s.lastFrameLength(), false);
        assertEquals(76, s.bufferedBytes());
        assertFalse(s.pollWritable(), "76 + 31 > 100");
        next(s, 200);
        s.onAcked(0, 41, false);
        assertEquals(41, s.bufferedBytes());
        assertTrue(s.pollWritable(), "41 + 31 <= 100");
        assertTrue(s.offer(bytes(30, 2)));
    }

    @Test
    void aMessageLargerThanTheBufferIsTakenWhenTheBufferIsEmpty() {
        SendStream s = stream(100, 100_000);
        assertTrue(s.offer(bytes(1000, 0)));
        assertEquals(1002, s.bufferedBytes());
        assertFalse(s.offer(new byte[0]), "nothing more until it is through");
        while (s.hasFrameToSend()) {
            next(s, 300);
            s.onAcked(s.lastFrameOffset(), s.lastFrameLength(), false);
        }
        assertTrue(s.pollWritable());
        assertTrue(s.offer(bytes(1000, 0)));
    }

    @Test
    void oversizeMessagesAreRejected() {
        SendStream s = new SendStream(1, 100, 1000, 100, null);
        assertThrows(IllegalArgumentException.class, () -> s.offer(new byte[1001]));
        assertTrue(s.offer(new byte[1000]));
        assertThrows(IllegalArgumentException.class, () -> new SendStream(1, 100, SendStream.MAX_MESSAGE_LIMIT + 1, 100, null));
        assertThrows(IllegalArgumentException.class, () -> new SendStream(-1, 100, 100, 100, null));
        assertEquals(64 << 20, SendStream.DEFAULT_MAX_MESSAGE);
    }

    @Test
    void thePeersStreamLimitStopsNewDataAndIsReportedBlocked() {
        SendStream s = stream(1000, 10);
        s.offer(bytes(30, 0));
        next(s, 100);
        assertEquals(10, s.lastFrameLength());
        assertEquals(0, s.writeFrame(buf, 0, 100));
        assertFalse(s.hasFrameToSend());
        assertTrue(s.wantsBlockedFrame());
        int n = s.writeBlockedFrame(buf, 0, 100);
        assertArrayEquals(hex("15 02 09 0a"), Arrays.copyOf(buf, n));
        assertFalse(s.wantsBlockedFrame(), "once per limit");
        s.onBlockedLost(10);
        assertTrue(s.wantsBlockedFrame(), "lost while still blocked: again");
        s.onMaxStreamData(8);
        assertEquals(10, s.peerMaxStreamData(), "limits never shrink");
        s.onMaxStreamData(25);
        assertFalse(s.wantsBlockedFrame());
        next(s, 100);
        assertEquals(10, s.lastFrameOffset());
        assertEquals(15, s.lastFrameLength());
        // retransmission is not limited by flow control
        s.onLost(0, 25, false);
        next(s, 100);
        assertEquals(25, s.lastFrameLength());
    }

    @Test
    void connectionCreditLimitsNewDataButNotRetransmissions() {
        FlowControl.Send conn = new FlowControl.Send(5);
        SendStream s = new SendStream(9, 1000, 1000, 1000, conn);
        s.offer(bytes(20, 0));
        next(s, 100);
        assertEquals(5, s.lastFrameLength());
        assertEquals(0, conn.credit());
        assertFalse(s.hasFrameToSend());
        assertTrue(conn.wantsBlockedFrame());
        int n = conn.writeBlockedFrame(buf, 0, 100);
        assertArrayEquals(hex("14 01 05"), Arrays.copyOf(buf, n));
        s.onLost(0, 5, false);
        assertTrue(s.hasFrameToSend());
        next(s, 100);
        assertEquals(0, s.lastFrameOffset());
        assertEquals(5, s.lastFrameLength());
        assertEquals(5, conn.sent(), "a retransmission uses no credit");
        conn.onMaxData(12);
        next(s, 100);
        assertEquals(5, s.lastFrameOffset());
        assertEquals(7, s.lastFrameLength());
    }

    @Test
    void resetDropsDataAndSendsTheFinalSize() {
        SendStream s = stream(1000, 1000);
        s.offer(bytes(300, 0));
        next(s, 100);
        long sent = s.sentOffset();
        s.reset(7);
        assertTrue(s.isReset());
        assertEquals(sent, s.finalSize());
        assertEquals(0, s.bufferedBytes());
        assertFalse(s.hasFrameToSend());
        assertEquals(0, s.writeFrame(buf, 0, 100));
        assertThrows(IllegalStateException.class, () -> s.offer(new byte[1]));
        assertTrue(s.wantsResetFrame());
        int n = s.writeResetFrame(buf, 0, 100);
        assertEquals(95, sent, "100 bytes less a 5-byte header");
        assertArrayEquals(hex("04 04 09 07 405f"), Arrays.copyOf(buf, n));
        assertFalse(s.wantsResetFrame());
        s.onResetLost();
        assertTrue(s.wantsResetFrame());
        assertEquals(0, s.writeResetFrame(buf, 0, 4), "does not fit");
        s.writeResetFrame(buf, 0, 100);
        s.onLost(0, 95, false);
        assertFalse(s.hasFrameToSend(), "nothing is retransmitted after a reset");
        assertFalse(s.isFinished());
        s.onResetAcked();
        assertTrue(s.isFinished());
        s.onResetLost();
        assertFalse(s.wantsResetFrame());
    }

    @Test
    void framedMessagesGoOnTheWireAsTheSameMessagesOfferedOneByOne() {
        SendStream one = stream(1000, 1000);
        assertTrue(one.offer("hello".getBytes()));
        assertTrue(one.offer(new byte[0]));
        assertTrue(one.offer(bytes(70, 1)));
        SendStream framed = stream(1000, 1000);
        byte[] batch = new byte[200];
        int n = 0;
        for (byte[] m : new byte[][] {"hello".getBytes(), new byte[0], bytes(70, 1)}) {
            n += io.keymesh.wire.VarInt.write(batch, n, m.length);
            System.arraycopy(m, 0, batch, n, m.length);
            n += m.length;
        }
        Arrays.fill(batch, n, batch.length, (byte) 0x77); // past the length: never sent
        assertTrue(framed.offerFramed(batch, n, 70));
        assertEquals(one.writeOffset(), framed.writeOffset());
        assertArrayEquals(next(one, 30), next(framed, 30), "cut across the 2-byte prefix of the third message");
        assertArrayEquals(next(one, 100), next(framed, 100));
        assertEquals(0, framed.writeFrame(buf, 0, 100));
        // lost and sent again: the same bytes
        one.onLost(0, 20, false);
        framed.onLost(0, 20, false);
        assertArrayEquals(next(one, 100), next(framed, 100));
        framed.onAcked(0, (int) framed.writeOffset(), false);
        assertEquals(0, framed.bufferedBytes());
    }

    @Test
    void framedMessagesAreRefusedWhenTheBufferIsFullAndCheckedAgainstTheMaximumMessage() {
        SendStream s = new SendStream(9, 100, 50, 1000, null);
        assertThrows(IllegalArgumentException.class, () -> s.offerFramed(new byte[60], 60, 51), "a message over the maximum");
        assertThrows(IllegalArgumentException.class, () -> s.offerFramed(new byte[10], 11, 5), "longer than the array");
        assertTrue(s.offerFramed(new byte[120], 120, 50), "an empty buffer takes any batch");
        assertFalse(s.offerFramed(new byte[10], 10, 9));
        next(s, 200);
        s.onAcked(0, 120, false);
        assertTrue(s.pollWritable());
        assertTrue(s.offerFramed(new byte[10], 10, 9));
        s.close();
        assertThrows(IllegalStateException.class, () -> s.offerFramed(new byte[10], 10, 9));
    }

    @Test
    void aFramedBatchReservesItsLargestMessageWhileStartedAndUnacknowledged() {
        IncompleteMessages.Send incomplete = new IncompleteMessages.Send(100);
        SendStream s = new SendStream(9, 10_000, 1000, 10_000, null, incomplete);
        byte[] batch = new byte[1000];
        assertTrue(s.offerFramed(batch, 1000, 90));
        assertTrue(s.offer(new byte[20]));
        next(s, 500);
        assertEquals(90, incomplete.reserved(), "the batch started: its largest message is reserved");
        next(s, 600);
        assertEquals(90, incomplete.reserved(), "the 20-byte message waits: 10 bytes left of the bound");
        assertFalse(s.hasFrameToSend(), "nothing may start");
        s.onAcked(0, 1000, false);
        assertEquals(0, incomplete.reserved());
        next(s, 100);
        assertEquals(1000, s.lastFrameOffset(), "then it goes");
        assertEquals(21, s.lastFrameLength());
        assertEquals(20, incomplete.reserved());
    }

    @Test
    void oneFrameStartsAsManyMessagesAsTheBoundOnIncompleteMessagesHasRoomFor() {
        IncompleteMessages.Send incomplete = new IncompleteMessages.Send(100);
        SendStream s = new SendStream(9, 10_000, 1000, 10_000, null, incomplete);
        for (int i = 0; i < 4; i++) {
            assertTrue(s.offer(bytes(30, i)));
        }
        next(s, 1000);
        assertEquals(0, s.lastFrameOffset());
        assertEquals(3 * 31, s.lastFrameLength(), "three of 30 bytes fit in 100, the fourth does not");
        assertEquals(90, incomplete.reserved());
        assertFalse(s.hasFrameToSend());
        s.onAcked(0, 31, false);
        assertEquals(60, incomplete.reserved());
        assertTrue(s.hasFrameToSend());
        next(s, 1000);
        assertEquals(93, s.lastFrameOffset());
        assertEquals(31, s.lastFrameLength());
    }

    @Test
    void aFramedBatchIsGivenBackOnlyOnceAcknowledgedInFull() {
        java.util.List<byte[]> done = new java.util.ArrayList<>();
        SendStream s = stream(10_000, 10_000);
        byte[] first = new byte[300];
        byte[] second = new byte[300];
        assertTrue(s.offerFramed(first, 200, 100, done::add));
        assertTrue(s.offerFramed(second, 200, 100, done::add));
        next(s, 1000);
        s.onAcked(100, 250, false);
        assertEquals(0, done.size(), "bytes 0-99 not acknowledged yet");
        s.onAcked(0, 100, false);
        assertEquals(1, done.size(), "0-349 acknowledged: the first batch (0-199) only");
        assertTrue(done.get(0) == first);
        s.onAcked(350, 50, false);
        assertEquals(2, done.size());
        assertTrue(done.get(1) == second);

        SendStream r = stream(10_000, 10_000);
        r.offerFramed(new byte[100], 100, 50, done::add);
        next(r, 1000);
        r.reset(1);
        r.onAcked(0, 100, false);
        r.onResetAcked();
        assertEquals(2, done.size(), "a reset stream gives nothing back");
    }
}
