package io.keymesh.session;

import java.util.Arrays;

/**
 * Anti-replay filter for transport-data counters: the sliding bitmap window of RFC 6479 (section 2),
 * a ring of {@link #RING_BLOCKS} blocks of {@link #BLOCK_BITS} bits. One block is kept as slack so
 * the window can advance a whole block at a time, which leaves {@value #WINDOW_SIZE} counters of
 * history behind the highest counter seen.
 *
 * <p>Counters are unsigned 64-bit values. Call {@link #accept} only after the packet has been
 * authenticated; a forged packet must not advance the window.
 *
 * <p>Not safe for concurrent use. Allocates nothing after construction.
 */
public final class ReplayWindow {
    /** log2 of {@link #BLOCK_BITS}. */
    private static final int BLOCK_BIT_LOG = 6;
    /** Bits per block (one {@code long}). */
    static final int BLOCK_BITS = 1 << BLOCK_BIT_LOG;
    /** Blocks in the ring; a power of two. */
    static final int RING_BLOCKS = 128;
    /** Counters of history kept behind the highest one seen: (128 − 1) × 64. */
    public static final int WINDOW_SIZE = (RING_BLOCKS - 1) * BLOCK_BITS;

    private static final int BLOCK_MASK = RING_BLOCKS - 1;
    private static final int BIT_MASK = BLOCK_BITS - 1;

    private final long[] ring = new long[RING_BLOCKS];
    /** Highest counter accepted so far (unsigned); 0 when empty. */
    private long last;

    /** Creates an empty window, which accepts any counter below the limit. */
    public ReplayWindow() {}

    /**
     * Accepts {@code counter} if it is fresh: below {@code limit}, not older than
     * {@value #WINDOW_SIZE} behind the highest counter accepted, and not accepted before. A fresh
     * counter is recorded; otherwise nothing changes.
     *
     * @param counter the packet's counter, unsigned
     * @param limit exclusive upper bound on counters, unsigned (REJECT_AFTER_MESSAGES)
     * @return whether the counter was fresh
     */
    public boolean accept(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return false;
        }
        long block = counter >>> BLOCK_BIT_LOG;
        if (Long.compareUnsigned(counter, last) > 0) {
            long current = last >>> BLOCK_BIT_LOG;
            long advance = Math.min(block - current, RING_BLOCKS);
            for (long i = 1; i <= advance; i++) {
                ring[(int) ((current + i) & BLOCK_MASK)] = 0;
            }
            last = counter;
        } else if (Long.compareUnsigned(last - counter, WINDOW_SIZE) > 0) {
            return false;
        }
        int index = (int) (block & BLOCK_MASK);
        long bit = 1L << (counter & BIT_MASK);
        long old = ring[index];
        ring[index] = old | bit;
        return (old & bit) == 0;
    }

    /** Empties the window, as for a new keypair. */
    public void reset() {
        last = 0;
        Arrays.fill(ring, 0);
    }
}
