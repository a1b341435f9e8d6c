package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.wire.AckFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Loss detection scenarios (RFC 9002 section 6, 7.6 and appendix A) with exact times. */
class LossDetectorTest {
    private static final long MS = 1_000_000L;
    private static final long US = 1_000L;
    private static final int SIZE = 1200;

    private final List<Long> acked = new ArrayList<>();
    private final List<Long> lost = new ArrayList<>();
    private final List<Object> ackedTokens = new ArrayList<>();
    private RttEstimator rtt;
    private NewReno reno;
    private LossDetector ld;

    @BeforeEach
    void setUp() {
        rtt = new RttEstimator();
        reno = new NewReno(SIZE);
        ld = new LossDetector(rtt, reno, new LossDetector.Listener() {
            @Override
            public void onPacketAcked(SentPacket packet) {
                acked.add(packet.packetNumber());
                ackedTokens.add(packet.frames());
            }

            @Override
            public void onPacketLost(SentPacket packet) {
                lost.add(packet.packetNumber());
            }
        });
    }

    private void send(long pn, long at) {
        ld.onPacketSent(pn, at, SIZE, true, true, "frames-" + pn);
    }

    /** An ACK of the given {smallest, largest} ranges, largest first, with no ack delay. */
    private static AckFrame ack(long... bounds) {
        AckFrame f = new AckFrame();
        for (int i = 0; i < bounds.length; i += 2) {
            f.addRange(bounds[i], bounds[i + 1]);
        }
        return f;
    }

    @Test
    void packetThresholdDeclaresOlderPacketsLostAndTheRestWaitForTheTimer() {
        for (int pn = 0; pn < 5; pn++) {
            send(pn, 0);
        }
        assertEquals(5 * SIZE, ld.bytesInFlight());
        assertTrue(ld.onAckReceived(ack(3, 4), 100 * MS, false));

        assertEquals(List.of(3L, 4L), acked);
        assertEquals(List.of("frames-3", "frames-4"), ackedTokens);
        assertEquals(List.of(0L, 1L), lost, "4 - 0 >= 3 and 4 - 1 >= 3");
        assertEquals(SIZE, ld.bytesInFlight(), "packet 2 is still outstanding");
        assertEquals(100 * MS, rtt.latest());
        // loss delay 9/8 * 100 ms: packet 2, sent at 0, is lost at 112.5 ms
        assertEquals(112_500 * US, ld.lossDelay());
        assertEquals(112_500 * US, ld.nextTimeout());

        assertEquals(0, ld.onTimeout(112_500 * US - 1));
        assertEquals(List.of(0L, 1L), lost);
        assertEquals(0, ld.onTimeout(112_500 * US));
        assertEquals(List.of(0L, 1L, 2L), lost);
        assertEquals(0, ld.bytesInFlight());
        assertEquals(0, ld.outstandingPackets());
        assertEquals(LossDetector.NO_TIMEOUT, ld.nextTimeout());
        assertEquals(3, ld.packetsLost());
        assertEquals(2, ld.packetsAcked());
    }

    @Test
    void reorderingWithinTheThresholdsIsNotLoss() {
        send(0, 0);
        send(1, 0);
        send(2, 0);
        ld.onAckReceived(ack(1, 2), 100 * MS, false);
        assertEquals(List.of(), lost);
        assertEquals(112_500 * US, ld.nextTimeout());
        // the late ACK for 0 arrives before the loss timer
        ld.onAckReceived(ack(0, 2), 105 * MS, false);
        assertEquals(List.of(1L, 2L, 0L), acked);
        assertEquals(List.of(), lost);
        assertEquals(0, ld.spuriousLosses());
        assertEquals(LossDetector.NO_TIMEOUT, ld.nextTimeout());
    }

    @Test
    void timeThresholdAloneDeclaresAnOldPacketLost() {
        send(0, 0);
        send(1, 50 * MS);
        // RTT sample 100 ms from packet 1; packet 0 was sent 150 ms ago > 112.5 ms
        ld.onAckReceived(ack(1, 1), 150 * MS, false);
        assertEquals(List.of(0L), lost);
        assertEquals(List.of(1L), acked);
    }

    @Test
    void aSpuriousLossIsCountedOnceAndNotReportedAsAcked() {
        for (int pn = 0; pn < 5; pn++) {
            send(pn, 0);
        }
        ld.onAckReceived(ack(4, 4), 100 * MS, false);
        assertEquals(List.of(0L, 1L), lost);
        long windowAfterLoss = reno.window();
        assertEquals(6000, windowAfterLoss, "12000 halved once");

        // 0 and 1 were only delayed: the ACK now covers everything
        ld.onAckReceived(ack(0, 4), 101 * MS, false);
        assertEquals(List.of(4L, 2L, 3L), acked);
        assertEquals(2, ld.spuriousLosses());
        assertEquals(0, ld.bytesInFlight());
        ld.onAckReceived(ack(0, 4), 102 * MS, false);
        assertEquals(2, ld.spuriousLosses(), "the same ranges again are not new");
        assertEquals(List.of(4L, 2L, 3L), acked);
    }

    @Test
    void ptoFiresBacksOffAndResetsOnAck() {
        send(0, 0);
        // no RTT sample: 333 + 4 * 166.5 + 25 = 1024 ms
        assertEquals(1024 * MS, ld.nextTimeout());
        assertEquals(0, ld.onTimeout(1024 * MS - 1));
        assertEquals(LossDetector.PTO_PROBE_PACKETS, ld.onTimeout(1024 * MS));
        assertEquals(1, ld.ptoCount());
        assertEquals(2048 * MS, ld.nextTimeout(), "doubled, from the last ack-eliciting packet");
        assertEquals(List.of(), lost, "a PTO declares nothing lost");

        send(1, 1024 * MS);
        send(2, 1024 * MS);
        assertEquals((1024 + 2048) * MS, ld.nextTimeout());
        assertEquals(2, ld.onTimeout(3072 * MS));
        assertEquals(2, ld.ptoCount());
        assertEquals((1024 + 4096) * MS, ld.nextTimeout());
        assertEquals(2, ld.probeTimeouts());
        assertEquals(3 * SIZE, ld.bytesInFlight(), "probes count in flight");

        // a probe is acknowledged: backoff resets, the RTT sample is 5200 - 1024 = 4176 ms,
        // packet 0 (sent before 5200 - 9/8 * 4176 = 502 ms) is lost, packet 1 waits for the loss timer
        ld.onAckReceived(ack(2, 2), 5200 * MS, false);
        assertEquals(0, ld.ptoCount());
        assertEquals(4176 * MS, rtt.smoothed());
        assertEquals(List.of(0L), lost);
        assertEquals(List.of(2L), acked);
        assertEquals((1024 + 4698) * MS, ld.nextTimeout());
        assertEquals(0, ld.persistentCongestionEvents(), "packet 0 was sent before any RTT sample");
        assertEquals(6000, reno.window());
    }

    @Test
    void persistentCongestionCollapsesTheWindow() {
        send(0, 0);
        ld.onAckReceived(ack(0, 0), 100 * MS, false); // smoothed 100, rttvar 50
        send(1, 200 * MS);
        send(2, 1300 * MS);
        send(3, 1400 * MS);
        // sample 100 ms: rttvar 37.5, persistent duration 3 * (100 + 150 + 25) = 825 ms;
        // 1 and 2 are lost by time (sent before 1500 - 112.5), 1100 ms apart, nothing between acknowledged
        ld.onAckReceived(ack(3, 3), 1500 * MS, false);
        assertEquals(825 * MS, ld.persistentCongestionDuration());
        assertEquals(List.of(1L, 2L), lost);
        assertEquals(1, ld.persistentCongestionEvents());
        // collapsed to kMinimumWindow and out of recovery; then (appendix A.7 order: lost before
        // acked) the acknowledgement of 3 grows it in slow start
        assertEquals(CongestionController.minimumWindow(SIZE) + SIZE, reno.window());
        assertEquals(Long.MIN_VALUE, reno.recoveryStartTime());
    }

    @Test
    void lossesCloserThanThePersistentCongestionDurationAreAnOrdinaryCongestionEvent() {
        send(0, 0);
        ld.onAckReceived(ack(0, 0), 100 * MS, false);
        send(1, 600 * MS);
        send(2, 1300 * MS);
        send(3, 1400 * MS);
        ld.onAckReceived(ack(3, 3), 1500 * MS, false);
        assertEquals(List.of(1L, 2L), lost);
        assertEquals(0, ld.persistentCongestionEvents(), "700 ms apart < 825 ms");
        assertTrue(reno.window() > CongestionController.minimumWindow(SIZE));
    }

    @Test
    void anAcknowledgedPacketBetweenTheLossesPreventsPersistentCongestion() {
        send(0, 0);
        ld.onAckReceived(ack(0, 0), 100 * MS, false);
        send(1, 200 * MS);
        send(2, 700 * MS);
        send(3, 1300 * MS);
        send(4, 1400 * MS);
        ld.onAckReceived(ack(4, 4, 2, 2), 1500 * MS, false);
        assertEquals(List.of(1L, 3L), lost);
        assertEquals(0, ld.persistentCongestionEvents());
        // 12000 + 1200 from the ACK of 0, halved once; 2 and 4 were sent before recovery began
        assertEquals(6600, reno.window());
    }

    @Test
    void anAckOfAPacketNeverSentIsRejectedWithoutEffect() {
        send(0, 0);
        send(1, 0);
        assertFalse(ld.onAckReceived(ack(0, 2), 100 * MS, false));
        assertEquals(List.of(), acked);
        assertEquals(2 * SIZE, ld.bytesInFlight());
        assertEquals(-1, ld.largestAcked());
        assertTrue(ld.onAckReceived(new AckFrame(), 100 * MS, false), "an empty ACK changes nothing");
    }

    @Test
    void packetsThatAreNotInFlightArmNoTimerAndDoNotCount() {
        ld.onPacketSent(0, 0, 50, false, false, "ack-only");
        assertEquals(0, ld.bytesInFlight());
        assertEquals(LossDetector.NO_TIMEOUT, ld.nextTimeout());
        assertEquals(1, ld.outstandingPackets());
        send(1, 10 * MS);
        assertEquals(10 * MS + 1024 * MS, ld.nextTimeout());
        ld.onAckReceived(ack(0, 1), 110 * MS, false);
        assertEquals(List.of(0L, 1L), acked);
        assertEquals(List.of("ack-only", "frames-1"), ackedTokens);
        assertEquals(0, ld.outstandingPackets());
    }

    @Test
    void anAckOfOnlyNonElicitingPacketsTakesNoRttSample() {
        ld.onPacketSent(0, 0, 50, false, false, null);
        ld.onAckReceived(ack(0, 0), 100 * MS, false);
        assertFalse(rtt.hasSample());
        assertEquals(List.of(0L), acked);
    }

    @Test
    void theRttSampleComesFromTheLargestOnlyIfItIsNewlyAcked() {
        send(0, 0);
        send(1, 10 * MS);
        ld.onAckReceived(ack(1, 1), 110 * MS, false);
        assertEquals(100 * MS, rtt.latest());
        // largest 1 again, 0 newly acked: no sample
        ld.onAckReceived(ack(0, 1), 500 * MS, false);
        assertEquals(100 * MS, rtt.latest());
        assertEquals(List.of(1L, 0L), acked);
    }

    @Test
    void ackDelayIsSubtractedFromTheSample() {
        send(0, 0);
        ld.onAckReceived(ack(0, 0), 100 * MS, false);
        send(1, 1000 * MS);
        AckFrame f = ack(1, 1);
        f.setAckDelayNanos(20 * MS);
        ld.onAckReceived(f, 1140 * MS, false);
        // adjusted 120: smoothed 7/8 * 100 + 1/8 * 120
        assertEquals(102_500 * US, rtt.smoothed());
    }

    @Test
    void packetNumbersMustIncreaseButMaySkip() {
        send(5, 0);
        assertThrows(IllegalArgumentException.class, () -> send(5, 0));
        assertThrows(IllegalArgumentException.class, () -> send(3, 0));
        send(9, 0);
        send(10, 0);
        send(11, 0);
        ld.onAckReceived(ack(9, 11), 100 * MS, false);
        assertEquals(List.of(9L, 10L, 11L), acked);
        assertEquals(List.of(5L), lost, "11 - 5 >= 3");
    }

    @Test
    void manyPacketsGrowTheRingAndAreAllAccountedFor() {
        for (int pn = 0; pn < 1000; pn++) {
            send(pn, pn * US);
        }
        AckFrame f = new AckFrame();
        for (long hi = 998; hi >= 2; hi -= 4) {
            f.addRange(hi - 2, hi); // 0..2, 4..6, ..., 996..998: 3, 7, ..., 995 and 999 missing
        }
        ld.onAckReceived(f, 100 * MS, false);
        assertEquals(750, acked.size());
        assertEquals(249, lost.size(), "every gap: 998 - 995 >= 3");
        assertEquals(1, ld.outstandingPackets());
        assertEquals(SIZE, ld.bytesInFlight());
        ld.forEachOutstanding(p -> assertEquals(999, p.packetNumber()));
    }

    @Test
    void theListenerSeesTheTokenButTheDetectorForgetsIt() {
        SentPacket[] seen = new SentPacket[1];
        LossDetector d = new LossDetector(new RttEstimator(), new NewReno(SIZE), new LossDetector.Listener() {
            @Override
            public void onPacketAcked(SentPacket packet) {
                assertEquals("x", packet.frames());
                seen[0] = packet;
            }

            @Override
            public void onPacketLost(SentPacket packet) {}
        });
        d.onPacketSent(0, 0, SIZE, true, true, "x");
        d.onAckReceived(ack(0, 0), MS, false);
        assertNull(seen[0].frames(), "not retained after the call");
    }

    @Test
    void afterAPathChangeOldPacketsAreStillTrackedButStayOutOfTheNewPathsRttAndWindow() {
        send(0, 0);
        send(1, 0);
        send(2, 0);
        RttEstimator newRtt = new RttEstimator();
        NewReno newReno = new NewReno(SIZE);
        ld.onPathChanged(newRtt, newReno);
        assertEquals(0, ld.bytesInFlight(), "the new path starts with nothing in flight");
        assertEquals(3, ld.ackElicitingInFlight(), "the old packets are still outstanding");
        assertEquals(newRtt.pto(0), ld.nextTimeout(), "the probe timeout follows the new path's RTT");

        send(3, 10 * MS);
        assertEquals(SIZE, ld.bytesInFlight());
        ld.onAckReceived(ack(1, 1), 50 * MS, false);
        assertEquals(List.of(1L), acked);
        assertFalse(newRtt.hasSample(), "no sample from a packet of the old path");
        assertEquals(CongestionController.initialWindow(SIZE), newReno.window(), "nor growth");
        assertEquals(SIZE, ld.bytesInFlight());

        ld.onAckReceived(ack(3, 3), 60 * MS, false);
        assertEquals(List.of(1L, 3L), acked);
        assertEquals(50 * MS, newRtt.latest(), "packet 3's round trip");
        assertEquals(List.of(0L, 2L), lost, "the old path's losses are still found");
        assertEquals(Long.MAX_VALUE, newReno.slowStartThreshold(), "but are no congestion event on the new path");
        assertEquals(CongestionController.initialWindow(SIZE) + SIZE, newReno.window(), "packet 3 grows the window");
        assertEquals(0, ld.bytesInFlight());
        assertEquals(0, ld.ackElicitingInFlight());
        assertEquals(CongestionController.initialWindow(SIZE), reno.window(), "the old path's controller heard nothing");
    }
}
