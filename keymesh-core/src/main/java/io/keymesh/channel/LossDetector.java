package io.keymesh.channel;

import io.keymesh.wire.AckFrame;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Loss detection for one packet-number space (RFC 9002 section 6 and appendix A): which sent
 * packets an ACK newly acknowledges, which are lost, and when to wake up for the loss timer or
 * the probe timeout. keymesh has a single space (WireGuard did the handshake), so the handshake is
 * always confirmed and the peer's address always validated.
 *
 * <ul>
 *   <li>A packet is lost once a packet at least {@link #PACKET_THRESHOLD} (3) numbers later is
 *       acknowledged (section 6.1.1), or once it was sent more than
 *       {@code max(9/8 * max(smoothed_rtt, latest_rtt), kGranularity)} before an acknowledged later
 *       packet arrived (section 6.1.2). Packets not yet that old set the loss timer.
 *   <li>With no loss timer, the probe timeout runs from the last ack-eliciting packet sent:
 *       {@code pto * 2^pto_count} (section 6.2.1). When it fires, {@link #onTimeout} asks for
 *       {@link #PTO_PROBE_PACKETS} ack-eliciting probes (section 6.2.4), which the congestion
 *       window must not block, and doubles the next timeout. An ACK that newly acknowledges
 *       anything resets the backoff.
 *   <li>Persistent congestion (section 7.6): two ack-eliciting packets lost together, sent more
 *       than {@code 3 * (smoothed_rtt + max(4 * rttvar, kGranularity) + max_ack_delay)} apart,
 *       both after the first RTT sample, with no packet between them acknowledged.
 *   <li>The RTT is sampled when the largest acknowledged is newly acknowledged and the ACK newly
 *       acknowledges an ack-eliciting packet (section 5.1).
 *   <li>A packet acknowledged after it was declared lost counts as a spurious loss (for the last
 *       {@value #LOST_MEMORY} losses); it is not reported as acknowledged.
 * </ul>
 *
 * <p>The detector updates the {@link RttEstimator} and drives the {@link CongestionController}
 * (sent, lost — before acked, as appendix A.7 — and acked packets) of the current path
 * ({@link #onPathChanged}), and reports each packet's fate to the {@link Listener} with the
 * caller's frames token. Listener calls happen synchronously inside {@link #onAckReceived} and
 * {@link #onTimeout}; the {@link SentPacket} is valid only during the call, and the listener must
 * not call back into the detector (queue the frames and send them afterwards).
 *
 * <p>Sent packets live in a ring ordered by packet number (numbers must increase; gaps are
 * allowed) with reusable {@link SentPacket} entries: steady-state tracking allocates nothing.
 * Times are nanoseconds, sizes bytes. Not thread-safe; owned by one connection.
 */
public final class LossDetector {
    /** kPacketThreshold (RFC 9002 section 6.1.1). */
    public static final int PACKET_THRESHOLD = 3;
    /** kTimeThreshold = 9/8 (RFC 9002 section 6.1.2): numerator. */
    public static final int TIME_THRESHOLD_NUMERATOR = 9;
    /** kTimeThreshold: denominator. */
    public static final int TIME_THRESHOLD_DENOMINATOR = 8;
    /** kPersistentCongestionThreshold (RFC 9002 section 7.6.1). */
    public static final int PERSISTENT_CONGESTION_THRESHOLD = 3;
    /** Probes to send when the PTO fires ("one or two", RFC 9002 section 6.2.4). */
    public static final int PTO_PROBE_PACKETS = 2;
    /** {@link #nextTimeout()} when no timer is armed. */
    public static final long NO_TIMEOUT = Long.MAX_VALUE;
    /** How many recent losses are remembered to recognise spurious ones. */
    public static final int LOST_MEMORY = 64;

    private static final long NONE = Long.MIN_VALUE;

    /** Receives each sent packet's fate. */
    public interface Listener {
        /** {@code packet} was acknowledged: its frames are delivered. */
        void onPacketAcked(SentPacket packet);

        /** {@code packet} is declared lost: resend what its frames still need. */
        void onPacketLost(SentPacket packet);
    }

    private RttEstimator rtt;
    private CongestionController congestion;
    private final Listener listener;
    /** The first packet number sent on the current path: earlier ones stay out of its RTT and congestion state. */
    private long pathStart;

    private SentPacket[] ring = new SentPacket[64];
    private int head;
    private int count;
    private int[] newlyAcked = new int[64];
    private final long[] recentlyLost = new long[LOST_MEMORY];
    private int recentlyLostCount;

    private long largestSent = -1;
    private long largestAcked = -1;
    private long bytesInFlight;
    private int ackElicitingInFlight;
    private int outstanding;
    private long timeOfLastAckEliciting;
    private long lossTime = NONE;
    private int ptoCount;
    private long timer = NO_TIMEOUT;

    private long packetsAcked;
    private long packetsLost;
    private long spuriousLosses;
    private long probeTimeouts;
    private long persistentCongestionEvents;

    public LossDetector(RttEstimator rtt, CongestionController congestion, Listener listener) {
        this.rtt = rtt;
        this.congestion = congestion;
        this.listener = listener;
    }

    /**
     * The connection moved to a path with RTT and congestion state of its own (RFC 9000 section
     * 9.4), which the detector updates from now on. Packets sent before stay outstanding — their
     * loss is still detected, their fate reported and the probe timeout armed for them, as one loss
     * recovery context may serve both paths — but they leave the new path's view: they no longer
     * count toward bytes in flight (a reset controller starts from none, RFC 9002 appendix B.3),
     * and neither their acknowledgement, their loss nor an RTT sample from them reaches {@code rtt}
     * or {@code congestion}. The probe timeout is re-armed with the new RTT estimate.
     */
    public void onPathChanged(RttEstimator rtt, CongestionController congestion) {
        this.rtt = rtt;
        this.congestion = congestion;
        pathStart = largestSent + 1;
        bytesInFlight = 0;
        setTimer();
    }

    /**
     * Records a sent packet (RFC 9002 appendix A.5).
     *
     * @param pn its packet number, larger than any sent before
     * @param bytes its size as counted toward bytes in flight
     * @param ackEliciting whether it carries frames other than ACK and padding
     * @param inFlight whether it counts toward bytes in flight (ack-eliciting or padded packets)
     * @param frames the caller's token for its frames, handed back when it is acked or lost
     * @throws IllegalArgumentException if {@code pn} does not increase or {@code bytes} is negative
     */
    public void onPacketSent(long pn, long nowNanos, int bytes, boolean ackEliciting, boolean inFlight, Object frames) {
        if (pn <= largestSent || bytes < 0) {
            throw new IllegalArgumentException("packet " + pn + " after " + largestSent + ", " + bytes + " bytes");
        }
        if (count == ring.length) {
            grow();
        }
        int slot = (head + count) & (ring.length - 1);
        SentPacket p = ring[slot];
        if (p == null) {
            p = new SentPacket();
            ring[slot] = p;
        }
        p.set(pn, nowNanos, bytes, ackEliciting, inFlight, frames);
        count++;
        outstanding++;
        largestSent = pn;
        if (inFlight) {
            congestion.onPacketSent(nowNanos, bytes, bytesInFlight);
            bytesInFlight += bytes;
            if (ackEliciting) {
                timeOfLastAckEliciting = nowNanos;
                ackElicitingInFlight++;
            }
        }
        setTimer();
    }

    /**
     * Processes an ACK frame (RFC 9002 appendix A.7): reports newly acknowledged and newly lost
     * packets to the listener and the congestion controller, samples the RTT, re-arms the timer.
     *
     * @param appLimited true if the sender was not using its congestion window fully
     * @return false, changing nothing, if the ACK acknowledges a packet number never sent (a
     *     protocol violation, RFC 9000 section 13.1); true otherwise
     */
    public boolean onAckReceived(AckFrame ack, long nowNanos, boolean appLimited) {
        int ranges = ack.rangeCount();
        if (ranges == 0) {
            return true;
        }
        long largest = ack.largestAcknowledged();
        if (largest > largestSent) {
            return false;
        }
        largestAcked = Math.max(largestAcked, largest);

        int acked = 0;
        SentPacket largestNewlyAcked = null;
        boolean ackElicitingAcked = false;
        for (int r = ranges - 1; r >= 0; r--) { // ascending packet numbers
            long lo = ack.smallest(r);
            long hi = ack.largest(r);
            forgetLost(lo, hi);
            for (int i = lowerBound(lo); i < count; i++) {
                SentPacket p = at(i);
                if (p.packetNumber > hi) {
                    break;
                }
                if (p.state != SentPacket.OUTSTANDING) {
                    continue;
                }
                p.state = SentPacket.ACKED;
                leaveFlight(p);
                if (acked == newlyAcked.length) {
                    newlyAcked = Arrays.copyOf(newlyAcked, acked * 2);
                }
                newlyAcked[acked++] = i;
                largestNewlyAcked = p;
                ackElicitingAcked |= p.ackEliciting;
            }
        }
        if (acked == 0) {
            return true;
        }
        if (largestNewlyAcked.packetNumber == largest && ackElicitingAcked && largest >= pathStart) {
            rtt.update(nowNanos - largestNewlyAcked.timeSent, ack.ackDelayNanos(), nowNanos);
        }
        detectLostPackets(nowNanos);
        for (int j = 0; j < acked; j++) {
            SentPacket p = at(newlyAcked[j]);
            if (p.inFlight && p.packetNumber >= pathStart) {
                congestion.onPacketAcked(p.timeSent, p.bytes, appLimited, rtt, nowNanos);
            }
            packetsAcked++;
            listener.onPacketAcked(p);
            p.frames = null;
        }
        ptoCount = 0;
        trim();
        setTimer();
        return true;
    }

    /**
     * When {@link #onTimeout} should next be called: the loss timer, else the probe timeout, else
     * {@link #NO_TIMEOUT}.
     */
    public long nextTimeout() {
        return timer;
    }

    /**
     * Runs the timer if it is due (RFC 9002 appendix A.9): a loss timer declares packets lost
     * (reported to the listener); a probe timeout backs off and asks for probes.
     *
     * @return the number of ack-eliciting probe packets to send now, bypassing the congestion
     *     window ({@link #PTO_PROBE_PACKETS} on a probe timeout, else 0)
     */
    public int onTimeout(long nowNanos) {
        if (timer == NO_TIMEOUT || nowNanos < timer) {
            return 0;
        }
        if (lossTime != NONE) {
            detectLostPackets(nowNanos);
            trim();
            setTimer();
            return 0;
        }
        ptoCount++;
        probeTimeouts++;
        setTimer();
        return PTO_PROBE_PACKETS;
    }

    /** Calls {@code action} for each packet neither acknowledged nor lost, oldest first (e.g. to choose probe contents). */
    public void forEachOutstanding(Consumer<SentPacket> action) {
        for (int i = 0; i < count; i++) {
            SentPacket p = at(i);
            if (p.state == SentPacket.OUTSTANDING) {
                action.accept(p);
            }
        }
    }

    /** Bytes of in-flight packets neither acknowledged nor lost. */
    public long bytesInFlight() {
        return bytesInFlight;
    }

    /** Ack-eliciting in-flight packets neither acknowledged nor lost. */
    public int ackElicitingInFlight() {
        return ackElicitingInFlight;
    }

    /** Packets neither acknowledged nor lost. */
    public int outstandingPackets() {
        return outstanding;
    }

    /** Current PTO backoff exponent (pto_count). */
    public int ptoCount() {
        return ptoCount;
    }

    /** The largest packet number sent, or -1. */
    public long largestSent() {
        return largestSent;
    }

    /** The largest packet number the peer acknowledged, or -1. */
    public long largestAcked() {
        return largestAcked;
    }

    /** Packets acknowledged so far. */
    public long packetsAcked() {
        return packetsAcked;
    }

    /** Packets declared lost so far. */
    public long packetsLost() {
        return packetsLost;
    }

    /** Packets acknowledged after being declared lost. */
    public long spuriousLosses() {
        return spuriousLosses;
    }

    /** Probe timeouts that fired. */
    public long probeTimeouts() {
        return probeTimeouts;
    }

    /** Times persistent congestion was declared. */
    public long persistentCongestionEvents() {
        return persistentCongestionEvents;
    }

    /** The persistent congestion duration (RFC 9002 section 7.6.1). */
    public long persistentCongestionDuration() {
        long base = rtt.ptoBase();
        return base > Long.MAX_VALUE / PERSISTENT_CONGESTION_THRESHOLD
                ? Long.MAX_VALUE : base * PERSISTENT_CONGESTION_THRESHOLD;
    }

    /** The time-threshold loss delay: max(9/8 * max(smoothed_rtt, latest_rtt), kGranularity). */
    public long lossDelay() {
        long r = Math.max(rtt.smoothed(), rtt.latest());
        return Math.max(r / TIME_THRESHOLD_DENOMINATOR * TIME_THRESHOLD_NUMERATOR
                + r % TIME_THRESHOLD_DENOMINATOR * TIME_THRESHOLD_NUMERATOR / TIME_THRESHOLD_DENOMINATOR,
                RttEstimator.GRANULARITY_NANOS);
    }

    /** RFC 9002 appendix A.10 DetectAndRemoveLostPackets, with B.8's persistent congestion check. */
    private void detectLostPackets(long now) {
        lossTime = NONE;
        if (largestAcked < 0) {
            return;
        }
        long lossDelay = lossDelay();
        long lostSendTime = now - lossDelay;
        long congestionPeriod = persistentCongestionDuration();
        long largestLostSentTime = NONE;
        long runStart = NONE;
        boolean persistent = false;
        for (int i = 0; i < count; i++) {
            SentPacket p = at(i);
            if (p.packetNumber > largestAcked) {
                break;
            }
            if (p.state == SentPacket.ACKED) {
                runStart = NONE; // a packet in between was acknowledged
                continue;
            }
            if (p.state == SentPacket.LOST) {
                continue;
            }
            if (p.timeSent <= lostSendTime || largestAcked - p.packetNumber >= PACKET_THRESHOLD) {
                p.state = SentPacket.LOST;
                if (p.inFlight && p.packetNumber >= pathStart) {
                    largestLostSentTime = Math.max(largestLostSentTime, p.timeSent);
                }
                leaveFlight(p);
                if (p.ackEliciting && rtt.hasSample() && p.timeSent > rtt.firstSampleTime()) {
                    if (runStart == NONE) {
                        runStart = p.timeSent;
                    } else if (p.timeSent - runStart > congestionPeriod) {
                        persistent = true;
                    }
                }
                packetsLost++;
                rememberLost(p.packetNumber);
                listener.onPacketLost(p);
                p.frames = null;
            } else {
                long when = p.timeSent + lossDelay;
                lossTime = lossTime == NONE ? when : Math.min(lossTime, when);
            }
        }
        if (largestLostSentTime != NONE) {
            if (persistent) {
                persistentCongestionEvents++;
            }
            congestion.onPacketsLost(largestLostSentTime, persistent, now);
        }
    }

    /** RFC 9002 appendix A.8 SetLossDetectionTimer, for a single space with a validated peer. */
    private void setTimer() {
        if (lossTime != NONE) {
            timer = lossTime;
        } else if (ackElicitingInFlight == 0) {
            timer = NO_TIMEOUT;
        } else {
            long pto = rtt.pto(ptoCount);
            timer = pto > Long.MAX_VALUE - timeOfLastAckEliciting ? NO_TIMEOUT - 1 : timeOfLastAckEliciting + pto;
        }
    }

    private void leaveFlight(SentPacket p) {
        outstanding--;
        if (p.inFlight) {
            if (p.packetNumber >= pathStart) {
                bytesInFlight -= p.bytes;
            }
            if (p.ackEliciting) {
                ackElicitingInFlight--;
            }
        }
    }

    private SentPacket at(int i) {
        return ring[(head + i) & (ring.length - 1)];
    }

    /** Index of the first packet with number at least {@code pn} (count if none). */
    private int lowerBound(long pn) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at(mid).packetNumber < pn) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Drops acknowledged and lost packets from the front of the ring. */
    private void trim() {
        while (count > 0) {
            SentPacket p = ring[head];
            if (p.state == SentPacket.OUTSTANDING) {
                break;
            }
            p.frames = null;
            head = (head + 1) & (ring.length - 1);
            count--;
        }
    }

    private void grow() {
        SentPacket[] bigger = new SentPacket[ring.length * 2];
        for (int i = 0; i < count; i++) {
            bigger[i] = at(i);
        }
        ring = bigger;
        head = 0;
    }

    private void rememberLost(long pn) {
        int n = recentlyLostCount;
        if (n == LOST_MEMORY) {
            System.arraycopy(recentlyLost, 1, recentlyLost, 0, n - 1);
            n--;
        }
        int at = n;
        while (at > 0 && recentlyLost[at - 1] > pn) {
            at--;
        }
        System.arraycopy(recentlyLost, at, recentlyLost, at + 1, n - at);
        recentlyLost[at] = pn;
        recentlyLostCount = n + 1;
    }

    /** Counts and forgets remembered losses in {@code [lo, hi]}: they were spurious. */
    private void forgetLost(long lo, long hi) {
        int n = recentlyLostCount;
        if (n == 0 || recentlyLost[0] > hi || recentlyLost[n - 1] < lo) {
            return;
        }
        int from = 0;
        while (from < n && recentlyLost[from] < lo) {
            from++;
        }
        int to = from;
        while (to < n && recentlyLost[to] <= hi) {
            to++;
        }
        if (to > from) {
            spuriousLosses += to - from;
            System.arraycopy(recentlyLost, to, recentlyLost, from, n - to);
            recentlyLostCount = n - (to - from);
        }
    }
}
