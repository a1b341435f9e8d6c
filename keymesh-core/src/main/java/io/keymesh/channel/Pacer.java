package io.keymesh.channel;

/**
 * A token-bucket pacer (RFC 9002 section 7.7): spreads a window's packets over the round trip
 * instead of sending them in one burst. Tokens are bytes; they refill at
 * {@code N * cwnd / smoothed_rtt} with N = 5/4 (so the window is sent in 4/5 of an RTT) up to a
 * burst of {@link #BURST_PACKETS} maximum-size datagrams, or of what the rate sends in one
 * {@link #TIMER_GRANULARITY_NANOS} if that is more: the owner's timers cannot wake it more finely,
 * and a wait shorter than a timer tick would become a whole tick, throttling a fast path (on
 * loopback, with a window of a few hundred kilobytes and an RTT under a millisecond, ten packets
 * per millisecond would be all it sent). The bucket starts full, so the first burst and a burst
 * after idle leave at once.
 *
 * <p>The window, RTT and datagram size are passed to each call because they change; the rate is
 * the one in effect at the call. Integer arithmetic: a wait is rounded up to the next nanosecond.
 * Times are nanoseconds, sizes bytes. Not thread-safe; belongs to one connection.
 */
public final class Pacer {
    /** Datagrams that may leave back to back (the initial window's 10 packets, RFC 9002 section 7.2). */
    public static final int BURST_PACKETS = 10;
    /** The finest wake-up the owner's timers are assumed to give (kGranularity, RFC 9002 section 6.1.2). */
    public static final long TIMER_GRANULARITY_NANOS = RttEstimator.GRANULARITY_NANOS;

    private boolean started;
    private long tokens;
    private long fraction; // a fraction of a byte, in units of 1 / (N_den * srtt)
    private long fractionDenominator;
    private long lastRefill;

    /**
     * The earliest time a packet of {@code bytes} may be sent: {@code nowNanos} if the bucket holds
     * enough tokens, else when it will at the current rate. Never earlier than {@code nowNanos}.
     *
     * @param window the congestion window, bytes
     * @param smoothedRttNanos the smoothed RTT (0 disables pacing)
     * @param maxDatagramSize the maximum datagram size, bytes
     */
    public long nextSendTime(long nowNanos, int bytes, long window, long smoothedRttNanos, int maxDatagramSize) {
        refill(nowNanos, window, smoothedRttNanos, maxDatagramSize);
        if (smoothedRttNanos <= 0 || window <= 0 || tokens >= bytes) {
            return nowNanos;
        }
        long denominator = smoothedRttNanos * CongestionController.PACING_GAIN_DENOMINATOR;
        long perNanosecond = window * CongestionController.PACING_GAIN_NUMERATOR;
        long need = saturatingMultiply(bytes - tokens, denominator) - fraction;
        long wait = need / perNanosecond + (need % perNanosecond == 0 ? 0 : 1);
        return wait > Long.MAX_VALUE - nowNanos ? Long.MAX_VALUE : nowNanos + wait;
    }

    /** A packet of {@code bytes} was sent at {@code nowNanos}: its tokens are spent. */
    public void onPacketSent(long nowNanos, int bytes, long window, long smoothedRttNanos, int maxDatagramSize) {
        refill(nowNanos, window, smoothedRttNanos, maxDatagramSize);
        tokens = Math.max(0, tokens - bytes);
    }

    /** Tokens (bytes) in the bucket as of the last call. */
    public long tokens() {
        return tokens;
    }

    private void refill(long now, long window, long srtt, int mss) {
        long capacity = (long) BURST_PACKETS * mss;
        if (srtt > 0 && window > 0) {
            long perTick = saturatingMultiply(window * CongestionController.PACING_GAIN_NUMERATOR, TIMER_GRANULARITY_NANOS)
                    / (srtt * CongestionController.PACING_GAIN_DENOMINATOR);
            capacity = Math.max(capacity, perTick);
        }
        if (!started || srtt <= 0 || window <= 0) {
            started = true;
            tokens = capacity;
            fraction = 0;
            lastRefill = now;
            return;
        }
        long denominator = srtt * CongestionController.PACING_GAIN_DENOMINATOR;
        if (denominator != fractionDenominator) {
            fraction = 0; // less than a byte, in units that no longer apply
            fractionDenominator = denominator;
        }
        long elapsed = now - lastRefill;
        if (elapsed <= 0) {
            return;
        }
        lastRefill = now;
        if (tokens >= capacity) {
            tokens = capacity;
            fraction = 0;
            return;
        }
        long missing = saturatingMultiply(capacity - tokens, denominator) - fraction;
        long gained = saturatingMultiply(elapsed, window * CongestionController.PACING_GAIN_NUMERATOR);
        if (gained >= missing) {
            tokens = capacity;
            fraction = 0;
            return;
        }
        long total = gained + fraction; // < missing + fraction, no overflow
        tokens += total / denominator;
        fraction = total % denominator;
    }

    private static long saturatingMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }
}
