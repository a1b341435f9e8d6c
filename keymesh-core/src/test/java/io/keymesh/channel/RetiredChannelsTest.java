package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What {@link RetiredChannels} holds, and how compactly. */
class RetiredChannelsTest {
    @Test
    void numbersOfOneParityCollapseIntoOneRange() {
        RetiredChannels r = new RetiredChannels();
        for (long id = 0; id < 10_000; id += 2) {
            r.add(id); // one side's channels, every other number
        }
        assertEquals(1, r.ranges());
        for (long id = 1; id < 10_000; id += 2) {
            r.add(id); // the other side's
        }
        assertEquals(2, r.ranges());
        assertTrue(r.contains(0));
        assertTrue(r.contains(9_999));
        assertFalse(r.contains(10_000));
        assertFalse(r.contains(10_001));
    }

    @Test
    void eachParityIsItsOwnSet() {
        RetiredChannels r = new RetiredChannels();
        r.add(4);
        r.add(7);
        assertTrue(r.contains(4));
        assertTrue(r.contains(7));
        for (long id : new long[] {0, 1, 2, 3, 5, 6, 8, 9, io.keymesh.wire.VarInt.MAX}) {
            assertFalse(r.contains(id), "channel " + id);
        }
        r.add(io.keymesh.wire.VarInt.MAX);
        assertTrue(r.contains(io.keymesh.wire.VarInt.MAX));
        assertFalse(r.contains(io.keymesh.wire.VarInt.MAX - 1));
        r.clear();
        assertFalse(r.contains(4));
        assertEquals(0, r.ranges());
    }

    /**
     * Sparse numbers (every fourth) keep one range each up to {@link RetiredChannels#MAX_RANGES};
     * beyond, the lowest gaps are filled: the count stays there, the lowest unused numbers count
     * as used, the highest ones do not.
     */
    @Test
    void sparseNumbersAreHeldInABoundedNumberOfRanges() {
        RetiredChannels r = new RetiredChannels();
        int n = RetiredChannels.MAX_RANGES + 500;
        for (long i = 0; i < n; i++) {
            r.add(4 * i);
        }
        assertEquals(RetiredChannels.MAX_RANGES, r.ranges());
        for (long i = 0; i < 500; i++) {
            assertTrue(r.contains(4 * i + 2), "gap " + (4 * i + 2) + " filled");
        }
        assertFalse(r.contains(4 * 500 + 2), "the lowest gap still held");
        assertFalse(r.contains(4L * (n - 1) + 2), "above the highest");
        for (long i = 0; i < n; i++) {
            assertTrue(r.contains(4 * i));
            assertFalse(r.contains(4 * i + 1), "odd numbers are the other half");
        }
    }
}
