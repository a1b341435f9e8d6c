package io.keymesh.channel;

/**
 * A delay signal beside loss-based congestion control: it notices when the sender keeps a standing
 * queue on the path — every packet of a round waits noticeably longer than the path's minimum RTT —
 * and names the window that drains it. Loss-based CUBIC and NewReno only back off when a queue
 * overflows; where queues are deep and loss is rare (loopback, a host's socket buffers, bufferbloat)
 * they fill them, and everything else on the connection (a small message on another channel, an
 * ACK) waits behind them. The connection hands the window to
 * {@link CongestionController#onStandingQueue} as a congestion event without loss; in slow start
 * this is also what ends it when no loss comes (the role HyStart++, RFC 9406, plays with its
 * delay increase).
 *
 * <ul>
 *   <li><b>min_rtt</b> is the smallest RTT sample (less the peer's ack delay, as RFC 9002 section
 *       5.3 adjusts) over the last {@link #MIN_RTT_WINDOW_NANOS} to {@code 2 *} that, kept in two
 *       buckets, so that a path whose delay grew for good (a new route) is learnt again.
 *   <li>A <b>round</b> lasts {@code max(smoothed_rtt, }{@link #MIN_ROUND_NANOS}{@code )}. Its
 *       standing RTT is the smallest sample taken in it (Copa's "standing RTT"): random jitter that
 *       lets some packets of the round through quickly does not count, only a queue none of them
 *       escapes. A round that has not yet had {@link #MIN_SAMPLES} samples goes on until it has.
 *   <li>The <b>target</b> queueing delay is {@code max(}{@link #TARGET_FLOOR_NANOS}{@code ,
 *       min_rtt / 4, 2 * spread)}, where spread is a moving average (gain 1/4) of each round's
 *       mean sample less its smallest: the path's own jitter widens the target, so that jitter
 *       alone never reads as a queue. A queue that stands through a round does not widen it; one
 *       that comes and goes within a round does, the sender's own bursts included (on loopback,
 *       where a burst of 64 KiB packets takes the receiver a millisecond, that sets the target).
 *   <li>When a round's standing RTT exceeds min_rtt by more than the target, the signal is the
 *       window that would leave half the target of queue at the current delivery rate,
 *       {@code bytes_in_flight * (min_rtt + target / 2) / standing_rtt} (draining it all would
 *       leave the bottleneck idle while the window grows back) — or all of it, while the current
 *       min_rtt bucket has not yet seen the minimum, so that the minimum is measured again in every
 *       bucket instead of creeping up with the queue left standing (BBR drains for the same
 *       reason) — but not below
 *       {@link #REDUCTION_FLOOR} of bytes in flight per event (a mistaken signal costs no more
 *       than a loss would). The next round starts after one more smoothed RTT, so that the
 *       reduction is seen before it is judged again.
 * </ul>
 *
 * <p>Samples are RTTs from the {@link RttEstimator}'s updates. Times are nanoseconds, sizes bytes.
 * Not thread-safe; belongs to one connection.
 */
public final class StandingQueue {
    /** Half the span over which min_rtt is the smallest sample (BBR keeps it for 10 s). */
    public static final long MIN_RTT_WINDOW_NANOS = 5_000_000_000L;
    /** The shortest round: below this, a round holds too few ACKs to judge on a fast path. */
    public static final long MIN_ROUND_NANOS = 200_000L;
    /** Samples a round needs before its standing RTT means anything (HyStart++'s N_RTT_SAMPLE). */
    public static final int MIN_SAMPLES = 8;
    /** The smallest queueing delay taken as a standing queue. */
    public static final long TARGET_FLOOR_NANOS = 250_000L;
    /** The deepest cut one signal asks for, as a fraction of bytes in flight (CUBIC's beta). */
    public static final double REDUCTION_FLOOR = 0.7;

    private static final long NONE = Long.MIN_VALUE;

    private long bucketMin = Long.MAX_VALUE;   // the current bucket's minimum
    private long previousBucketMin = Long.MAX_VALUE;
    private long bucketStart = NONE;

    private long roundStart = NONE;
    private long roundMin = Long.MAX_VALUE;
    private long roundSum;
    private int roundSamples;
    private long spread;
    private long rounds;

    private long signals;

    /**
     * Takes one RTT sample and judges the round when it ends.
     *
     * @param latestRttNanos the sample, as the {@link RttEstimator} took it
     * @param ackDelayNanos the ack delay the peer reported with it (capped at the peer's max_ack_delay)
     * @param smoothedRttNanos the smoothed RTT after the sample
     * @param bytesInFlight bytes in flight when the ACK arrived
     * @return the window to reduce to if the round just ended with a standing queue, else -1
     */
    public long onRttSample(long nowNanos, long latestRttNanos, long ackDelayNanos, long smoothedRttNanos,
            long bytesInFlight) {
        long sample = Math.max(0, latestRttNanos - Math.max(0, ackDelayNanos));
        updateMinRtt(nowNanos, sample);
        long min = minRtt();
        if (roundStart == NONE) {
            startRound(nowNanos);
        } else if (nowNanos < roundStart) {
            return -1; // still waiting for a reduction to show
        }
        roundMin = Math.min(roundMin, sample);
        roundSum += sample;
        roundSamples++;
        if (nowNanos - roundStart < Math.max(smoothedRttNanos, MIN_ROUND_NANOS) || roundSamples < MIN_SAMPLES) {
            return -1;
        }
        long standing = roundMin;
        long roundSpread = roundSum / roundSamples - roundMin;
        spread = rounds++ == 0 ? roundSpread : (3 * spread + roundSpread) / 4;
        long target = target(min);
        if (standing - min <= target) {
            startRound(nowNanos);
            return -1;
        }
        signals++;
        // Judge again only once the reduction has had a round trip to show.
        roundStart = nowNanos + smoothedRttNanos;
        roundMin = Long.MAX_VALUE;
        roundSum = 0;
        roundSamples = 0;
        // Half the target stays queued, except when this bucket has not yet seen the path's
        // minimum: then the queue drains entirely, so min_rtt is measured again rather than
        // creeping up with the queue that stays.
        long leave = bucketMin > previousBucketMin ? 0 : target / 2;
        double keep = Math.max(REDUCTION_FLOOR, (double) (min + leave) / standing);
        return (long) (bytesInFlight * keep);
    }

    /** The smallest adjusted RTT sample of the last one to two {@link #MIN_RTT_WINDOW_NANOS}; {@link Long#MAX_VALUE} before any. */
    public long minRtt() {
        return Math.min(bucketMin, previousBucketMin);
    }

    /** The queueing delay taken as a standing queue now (see the class comment). */
    public long targetNanos() {
        long min = minRtt();
        return target(min == Long.MAX_VALUE ? 0 : min);
    }

    /** The moving average of rounds' mean sample less their smallest: the path's jitter as seen here. */
    public long spreadNanos() {
        return spread;
    }

    /** Standing queues signalled so far. */
    public long signals() {
        return signals;
    }

    private long target(long min) {
        return Math.max(TARGET_FLOOR_NANOS, Math.max(min / 4, 2 * spread));
    }

    private void startRound(long now) {
        roundStart = now;
        roundMin = Long.MAX_VALUE;
        roundSum = 0;
        roundSamples = 0;
    }

    private void updateMinRtt(long now, long sample) {
        if (bucketStart == NONE) {
            bucketStart = now;
        } else if (now - bucketStart >= MIN_RTT_WINDOW_NANOS) {
            previousBucketMin = bucketMin;
            bucketMin = Long.MAX_VALUE;
            bucketStart = now;
        }
        bucketMin = Math.min(bucketMin, sample);
    }
}
