package io.keymesh.channel;

/**
 * NewReno congestion control as RFC 9002 specifies it (section 7 and appendix B): slow start
 * adds the acknowledged bytes to the window; congestion avoidance adds one maximum datagram size
 * per window of acknowledged bytes (counted as in RFC 3465, which section 7.3.3 allows); a
 * congestion event halves the window ({@link #LOSS_REDUCTION_NUMERATOR}/{@link #LOSS_REDUCTION_DENOMINATOR},
 * not below kMinimumWindow) once per recovery period; persistent congestion collapses it to
 * kMinimumWindow. A standing queue ({@link #onStandingQueue}) sets the window and ssthresh to
 * the window asked for, once per recovery period like a loss.
 *
 * <p>Bytes and nanoseconds. Not thread-safe; belongs to one connection.
 */
public final class NewReno implements CongestionController {
    /** kLossReductionFactor = 0.5 (RFC 9002 section 7.3.2): numerator. */
    public static final int LOSS_REDUCTION_NUMERATOR = 1;
    /** kLossReductionFactor: denominator. */
    public static final int LOSS_REDUCTION_DENOMINATOR = 2;

    private static final long NO_RECOVERY = Long.MIN_VALUE;

    private int mss;
    private long window;
    private long ssthresh = Long.MAX_VALUE;
    private long recoveryStart = NO_RECOVERY;
    private long bytesAckedInAvoidance;

    /** A controller starting at the initial window for {@code maxDatagramSize}. */
    public NewReno(int maxDatagramSize) {
        checkMss(maxDatagramSize);
        this.mss = maxDatagramSize;
        this.window = CongestionController.initialWindow(maxDatagramSize);
    }

    @Override
    public long window() {
        return window;
    }

    @Override
    public long slowStartThreshold() {
        return ssthresh;
    }

    @Override
    public int maxDatagramSize() {
        return mss;
    }

    @Override
    public void setMaxDatagramSize(int bytes) {
        checkMss(bytes);
        mss = bytes;
        window = Math.max(window, CongestionController.minimumWindow(mss));
    }

    /** When the current recovery period began, or {@link Long#MIN_VALUE} if not in one. */
    public long recoveryStartTime() {
        return recoveryStart;
    }

    @Override
    public void onPacketSent(long nowNanos, int bytes, long bytesInFlight) {
        // NewReno keeps no per-send state.
    }

    @Override
    public void onPacketAcked(long sentTimeNanos, int bytes, boolean appLimited, RttEstimator rtt, long nowNanos) {
        if (appLimited || inRecovery(sentTimeNanos)) {
            return;
        }
        if (window < ssthresh) {
            window += bytes;
            return;
        }
        bytesAckedInAvoidance += bytes;
        if (bytesAckedInAvoidance >= window) {
            bytesAckedInAvoidance -= window;
            window += mss;
        }
    }

    @Override
    public void onPacketsLost(long largestLostSentTimeNanos, boolean persistentCongestion, long nowNanos) {
        if (!inRecovery(largestLostSentTimeNanos)) {
            recoveryStart = nowNanos;
            ssthresh = window * LOSS_REDUCTION_NUMERATOR / LOSS_REDUCTION_DENOMINATOR;
            window = Math.max(ssthresh, CongestionController.minimumWindow(mss));
            bytesAckedInAvoidance = 0;
        }
        if (persistentCongestion) {
            window = CongestionController.minimumWindow(mss);
            recoveryStart = NO_RECOVERY;
            bytesAckedInAvoidance = 0;
        }
    }

    @Override
    public void onStandingQueue(long nowNanos, long bytesInFlight, long window) {
        long target = Math.max(CongestionController.minimumWindow(mss), Math.min(this.window, window));
        if (target >= this.window) {
            return;
        }
        recoveryStart = nowNanos;
        ssthresh = target;
        this.window = target;
        bytesAckedInAvoidance = 0;
    }

    private boolean inRecovery(long sentTimeNanos) {
        return recoveryStart != NO_RECOVERY && sentTimeNanos <= recoveryStart;
    }

    private static void checkMss(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("max datagram size " + bytes);
        }
    }
}
