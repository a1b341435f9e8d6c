package io.keymesh.channel;

/**
 * Round-trip time estimation (RFC 9002 section 5): the latest sample, the minimum, the smoothed
 * RTT and its variation, and from them the probe timeout base (section 6.2.1).
 *
 * <p>Before the first sample the smoothed RTT is {@link #INITIAL_RTT_NANOS} and rttvar half of it
 * (section 6.2.2); the first sample replaces both (section 5.3). Later samples are first reduced by
 * the peer's ack delay, capped at its max_ack_delay — the handshake is always confirmed here, since
 * WireGuard did it — unless that would take the sample below the minimum, and then averaged:
 * {@code rttvar = 3/4 rttvar + 1/4 |smoothed - adjusted|} (with the old smoothed value), then
 * {@code smoothed = 7/8 smoothed + 1/8 adjusted}. Integer nanoseconds; divisions round down.
 *
 * <p>All times are nanoseconds. Not thread-safe; owned by one connection.
 */
public final class RttEstimator {
    /** kInitialRtt (RFC 9002 section 6.2.2): 333 ms. */
    public static final long INITIAL_RTT_NANOS = 333_000_000L;
    /** kGranularity (RFC 9002 section 6.1.2): the timer granularity, 1 ms. */
    public static final long GRANULARITY_NANOS = 1_000_000L;
    /**
     * The peer's max_ack_delay (RFC 9000 section 18.2's default, 25 ms). keymesh exchanges no
     * transport parameters, so both sides use this value.
     */
    public static final long DEFAULT_MAX_ACK_DELAY_NANOS = 25_000_000L;

    private final long maxAckDelay;
    private long latest;
    private long min;
    private long smoothed;
    private long rttvar;
    private boolean hasSample;
    private long firstSampleTime;
    private long samples;

    /** An estimator with kInitialRtt and the default max_ack_delay. */
    public RttEstimator() {
        this(INITIAL_RTT_NANOS, DEFAULT_MAX_ACK_DELAY_NANOS);
    }

    /**
     * @param initialRttNanos the smoothed RTT assumed before any sample (a resumed path may know better)
     * @param maxAckDelayNanos the peer's max_ack_delay
     */
    public RttEstimator(long initialRttNanos, long maxAckDelayNanos) {
        if (initialRttNanos <= 0 || maxAckDelayNanos < 0) {
            throw new IllegalArgumentException("initial rtt " + initialRttNanos + ", max ack delay " + maxAckDelayNanos);
        }
        this.maxAckDelay = maxAckDelayNanos;
        this.smoothed = initialRttNanos;
        this.rttvar = initialRttNanos / 2;
    }

    /**
     * Takes an RTT sample (RFC 9002 section 5.3).
     *
     * @param latestRttNanos time from sending the largest newly acknowledged packet to receiving
     *     its ACK (negative values count as 0)
     * @param ackDelayNanos the ack delay the peer reported in that ACK
     * @param nowNanos when the ACK was received
     */
    public void update(long latestRttNanos, long ackDelayNanos, long nowNanos) {
        latest = Math.max(0, latestRttNanos);
        samples++;
        if (!hasSample) {
            hasSample = true;
            firstSampleTime = nowNanos;
            min = latest;
            smoothed = latest;
            rttvar = latest / 2;
            return;
        }
        min = Math.min(min, latest);
        long ackDelay = Math.min(Math.max(0, ackDelayNanos), maxAckDelay);
        long adjusted = latest;
        if (latest >= min + ackDelay) {
            adjusted = latest - ackDelay;
        }
        rttvar = (3 * rttvar + Math.abs(smoothed - adjusted)) / 4;
        smoothed = (7 * smoothed + adjusted) / 8;
    }

    /** latest_rtt: the most recent sample, 0 before any. */
    public long latest() {
        return latest;
    }

    /** min_rtt: the smallest sample (ack delay not subtracted), 0 before any. */
    public long min() {
        return min;
    }

    /** smoothed_rtt. */
    public long smoothed() {
        return smoothed;
    }

    /** rttvar. */
    public long rttvar() {
        return rttvar;
    }

    /** Samples taken so far. */
    public long samples() {
        return samples;
    }

    /** True once a sample has been taken. */
    public boolean hasSample() {
        return hasSample;
    }

    /** When the first sample was taken (meaningful only if {@link #hasSample}). */
    public long firstSampleTime() {
        return firstSampleTime;
    }

    /** The peer's max_ack_delay used here. */
    public long maxAckDelay() {
        return maxAckDelay;
    }

    /**
     * The probe timeout before backoff (RFC 9002 section 6.2.1), for the application data space:
     * {@code smoothed_rtt + max(4 * rttvar, kGranularity) + max_ack_delay}.
     */
    public long ptoBase() {
        return smoothed + Math.max(4 * rttvar, GRANULARITY_NANOS) + maxAckDelay;
    }

    /** The probe timeout after {@code ptoCount} expirations: {@code ptoBase() * 2^ptoCount}, saturating. */
    public long pto(int ptoCount) {
        long base = ptoBase();
        int shift = Math.max(0, ptoCount);
        if (shift >= Long.numberOfLeadingZeros(base) - 1) {
            return Long.MAX_VALUE;
        }
        return base << shift;
    }
}
