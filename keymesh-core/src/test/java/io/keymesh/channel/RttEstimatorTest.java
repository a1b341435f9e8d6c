package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 9002 section 5 with worked numbers (milliseconds written as nanoseconds). */
class RttEstimatorTest {
    private static final long MS = 1_000_000L;
    private static final long US = 1_000L;

    @Test
    void beforeAnySampleTheInitialRttGivesAOneSecondPto() {
        RttEstimator r = new RttEstimator();
        assertFalse(r.hasSample());
        assertEquals(333 * MS, r.smoothed());
        assertEquals(166_500 * US, r.rttvar());
        assertEquals(0, r.min());
        assertEquals(0, r.latest());
        // 333 + 4 * 166.5 + 25 = 1024 ms
        assertEquals(1024 * MS, r.ptoBase());
        assertEquals(1024 * MS, r.pto(0));
        assertEquals(2048 * MS, r.pto(1));
        assertEquals(8192 * MS, r.pto(3));
    }

    @Test
    void theFirstSampleReplacesEverythingAndIgnoresAckDelay() {
        RttEstimator r = new RttEstimator();
        r.update(100 * MS, 10 * MS, 5_000 * MS);
        assertTrue(r.hasSample());
        assertEquals(5_000 * MS, r.firstSampleTime());
        assertEquals(100 * MS, r.latest());
        assertEquals(100 * MS, r.min());
        assertEquals(100 * MS, r.smoothed());
        assertEquals(50 * MS, r.rttvar());
        // 100 + 4 * 50 + 25
        assertEquals(325 * MS, r.ptoBase());
    }

    @Test
    void laterSamplesSubtractPlausibleAckDelayAndAverage() {
        RttEstimator r = new RttEstimator();
        r.update(100 * MS, 0, 0);

        // 140 >= 100 + 20: adjusted 120; rttvar = 3/4 * 50 + 1/4 * |100 - 120| = 42.5;
        // smoothed = 7/8 * 100 + 1/8 * 120 = 102.5
        r.update(140 * MS, 20 * MS, 1);
        assertEquals(140 * MS, r.latest());
        assertEquals(100 * MS, r.min());
        assertEquals(42_500 * US, r.rttvar());
        assertEquals(102_500 * US, r.smoothed());

        // ack delay 50 is capped at max_ack_delay 25: adjusted 135;
        // rttvar = 3/4 * 42.5 + 1/4 * 32.5 = 40; smoothed = 7/8 * 102.5 + 1/8 * 135 = 106.5625
        r.update(160 * MS, 50 * MS, 2);
        assertEquals(40 * MS, r.rttvar());
        assertEquals(106_562_500L, r.smoothed());

        // 105 < min 100 + delay 10: the delay is implausible and not subtracted;
        // rttvar = (3 * 40 + 1.5625) / 4 = 30.390625; smoothed = (7 * 106.5625 + 105) / 8 = 106.3671875 (rounded down)
        r.update(105 * MS, 10 * MS, 3);
        assertEquals(30_390_625L, r.rttvar());
        assertEquals(106_367_187L, r.smoothed());
        assertEquals(100 * MS, r.min());

        // min_rtt follows the raw sample, ack delay not subtracted
        r.update(90 * MS, 5 * MS, 4);
        assertEquals(90 * MS, r.min());
        assertEquals(90 * MS, r.latest());
    }

    @Test
    void ptoUsesTheGranularityWhenRttvarIsTiny() {
        RttEstimator r = new RttEstimator();
        r.update(400 * US, 0, 0);
        assertEquals(200 * US, r.rttvar());
        // 4 * 0.2 ms < kGranularity 1 ms: 0.4 + 1 + 25
        assertEquals(26_400 * US, r.ptoBase());
    }

    @Test
    void maxAckDelayIsAParameterAndBackoffSaturates() {
        RttEstimator r = new RttEstimator(100 * MS, 0);
        assertEquals(100 * MS + 200 * MS, r.ptoBase());
        r.update(100 * MS, 0, 0);
        r.update(130 * MS, 30 * MS, 1); // max_ack_delay 0: nothing subtracted
        assertEquals((7 * 100 * MS + 130 * MS) / 8, r.smoothed());
        assertEquals(Long.MAX_VALUE, r.pto(100));
        assertEquals(r.ptoBase(), r.pto(-1));
    }
}
