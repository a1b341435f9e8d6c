package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class Tai64nPropertyTest {
    private static byte[] stamp(long epochNanos) {
        byte[] out = new byte[Tai64n.LENGTH];
        Tai64n.write(epochNanos, out, 0);
        return out;
    }

    @Property
    void orderFollowsTimeAtWhitenedGranularity(
            @ForAll @LongRange(min = -4_000_000_000_000_000_000L, max = 4_000_000_000_000_000_000L) long t,
            @ForAll @LongRange(min = 0, max = 100_000_000_000L) long delta) {
        byte[] earlier = stamp(t);
        byte[] later = stamp(t + delta);
        assertFalse(Tai64n.isAfter(earlier, 0, later, 0), "an earlier time is never newer");
        if (delta >= 1L << 24) {
            assertTrue(Tai64n.isAfter(later, 0, earlier, 0), "2^24 ns or more apart is always newer");
        }
    }
}
