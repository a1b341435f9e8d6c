package io.keymesh.channel;

/**
 * CUBIC congestion control (RFC 9438) in QUIC's framework (RFC 9002's recovery periods and
 * persistent congestion).
 *
 * <ul>
 *   <li>Slow start as Reno (RFC 9438 section 4.10 allows it where HyStart++ is not used): the
 *       window grows by the acknowledged bytes while below ssthresh.
 *   <li>Congestion avoidance (section 4.2): from the first acknowledgement after slow start or
 *       recovery ({@code t_epoch}), the window follows
 *       {@code W_cubic(t) = C * (t - K)^3 + W_max} (in segments of the maximum datagram size,
 *       t in seconds), with {@code K = cbrt((W_max - cwnd_epoch) / C)}: each acknowledgement of
 *       {@code n} bytes adds {@code (target - cwnd) / cwnd * n}, where target is
 *       {@code W_cubic(t + smoothed_rtt)} clamped to {@code [cwnd, 1.5 * cwnd]}.
 *   <li>Reno-friendly region (section 4.3): {@code W_est} starts at cwnd_epoch and grows by
 *       {@code alpha * acked / cwnd} segments, alpha = 3(1 - beta)/(1 + beta) until W_est reaches
 *       cwnd_prior, then 1; while {@code W_cubic(t) < W_est} the window is W_est.
 *   <li>Multiplicative decrease (section 4.6), once per recovery period:
 *       {@code ssthresh = cwnd = max(beta * cwnd, kMinimumWindow)}; with fast convergence
 *       (section 4.7, on by default) {@code W_max = cwnd * (1 + beta) / 2} if the window had not
 *       regained the previous W_max, else {@code W_max = cwnd}.
 *   <li>A standing queue ({@link #onStandingQueue}) is a congestion event without loss: the window
 *       goes to the one asked for, and W_max to the window in use when the queue formed.
 *   <li>Persistent congestion (RFC 9002 section 7.6, treated as RFC 9438 section 4.8's timeout):
 *       the window collapses to kMinimumWindow; the next congestion avoidance stage starts with
 *       K = 0 and W_max = its cwnd_epoch.
 *   <li>Application-limited (section 5.8): acknowledgements received while the sender is
 *       application-limited do not grow the window, and the time they span, like an idle period
 *       (nothing in flight until the next send), is excluded from t by moving t_epoch later.
 * </ul>
 * The window is kept as a fraction of bytes internally; {@link #window()} rounds down. The
 * undo of spurious congestion events (section 4.9) is not implemented.
 *
 * <p>Bytes and nanoseconds. Not thread-safe; belongs to one connection.
 */
public final class Cubic implements CongestionController {
    /** C (RFC 9438 section 4.1.1, "SHOULD be set to 0.4"), segments per second cubed. */
    public static final double C = 0.4;
    /** beta_cubic (RFC 9438 section 4.6, "SHOULD be set to 0.7"). */
    public static final double BETA = 0.7;
    /** alpha_cubic = 3 * (1 - beta_cubic) / (1 + beta_cubic) (RFC 9438 section 4.3). */
    public static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private static final long NONE = Long.MIN_VALUE;
    private static final double NANOS_PER_SECOND = 1e9;

    private final boolean fastConvergence;
    private int mss;
    private double cwnd;
    private long ssthresh = Long.MAX_VALUE;
    private long recoveryStart = NONE;
    private double wMax; // bytes; 0 = undefined
    private double cwndPrior;
    private long epochStart = NONE;
    private double k; // seconds
    private double wEst; // bytes
    private long lastAckTime = NONE;

    /** CUBIC with fast convergence, starting at the initial window for {@code maxDatagramSize}. */
    public Cubic(int maxDatagramSize) {
        this(maxDatagramSize, true);
    }

    /**
     * @param fastConvergence RFC 9438 section 4.7 (SHOULD be on where flows compete; off for a
     *     single flow alone on its path)
     */
    public Cubic(int maxDatagramSize, boolean fastConvergence) {
        checkMss(maxDatagramSize);
        this.mss = maxDatagramSize;
        this.fastConvergence = fastConvergence;
        this.cwnd = CongestionController.initialWindow(maxDatagramSize);
    }

    @Override
    public long window() {
        return (long) cwnd;
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
        cwnd = Math.max(cwnd, CongestionController.minimumWindow(mss));
    }

    /** W_max in bytes (0 before the first congestion event and after persistent congestion). */
    public double wMax() {
        return wMax;
    }

    /** K in seconds for the current congestion avoidance stage (0 if none has started). */
    public double k() {
        return epochStart == NONE ? 0 : k;
    }

    /** W_est in bytes for the current congestion avoidance stage. */
    public double wEst() {
        return wEst;
    }

    /** When the current recovery period began, or {@link Long#MIN_VALUE} if not in one. */
    public long recoveryStartTime() {
        return recoveryStart;
    }

    /** t_epoch: when the current congestion avoidance stage began, or {@link Long#MIN_VALUE}. */
    public long epochStart() {
        return epochStart;
    }

    /** W_cubic(t) in bytes for the current stage, t in seconds since t_epoch. */
    double wCubic(double tSeconds) {
        double d = tSeconds - k;
        return C * d * d * d * mss + wMax;
    }

    @Override
    public void onPacketSent(long nowNanos, int bytes, long bytesInFlight) {
        // Restarting after idle: the idle time is not part of t (RFC 9438 section 5.8).
        if (bytesInFlight == 0 && epochStart != NONE && lastAckTime != NONE && nowNanos > lastAckTime) {
            epochStart = Math.min(nowNanos, epochStart + (nowNanos - lastAckTime));
            lastAckTime = nowNanos;
        }
    }

    @Override
    public void onPacketAcked(long sentTimeNanos, int bytes, boolean appLimited, RttEstimator rtt, long nowNanos) {
        if (inRecovery(sentTimeNanos)) {
            return;
        }
        if (appLimited) {
            if (epochStart != NONE && lastAckTime != NONE && nowNanos > lastAckTime) {
                epochStart = Math.min(nowNanos, epochStart + (nowNanos - lastAckTime));
            }
            lastAckTime = nowNanos;
            return;
        }
        lastAckTime = nowNanos;
        if (cwnd < ssthresh) {
            cwnd += bytes;
            return;
        }
        if (epochStart == NONE) {
            startEpoch(nowNanos);
        }
        double t = (nowNanos - epochStart) / NANOS_PER_SECOND;
        double alpha = wEst >= cwndPrior ? 1.0 : ALPHA;
        wEst += alpha * bytes * mss / cwnd;
        if (wCubic(t) < wEst) {
            cwnd = Math.max(cwnd, wEst);
            return;
        }
        double target = wCubic(t + rtt.smoothed() / NANOS_PER_SECOND);
        target = Math.min(Math.max(target, cwnd), 1.5 * cwnd);
        cwnd += (target - cwnd) / cwnd * bytes;
    }

    @Override
    public void onPacketsLost(long largestLostSentTimeNanos, boolean persistentCongestion, long nowNanos) {
        long minimum = CongestionController.minimumWindow(mss);
        if (!inRecovery(largestLostSentTimeNanos)) {
            recoveryStart = nowNanos;
            wMax = fastConvergence && cwnd < wMax ? cwnd * (1 + BETA) / 2 : cwnd;
            cwndPrior = cwnd;
            ssthresh = Math.max(Math.round(cwnd * BETA), minimum);
            cwnd = ssthresh;
            epochStart = NONE;
        }
        if (persistentCongestion) {
            cwnd = minimum;
            recoveryStart = NONE;
            epochStart = NONE;
            wMax = 0;
        }
    }

    @Override
    public void onStandingQueue(long nowNanos, long bytesInFlight, long window) {
        double inUse = Math.min(cwnd, bytesInFlight);
        double target = Math.max(CongestionController.minimumWindow(mss), Math.min(cwnd, window));
        if (target >= cwnd) {
            return;
        }
        recoveryStart = nowNanos;
        // W_max is where the queue began: the window in use, not a larger one nothing filled.
        wMax = fastConvergence && inUse < wMax ? inUse * (1 + BETA) / 2 : Math.max(inUse, target);
        cwndPrior = Math.max(inUse, target);
        ssthresh = (long) target;
        cwnd = target;
        epochStart = NONE;
    }

    private void startEpoch(long nowNanos) {
        epochStart = nowNanos;
        wEst = cwnd;
        if (wMax <= cwnd) {
            // No larger window to return to (after a timeout, section 4.8, or a window that grew
            // past W_max in slow start): K = 0 and W_max = cwnd_epoch.
            wMax = cwnd;
            k = 0;
        } else {
            k = Math.cbrt((wMax - cwnd) / (C * mss));
        }
    }

    private boolean inRecovery(long sentTimeNanos) {
        return recoveryStart != NONE && sentTimeNanos <= recoveryStart;
    }

    private static void checkMss(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("max datagram size " + bytes);
        }
    }
}
