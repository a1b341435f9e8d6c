package io.keymesh.node;

/**
 * Whether a log line about a source (an address) may be written now: at most one per source per
 * {@code interval}, and at most {@code maxLines} in all per {@code interval} (fixed windows), so
 * that a flood from many addresses, spoofed ones included, writes a bounded log. Memory is fixed: a
 * table of {@code slots} sources by hash, where a new source takes the place of the one in its slot
 * (which may then be logged again before its interval ends; the overall cap still holds). Sources
 * are compared with {@code equals}.
 *
 * <p>Not thread-safe: one thread (a node's loop). Times are that thread's monotonic nanoseconds.
 */
final class LogRateLimiter {
    /** {@link #permit} result: no line now. */
    static final long DENIED = -1;

    private final long intervalNanos;
    private final int maxLines;
    private final Object[] sources;
    private final long[] lastLine;
    private final boolean[] logged;
    private final long[] suppressed;
    private long windowStart;
    private boolean windowStarted;
    private int linesInWindow;

    /** @param slots a power of two: sources remembered at once */
    LogRateLimiter(long intervalNanos, int maxLines, int slots) {
        if (intervalNanos <= 0 || maxLines < 1 || slots < 1 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("interval > 0, maxLines >= 1 and slots a power of two, got "
                    + intervalNanos + ", " + maxLines + ", " + slots);
        }
        this.intervalNanos = intervalNanos;
        this.maxLines = maxLines;
        this.sources = new Object[slots];
        this.lastLine = new long[slots];
        this.logged = new boolean[slots];
        this.suppressed = new long[slots];
    }

    /**
     * One event about {@code source} at {@code now}: {@link #DENIED} if no line may be written (the
     * event is counted for the source's next line), else how many events about it were denied
     * since its last line (0 after a new source took its slot); the caller writes one line.
     */
    long permit(Object source, long now) {
        int slot = slot(source);
        if (!source.equals(sources[slot])) {
            sources[slot] = source;
            logged[slot] = false;
            suppressed[slot] = 0;
        } else if (logged[slot] && now - lastLine[slot] < intervalNanos) {
            suppressed[slot]++;
            return DENIED;
        }
        if (!windowStarted || now - windowStart >= intervalNanos) {
            windowStarted = true;
            windowStart = now;
            linesInWindow = 0;
        }
        if (linesInWindow >= maxLines) {
            suppressed[slot]++;
            return DENIED;
        }
        linesInWindow++;
        logged[slot] = true;
        lastLine[slot] = now;
        long denied = suppressed[slot];
        suppressed[slot] = 0;
        return denied;
    }

    private int slot(Object source) {
        int h = source.hashCode() * 0x9E3779B9; // spread addresses that differ in their low bits only
        return (h ^ (h >>> 16)) & (sources.length - 1);
    }
}
