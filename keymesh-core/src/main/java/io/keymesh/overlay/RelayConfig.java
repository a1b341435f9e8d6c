package io.keymesh.overlay;

/**
 * The relay service's settings: whether this node relays for its peers, how many circuits it joins
 * at most, how many bytes per second each circuit may carry (0: no limit), and how long an idle
 * circuit lives.
 */
public record RelayConfig(boolean enabled, int maxCircuits, long bytesPerSecond, long idleTimeoutNanos) {
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
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytes per second must be >= 0, got " + bytesPerSecond);
        }
        if (idleTimeoutNanos <= 0) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
    }

    public RelayConfig withEnabled(boolean on) {
        return new RelayConfig(on, maxCircuits, bytesPerSecond, idleTimeoutNanos);
    }

    public RelayConfig withMaxCircuits(int n) {
        return new RelayConfig(enabled, n, bytesPerSecond, idleTimeoutNanos);
    }

    public RelayConfig withBytesPerSecond(long rate) {
        return new RelayConfig(enabled, maxCircuits, rate, idleTimeoutNanos);
    }
}
