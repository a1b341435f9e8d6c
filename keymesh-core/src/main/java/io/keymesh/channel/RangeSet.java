package io.keymesh.channel;

import java.util.Arrays;

/**
 * A set of longs held as disjoint, non-adjacent half-open ranges {@code [start, end)} in two sorted
 * arrays: lookups are binary searches, and adding or removing shifts at most the ranges after the
 * change. Sized for the stream offsets of one channel: acknowledged, lost or received ranges,
 * usually a handful, sometimes thousands. Nothing is allocated unless the arrays must grow.
 *
 * <p>Counts returned by {@link #add}, {@link #remove} and {@link #countIn} are exact for spans up
 * to {@link Long#MAX_VALUE} values (stream offsets stay below 2^62). Not thread-safe.
 */
public final class RangeSet {
    private long[] starts;
    private long[] ends;
    private int size;

    public RangeSet() {
        this(8);
    }

    public RangeSet(int initialCapacity) {
        int c = Math.max(1, initialCapacity);
        starts = new long[c];
        ends = new long[c];
    }

    /** Number of disjoint ranges. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Start (inclusive) of the {@code i}-th range in ascending order. */
    public long start(int i) {
        checkIndex(i);
        return starts[i];
    }

    /** End (exclusive) of the {@code i}-th range in ascending order. */
    public long end(int i) {
        checkIndex(i);
        return ends[i];
    }

    public void clear() {
        size = 0;
    }

    /** True if {@code v} is in the set. */
    public boolean contains(long v) {
        int j = lastStartAtMost(v);
        return j >= 0 && v < ends[j];
    }

    /** True if every value of {@code [start, end)} is in the set (true for an empty range). */
    public boolean containsAll(long start, long end) {
        if (start >= end) {
            return true;
        }
        int j = lastStartAtMost(start);
        return j >= 0 && end <= ends[j];
    }

    /** The smallest value {@code >= from} that is not in the set. */
    public long firstGap(long from) {
        int j = lastStartAtMost(from);
        return j >= 0 && from < ends[j] ? ends[j] : from;
    }

    /** The smallest range start {@code >= from}, or {@link Long#MAX_VALUE} if there is none. */
    public long nextStart(long from) {
        int i = firstEndAbove(from);
        if (i == size) {
            return Long.MAX_VALUE;
        }
        if (starts[i] >= from) {
            return starts[i];
        }
        return i + 1 < size ? starts[i + 1] : Long.MAX_VALUE;
    }

    /** Number of values of {@code [start, end)} in the set. */
    public long countIn(long start, long end) {
        long n = 0;
        for (int k = firstEndAbove(start); k < size && starts[k] < end; k++) {
            n += Math.min(end, ends[k]) - Math.max(start, starts[k]);
        }
        return n;
    }

    /**
     * Adds {@code [start, end)}, merging with ranges it overlaps or touches.
     *
     * @return how many values were not in the set before
     * @throws IllegalArgumentException if start > end
     */
    public long add(long start, long end) {
        checkRange(start, end);
        if (start == end) {
            return 0;
        }
        int i = firstEndAtLeast(start); // first range that overlaps or touches from the left
        int j = lastStartAtMost(end);   // last range that overlaps or touches from the right
        if (i > j) {
            insertAt(i, start, end);
            return end - start;
        }
        long s = Math.min(start, starts[i]);
        long e = Math.max(end, ends[j]);
        long had = 0;
        for (int k = i; k <= j; k++) {
            had += ends[k] - starts[k];
        }
        starts[i] = s;
        ends[i] = e;
        deleteRange(i + 1, j + 1);
        return (e - s) - had;
    }

    /**
     * Removes {@code [start, end)}.
     *
     * @return how many values were in the set and are no longer
     * @throws IllegalArgumentException if start > end
     */
    public long remove(long start, long end) {
        checkRange(start, end);
        if (start == end) {
            return 0;
        }
        int i = firstEndAbove(start);  // first range with a value >= start
        int j = lastStartBelow(end);   // last range with a value < end
        if (i > j) {
            return 0;
        }
        long removed = 0;
        for (int k = i; k <= j; k++) {
            removed += Math.min(end, ends[k]) - Math.max(start, starts[k]);
        }
        boolean keepLeft = starts[i] < start;
        boolean keepRight = ends[j] > end;
        long leftStart = starts[i];
        long rightEnd = ends[j];
        if (keepLeft && keepRight && i == j) {
            // split one range in two
            ends[i] = start;
            insertAt(i + 1, end, rightEnd);
            return removed;
        }
        int w = i;
        if (keepLeft) {
            starts[w] = leftStart;
            ends[w] = start;
            w++;
        }
        if (keepRight) {
            starts[w] = end;
            ends[w] = rightEnd;
            w++;
        }
        deleteRange(w, j + 1);
        return removed;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int k = 0; k < size; k++) {
            sb.append(k == 0 ? "" : ", ").append('[').append(starts[k]).append(", ").append(ends[k]).append(')');
        }
        return sb.append('}').toString();
    }

    // ------------------------------------------------------------------ internals

    /** Lowest index whose end is >= v, or size. */
    private int firstEndAtLeast(long v) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] >= v) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Lowest index whose end is > v, or size. */
    private int firstEndAbove(long v) {
        return v == Long.MAX_VALUE ? size : firstEndAtLeast(v + 1);
    }

    /** Highest index whose start is <= v, or -1. */
    private int lastStartAtMost(long v) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }

    /** Highest index whose start is < v, or -1. */
    private int lastStartBelow(long v) {
        return v == Long.MIN_VALUE ? -1 : lastStartAtMost(v - 1);
    }

    private void insertAt(int i, long s, long e) {
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            ends = Arrays.copyOf(ends, size * 2);
        }
        System.arraycopy(starts, i, starts, i + 1, size - i);
        System.arraycopy(ends, i, ends, i + 1, size - i);
        starts[i] = s;
        ends[i] = e;
        size++;
    }

    /** Deletes the ranges with indices in [from, to). */
    private void deleteRange(int from, int to) {
        if (to <= from) {
            return;
        }
        System.arraycopy(starts, to, starts, from, size - to);
        System.arraycopy(ends, to, ends, from, size - to);
        size -= to - from;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
    }

    private static void checkRange(long start, long end) {
        if (start > end) {
            throw new IllegalArgumentException("range [" + start + ", " + end + ") is inverted");
        }
    }
}
