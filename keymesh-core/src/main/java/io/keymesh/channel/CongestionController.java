package io.keymesh.channel;

/**
 * A sender's congestion controller (RFC 9002 section 7): a window in bytes that limits bytes in
 * flight, grown by acknowledgements and cut by losses. {@link LossDetector} calls the event
 * methods; the sender asks {@link #canSend} before sending a packet that counts toward bytes in
 * flight (probes on a PTO and one packet on entering recovery may exceed it, section 7.5 and B.6).
 *
 * <p>Bytes are whatever the caller counts in {@link LossDetector#onPacketSent} (the transport
 * payload), and the maximum datagram size ("MSS") is in the same unit. It changes with path MTU
 * discovery: {@link #setMaxDatagramSize}. Times are nanoseconds.
 *
 * <p>A packet belongs to the current recovery period if it was sent no later than the time the
 * period began (RFC 9002 section 7.3.2): losses of such packets do not reduce the window again, and
 * their acknowledgements do not grow it. When the application (or flow control) leaves the window
 * unused, acknowledgements do not grow it either (section 7.8).
 *
 * <p>Implementations are not thread-safe; one belongs to one connection.
 */
public interface CongestionController {
    /** Packets in the initial window (RFC 9002 section 7.2: 10 * max_datagram_size ...). */
    int INITIAL_WINDOW_PACKETS = 10;
    /** ... limited to max(2 * max_datagram_size, 14720) bytes (RFC 9002 section 7.2). */
    int INITIAL_WINDOW_BYTES = 14720;
    /** kMinimumWindow = 2 * max_datagram_size (RFC 9002 section 7.2). */
    int MINIMUM_WINDOW_PACKETS = 2;
    /** Pacing gain N = 5/4 (RFC 9002 section 7.7): numerator. */
    int PACING_GAIN_NUMERATOR = 5;
    /** Pacing gain N = 5/4: denominator. */
    int PACING_GAIN_DENOMINATOR = 4;

    /** The initial window for a maximum datagram size: min(10 * mss, max(2 * mss, 14720)). */
    static long initialWindow(int maxDatagramSize) {
        return Math.min((long) INITIAL_WINDOW_PACKETS * maxDatagramSize,
                Math.max((long) MINIMUM_WINDOW_PACKETS * maxDatagramSize, INITIAL_WINDOW_BYTES));
    }

    /** kMinimumWindow for a maximum datagram size: 2 * mss. */
    static long minimumWindow(int maxDatagramSize) {
        return (long) MINIMUM_WINDOW_PACKETS * maxDatagramSize;
    }

    /** The congestion window, bytes. */
    long window();

    /** The slow start threshold, bytes ({@link Long#MAX_VALUE} until the first congestion event). */
    long slowStartThreshold();

    /** True while the window is below the slow start threshold. */
    default boolean inSlowStart() {
        return window() < slowStartThreshold();
    }

    /** The maximum datagram size, bytes. */
    int maxDatagramSize();

    /**
     * The path's maximum datagram size changed (path MTU discovery). The minimum window follows it;
     * the window is raised to the new minimum if below.
     */
    void setMaxDatagramSize(int bytes);

    /**
     * A packet counting toward bytes in flight was sent.
     *
     * @param bytesInFlight bytes in flight before this packet (0 means the sender was idle)
     */
    void onPacketSent(long nowNanos, int bytes, long bytesInFlight);

    /**
     * An in-flight packet was newly acknowledged (after any losses the same ACK revealed were
     * reported with {@link #onPacketsLost}, as in RFC 9002 appendix A.7).
     *
     * @param appLimited true if the sender did not use the window fully (application or flow
     *     control limited): the window is not grown
     * @param rtt the connection's RTT estimate, already updated with this ACK's sample
     */
    void onPacketAcked(long sentTimeNanos, int bytes, boolean appLimited, RttEstimator rtt, long nowNanos);

    /**
     * In-flight packets were declared lost (RFC 9002 appendix B.8).
     *
     * @param largestLostSentTimeNanos when the most recently sent of them was sent: a congestion
     *     event unless that is within the current recovery period
     * @param persistentCongestion true if the losses establish persistent congestion (section 7.6):
     *     the window collapses to the minimum
     */
    void onPacketsLost(long largestLostSentTimeNanos, boolean persistentCongestion, long nowNanos);

    /**
     * The path holds a standing queue of this sender's ({@link StandingQueue}): a congestion event
     * without loss. The window in use, {@code min(window, bytesInFlight)}, is what the path took
     * before the queue formed; the window goes down to {@code window} (never up, never below
     * kMinimumWindow), the slow start threshold with it, and a recovery period starts now, as on a
     * loss.
     */
    void onStandingQueue(long nowNanos, long bytesInFlight, long window);

    /**
     * The peer reported new Congestion Experienced marks in an ACK frame that acknowledged a packet
     * sent at {@code sentTimeNanos}: a congestion event without loss (RFC 9002 section 7.1), which
     * reduces the window once per recovery period, as a loss does.
     */
    default void onCongestionExperienced(long sentTimeNanos, long nowNanos) {
        onPacketsLost(sentTimeNanos, false, nowNanos);
    }

    /** True if a packet of {@code bytes} may be sent with {@code bytesInFlight} already outstanding. */
    default boolean canSend(long bytesInFlight, int bytes) {
        return bytesInFlight + bytes <= window();
    }

    /** Bytes that may still be sent: {@code max(0, window - bytesInFlight)}. */
    default long sendAllowance(long bytesInFlight) {
        return Math.max(0, window() - bytesInFlight);
    }

    /**
     * The pacing rate in bytes per second, {@code N * window / smoothed_rtt} with N = 5/4
     * (RFC 9002 section 7.7); {@link Long#MAX_VALUE} if the RTT is 0.
     */
    default long pacingRate(long smoothedRttNanos) {
        if (smoothedRttNanos <= 0) {
            return Long.MAX_VALUE;
        }
        double rate = (double) window() * PACING_GAIN_NUMERATOR / PACING_GAIN_DENOMINATOR
                * 1e9 / smoothedRttNanos;
        return rate >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) rate;
    }
}
