package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class Tai64nPropertyTest {
    private static final long MAX_T = 4_000_000_000_000_000_000L;
    private static final long MAX_DELTA = 100_000_000_000L;
    private static final long WHITENED = 1L << 24;

    private static byte[] stamp(long epochNanos) {
        byte[] out = new byte[Tai64n.LENGTH];
        Tai64n.write(epochNanos, out, 0);
        return out;
    }

    /** An earlier time is never newer, and 2^24 ns or more later is always newer. */
    private static void checkOrder(long t, long delta) {
        byte[] earlier = stamp(t);
        byte[] later = stamp(t + delta);
        String what = "t=" + t + " delta=" + delta;
        assertFalse(Tai64n.isAfter(earlier, 0, later, 0), "an earlier time is never newer: " + what);
        if (delta >= WHITENED) {
            assertTrue(Tai64n.isAfter(later, 0, earlier, 0), "2^24 ns or more apart is always newer: " + what);
        }
    }

    @Test
    void orderFollowsTimeAtWhitenedGranularity() {
        SeededProperty.forAll(1000, r -> checkOrder(Gen.longs(r, -MAX_T, MAX_T), Gen.longs(r, 0, MAX_DELTA)));
    }

    /** Both ends of both ranges, second boundaries (before and after the epoch) and the whitening step. */
    @Test
    void orderFollowsTimeAtTheEdges() {
        long[] seconds = {-1_000_000_000L, -WHITENED, 999_999_999L, 1_000_000_000L - WHITENED, 1_000_000_000L};
        long[] times = LongStream.concat(LongStream.of(Gen.edges(-MAX_T, MAX_T)), LongStream.of(seconds)).toArray();
        long[] deltas = LongStream.concat(LongStream.of(Gen.edges(0, MAX_DELTA)),
                LongStream.of(WHITENED - 1, WHITENED, WHITENED + 1, 999_999_999L, 1_000_000_000L)).toArray();
        for (long t : times) {
            for (long delta : deltas) {
                checkOrder(t, delta);
            }
        }
    }
}
