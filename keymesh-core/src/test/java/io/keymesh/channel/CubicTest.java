package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * CUBIC (RFC 9438) with hand-computed numbers. MSS 1000 bytes, so a window of N segments is
 * N * 1000 bytes; smoothed RTT 100 ms.
 */
class CubicTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final int MSS = 1000;
    private static final double EPS = 1e-6;

    private final RttEstimator rtt = new RttEstimator();

    CubicTest() {
        rtt.update(100 * MS, 0, 0); // smoothed 100 ms
    }

    /** A CUBIC grown in slow start to {@code window} bytes, then a loss detected at {@code lossAt}. */
    private Cubic afterLossAt(long window, long lossAt, boolean fastConvergence) {
        Cubic c = new Cubic(MSS, fastConvergence);
        assertEquals(10_000, c.window());
        c.onPacketAcked(0, (int) (window - 10_000), false, rtt, 100 * MS);
        assertEquals(window, c.window(), "slow start adds the acknowledged bytes");
        c.onPacketsLost(lossAt - 10 * MS, false, lossAt);
        return c;
    }

    @Test
    void multiplicativeDecreaseAndTheCubicFunction() {
        // W_max = 36 segments; cwnd = ssthresh = 0.7 * 36 = 25.2 segments
        Cubic c = afterLossAt(36_000, 200 * MS, true);
        assertEquals(36_000, c.wMax(), EPS);
        assertEquals(25_200, c.window());
        assertEquals(25_200, c.slowStartThreshold());
        assertEquals(200 * MS, c.recoveryStartTime());

        // the first acknowledgement of a packet sent after recovery began starts the epoch:
        // K = cbrt((36 - 25.2) / 0.4) = cbrt(27) = 3 s
        c.onPacketAcked(201 * MS, 1, false, rtt, 300 * MS);
        assertEquals(300 * MS, c.epochStart());
        assertEquals(3.0, c.k(), 1e-12);
        // W(t) = 0.4 (t - 3)^3 + 36 segments
        assertEquals(25_200, c.wCubic(0), EPS);  // 0.4 * -27 + 36 = 25.2
        assertEquals(32_800, c.wCubic(1), EPS);  // 0.4 * -8 + 36 = 32.8
        assertEquals(35_600, c.wCubic(2), EPS);  // 0.4 * -1 + 36 = 35.6
        assertEquals(36_000, c.wCubic(3), EPS);  // the plateau at W_max
        assertEquals(39_200, c.wCubic(5), EPS);  // 0.4 * 8 + 36 = 39.2
        // at t = 0, W(0) = 25200 < W_est = 25200 + alpha * 1 * 1000 / 25200: Reno-friendly, cwnd = W_est
        assertEquals(25_200 + Cubic.ALPHA * 1000 / 25_200, c.wEst(), EPS);
        assertEquals(25_200, c.window());

        // t = 2 s, one segment acknowledged: W_est = 25221.03 < W(2) = 35600, so the concave region:
        // target = W(2.1) = 0.4 * (-0.9)^3 + 36 = 35.7084 segments;
        // cwnd += (35708.4 - 25200.021) / 25200.021 * 1000 = 416.999 -> 25617.02
        c.onPacketAcked(202 * MS, MSS, false, rtt, 300 * MS + 2 * S);
        assertEquals(25_617, c.window());
    }

    @Test
    void theTargetIsAtMostOneAndAHalfWindows() {
        Cubic c = afterLossAt(36_000, 200 * MS, true);
        c.onPacketAcked(201 * MS, 1, false, rtt, 300 * MS);
        // t = 20 s: W(20.1) = 0.4 * 17.1^3 + 36 = 2036 segments, far above 1.5 * cwnd, so
        // target = 1.5 * cwnd and the window grows by half the acknowledged bytes: 25200.02 + 500
        c.onPacketAcked(202 * MS, MSS, false, rtt, 300 * MS + 20 * S);
        assertEquals(25_700, c.window());
    }

    @Test
    void underAnAckClockTheWindowFollowsTheCubicCurve() {
        // W_max = 972 segments: cwnd 680.4 segments, K = cbrt((972 - 680.4) / 0.4) = cbrt(729) = 9 s
        Cubic c = afterLossAt(972_000, 1 * S, true);
        assertEquals(680_400, c.window());
        long rttNanos = 100 * MS;
        long now = 1 * S;
        double[] checkpoints = {1, 4, 9, 11};
        int next = 0;
        while (next < checkpoints.length) {
            // one round trip: a window of segments, acknowledged evenly over the RTT
            int segments = (int) (c.window() / MSS);
            for (int i = 0; i < segments; i++) {
                long at = now + rttNanos * i / segments;
                c.onPacketAcked(at - rttNanos, MSS, false, rtt, at);
            }
            now += rttNanos;
            double t = (now - c.epochStart()) / 1e9;
            if (t >= checkpoints[next]) {
                double w = c.wCubic(t);
                double error = Math.abs(c.window() - w) / w;
                assertTrue(error < 0.01, "t=" + t + " window " + c.window() + " W(t) " + w);
                assertTrue(c.wEst() < c.window(), "not in the Reno-friendly region");
                next++;
            }
        }
        assertEquals(9.0, c.k(), 1e-12);
    }

    @Test
    void renoFriendlyRegionGrowsByAlphaThenOneSegmentPerWindow() {
        Cubic c = afterLossAt(36_000, 200 * MS, true);
        long t1 = 300 * MS;
        // all at t = 0 where W(0) = 25200: always Reno-friendly.
        // A whole window acknowledged adds alpha = 3 * 0.3 / 1.7 = 0.5294 segments
        c.onPacketAcked(201 * MS, 25_200, false, rtt, t1);
        assertEquals(25_729.411764, c.wEst(), 1e-5);
        assertEquals(25_729, c.window());

        int windows = 1;
        while (c.wEst() < 36_000) {
            c.onPacketAcked(201 * MS, (int) c.window(), false, rtt, t1);
            windows++;
        }
        assertEquals(21, windows, "(36000 - 25200) / 529.4 windows at alpha");
        // W_est has reached cwnd_prior = W_max: alpha is 1, one segment per window as Reno
        double before = c.wEst();
        long window = c.window();
        c.onPacketAcked(201 * MS, (int) window, false, rtt, t1);
        assertEquals(1000.0 * window / before, c.wEst() - before, 1e-6);
        assertEquals(1000, c.wEst() - before, 0.05);
    }

    @Test
    void fastConvergenceLowersWmaxWhenTheWindowHadNotRecovered() {
        Cubic c = afterLossAt(36_000, 200 * MS, true);
        // a second congestion event, for a packet sent after the first one's recovery began
        c.onPacketsLost(250 * MS, false, 400 * MS);
        assertEquals(25_200 * 1.7 / 2, c.wMax(), EPS); // 21420
        assertEquals(17_640, c.window());               // 0.7 * 25200

        Cubic plain = afterLossAt(36_000, 200 * MS, false);
        plain.onPacketsLost(250 * MS, false, 400 * MS);
        assertEquals(25_200, plain.wMax(), EPS);
        assertEquals(17_640, plain.window());
    }

    @Test
    void oneReductionPerRecoveryPeriod() {
        Cubic c = afterLossAt(36_000, 200 * MS, true);
        c.onPacketsLost(150 * MS, false, 250 * MS);
        c.onPacketsLost(200 * MS, false, 260 * MS);
        assertEquals(25_200, c.window());
        // and acknowledgements of packets sent before it began do not grow the window
        c.onPacketAcked(199 * MS, MSS, false, rtt, 300 * MS);
        assertEquals(25_200, c.window());
        assertEquals(Long.MIN_VALUE, c.epochStart());
    }

    @Test
    void persistentCongestionCollapsesAndRestartsWithKZero() {
        Cubic c = new Cubic(MSS);
        c.onPacketAcked(0, 26_000, false, rtt, 100 * MS); // 36000
        c.onPacketsLost(90 * MS, true, 200 * MS);
        assertEquals(2_000, c.window());
        assertEquals(25_200, c.slowStartThreshold());
        assertEquals(0, c.wMax(), EPS);
        // slow start back above ssthresh
        c.onPacketAcked(150 * MS, 24_000, false, rtt, 300 * MS);
        assertEquals(26_000, c.window());
        // the first congestion avoidance stage after the timeout: K = 0, W_max = cwnd_epoch (section 4.8)
        c.onPacketAcked(150 * MS, 1, false, rtt, 400 * MS);
        assertEquals(0.0, c.k(), 0);
        assertEquals(26_000, c.wMax(), EPS);
        assertEquals(400 * MS, c.epochStart());
    }

    @Test
    void applicationLimitedTimeIsExcludedFromT() {
        Cubic c = afterLossAt(36_000, 200 * MS, true);
        c.onPacketAcked(201 * MS, 1, false, rtt, 300 * MS);
        assertEquals(300 * MS, c.epochStart());
        // three seconds of application-limited acknowledgements: no growth, t_epoch moves with them
        for (int i = 1; i <= 3; i++) {
            c.onPacketAcked(201 * MS, MSS, true, rtt, 300 * MS + i * S);
        }
        assertEquals(25_200, c.window());
        assertEquals(3_300 * MS, c.epochStart());
        // ten idle seconds, then sending resumes from nothing in flight: t_epoch moves again
        c.onPacketSent(13_300 * MS, MSS, 0);
        assertEquals(13_300 * MS, c.epochStart());
        c.onPacketSent(13_400 * MS, MSS, MSS); // not after idle: no change
        assertEquals(13_300 * MS, c.epochStart());
        // one second of real sending later, t = 1 s (not 14 s): target W(1.1), cwnd moves toward it
        double wEst = c.wEst() + Cubic.ALPHA * MSS * MSS / 25_200.021;
        assertTrue(c.wCubic(1) > wEst);
        double cwnd = 25_200 + Cubic.ALPHA * 1000 / 25_200; // W_est from the first acknowledgement
        double expected = cwnd + (c.wCubic(1.1) - cwnd) / cwnd * MSS;
        c.onPacketAcked(13_300 * MS, MSS, false, rtt, 14_300 * MS);
        assertEquals((long) expected, c.window());
    }
}
