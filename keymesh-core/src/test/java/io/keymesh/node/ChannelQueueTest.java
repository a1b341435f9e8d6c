package io.keymesh.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.wire.VarInt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a channel holds until its connection takes it: small messages framed into batches, order, limits. */
class ChannelQueueTest {
    /** Records what a drain hands over: messages as they are, batches split back into their messages. */
    private static final class Recorder implements ChannelQueue.Taker {
        final List<byte[]> messages = new ArrayList<>();
        final List<String> kinds = new ArrayList<>();
        final List<byte[]> batchArrays = new ArrayList<>();
        int refuseAfter = Integer.MAX_VALUE;

        @Override
        public boolean message(byte[] message) {
            if (kinds.size() >= refuseAfter) {
                return false;
            }
            kinds.add("message");
            messages.add(message);
            return true;
        }

        @Override
        public boolean framed(byte[] framed, int length, int largest) {
            if (kinds.size() >= refuseAfter) {
                return false;
            }
            kinds.add("batch");
            batchArrays.add(framed);
            int seenLargest = 0;
            for (int off = 0; off < length; ) {
                int len = (int) VarInt.read(framed, off, length);
                off += VarInt.encodedLength(framed[off]);
                messages.add(Arrays.copyOfRange(framed, off, off + len));
                seenLargest = Math.max(seenLargest, len);
                off += len;
                if (off > length) {
                    throw new AssertionError("a message runs past the batch");
                }
            }
            assertEquals(seenLargest, largest, "the batch's largest message");
            return true;
        }
    }

    private static byte[] message(int length, int seed) {
        byte[] m = new byte[length];
        Arrays.fill(m, (byte) seed);
        return m;
    }

    @Test
    void smallMessagesAreFramedIntoOneBatchAndLargeOnesKeptAsTheyAreInOrder() {
        ChannelQueue q = new ChannelQueue();
        byte[] large = message(ChannelQueue.SMALL_MESSAGE + 1, 9);
        List<byte[]> sent = List.of(message(64, 1), message(0, 2), message(300, 3), large, message(ChannelQueue.SMALL_MESSAGE, 4),
                message(5, 5));
        for (byte[] m : sent) {
            assertTrue(q.add(m, true));
        }
        assertEquals(2 + 64 + 1 + 2 + 300 + large.length + 2 + ChannelQueue.SMALL_MESSAGE + 1 + 5, q.bytes(),
                "the batches' bytes, prefixes included, and the large message's");
        Recorder r = new Recorder();
        assertFalse(q.drain(r), "nobody was refused: nothing to report");
        assertEquals(List.of("batch", "message", "batch"), r.kinds);
        assertEquals(sent.size(), r.messages.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), r.messages.get(i), "message " + i);
        }
        assertSame(large, r.messages.get(3), "a large message is handed over as it was sent");
        assertTrue(q.isEmpty());
        assertEquals(0, q.bytes());
    }

    @Test
    void aBatchHandedOverTakesNoMoreMessagesAndAFullOneStartsAnother() {
        ChannelQueue q = new ChannelQueue();
        Recorder r = new Recorder();
        q.add(message(10, 1), true);
        q.drain(r);
        q.add(message(10, 2), true);
        q.drain(r);
        assertEquals(2, r.batchArrays.size());
        assertFalse(r.batchArrays.get(0) == r.batchArrays.get(1), "the second message went to a new batch");
        assertArrayEquals(message(10, 1), r.messages.get(0), "and the first batch's bytes stayed as handed over");

        Recorder full = new Recorder();
        int perBatch = ChannelQueue.BATCH_BYTES / (2 + 1000);
        for (int i = 0; i < perBatch + 1; i++) {
            assertTrue(q.add(message(1000, i), true));
        }
        q.drain(full);
        assertEquals(List.of("batch", "batch"), full.kinds, perBatch + " messages of 1,000 bytes fill a batch");
        assertEquals(perBatch + 1, full.messages.size());
    }

    @Test
    void aRefusedItemStaysFirstAndWhatFollowsKeepsItsPlace() {
        ChannelQueue q = new ChannelQueue();
        byte[] large = message(5000, 7);
        q.add(message(3, 1), true);
        q.add(large, true);
        q.add(message(4, 2), true);
        Recorder r = new Recorder();
        r.refuseAfter = 1;
        q.drain(r);
        assertEquals(List.of("batch"), r.kinds);
        q.add(message(6, 3), true); // joins the batch after the large message, still open
        r.refuseAfter = Integer.MAX_VALUE;
        q.drain(r);
        assertEquals(List.of("batch", "message", "batch"), r.kinds);
        assertEquals(4, r.messages.size());
        assertArrayEquals(message(6, 3), r.messages.get(3));
        assertEquals(0, q.bytes());
    }

    @Test
    void aFullQueueRefusesAndTellsOnceWhenHalfEmpty() {
        ChannelQueue q = new ChannelQueue();
        byte[] quarter = message(MeshNode.CHANNEL_QUEUE_BYTES / 4, 1);
        for (int i = 0; i < 4; i++) {
            assertTrue(q.add(quarter, true));
        }
        assertFalse(q.isWritable(0), "full: even an empty message takes a byte (its length)");
        assertFalse(q.isWritable(1));
        assertTrue(new ChannelQueue().isWritable(MeshNode.CHANNEL_QUEUE_BYTES + 1), "empty: anything goes");
        assertFalse(q.add(new byte[1], true), "one byte over the limit");
        assertTrue(q.refuses(1));
        Recorder r = new Recorder();
        r.refuseAfter = 1;
        assertFalse(q.drain(r), "three quarters still held");
        r.refuseAfter = 2;
        assertFalse(q.drain(r), "half still held");
        r.refuseAfter = 3;
        assertTrue(q.drain(r), "under half held: the refused sender may go on");
        assertFalse(q.drain(r), "told once per refusal");
        assertTrue(q.add(new byte[1], true));
        q.clear();
        assertTrue(q.isEmpty());
        assertTrue(q.add(message(MeshNode.CHANNEL_QUEUE_BYTES + 1, 2), true), "an empty queue takes one message, however large");
    }

    @Test
    void emptyMessagesCountTheirPrefixesSoTheQueueStaysBounded() {
        ChannelQueue q = new ChannelQueue();
        int taken = 0;
        while (q.add(new byte[0], true)) {
            taken++;
        }
        assertEquals(MeshNode.CHANNEL_QUEUE_BYTES, taken, "one byte each");
        assertEquals(MeshNode.CHANNEL_QUEUE_BYTES, q.bytes());
    }

    @Test
    void aBatchArrayGivenBackIsFilledAgainAndOnlyAFewAreKept() {
        ChannelQueue q = new ChannelQueue();
        Recorder r = new Recorder();
        q.add(message(10, 1), true);
        q.drain(r);
        byte[] used = r.batchArrays.get(0);
        q.reuse.accept(used);
        q.reuse.accept(new byte[100]); // not a batch's size: dropped
        q.add(message(20, 2), true);
        q.drain(r);
        assertSame(used, r.batchArrays.get(1), "the array given back holds the next batch");
        assertArrayEquals(message(20, 2), r.messages.get(1));
        q.add(message(30, 3), true);
        q.drain(r);
        assertFalse(r.batchArrays.get(2) == used, "given back once, used once");
        assertFalse(r.batchArrays.get(2).length == 100);

        // While the queue holds something, up to SPARE_BATCHES are kept; an empty queue keeps a few.
        java.util.Set<byte[]> given = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 0; i < ChannelQueue.SPARE_BATCHES + 3; i++) {
            byte[] b = new byte[ChannelQueue.BATCH_BYTES];
            given.add(b);
            q.reuse.accept(b);
        }
        Recorder idle = new Recorder();
        for (int i = 0; i < 3; i++) {
            q.add(new byte[ChannelQueue.SMALL_MESSAGE + 1], true); // kept as sent: closes the batch before it
            q.add(message(10, i), true);
            q.add(new byte[ChannelQueue.SMALL_MESSAGE + 1], true);
        }
        q.drain(idle);
        assertEquals(ChannelQueue.IDLE_SPARE_BATCHES, idle.batchArrays.stream().filter(given::contains).count(),
                "an empty queue kept " + ChannelQueue.IDLE_SPARE_BATCHES);

        q.add(new byte[ChannelQueue.SMALL_MESSAGE + 1], true); // the queue holds something: more are kept
        given.clear();
        for (int i = 0; i < ChannelQueue.SPARE_BATCHES + 3; i++) {
            byte[] b = new byte[ChannelQueue.BATCH_BYTES];
            given.add(b);
            q.reuse.accept(b);
        }
        Recorder busy = new Recorder();
        for (int i = 0; i < ChannelQueue.SPARE_BATCHES + 3; i++) {
            q.add(message(10, i), true);
            q.add(new byte[ChannelQueue.SMALL_MESSAGE + 1], true);
        }
        q.drain(busy);
        assertEquals(ChannelQueue.SPARE_BATCHES, busy.batchArrays.stream().filter(given::contains).count());
        assertEquals(ChannelQueue.SPARE_BATCHES + 3, busy.batchArrays.stream().distinct().count(), "each batch its own array");

        q.add(new byte[ChannelQueue.SMALL_MESSAGE + 1], true);
        byte[] kept = new byte[ChannelQueue.BATCH_BYTES];
        q.reuse.accept(kept);
        q.clear(); // a lost channel's handle holds nothing, spares neither
        q.add(message(10, 9), true);
        Recorder afterClear = new Recorder();
        q.drain(afterClear);
        assertFalse(afterClear.batchArrays.getFirst() == kept);
    }

    @Test
    void unframedMessagesAreKeptOneByOne() {
        ChannelQueue q = new ChannelQueue();
        byte[] a = message(10, 1);
        byte[] b = message(20, 2);
        q.add(a, false);
        q.add(b, false);
        Recorder r = new Recorder();
        q.drain(r);
        assertEquals(List.of("message", "message"), r.kinds);
        assertSame(a, r.messages.get(0));
        assertSame(b, r.messages.get(1));
    }
}
