package io.keymesh.channel;

/**
 * One path to the peer, as a connection's sender knows it (quinn-proto's {@code PathData}): its RTT
 * estimate, congestion controller, pacer, path-MTU discovery up to the path's ceiling, standing-queue
 * signal, and the overhead of the layers below on it. Sizes are bytes — UDP payloads unless named
 * payloads — and times nanoseconds. Not thread-safe; owned by one connection.
 */
final class PathState {
    final RttEstimator rtt = new RttEstimator();
    final CongestionController congestion;
    final Pacer pacer = new Pacer();
    final StandingQueue standingQueue = new StandingQueue();
    /** ECN on this path (RFC 9000 section 13.4.2); not tried until {@link #allowEcn} says it may be. */
    EcnValidation ecn = new EcnValidation(false);
    private PmtuDiscovery pmtu;
    private int ceiling;
    private PathOverhead overhead;

    /**
     * A path with nothing measured yet: kInitialRtt, the initial window, a full pacer bucket, and
     * path-MTU discovery from the base size up to {@code maxUdpPayload}.
     *
     * @param congestion {@link ChannelConfig#congestion()}: "cubic" or "newreno"
     */
    PathState(String congestion, int maxUdpPayload, PathOverhead overhead) {
        this.ceiling = maxUdpPayload;
        this.overhead = overhead;
        this.pmtu = new PmtuDiscovery(maxUdpPayload);
        this.congestion = congestion.equals("cubic") ? new Cubic(maxPayload()) : new NewReno(maxPayload());
    }

    /**
     * Path-MTU discovery starts over from the base size, up to {@code maxUdpPayload}, with the given
     * overhead; the congestion controller's datagram size follows. RTT and congestion state stay.
     */
    void restartPmtuDiscovery(int maxUdpPayload, PathOverhead overhead) {
        this.ceiling = maxUdpPayload;
        this.overhead = overhead;
        pmtu = new PmtuDiscovery(maxUdpPayload);
        congestion.setMaxDatagramSize(maxPayload());
    }

    /**
     * Whether ECN may be tried on this path (the I/O marks and reads the bits, and the path is
     * direct): allowed, a path that was not trying starts testing; not allowed, it stops.
     */
    void allowEcn(boolean allowed) {
        if (allowed && ecn.state() == EcnValidation.State.DISABLED) {
            ecn = new EcnValidation(true);
        } else if (!allowed && ecn.state() != EcnValidation.State.DISABLED) {
            ecn = new EcnValidation(false);
        }
    }

    /**
     * The packets {@code ack} acknowledges have been processed: ECN validation judges its counts,
     * and new CE marks on a validated path are a congestion event.
     */
    void onAckFrame(long nowNanos, io.keymesh.wire.AckFrame ack) {
        long sent = ecn.onAckFrame(ack);
        if (sent >= 0) {
            congestion.onCongestionExperienced(sent, nowNanos);
        }
    }

    PmtuDiscovery pmtu() {
        return pmtu;
    }

    /** The largest UDP payload path-MTU discovery searches up to. */
    int ceiling() {
        return ceiling;
    }

    PathOverhead overhead() {
        return overhead;
    }

    /** The largest payload ordinary packets use: the path's UDP payload less the overhead, a multiple of 16. */
    int maxPayload() {
        return overhead.payloadLimit(pmtu.udpPayloadSize());
    }

    /** The UDP payload size of a full packet, as bytes in flight count it. */
    int fullPacketSize() {
        return maxPayload() + overhead.perPacket();
    }

    /** When the pacer lets a full packet go (RFC 9002 section 7.7): {@code nowNanos}, or later. */
    long nextSendTime(long nowNanos) {
        return pacer.nextSendTime(nowNanos, maxPayload(), congestion.window(), rtt.smoothed(), maxPayload());
    }

    /** A packet counted in flight, of {@code udpSize}, was sent: the pacer spends its tokens. */
    void onPacedPacketSent(long nowNanos, int udpSize) {
        pacer.onPacketSent(nowNanos, udpSize, congestion.window(), rtt.smoothed(), maxPayload());
    }

    /**
     * The RTT estimator just took a sample from an ACK whose delay was {@code ackDelayNanos}: the
     * standing-queue signal judges it, and a standing queue cuts the window.
     */
    void onRttSample(long nowNanos, long ackDelayNanos, long bytesInFlight) {
        long window = standingQueue.onRttSample(nowNanos, rtt.latest(), Math.min(ackDelayNanos, rtt.maxAckDelay()),
                rtt.smoothed(), bytesInFlight);
        if (window >= 0) {
            congestion.onStandingQueue(nowNanos, bytesInFlight, window);
        }
    }

    /** A packet sent on this path was acknowledged: what it tells path-MTU discovery (see {@link SentFrames}). */
    void onPacketAcked(SentFrames f, long timeSentNanos) {
        ecn.onAcked(f.ecnMarked, timeSentNanos);
        if (f.probeSize > 0) {
            int before = maxPayload();
            pmtu.onProbeAcked(f.probeSize, timeSentNanos);
            if (maxPayload() != before) {
                congestion.setMaxDatagramSize(maxPayload());
            }
        } else {
            pmtu.onPacketAcked(f.pmtuSize);
        }
    }

    /** A packet sent on this path was declared lost: a probe's loss, or a full packet's toward a black hole. */
    void onPacketLost(SentFrames f, long timeSentNanos) {
        if (f.probeSize > 0) { // a probe too large for the path says nothing about ECN
            pmtu.onProbeLost(f.probeSize, timeSentNanos);
        } else {
            ecn.onLost(f.ecnMarked);
            if (pmtu.onPacketLost(f.pmtuSize, timeSentNanos)) {
                congestion.setMaxDatagramSize(maxPayload());
            }
        }
    }
}
