package io.keymesh.testing;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Random inputs for {@link SeededProperty} bodies, biased toward where bugs live. A number in
 * {@code [min, max]} is, about one time in eight, one of the range's {@linkplain #edges edges};
 * otherwise half the time uniform over the range and half the time of uniformly chosen
 * magnitude, near 0 (or near the bound closest to 0), so that small values and every power of two
 * in between turn up, not only values of the range's own size. A byte array has such a length,
 * and about one time in eight is filled with one edge byte (0, 1, -1, 127 or -128).
 *
 * <p>Everything follows from the generator passed in: the same generator state gives the same
 * value.
 */
public final class Gen {
    private static final byte[] EDGE_BYTES = {0, 1, -1, Byte.MAX_VALUE, Byte.MIN_VALUE};

    private Gen() {}

    /** A value in {@code [min, max]}, biased as the class describes. */
    public static long longs(RandomGenerator r, long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("empty range [" + min + ", " + max + "]");
        }
        int kind = r.nextInt(16);
        if (kind < 2) {
            long[] edges = edges(min, max);
            return edges[r.nextInt(edges.length)];
        }
        if (kind < 9) {
            return uniform(r, min, max);
        }
        long target = Math.clamp(0, min, max);
        long up = max - target; // both distances as unsigned: at most 2^63 + (2^63 - 1)
        long down = target - min;
        boolean goUp = down == 0 || (up != 0 && r.nextBoolean());
        long distance = goUp ? up : down;
        int bits = 64 - Long.numberOfLeadingZeros(distance);
        int magnitude = r.nextInt(bits + 1); // 0 .. bits
        long offset = magnitude == 0 ? 0 : r.nextLong() >>> (64 - magnitude);
        if (Long.compareUnsigned(offset, distance) > 0) {
            offset = Long.remainderUnsigned(offset, distance + 1);
        }
        return goUp ? target + offset : target - offset;
    }

    /** A value in {@code [min, max]}, biased as the class describes. */
    public static int ints(RandomGenerator r, int min, int max) {
        return (int) longs(r, min, max);
    }

    /** Any long, biased as the class describes (edges: MIN_VALUE, MIN_VALUE + 1, -1, 0, 1, MAX_VALUE - 1, MAX_VALUE). */
    public static long anyLong(RandomGenerator r) {
        return longs(r, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Any int, biased as the class describes. */
    public static int anyInt(RandomGenerator r) {
        return ints(r, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A byte array of length in {@code [minLength, maxLength]}, its length and content biased as the class describes. */
    public static byte[] bytes(RandomGenerator r, int minLength, int maxLength) {
        byte[] b = new byte[ints(r, minLength, maxLength)];
        if (r.nextInt(8) == 0) {
            Arrays.fill(b, EDGE_BYTES[r.nextInt(EDGE_BYTES.length)]);
        } else {
            r.nextBytes(b);
        }
        return b;
    }

    /**
     * The edges of {@code [min, max]}, ascending and distinct: min, min + 1, max - 1, max, and
     * whichever of -1, 0 and 1 lie in the range. For explicit edge cases next to the random ones.
     */
    public static long[] edges(long min, long max) {
        long[] candidates = {min, min + 1, max - 1, max, -1, 0, 1}; // min + 1 and max - 1 may wrap: dropped below
        Arrays.sort(candidates);
        long[] edges = new long[candidates.length];
        int n = 0;
        for (long v : candidates) {
            if (v >= min && v <= max && (n == 0 || edges[n - 1] != v)) {
                edges[n++] = v;
            }
        }
        return Arrays.copyOf(edges, n);
    }

    private static long uniform(RandomGenerator r, long min, long max) {
        if (max != Long.MAX_VALUE) {
            return r.nextLong(min, max + 1);
        }
        return min == Long.MIN_VALUE ? r.nextLong() : r.nextLong(min - 1, max) + 1;
    }
}
