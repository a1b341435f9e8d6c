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
}
