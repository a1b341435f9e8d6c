package io.keymesh.node;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bound on datagrams a node has queued for its loop thread ({@link MeshNode#send} when it cannot
 * send on the caller's thread): at most a number of datagrams and a number of bytes at once. The
 * count alone would let large datagrams hold a gibibyte of heap (16,384 of 64 KiB); the bytes alone
 * would let empty ones queue up by the million.
 *
 * <p>Thread-safe and lock-free: the count and the bytes share one atomic word (the count in the high
 * 32 bits, the bytes in the low 32), so taking or giving back a place is one atomic add, as a plain
 * counter's would be.
 */
final class PendingSends {
    private static final long ONE = 1L << 32;

    private final int maxCount;
    private final int maxBytes;
    private final AtomicLong countAndBytes = new AtomicLong();

    /** At most {@code maxCount} datagrams and {@code maxBytes} bytes (below 1 GiB) at once. */
    PendingSends(int maxCount, int maxBytes) {
        if (maxCount <= 0 || maxBytes <= 0 || maxBytes >= 1 << 30) {
            throw new IllegalArgumentException("bounds out of range: " + maxCount + " datagrams, " + maxBytes + " bytes");
        }
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    /**
     * Takes a place for a datagram of {@code bytes} (0 to 64 KiB). A thread whose datagram would go
     * past either bound takes nothing and gets false; while it backs out, another may be refused too.
     * A refusal when the bound is already reached only reads: senders that retry at once do not
     * fight the loop for the counter.
     */
    boolean tryAdd(int bytes) {
        long delta = ONE | bytes;
        if (exceeds(countAndBytes.get() + delta)) {
            return false;
        }
        if (exceeds(countAndBytes.addAndGet(delta))) {
            countAndBytes.addAndGet(-delta);
            return false;
        }
        return true;
    }

    private boolean exceeds(long packed) {
        return (packed >>> 32) > maxCount || (packed & 0xffff_ffffL) > maxBytes;
    }

    /** Gives back the place a successful {@link #tryAdd} of {@code bytes} took. */
    void remove(int bytes) {
        countAndBytes.addAndGet(-(ONE | bytes));
    }

    /** Datagrams queued now. */
    int count() {
        return (int) (countAndBytes.get() >>> 32);
    }

    /** Bytes queued now. */
    long bytes() {
        return countAndBytes.get() & 0xffff_ffffL;
    }
}
