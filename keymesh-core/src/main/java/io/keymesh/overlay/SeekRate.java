package io.keymesh.overlay;

/**
 * A token bucket counted in seeks: {@code perSecond} a second, up to a burst of twice that. Not
 * thread-safe.
 */
final class SeekRate {
    private static final long SECOND = 1_000_000_000L;

    private final int perSecond;
    private final long burst;
    /** Tokens in units of 1/{@code perSecond} s, so refilling is exact in nanoseconds. */
    private long tokens;
    private long refilledAt;

    SeekRate(int perSecond, long now) {
        this.perSecond = perSecond;
        this.burst = 2L * SECOND; // two seconds' worth
        this.tokens = burst;
        this.refilledAt = now;
    }

    /** True if the bucket has refilled by {@code now}: this rate is then the same as a fresh one. */
    boolean isFull(long now) {
        return now - refilledAt >= burst - tokens;
    }

    /** Takes one seek's token; false if the bucket is empty. */
    boolean take(long now) {
        long elapsed = now - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed);
            refilledAt = now;
        }
        long cost = SECOND / perSecond;
        if (tokens < cost) {
            return false;
        }
        tokens -= cost;
        return true;
    }
}
