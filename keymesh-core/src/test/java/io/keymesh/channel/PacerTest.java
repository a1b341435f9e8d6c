package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Pacing at 5/4 * cwnd / srtt with a 10-datagram burst (RFC 9002 section 7.7). */
class PacerTest {
    private static final long MS = 1_000_000L;

    /** Sends as soon as allowed; returns the send times of {@code packets} packets. */
    private static long[] sendTimes(Pacer p, long start, int packets, int bytes, long window, long srtt, int mss) {
        long[] times = new long[packets];
        long now = start;
        for (int i = 0; i < packets; i++) {
            now = p.nextSendTime(now, bytes, window, srtt, mss);
            p.onPacketSent(now, bytes, window, srtt, mss);
            times[i] = now;
        }
        return times;
    }

    @Test
    void aBurstOfTenThenOnePacketPerInterval() {
        // 5/4 * 100000 bytes / 100 ms = 1.25 bytes/us: one 1250-byte packet per millisecond
        Pacer p = new Pacer();
        long[] t = sendTimes(p, 0, 14, 1250, 100_000, 100 * MS, 1250);
        for (int i = 0; i < 10; i++) {
            assertEquals(0, t[i], "burst packet " + i);
        }
        assertEquals(1 * MS, t[10]);
        assertEquals(2 * MS, t[11]);
        assertEquals(3 * MS, t[12]);
        assertEquals(4 * MS, t[13]);
    }

    @Test
    void spacingFollowsTheWindowAndRtt() {
        // 5/4 * 12000 / 100 ms = 150000 bytes/s: 1200 bytes every 8 ms
        Pacer p = new Pacer();
        long[] t = sendTimes(p, 0, 12, 1200, 12_000, 100 * MS, 1200);
        assertEquals(0, t[9]);
        assertEquals(8 * MS, t[10]);
        assertEquals(16 * MS, t[11]);
        // double the window: half the spacing
        Pacer q = new Pacer();
        long[] u = sendTimes(q, 0, 12, 1200, 24_000, 100 * MS, 1200);
        assertEquals(4 * MS, u[10]);
        assertEquals(8 * MS, u[11]);
        // double the RTT: double the spacing
        Pacer r = new Pacer();
        long[] v = sendTimes(r, 0, 12, 1200, 12_000, 200 * MS, 1200);
        assertEquals(16 * MS, v[10]);
        assertEquals(32 * MS, v[11]);
    }

    @Test
    void fractionalIntervalsRoundUpWithoutDrift() {
        // 5/4 * 30000 / 7 ms: 1000 bytes every 186666.67 ns
        Pacer p = new Pacer();
        long[] t = sendTimes(p, 0, 13, 1000, 30_000, 7 * MS, 1000);
        assertEquals(186_667, t[10]);
        assertEquals(373_334, t[11]);
        assertEquals(560_000, t[12], "three intervals are exactly 560 us: the remainder is carried");
    }

    @Test
    void idleRefillsTheBurstButNoMore() {
        Pacer p = new Pacer();
        sendTimes(p, 0, 12, 1250, 100_000, 100 * MS, 1250);
        assertEquals(0, p.tokens());
        long[] t = sendTimes(p, 10_000 * MS, 11, 1250, 100_000, 100 * MS, 1250);
        for (int i = 0; i < 10; i++) {
            assertEquals(10_000 * MS, t[i]);
        }
        assertEquals(10_001 * MS, t[10]);
    }

    @Test
    void aPartlyRefilledBucketWaitsOnlyForTheRest() {
        Pacer p = new Pacer();
        sendTimes(p, 0, 10, 1250, 100_000, 100 * MS, 1250);
        // half a millisecond accrues 625 bytes; 625 more take another half
        assertEquals(1 * MS, p.nextSendTime(MS / 2, 1250, 100_000, 100 * MS, 1250));
        assertEquals(625, p.tokens());
        // a small packet fits at once
        assertEquals(MS / 2, p.nextSendTime(MS / 2, 600, 100_000, 100 * MS, 1250));
    }

    @Test
    void theBurstCoversOneTimerTickOnAFastPath() {
        // 5/4 * 160000 bytes / 400 us = 500 bytes/us: a millisecond's worth is 500000 bytes, more
        // than the window; 100 packets of 1600 bytes leave at once, not ten per tick.
        Pacer p = new Pacer();
        long[] t = sendTimes(p, 0, 100, 1600, 160_000, 400_000, 1600);
        for (long x : t) {
            assertEquals(0, x);
        }
        // 5/4 * 80000 / 20 ms = 5 bytes/us: a tick is 5000 bytes, less than ten packets: ten go at once
        Pacer q = new Pacer();
        long[] u = sendTimes(q, 0, 11, 1000, 80_000, 20 * MS, 1000);
        assertEquals(0, u[9]);
        assertEquals(200_000, u[10]);
    }

    @Test
    void withoutAnRttThereIsNoPacing() {
        Pacer p = new Pacer();
        long[] t = sendTimes(p, 5, 30, 1200, 12_000, 0, 1200);
        for (long x : t) {
            assertEquals(5, x);
        }
    }
}
