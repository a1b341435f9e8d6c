package io.keymesh.forward;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The SOCKS5 handshakes (greeting and request, RFC 1928) in progress on a forwarder's listeners:
 * at most {@link #max()} at once, each given at most {@link #deadlineMillis()} in all, however
 * slowly its client trickles bytes. A connection beyond the limit is closed at once; the counts
 * say how many were, and how many ran out of time. Thread-safe.
 */
final class SocksHandshakes {
    /** Handshakes in progress at once, over all SOCKS5 listeners. */
    static final int MAX_IN_PROGRESS = 256;
    /** The time a client has for its whole handshake. */
    static final long DEADLINE_MILLIS = 10_000;
    /** Refusals are logged at most once per this long (the rest are counted). */
    private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;

    private final int max;
    private final long deadlineMillis;
    private final AtomicInteger inProgress = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong lastLogNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong refusedAtLastLog = new AtomicLong();

    SocksHandshakes(int max, long deadlineMillis) {
        if (max < 1 || deadlineMillis < 1) {
            throw new IllegalArgumentException("max and deadline must be positive: " + max + ", " + deadlineMillis);
        }
        this.max = max;
        this.deadlineMillis = deadlineMillis;
    }

    /** A handshake starts, unless {@link #max()} are in progress: then false, and it is counted refused. */
    boolean tryBegin() {
        if (inProgress.incrementAndGet() > max) {
            inProgress.decrementAndGet();
            refused.incrementAndGet();
            return false;
        }
        return true;
    }

    /** A handshake that {@link #tryBegin} let start is over. */
    void end() {
        inProgress.decrementAndGet();
    }

    /** A handshake ran out of its deadline. */
    void onTimedOut() {
        timedOut.incrementAndGet();
    }

    /**
     * True if a refusal should be logged at {@code nowNanos} (the first, then one per minute);
     * {@link #refusedSinceLog} says how many the line stands for.
     */
    boolean shouldLogRefusal(long nowNanos) {
        long last = lastLogNanos.get();
        return (last == Long.MIN_VALUE || nowNanos - last >= LOG_INTERVAL_NANOS) && lastLogNanos.compareAndSet(last, nowNanos);
    }

    /** Refusals since the last logged one, this one included. */
    long refusedSinceLog() {
        long now = refused.get();
        return now - refusedAtLastLog.getAndSet(now);
    }

    int max() {
        return max;
    }

    long deadlineMillis() {
        return deadlineMillis;
    }

    int inProgress() {
        return inProgress.get();
    }

    long refused() {
        return refused.get();
    }

    long timedOut() {
        return timedOut.get();
    }
}
