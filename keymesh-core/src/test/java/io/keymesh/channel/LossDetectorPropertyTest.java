package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.testing.SeededProperty;
import io.keymesh.wire.AckFrame;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Random sends, lossy and reordered ACKs and timer firings: every packet's fate is reported once,
 * an acknowledgement only for a packet the peer acknowledged, and the counters always equal what
 * is still outstanding.
 */
class LossDetectorPropertyTest {
    private static final long MS = 1_000_000L;

    @Test
    void everyPacketIsAccountedForExactlyOnce() {
        SeededProperty.forAll(200, LossDetectorPropertyTest::checkRandomRun);
    }

    /**
     * 400 random steps: sends (some skipping a number, some not ack-eliciting, a quarter never
     * delivered), ACKs and timer firings.
     */
    private static void checkRandomRun(RandomGenerator random) {
        Map<Long, Integer> sizes = new HashMap<>();
        Set<Long> eliciting = new HashSet<>();
        Set<Long> reported = new HashSet<>();
        Set<Long> lostSet = new HashSet<>();
        TreeSet<Long> delivered = new TreeSet<>(); // what the peer has received
        long[] largestAcked = {-1};
        AckFrame[] current = {null};
        LossDetector ld = new LossDetector(new RttEstimator(), new Cubic(1200), new LossDetector.Listener() {
            @Override
            public void onPacketAcked(SentPacket p) {
                assertTrue(reported.add(p.packetNumber()), "reported twice: " + p);
                assertTrue(inRanges(current[0], p.packetNumber()), "acked without an ACK: " + p);
                assertEquals("f" + p.packetNumber(), p.frames());
            }

            @Override
            public void onPacketLost(SentPacket p) {
                assertTrue(reported.add(p.packetNumber()), "reported twice: " + p);
                assertTrue(p.packetNumber() <= largestAcked[0], "lost above the largest acknowledged: " + p);
                lostSet.add(p.packetNumber());
            }
        });
        long now = 0;
        long pn = 0;
        for (int step = 0; step < 400; step++) {
            now += random.nextInt(20) * MS;
            int op = random.nextInt(10);
            if (op < 5) {
                pn += 1 + (random.nextInt(10) == 0 ? 1 : 0); // sometimes skip a number
                int size = 50 + random.nextInt(1200);
                boolean elicit = random.nextInt(5) != 0;
                ld.onPacketSent(pn, now, size, elicit, elicit, "f" + pn);
                sizes.put(pn, size);
                if (elicit) {
                    eliciting.add(pn);
                }
                if (random.nextInt(4) != 0) {
                    delivered.add(pn);
                }
            } else if (op < 8 && !delivered.isEmpty()) {
                AckFrame f = new AckFrame();
                // the peer reports its newest ranges (some of them, at most 8)
                long hi = delivered.last();
                int ranges = 0;
                while (hi >= 0 && ranges < 8) {
                    long lo = hi;
                    while (delivered.contains(lo - 1)) {
                        lo--;
                    }
                    f.addRange(lo, hi);
                    ranges++;
                    Long below = delivered.lower(lo - 1);
                    if (below == null) {
                        break;
                    }
                    hi = below;
                }
                f.setAckDelayNanos(random.nextInt(30) * MS);
                current[0] = f;
                largestAcked[0] = Math.max(largestAcked[0], f.largestAcknowledged());
                assertTrue(ld.onAckReceived(f, now, random.nextBoolean()));
                current[0] = null;
            } else {
                long due = ld.nextTimeout();
                if (due != LossDetector.NO_TIMEOUT) {
                    now = Math.max(now, due);
                    int probes = ld.onTimeout(now);
                    assertTrue(probes == 0 || probes == LossDetector.PTO_PROBE_PACKETS);
                }
            }
            long inFlight = 0;
            int outstanding = 0;
            int elicitingInFlight = 0;
            for (Map.Entry<Long, Integer> e : sizes.entrySet()) {
                if (!reported.contains(e.getKey())) {
                    outstanding++;
                    if (eliciting.contains(e.getKey())) {
                        inFlight += e.getValue();
                        elicitingInFlight++;
                    }
                }
            }
            assertEquals(inFlight, ld.bytesInFlight());
            assertEquals(outstanding, ld.outstandingPackets());
            assertEquals(elicitingInFlight, ld.ackElicitingInFlight());
            if (outstanding == 0) {
                assertEquals(LossDetector.NO_TIMEOUT, ld.nextTimeout());
            }
            if (elicitingInFlight > 0) {
                assertFalse(ld.nextTimeout() == LossDetector.NO_TIMEOUT, "PTO or loss timer armed");
            }
        }
        assertTrue(ld.packetsLost() == lostSet.size());
    }

    private static boolean inRanges(AckFrame f, long pn) {
        if (f == null) {
            return false;
        }
        for (int i = 0; i < f.rangeCount(); i++) {
            if (pn >= f.smallest(i) && pn <= f.largest(i)) {
                return true;
            }
        }
        return false;
    }
}
