package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.wire.AckFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What to acknowledge and when (RFC 9000 sections 12.3, 13.2). */
class ReceivedPacketsTest {
    private static final long MS = 1_000_000L;

    /** pattern of arrivals; which are new; the ranges expected, largest first, as {smallest, largest}. */
    static Stream<Arguments> patterns() {
        return Stream.of(
                Arguments.of("in order", new long[] {0, 1, 2}, "111", new long[][] {{0, 2}}),
                Arguments.of("every other", new long[] {0, 2, 4}, "111", new long[][] {{4, 4}, {2, 2}, {0, 0}}),
                Arguments.of("reordered fills", new long[] {2, 0, 1}, "111", new long[][] {{0, 2}}),
                Arguments.of("duplicates", new long[] {0, 1, 1, 2, 0}, "11010", new long[][] {{0, 2}}),
                Arguments.of("late fill below", new long[] {5, 3, 4, 1}, "1111", new long[][] {{3, 5}, {1, 1}}),
                Arguments.of("mixed", new long[] {10, 8, 9, 9, 7, 12, 12}, "1110110", new long[][] {{12, 12}, {7, 10}}),
                Arguments.of("starts late", new long[] {7, 9, 8}, "111", new long[][] {{7, 9}}),
                Arguments.of("joins two ranges", new long[] {1, 3, 5, 2, 4}, "11111", new long[][] {{1, 5}}),
                Arguments.of("descending", new long[] {4, 3, 2, 1, 0, 2}, "111110", new long[][] {{0, 4}}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("patterns")
    void rangesForReceivePatterns(String name, long[] arrivals, String fresh, long[][] expected) {
        ReceivedPackets rp = new ReceivedPackets();
        StringBuilder got = new StringBuilder();
        for (long pn : arrivals) {
            got.append(rp.onReceived(pn, true, 0) ? '1' : '0');
        }
        assertEquals(fresh, got.toString());
        assertEquals(Arrays.deepToString(expected), Arrays.deepToString(ranges(rp)));

        AckFrame f = new AckFrame();
        rp.fillAckFrame(f, 0);
        assertEquals(expected.length, f.rangeCount());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i][0], f.smallest(i));
            assertEquals(expected[i][1], f.largest(i));
        }
    }

    @Test
    void rangesAreBoundedAndTheOldestIsForgottenBehindAFloor() {
        ReceivedPackets rp = new ReceivedPackets();
        for (long pn = 0; pn <= 80; pn += 2) {
            assertTrue(rp.onReceived(pn, false, 0));
        }
        // 41 single-packet ranges, 32 kept: 80, 78, ..., 18
        assertEquals(ReceivedPackets.DEFAULT_MAX_RANGES, rp.rangeCount());
        assertEquals(80, rp.largest(0));
        assertEquals(18, rp.smallest(31));
        assertEquals(17, rp.floor());
        assertFalse(rp.onReceived(16, true, 0), "forgotten: treated as a duplicate");
        assertFalse(rp.onReceived(15, true, 0), "below the floor");
        assertTrue(rp.onReceived(17, true, 0), "at the floor and never seen: new");
        assertEquals(17, rp.smallest(31));
        assertEquals(18, rp.largest(31));
        assertFalse(rp.onReceived(17, true, 0));
    }

    @Test
    void aNewOldestRangeBeyondTheBoundIsDroppedAtOnce() {
        ReceivedPackets rp = new ReceivedPackets(2, 25 * MS, 2);
        rp.onReceived(10, true, 0);
        rp.onReceived(20, true, 0);
        assertTrue(rp.onReceived(5, true, 0)); // new, processed, but not remembered
        assertEquals(2, rp.rangeCount());
        assertEquals(6, rp.floor());
        assertFalse(rp.onReceived(5, true, 0));
        assertTrue(rp.onReceived(15, true, 0)); // drops 10..10
        assertEquals(11, rp.floor());
        assertEquals(Arrays.deepToString(new long[][] {{20, 20}, {15, 15}}), Arrays.deepToString(ranges(rp)));
    }

    @Test
    void oneAckElicitingPacketWaitsMaxAckDelay() {
        ReceivedPackets rp = new ReceivedPackets();
        assertEquals(ReceivedPackets.NO_DEADLINE, rp.ackDeadline());
        rp.onReceived(0, true, 100 * MS);
        assertEquals(125 * MS, rp.ackDeadline());
        assertFalse(rp.ackDue(125 * MS - 1));
        assertTrue(rp.ackDue(125 * MS));
    }

    @Test
    void decimatedAcksWaitForTheThresholdOrTheShorterDelay() {
        ReceivedPackets rp = new ReceivedPackets();
        rp.setAckFrequency(10, 2 * MS);
        for (int pn = 0; pn < 9; pn++) {
            rp.onReceived(pn, true, 100 * MS + pn);
        }
        assertEquals(102 * MS, rp.ackDeadline(), "the delay runs from the first unacknowledged packet");
        rp.onReceived(9, true, 100 * MS + 9);
        assertEquals(100 * MS + 9, rp.ackDeadline(), "the tenth makes it due at once");
        rp.onAckSent();
        rp.onReceived(10, true, 101 * MS);
        assertEquals(103 * MS, rp.ackDeadline());
        rp.onReceived(12, true, 101 * MS + 1); // 11 missing: out of order
        assertEquals(101 * MS + 1, rp.ackDeadline(), "a gap is still acknowledged at once");
    }

    @Test
    void theSecondAckElicitingPacketMakesTheAckImmediate() {
        ReceivedPackets rp = new ReceivedPackets();
        rp.onReceived(0, true, 100 * MS);
        rp.onReceived(1, true, 105 * MS);
        assertEquals(105 * MS, rp.ackDeadline());
        assertTrue(rp.ackDue(105 * MS));
        rp.onAckSent();
        assertEquals(ReceivedPackets.NO_DEADLINE, rp.ackDeadline());
        assertFalse(rp.hasNewPackets());
        rp.onReceived(2, true, 110 * MS);
        assertEquals(135 * MS, rp.ackDeadline(), "the count restarts after an ACK");
    }

    @Test
    void nonAckElicitingPacketsAreRecordedButNeverMakeAnAckDue() {
        ReceivedPackets rp = new ReceivedPackets();
        rp.onReceived(0, false, 0);
        rp.onReceived(1, false, 0);
        rp.onReceived(5, false, 0);
        assertEquals(ReceivedPackets.NO_DEADLINE, rp.ackDeadline());
        assertTrue(rp.hasNewPackets());
        assertEquals(2, rp.rangeCount());
    }

    @Test
    void outOfOrderAckElicitingPacketsAreAcknowledgedAtOnce() {
        ReceivedPackets rp = new ReceivedPackets();
        rp.onReceived(0, true, 0);
        rp.onAckSent();
        // a gap below: 1 is missing
        rp.onReceived(2, true, 10 * MS);
        assertEquals(10 * MS, rp.ackDeadline());
        rp.onAckSent();
        // below the largest ack-eliciting packet
        rp.onReceived(1, true, 20 * MS);
        assertEquals(20 * MS, rp.ackDeadline());
        rp.onAckSent();
        // in order again: delayed
        rp.onReceived(3, true, 30 * MS);
        assertEquals(55 * MS, rp.ackDeadline());
    }

    @Test
    void aGapFilledByNonAckElicitingPacketsIsNotOutOfOrder() {
        ReceivedPackets rp = new ReceivedPackets();
        rp.onReceived(0, true, 0);
        rp.onAckSent();
        rp.onReceived(1, false, 1 * MS);
        rp.onReceived(2, true, 2 * MS);
        assertEquals(27 * MS, rp.ackDeadline());
        // but a gap above a non-eliciting packet is
        rp.onAckSent();
        rp.onReceived(3, false, 3 * MS);
        rp.onReceived(5, true, 4 * MS);
        assertEquals(4 * MS, rp.ackDeadline());
    }

    @Test
    void ackDelayIsTheTimeSinceTheLargestArrived() {
        ReceivedPackets rp = new ReceivedPackets();
        rp.onReceived(4, true, 10 * MS);
        rp.onReceived(2, true, 12 * MS); // not the largest: does not move the reference
        AckFrame f = new AckFrame();
        rp.fillAckFrame(f, 13 * MS);
        assertEquals(3 * MS, f.ackDelayNanos());
        assertEquals(4, f.largestAcknowledged());
    }

    @Test
    void anAcknowledgedAckLetsOlderRangesGo() {
        ReceivedPackets rp = new ReceivedPackets();
        for (long pn : new long[] {0, 1, 2, 5, 6, 7, 10, 11, 12}) {
            rp.onReceived(pn, true, 0);
        }
        rp.onAckFrameAcknowledged(11);
        assertEquals(Arrays.deepToString(new long[][] {{10, 12}}), Arrays.deepToString(ranges(rp)));
        assertEquals(8, rp.floor());
        assertFalse(rp.onReceived(3, true, 0));
        assertTrue(rp.onReceived(9, true, 0));
        assertTrue(rp.onReceived(8, true, 0));
        assertEquals(Arrays.deepToString(new long[][] {{8, 12}}), Arrays.deepToString(ranges(rp)));
        rp.onAckFrameAcknowledged(12); // the range holding it stays
        assertEquals(1, rp.rangeCount());
    }

    @Test
    void badPacketNumbersAreDropped() {
        ReceivedPackets rp = new ReceivedPackets();
        assertFalse(rp.onReceived(-1, true, 0));
        assertFalse(rp.onReceived(1L << 62, true, 0));
        assertEquals(-1, rp.largest());
        assertEquals(ReceivedPackets.NO_DEADLINE, rp.ackDeadline());
    }

    private static long[][] ranges(ReceivedPackets rp) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < rp.rangeCount(); i++) {
            out.add(new long[] {rp.smallest(i), rp.largest(i)});
        }
        return out.toArray(new long[0][]);
    }
}
