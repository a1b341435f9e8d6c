package io.keymesh.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Gen}: values stay in range, edges and small magnitudes turn up, and the generator alone decides. */
class GenTest {
    private static final int DRAWS = 10_000;

    @Test
    void edgesOfRanges() {
        assertArrayEquals(new long[] {0, 1, 69, 70}, Gen.edges(0, 70));
        assertArrayEquals(new long[] {5}, Gen.edges(5L, 5L));
        assertArrayEquals(new long[] {-3, -2}, Gen.edges(-3L, -2L));
        assertArrayEquals(new long[] {-1, 0, 1}, Gen.edges(-1L, 1L));
        assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE - 1, Long.MAX_VALUE},
                Gen.edges(Long.MIN_VALUE, Long.MAX_VALUE));
        assertArrayEquals(new long[] {Long.MAX_VALUE - 1, Long.MAX_VALUE}, Gen.edges(Long.MAX_VALUE - 1, Long.MAX_VALUE));
        assertArrayEquals(new long[] {Long.MIN_VALUE}, Gen.edges(Long.MIN_VALUE, Long.MIN_VALUE));
        assertThrows(IllegalArgumentException.class, () -> Gen.longs(new SplittableRandom(1), 2, 1));
    }

    @Test
    void numbersStayInRangeAndHitEveryEdge() {
        long[][] ranges = {
            {0, 70}, {5, 5}, {-20_000, -1}, {1L << 20, 1L << 40}, {0, (1L << 62) - 1},
            {-4_000_000_000_000_000_000L, 4_000_000_000_000_000_000L}, {Long.MIN_VALUE, Long.MAX_VALUE},
            {Long.MIN_VALUE, Long.MIN_VALUE + 3}, {Long.MAX_VALUE - 3, Long.MAX_VALUE},
        };
        SplittableRandom r = new SplittableRandom(1);
        for (long[] range : ranges) {
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < DRAWS; i++) {
                long v = Gen.longs(r, range[0], range[1]);
                if (v < range[0] || v > range[1]) {
                    fail(v + " outside " + range[0] + ".." + range[1]);
                }
                seen.add(v);
            }
            for (long edge : Gen.edges(range[0], range[1])) {
                assertTrue(seen.contains(edge), "edge " + edge + " of " + range[0] + ".." + range[1]);
            }
        }
    }

    /** Every bit length turns up in a wide range, not only values as wide as the range. */
    @Test
    void smallMagnitudesTurnUpInWideRanges() {
        SplittableRandom r = new SplittableRandom(2);
        int[] byBitLength = new int[65];
        int negative = 0;
        for (int i = 0; i < DRAWS; i++) {
            long v = Gen.anyLong(r);
            byBitLength[64 - Long.numberOfLeadingZeros(v < 0 ? ~v : v)]++;
            negative += v < 0 ? 1 : 0;
        }
        for (int bits = 0; bits < 64; bits++) {
            assertTrue(byBitLength[bits] >= 20, bits + "-bit values: " + byBitLength[bits]);
        }
        assertTrue(negative > DRAWS / 3 && negative < DRAWS * 2 / 3, "negative: " + negative);
        int small = 0;
        for (int i = 0; i < DRAWS; i++) {
            small += Gen.longs(r, 0, 100_000_000_000L) < 1 << 24 ? 1 : 0;
        }
        assertTrue(small > DRAWS / 5, "below 2^24 in [0, 10^11]: " + small);
    }

    @Test
    void byteArraysHaveEdgeLengthsAndSometimesOneRepeatedByte() {
        SplittableRandom r = new SplittableRandom(3);
        Set<Integer> lengths = new HashSet<>();
        int filled = 0;
        for (int i = 0; i < DRAWS; i++) {
            byte[] b = Gen.bytes(r, 0, 70);
            assertTrue(b.length <= 70);
            lengths.add(b.length);
            boolean same = b.length > 8;
            for (int k = 1; k < b.length && same; k++) {
                same = b[k] == b[0];
            }
            filled += same ? 1 : 0;
        }
        assertEquals(71, lengths.size(), "every length from 0 to 70");
        assertTrue(filled > DRAWS / 20, "filled with one byte: " + filled);
        assertEquals(32, Gen.bytes(r, 32, 32).length);
    }

    @Test
    void theGeneratorAloneDecides() {
        SplittableRandom a = new SplittableRandom(4);
        SplittableRandom b = new SplittableRandom(4);
        for (int i = 0; i < 1000; i++) {
            assertEquals(Gen.anyLong(a), Gen.anyLong(b));
            assertArrayEquals(Gen.bytes(a, 0, 300), Gen.bytes(b, 0, 300));
        }
    }
}
