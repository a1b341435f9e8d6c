package io.keymesh.overlay;

/**
 * The relay service's settings: whether this node relays for its peers, how many circuits it joins
 * at most, how many bytes per second each circuit may carry (0: no limit), how long an idle
 * circuit lives, and how many of the circuits the openings of one link may take
 * ({@code maxCircuitsPerLink}; 0: half of {@code maxCircuits}, rounded up — see
 * {@link #circuitsPerLink()}).
 */
public record RelayConfig(boolean enabled, int maxCircuits, long bytesPerSecond, long idleTimeoutNanos,
        int maxCircuitsPerLink) {
    /** The smallest burst a circuit's token bucket allows, whatever its rate: a few full packets. */
    public static final long MIN_BURST_BYTES = 64 * 1024;
    /** On, 1,024 circuits, no rate limit, 2 minutes idle. */
    public static final RelayConfig DEFAULT = new RelayConfig(true, 1024, 0, 120_000_000_000L);
    /** Relaying off. */
    public static final RelayConfig OFF = new RelayConfig(false, 0, 0, 120_000_000_000L);

    public RelayConfig {
        if (maxCircuits < 0 || maxCircuits > 1 << 20) {
            throw new IllegalArgumentException("max circuits must be 0.." + (1 << 20) + ", got " + maxCircuits);
        }
        if (maxCircuitsPerLink < 0 || maxCircuitsPerLink > maxCircuits) {
            throw new IllegalArgumentException("max circuits per link must be 0 (half of max circuits) or 1.." + maxCircuits
                    + " (max circuits), got " + maxCircuitsPerLink);
        }
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytes per second must be >= 0, got " + bytesPerSecond);
        }
        if (idleTimeoutNanos <= 0) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
    }

    /** Settings whose share per link is the default: half of {@code maxCircuits}, rounded up. */
    public RelayConfig(boolean enabled, int maxCircuits, long bytesPerSecond, long idleTimeoutNanos) {
        this(enabled, maxCircuits, bytesPerSecond, idleTimeoutNanos, 0);
    }

    /**
     * Circuits the RELAY_OPENs that came on one link may hold at once: {@link #maxCircuitsPerLink()},
     * or half of {@link #maxCircuits()} (rounded up) if that is 0. One member cannot take every
     * circuit of a relay; a relay in the middle of multi-hop routes sees the circuits of every member
     * behind the previous relay on that one link, which is why the share is a setting.
     */
    public int circuitsPerLink() {
        return maxCircuitsPerLink != 0 ? maxCircuitsPerLink : (maxCircuits + 1) / 2;
    }

    public RelayConfig withMaxCircuitsPerLink(int n) {
        return new RelayConfig(enabled, maxCircuits, bytesPerSecond, idleTimeoutNanos, n);
    }

    public RelayConfig withEnabled(boolean on) {
        return new RelayConfig(on, maxCircuits, bytesPerSecond, idleTimeoutNanos, maxCircuitsPerLink);
    }

    public RelayConfig withMaxCircuits(int n) {
        return new RelayConfig(enabled, n, bytesPerSecond, idleTimeoutNanos, Math.min(maxCircuitsPerLink, n));
    }

    public RelayConfig withBytesPerSecond(long rate) {
        return new RelayConfig(enabled, maxCircuits, rate, idleTimeoutNanos, maxCircuitsPerLink);
    }
}
