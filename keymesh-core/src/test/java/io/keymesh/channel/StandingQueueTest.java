package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The standing-queue signal: rounds, min_rtt, the target and the window it asks for. */
class StandingQueueTest {
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;

    /** Feeds {@code count} samples of {@code rtt} spaced {@code gap} apart from {@code start}; returns the last signal or -1. */
    private static long feed(StandingQueue q, long start, long gap, int count, long rtt, long srtt, long inFlight) {
        long signal = -1;
        for (int i = 0; i < count; i++) {
            long w = q.onRttSample(start + i * gap, rtt, 0, srtt, inFlight);
            if (w >= 0) {
                signal = w;
            }
        }
        return signal;
    }

    @Test
    void noQueueNoSignal() {
        StandingQueue q = new StandingQueue();
        assertEquals(-1, feed(q, 0, MS, 10_000, 20 * MS, 20 * MS, 100_000));
        assertEquals(20 * MS, q.minRtt());
        assertEquals(0, q.signals());
        assertEquals(5 * MS, q.targetNanos(), "a quarter of min_rtt");
    }

    @Test
    void aQueueAboveTheTargetAsksForTheWindowThatDrainsIt() {
        StandingQueue q = new StandingQueue();
        feed(q, 0, MS, 100, 20 * MS, 20 * MS, 100_000);
        // Every packet now waits 5.5 ms more: above the 5 ms target; leaving half the target of
        // queue needs (20 + target / 2) / 25.5 of the bytes in flight, less than the 0.7 floor takes.
        long w = feed(q, 100 * MS, MS, 60, 25_500 * US, 25_500 * US, 100_000);
        long target = q.targetNanos();
        assertTrue(target >= 5 * MS && target < 5_500 * US, "target " + target);
        assertEquals((long) (100_000 * ((double) (20 * MS + target / 2) / (25_500 * US))), w);
        assertEquals(1, q.signals(), "one signal: the next round waits for the reduction to show");
    }

    @Test
    void oneSignalCutsAtMostToTheReductionFloor() {
        StandingQueue q = new StandingQueue();
        feed(q, 0, 10 * US, 100, 40 * US, 40 * US, 50_000);
        // (the round that saw both 40 us and 8 ms widens the target for a few rounds)
        long w = feed(q, 1 * MS, 10 * US, 10_000, 8 * MS, 8 * MS, 1_000_000);
        assertEquals(700_000, w, "0.7 of bytes in flight, not 40/8000 of them");
    }

    @Test
    void aNewMinRttBucketDrainsTheQueueEntirely() {
        StandingQueue q = new StandingQueue();
        feed(q, 0, MS, 100, 20 * MS, 20 * MS, 100_000);
        // After a bucket's span the queue has stood all along: the new bucket has not seen 20 ms,
        // so the signal asks for the window that leaves no queue at all.
        long t = StandingQueue.MIN_RTT_WINDOW_NANOS + MS;
        long w = feed(q, t, MS, 200, 26 * MS, 26 * MS, 100_000);
        assertEquals(20 * MS, q.minRtt());
        assertEquals((long) (100_000 * ((double) (20 * MS) / (26 * MS))), w);
    }

    @Test
    void aQueueUnderTheTargetIsLeftAlone() {
        StandingQueue q = new StandingQueue();
        feed(q, 0, MS, 100, 20 * MS, 20 * MS, 100_000);
        assertEquals(-1, feed(q, 100 * MS, MS, 1000, 24 * MS, 24 * MS, 100_000));
        // On a fast path the floor applies: 200 us of queue over a 40 us path is not a standing queue.
        StandingQueue fast = new StandingQueue();
        feed(fast, 0, 10 * US, 100, 40 * US, 40 * US, 50_000);
        assertEquals(-1, feed(fast, MS, 10 * US, 10_000, 240 * US, 240 * US, 50_000));
        assertEquals(StandingQueue.TARGET_FLOOR_NANOS, fast.targetNanos());
    }

    @Test
    void aRoundNeedsEnoughSamples() {
        StandingQueue q = new StandingQueue();
        feed(q, 0, MS, 100, 20 * MS, 20 * MS, 100_000);
        // Samples 10 ms apart, each 20 ms above min_rtt: a round lasts one smoothed RTT (40 ms) but
        // is judged only once it holds MIN_SAMPLES samples of the queue.
        long t = 100 * MS;
        int first = -1;
        for (int i = 0; i < 100 && first < 0; i++) {
            if (q.onRttSample(t, 40 * MS, 0, 40 * MS, 100_000) >= 0) {
                first = i;
            }
            t += 10 * MS;
        }
        assertTrue(first >= StandingQueue.MIN_SAMPLES - 1, "judged after " + (first + 1) + " samples");
    }

    @Test
    void oneQuickPacketInARoundMeansNoStandingQueue() {
        StandingQueue q = new StandingQueue();
        feed(q, 0, MS, 100, 20 * MS, 20 * MS, 100_000);
        long t = 100 * MS;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 30; i++) {
                long rtt = i == 17 ? 21 * MS : 60 * MS; // one packet per round escapes the delay
                assertEquals(-1, q.onRttSample(t, rtt, 0, 30 * MS, 100_000));
                t += MS;
            }
        }
    }

    @Test
    void jitterAloneIsNotAQueue() {
        // Uniform jitter of up to 20 ms on a 20 ms path, samples 1 ms apart: the spread it shows
        // widens the target beyond what the smallest sample of a round ever exceeds.
        SplittableRandom r = new SplittableRandom(1);
        StandingQueue q = new StandingQueue();
        long t = 0;
        for (int i = 0; i < 120_000; i++) {
            long rtt = 20 * MS + r.nextLong(20 * MS + 1);
            q.onRttSample(t, rtt, 0, 30 * MS, 100_000);
            t += MS;
        }
        assertEquals(0, q.signals(), "target " + q.targetNanos() + ", spread " + q.spreadNanos());
    }

    @Test
    void theAckDelayIsNotQueueing() {
        StandingQueue q = new StandingQueue();
        for (int i = 0; i < 2000; i++) {
            // 20 ms path; the peer held every ACK 10 ms and says so
            assertEquals(-1, q.onRttSample(i * MS, 30 * MS, 10 * MS, 30 * MS, 100_000));
        }
        assertEquals(20 * MS, q.minRtt());
    }

    @Test
    void aLongerPathIsLearntAgainWithinTwoWindows() {
        StandingQueue q = new StandingQueue();
        feed(q, 0, MS, 1000, 20 * MS, 20 * MS, 100_000);
        // The route changes: 60 ms from now on. The first rounds see a "queue"; within two min_rtt
        // windows the old minimum is forgotten and the signals stop.
        long t = 1000 * MS;
        long lastSignal = -1;
        for (int i = 0; i < 30_000; i++) {
            if (q.onRttSample(t, 60 * MS, 0, 60 * MS, 100_000) >= 0) {
                lastSignal = t;
            }
            t += MS;
        }
        assertTrue(lastSignal > 0 && lastSignal < 1000 * MS + 2 * StandingQueue.MIN_RTT_WINDOW_NANOS,
                "last signal at " + lastSignal);
        assertEquals(60 * MS, q.minRtt());
    }
}
