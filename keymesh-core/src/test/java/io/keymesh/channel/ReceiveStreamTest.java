package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The receiving side: reassembly into messages, flow control, final size and reset, violations. */
class ReceiveStreamTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    /** "hello", "" and a 70-byte message (two-byte length 0x4046) as stream bytes. */
    private static byte[] threeMessages() {
        byte[] big = new byte[70];
        Arrays.fill(big, (byte) 7);
        byte[] head = hex("05 68656c6c6f 00 4046");
        byte[] s = Arrays.copyOf(head, head.length + 70);
        System.arraycopy(big, 0, s, head.length, 70);
        return s;
    }

    private static void assertThreeMessages(ReceiveStream r) {
        assertArrayEquals("hello".getBytes(), r.pollMessage());
        assertArrayEquals(new byte[0], r.pollMessage());
        byte[] big = r.pollMessage();
        assertEquals(70, big.length);
        assertEquals(7, big[69]);
        assertNull(r.pollMessage());
    }

    @Test
    void messagesSplitAnywhereComeOutWhole() {
        byte[] s = threeMessages();
        ReceiveStream r = new ReceiveStream(9, 1000, 1000, null);
        for (int i = 0; i < s.length; i++) {
            assertTrue(r.receive(i, s, i, 1, i == s.length - 1));
        }
        assertEquals(3, r.readyMessages());
        assertThreeMessages(r);
        assertTrue(r.isFinished());
        assertEquals(s.length, r.finalSize());
    }

    @Test
    void outOfOrderDuplicatedAndOverlappingFramesAreReassembled() {
        byte[] s = threeMessages();
        ReceiveStream r = new ReceiveStream(9, 1000, 1000, null);
        assertTrue(r.receive(60, s, 60, s.length - 60, true));
        assertTrue(r.receive(10, s, 10, 30, false));
        assertTrue(r.receive(30, s, 30, 40, false));   // overlaps both
        assertTrue(r.receive(10, s, 10, 30, false));   // duplicate
        assertNull(r.pollMessage(), "nothing before offset 0 arrives");
        assertTrue(r.receive(2, s, 2, 3, false));
        assertNull(r.pollMessage());
        assertTrue(r.receive(0, s, 0, 12, false));      // fills the gap, overlapping what is held
        assertThreeMessages(r);
        assertTrue(r.receive(0, s, 0, s.length, true)); // all of it again
        assertNull(r.pollMessage());
        assertTrue(r.isFinished());
    }

    @Test
    void dataBeyondTheAdvertisedLimitIsAFlowControlViolation() {
        ReceiveStream r = new ReceiveStream(9, 16, 1000, null);
        byte[] d = new byte[20];
        assertTrue(r.receive(0, d, 0, 16, false));
        assertFalse(r.receive(10, d, 0, 7, false));
        assertEquals(StreamViolation.FLOW_CONTROL, r.violation());
        assertEquals(0x03, r.violation().transportErrorCode());
        assertFalse(r.receive(0, d, 0, 1, false), "nothing is taken after a violation");
        assertFalse(r.wantsMaxStreamDataFrame());
    }

    @Test
    void connectionLimitIsEnforcedOnNewBytesOnly() {
        FlowControl.Receive conn = new FlowControl.Receive(8);
        ReceiveStream a = new ReceiveStream(1, 100, 1000, conn);
        ReceiveStream b = new ReceiveStream(2, 100, 1000, conn);
        byte[] d = new byte[10];
        assertTrue(a.receive(0, d, 0, 5, false));
        assertTrue(a.receive(0, d, 0, 5, false), "a duplicate is not charged twice");
        assertEquals(5, conn.received());
        assertTrue(b.receive(2, d, 0, 1, false), "charged up to the highest offset: 3");
        assertEquals(8, conn.received());
        assertFalse(b.receive(3, d, 0, 1, false));
        assertEquals(StreamViolation.FLOW_CONTROL, b.violation());
        assertNull(a.violation());
    }

    @Test
    void finalSizeViolations() {
        byte[] d = new byte[20];
        ReceiveStream r = new ReceiveStream(9, 100, 1000, null);
        assertTrue(r.receive(0, d, 0, 10, true));
        assertTrue(r.receive(4, d, 0, 6, true), "the same final size again");
        assertFalse(r.receive(8, d, 0, 4, false), "data beyond the final size");
        assertEquals(StreamViolation.FINAL_SIZE, r.violation());

        ReceiveStream changed = new ReceiveStream(9, 100, 1000, null);
        assertTrue(changed.receive(10, d, 0, 0, true));
        assertFalse(changed.receive(5, d, 0, 6, true), "a different final size");
        assertEquals(StreamViolation.FINAL_SIZE, changed.violation());

        ReceiveStream below = new ReceiveStream(9, 100, 1000, null);
        assertTrue(below.receive(0, d, 0, 12, false));
        assertFalse(below.receive(0, d, 0, 10, true), "a final size below data already received");
        assertEquals(StreamViolation.FINAL_SIZE, below.violation());
        assertEquals(0x06, below.violation().transportErrorCode());
    }

    @Test
    void aStreamEndingInsideAMessageIsRefused() {
        ReceiveStream r = new ReceiveStream(9, 100, 1000, null);
        assertTrue(r.receive(0, hex("05 6162"), 0, 3, false));
        assertFalse(r.receive(3, new byte[0], 0, 0, true), "the length said 5 bytes, 2 came");
        assertEquals(StreamViolation.TRUNCATED_MESSAGE, r.violation());

        ReceiveStream inPrefix = new ReceiveStream(9, 100, 1000, null);
        assertTrue(inPrefix.receive(1, new byte[0], 0, 0, true));
        assertFalse(inPrefix.receive(0, hex("40"), 0, 1, false), "ends inside a two-byte length");
        assertEquals(StreamViolation.TRUNCATED_MESSAGE, inPrefix.violation());
    }

    @Test
    void aLengthAboveTheMaximumMessageIsRefused() {
        ReceiveStream r = new ReceiveStream(9, 100, 10, null);
        assertTrue(r.receive(0, hex("0a"), 0, 1, false), "10 is allowed");
        ReceiveStream s = new ReceiveStream(9, 100, 10, null);
        assertFalse(s.receive(0, hex("0b"), 0, 1, false));
        assertEquals(StreamViolation.MESSAGE_TOO_LARGE, s.violation());
        ReceiveStream huge = new ReceiveStream(9, 100, 64 << 20, null);
        assertFalse(huge.receive(0, hex("c0000000ffffffff"), 0, 8, false), "a 4 GiB length with an 8-byte varint");
        assertEquals(StreamViolation.MESSAGE_TOO_LARGE, huge.violation());
    }

    @Test
    void windowUpdatesWhenHalfIsConsumed() {
        ReceiveStream r = new ReceiveStream(9, 100, 1000, null);
        byte[] m = new byte[49]; // 48-byte message + 1-byte length
        m[0] = 48;
        assertEquals(100, r.maxStreamData());
        assertTrue(r.receive(0, m, 0, 49, false));
        assertEquals(1, r.readyMessages());
        assertFalse(r.wantsMaxStreamDataFrame(), "nothing consumed while the message waits");
        r.pollMessage();
        assertEquals(49, r.consumed());
        assertFalse(r.wantsMaxStreamDataFrame(), "49 < 50");
        assertTrue(r.receive(49, hex("00"), 0, 1, false)); // an empty message
        assertFalse(r.wantsMaxStreamDataFrame(), "complete but unpolled: it holds the window");
        assertArrayEquals(new byte[0], r.pollMessage());
        assertEquals(50, r.consumed());
        assertTrue(r.wantsMaxStreamDataFrame(), "half the window consumed");
    }

    @Test
    void unpolledMessagesHoldTheWindowBack() {
        ReceiveStream r = new ReceiveStream(9, 100, 1000, null);
        byte[] m = new byte[60];
        m[0] = 59;
        assertTrue(r.receive(0, m, 0, 60, false));
        assertEquals(0, r.consumed());
        assertFalse(r.wantsMaxStreamDataFrame());
        byte[] buf = new byte[16];
        assertEquals(0, r.writeMaxStreamDataFrame(buf, 0, 16));
        r.pollMessage();
        assertEquals(60, r.consumed());
        assertTrue(r.wantsMaxStreamDataFrame());
        assertEquals(0, r.writeMaxStreamDataFrame(buf, 0, 4), "does not fit");
        int n = r.writeMaxStreamDataFrame(buf, 0, 16);
        assertArrayEquals(hex("11 03 09 40a0"), Arrays.copyOf(buf, n), "MAX_STREAM_DATA 160");
        assertEquals(160, r.maxStreamData());
        assertFalse(r.wantsMaxStreamDataFrame());
        r.onMaxStreamDataLost(160);
        assertTrue(r.wantsMaxStreamDataFrame(), "lost: due again");
        assertEquals(n, r.writeMaxStreamDataFrame(buf, 0, 16));
        assertEquals(160, r.maxStreamData());
        r.onMaxStreamDataLost(100);
        assertFalse(r.wantsMaxStreamDataFrame(), "an older limit lost: nothing to do");
    }

    @Test
    void aMessageLargerThanTheWindowFlowsThrough() {
        int window = 64;
        ReceiveStream r = new ReceiveStream(9, window, 100_000, null);
        byte[] msg = new byte[10_000];
        for (int i = 0; i < msg.length; i++) {
            msg[i] = (byte) (i * 31);
        }
        byte[] stream = new byte[2 + msg.length];
        stream[0] = 0x40 | (10_000 >>> 8);
        stream[1] = (byte) 10_000;
        System.arraycopy(msg, 0, stream, 2, msg.length);
        long sent = 0;
        byte[] buf = new byte[16];
        int updates = 0;
        while (sent < stream.length) {
            int n = (int) Math.min(r.maxStreamData() - sent, stream.length - sent);
            assertTrue(n > 0, "the window moved on at " + sent);
            assertTrue(r.receive(sent, stream, (int) sent, n, sent + n == stream.length));
            sent += n;
            if (r.writeMaxStreamDataFrame(buf, 0, 16) > 0) {
                updates++;
            }
        }
        assertTrue(updates > 100, "the limit advanced as the message was assembled: " + updates);
        assertArrayEquals(msg, r.pollMessage());
        assertTrue(r.isFinished());
    }

    @Test
    void aLargeMessageBehindAnUnpolledOneWaitsForTheApplication() {
        ReceiveStream r = new ReceiveStream(9, 64, 100_000, null);
        byte[] s = new byte[64];
        s[0] = 1;            // a 1-byte message
        s[2] = 0x43;         // then a 1000-byte message's length (0x43e8)
        s[3] = (byte) 0xe8;
        assertTrue(r.receive(0, s, 0, 64, false));
        assertEquals(1, r.readyMessages());
        assertEquals(0, r.consumed(), "the first message is unpolled");
        assertFalse(r.wantsMaxStreamDataFrame());
        r.pollMessage();
        assertEquals(64, r.consumed(), "now the partial message counts as consumed");
        assertTrue(r.wantsMaxStreamDataFrame());
    }

    @Test
    void outOfOrderDataWrapsAroundTheRing() {
        int window = 32;
        ReceiveStream r = new ReceiveStream(9, window, 1000, null);
        byte[] s = new byte[200];
        for (int i = 0; i < s.length; i++) {
            s[i] = 9; // nine-byte messages: length 9 then 9 bytes, repeated (10 bytes each)
        }
        byte[] buf = new byte[16];
        long done = 0;
        int polled = 0;
        while (done < s.length) {
            long limit = Math.min(r.maxStreamData(), s.length);
            // deliver [done, limit) back to front in 7-byte pieces
            for (long o = limit; o > done; o -= 7) {
                long from = Math.max(done, o - 7);
                assertTrue(r.receive(from, s, (int) from, (int) (o - from), false));
            }
            done = limit;
            for (byte[] m; (m = r.pollMessage()) != null; polled++) {
                assertEquals(9, m.length);
            }
            r.writeMaxStreamDataFrame(buf, 0, 16);
        }
        assertEquals(20, polled);
    }

    @Test
    void resetDropsUndeliveredMessagesAndReleasesTheConnectionWindow() {
        FlowControl.Receive conn = new FlowControl.Receive(1000);
        ReceiveStream r = new ReceiveStream(9, 100, 1000, conn);
        assertTrue(r.receive(0, hex("02 6162 03"), 0, 4, false));
        assertEquals(1, r.readyMessages());
        assertTrue(r.onReset(40, 77));
        assertTrue(r.isReset());
        assertEquals(77, r.resetErrorCode());
        assertTrue(r.isFinished());
        assertNull(r.pollMessage());
        assertEquals(40, conn.received(), "the final size is charged");
        assertEquals(40, conn.consumed(), "and released");
        assertTrue(r.receive(0, hex("02"), 0, 1, false), "data after a reset is ignored");
        assertTrue(r.onReset(40, 77), "the same reset again");
        assertFalse(r.onReset(41, 77));
        assertEquals(StreamViolation.FINAL_SIZE, r.violation());
    }

    @Test
    void resetFinalSizeIsChecked() {
        byte[] d = new byte[20];
        ReceiveStream below = new ReceiveStream(9, 100, 1000, null);
        below.receive(5, d, 0, 10, false);
        assertFalse(below.onReset(14, 0));
        assertEquals(StreamViolation.FINAL_SIZE, below.violation());

        ReceiveStream fin = new ReceiveStream(9, 100, 1000, null);
        fin.receive(15, d, 0, 0, true);
        assertFalse(fin.onReset(16, 0));
        assertEquals(StreamViolation.FINAL_SIZE, fin.violation());

        ReceiveStream beyond = new ReceiveStream(9, 100, 1000, null);
        assertFalse(beyond.onReset(101, 0));
        assertEquals(StreamViolation.FLOW_CONTROL, beyond.violation());
    }

    /** A length prefix claiming 60 MiB allocates a chunk, not the claim; the buffer grows with what arrives. */
    @Test
    void aLengthPrefixAloneAllocatesAChunkAndTheBufferGrowsWithTheBytesThatCame() {
        ReceiveStream r = new ReceiveStream(1, 1 << 20, 64 << 20, null);
        byte[] prefix = new byte[4];
        assertEquals(4, io.keymesh.wire.VarInt.write(prefix, 0, 60 << 20));
        assertTrue(r.receive(0, prefix, 0, 4, false));
        assertEquals(ReceiveStream.ASSEMBLY_CHUNK, r.assemblyCapacity());
        assertTrue(r.receive(4, new byte[10_000], 0, 10_000, false));
        assertEquals(10_000, r.assemblyCapacity(), "what came, since that is more than twice the chunk");
        assertTrue(r.receive(10_004, new byte[100], 0, 100, false));
        assertEquals(20_000, r.assemblyCapacity(), "doubled");
    }

    /**
     * Out-of-order bytes take a ring of their span above the in-order data, not a window: one byte
     * 100 bytes ahead takes a chunk, one 300,000 ahead that much; the ring shrinks as the gap fills
     * and is freed once it has.
     */
    @Test
    void theOutOfOrderRingFollowsTheSpanItHolds() {
        ReceiveStream r = new ReceiveStream(1, 1 << 20, 64 << 20, null);
        byte[] s = new byte[300_001];
        Arrays.fill(s, (byte) 0x3f); // 63-byte messages of 0x3f, each after its 1-byte length 0x3f
        assertTrue(r.receive(100, s, 100, 1, false));
        assertEquals(ReceiveStream.ASSEMBLY_CHUNK, r.ringCapacity());
        assertTrue(r.receive(300_000, s, 300_000, 1, false));
        assertEquals(300_001, r.ringCapacity());
        assertTrue(r.receive(0, s, 0, 200_000, false));
        assertEquals(300_001, r.ringCapacity(), "100,001 bytes of span left: more than a quarter");
        assertTrue(r.receive(200_000, s, 200_000, 50_000, false));
        assertEquals(100_002, r.ringCapacity(), "50,001 left: halved to twice that");
        assertTrue(r.receive(250_000, s, 250_000, 50_000, false));
        assertEquals(0, r.ringCapacity(), "the gap filled: freed");
        int messages = 0;
        for (byte[] m; (m = r.pollMessage()) != null; messages++) {
            assertEquals(63, m.length);
        }
        assertEquals(300_001 / 64, messages);
    }

    /**
     * Two channels share a bound of 1,000 bytes of incomplete messages: 600 and 400 held is at the
     * bound, one byte more is a violation; a completed message gives its bytes back.
     */
    @Test
    void incompleteMessagesAreBoundedOverTheConnectionsChannels() {
        IncompleteMessages.Receive held = new IncompleteMessages.Receive(1000);
        ReceiveStream one = new ReceiveStream(1, 1 << 20, 5000, null, held);
        ReceiveStream two = new ReceiveStream(2, 1 << 20, 5000, null, held);
        byte[] s = new byte[802];
        assertEquals(2, io.keymesh.wire.VarInt.write(s, 0, 800));
        assertTrue(one.receive(0, s, 0, 602, false));
        assertTrue(two.receive(0, s, 0, 402, false));
        assertEquals(1000, held.held());
        assertTrue(one.receive(602, s, 602, 200, false), "completes a message: nothing more held");
        assertEquals(400, held.held());
        assertEquals(800, one.pollMessage().length);
        assertTrue(two.receive(402, s, 402, 399, false));
        assertEquals(799, held.held());
        ReceiveStream three = new ReceiveStream(3, 1 << 20, 5000, null, held);
        assertTrue(three.receive(0, s, 0, 203, false));
        assertEquals(1000, held.held());
        assertFalse(three.receive(203, s, 203, 1, false));
        assertEquals(StreamViolation.INCOMPLETE_MESSAGES, three.violation());
        assertEquals(799, held.held(), "the stream that failed holds nothing");
        assertTrue(two.onReset(801, 5));
        assertEquals(0, held.held(), "a reset drops what its message held");
    }
}
