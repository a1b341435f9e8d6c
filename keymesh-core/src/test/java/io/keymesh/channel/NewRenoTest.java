package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** NewReno as RFC 9002 section 7 and appendix B specify it. */
class NewRenoTest {
    private static final long MS = 1_000_000L;
    private static final int MSS = 1200;
    private final RttEstimator rtt = new RttEstimator();

    @Test
    void initialAndMinimumWindowsFollowSection7_2() {
        assertEquals(12000, CongestionController.initialWindow(1200));
        assertEquals(14720, CongestionController.initialWindow(1500), "capped at 14720");
        assertEquals(5000, CongestionController.initialWindow(500));
        assertEquals(18000, CongestionController.initialWindow(9000), "but at least 2 * mss");
        assertEquals(2400, CongestionController.minimumWindow(1200));
        NewReno r = new NewReno(MSS);
        assertEquals(12000, r.window());
        assertEquals(Long.MAX_VALUE, r.slowStartThreshold());
        assertTrue(r.inSlowStart());
    }

    /** Acks {@code packets} full-size packets sent at {@code sent}, received at {@code now}. */
    private static void ack(CongestionController cc, RttEstimator rtt, int packets, long sent, long now) {
        for (int i = 0; i < packets; i++) {
            cc.onPacketAcked(sent, MSS, false, rtt, now);
        }
    }

    @Test
    void slowStartDoublesTheWindowEveryRoundTrip() {
        NewReno r = new NewReno(MSS);
        long t = 0;
        long expected = 12000;
        for (int round = 0; round < 5; round++) {
            int packets = (int) (r.window() / MSS);
            ack(r, rtt, packets, t, t + 100 * MS);
            t += 100 * MS;
            expected *= 2;
            assertEquals(expected, r.window(), "round " + round);
        }
        assertEquals(384_000, r.window());
    }

    @Test
    void aLossHalvesTheWindowOncePerRecoveryPeriod() {
        NewReno r = new NewReno(MSS);
        ack(r, rtt, 30, 0, 100 * MS); // 48000
        assertEquals(48000, r.window());

        r.onPacketsLost(90 * MS, false, 200 * MS);
        assertEquals(24000, r.window());
        assertEquals(24000, r.slowStartThreshold());
        assertEquals(200 * MS, r.recoveryStartTime());
        assertFalse(r.inSlowStart());

        // more losses of packets sent before the period began: no further reduction
        r.onPacketsLost(150 * MS, false, 210 * MS);
        r.onPacketsLost(200 * MS, false, 220 * MS);
        assertEquals(24000, r.window());
        // acknowledgements of such packets do not grow the window
        ack(r, rtt, 20, 199 * MS, 230 * MS);
        assertEquals(24000, r.window());

        // a packet sent after the period began is lost: a new congestion event
        r.onPacketsLost(201 * MS, false, 300 * MS);
        assertEquals(12000, r.window());
        assertEquals(300 * MS, r.recoveryStartTime());
    }

    @Test
    void congestionAvoidanceAddsOneDatagramPerWindowAcknowledged() {
        NewReno r = new NewReno(MSS);
        ack(r, rtt, 30, 0, 100 * MS); // 48000
        r.onPacketsLost(90 * MS, false, 200 * MS); // 24000
        // 24000 bytes acknowledged (20 packets sent after recovery began): +1200
        ack(r, rtt, 19, 201 * MS, 300 * MS);
        assertEquals(24000, r.window());
        ack(r, rtt, 1, 201 * MS, 300 * MS);
        assertEquals(25200, r.window());
        // the next increase needs a whole 25200-byte window: 21 packets
        ack(r, rtt, 20, 301 * MS, 400 * MS);
        assertEquals(25200, r.window());
        ack(r, rtt, 1, 301 * MS, 400 * MS);
        assertEquals(26400, r.window());
    }

    @Test
    void theWindowNeverDropsBelowTheMinimum() {
        NewReno r = new NewReno(MSS);
        r.onPacketsLost(0, false, 10 * MS);   // 6000
        r.onPacketsLost(11 * MS, false, 20 * MS); // 3000
        r.onPacketsLost(21 * MS, false, 30 * MS); // 1500 -> 2400
        assertEquals(2400, r.window());
        assertEquals(1500, r.slowStartThreshold());
    }

    @Test
    void persistentCongestionCollapsesToTheMinimumWindowAndEndsRecovery() {
        NewReno r = new NewReno(MSS);
        ack(r, rtt, 30, 0, 100 * MS); // 48000
        r.onPacketsLost(90 * MS, true, 200 * MS);
        assertEquals(2400, r.window());
        assertEquals(24000, r.slowStartThreshold());
        assertEquals(Long.MIN_VALUE, r.recoveryStartTime());
        // slow start again, even for packets sent before the collapse
        ack(r, rtt, 2, 150 * MS, 300 * MS);
        assertEquals(4800, r.window());
        assertTrue(r.inSlowStart());
    }

    @Test
    void applicationLimitedAcknowledgementsDoNotGrowTheWindow() {
        NewReno r = new NewReno(MSS);
        for (int i = 0; i < 10; i++) {
            r.onPacketAcked(0, MSS, true, rtt, 100 * MS);
        }
        assertEquals(12000, r.window());
    }

    @Test
    void canSendAllowanceAndPacingRate() {
        NewReno r = new NewReno(MSS);
        assertTrue(r.canSend(10800, 1200));
        assertFalse(r.canSend(10801, 1200));
        assertEquals(1200, r.sendAllowance(10800));
        assertEquals(0, r.sendAllowance(20000));
        // 5/4 * 12000 bytes / 0.1 s
        assertEquals(150_000, r.pacingRate(100 * MS));
        assertEquals(Long.MAX_VALUE, r.pacingRate(0));
    }

    @Test
    void aLargerDatagramSizeRaisesTheMinimumWindow() {
        NewReno r = new NewReno(1200);
        r.onPacketsLost(0, true, 10 * MS);
        assertEquals(2400, r.window());
        r.setMaxDatagramSize(1400);
        assertEquals(2800, r.window());
        assertEquals(1400, r.maxDatagramSize());
        r.setMaxDatagramSize(1280);
        assertEquals(2800, r.window(), "never lowered by a size change");
    }
}
