package io.keymesh.overlay;

/**
 * Settings of discovery by key ({@link Seeks}): whether this node looks for peers it has no path to
 * and passes other members' seeks on, how many members a seek may reach, how long the origin waits
 * before it calls the key unreachable, and how many seeks per second it takes from one origin and
 * from one link (the excess is dropped and counted); and whether a pair that meets through a relay
 * tries to go direct ({@code goDirect}: candidates exchanged and checked, {@link HolePunch}) — off,
 * this node's peers reached through relays stay relayed, and it offers them no addresses.
 */
public record DiscoveryConfig(boolean enabled, int maxHops, long timeoutNanos, int seeksPerSecondPerOrigin,
        int seeksPerSecondPerLink, boolean goDirect) {
    /** On; 3 hops; unreachable after 3 s; 5 seeks/s per origin, 50 per link; going direct. */
    public static final DiscoveryConfig DEFAULT = new DiscoveryConfig(true, 3, 3_000_000_000L, 5, 50, true);
    /** Off: peers without a known path wait to be reached; other members' seeks are dropped. */
    public static final DiscoveryConfig OFF = DEFAULT.withEnabled(false);

    public DiscoveryConfig {
        if (maxHops < 1 || maxHops > io.keymesh.wire.SeekFrame.MAX_HOPS) {
            throw new IllegalArgumentException("max hops must be 1.." + io.keymesh.wire.SeekFrame.MAX_HOPS + ", got " + maxHops);
        }
        if (timeoutNanos < 100_000_000L || timeoutNanos > 60_000_000_000L) {
            throw new IllegalArgumentException("the seek timeout must be 100 ms to 60 s");
        }
        if (seeksPerSecondPerOrigin < 1 || seeksPerSecondPerLink < 1) {
            throw new IllegalArgumentException("seek rates must be at least 1 per second");
        }
    }

    /** Without {@code goDirect}: going direct on. */
    public DiscoveryConfig(boolean enabled, int maxHops, long timeoutNanos, int seeksPerSecondPerOrigin,
            int seeksPerSecondPerLink) {
        this(enabled, maxHops, timeoutNanos, seeksPerSecondPerOrigin, seeksPerSecondPerLink, true);
    }

    public DiscoveryConfig withEnabled(boolean on) {
        return new DiscoveryConfig(on, maxHops, timeoutNanos, seeksPerSecondPerOrigin, seeksPerSecondPerLink, goDirect);
    }

    public DiscoveryConfig withMaxHops(int hops) {
        return new DiscoveryConfig(enabled, hops, timeoutNanos, seeksPerSecondPerOrigin, seeksPerSecondPerLink, goDirect);
    }

    public DiscoveryConfig withTimeoutNanos(long nanos) {
        return new DiscoveryConfig(enabled, maxHops, nanos, seeksPerSecondPerOrigin, seeksPerSecondPerLink, goDirect);
    }

    /** Whether pairs that meet through a relay try to go direct. */
    public DiscoveryConfig withGoDirect(boolean on) {
        return new DiscoveryConfig(enabled, maxHops, timeoutNanos, seeksPerSecondPerOrigin, seeksPerSecondPerLink, on);
    }
}
