package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The ACK frame's exact layout, truncation to a size limit, and rejection of malformed bodies. */
class AckFrameTest {

    /** Ranges 95..100, 90..92, 80..80 and 800 microseconds of delay, encoded by hand. */
    private static final byte[] THREE_RANGES = {
        0x02, 0x0a,             // type ACK, body length 10
        0x40, 0x64,             // largest acknowledged 100
        0x40, 0x64,             // ack delay 100 * 8 us = 800 us
        0x02,                   // two more ranges
        0x05,                   // first range: 100 - 5 = 95 .. 100
        0x01, 0x02,             // gap 1: largest 95 - 1 - 2 = 92; length 2: 90 .. 92
        0x08, 0x00,             // gap 8: largest 90 - 8 - 2 = 80; length 0: 80 .. 80
    };

    private static AckFrame threeRanges() {
        AckFrame f = new AckFrame();
        f.setAckDelayNanos(800_000);
        f.addRange(95, 100);
        f.addRange(90, 92);
        f.addRange(80, 80);
        return f;
    }

    @Test
    void encodesTheRfc9000Layout() {
        AckFrame f = threeRanges();
        assertEquals(THREE_RANGES.length, f.frameLength());
        byte[] b = new byte[40];
        assertEquals(THREE_RANGES.length, f.write(b, 3, 37));
        assertArrayEquals(THREE_RANGES, Arrays.copyOfRange(b, 3, 3 + THREE_RANGES.length));
    }

    @Test
    void decodesTheRfc9000Layout() {
        AckFrame f = new AckFrame();
        int[] seen = {0};
        assertTrue(MeshFrame.forEach(THREE_RANGES, 0, THREE_RANGES.length, (type, b, off, len) -> {
            seen[0]++;
            assertTrue(f.decode(type, b, off, len));
        }));
        assertEquals(1, seen[0]);
        assertEquals(3, f.rangeCount());
        assertEquals(100, f.largestAcknowledged());
        assertEquals(95, f.smallest(0));
        assertEquals(100, f.largest(0));
        assertEquals(90, f.smallest(1));
        assertEquals(92, f.largest(1));
        assertEquals(80, f.smallest(2));
        assertEquals(80, f.largest(2));
        assertEquals(100, f.ackDelayField());
        assertEquals(800_000, f.ackDelayNanos());
        assertFalse(f.hasEcnCounts());
    }

    @Test
    void ackDelayIsInEightMicrosecondUnitsRoundedDown() {
        AckFrame f = new AckFrame();
        f.setAckDelayNanos(25_000_000);
        assertEquals(3125, f.ackDelayField());
        assertEquals(25_000_000, f.ackDelayNanos());
        f.setAckDelayNanos(15_999);
        assertEquals(1, f.ackDelayField());
        assertEquals(8_000, f.ackDelayNanos());
        assertThrows(IllegalArgumentException.class, () -> f.setAckDelayNanos(-1));
    }

    @Test
    void truncatesTheOldestRangesToFit() {
        AckFrame f = threeRanges();
        byte[] b = new byte[20];
        assertEquals(3, f.rangesThatFit(12));
        assertEquals(2, f.rangesThatFit(11));
        assertEquals(2, f.rangesThatFit(10));
        assertEquals(1, f.rangesThatFit(9));
        assertEquals(1, f.rangesThatFit(8));
        assertEquals(0, f.rangesThatFit(7));

        assertEquals(10, f.write(b, 0, 11));
        assertArrayEquals(new byte[] {0x02, 0x08, 0x40, 0x64, 0x40, 0x64, 0x01, 0x05, 0x01, 0x02},
                Arrays.copyOf(b, 10));
        assertEquals(8, f.write(b, 0, 9));
        assertArrayEquals(new byte[] {0x02, 0x06, 0x40, 0x64, 0x40, 0x64, 0x00, 0x05}, Arrays.copyOf(b, 8));
        assertEquals(0, f.write(b, 0, 7));
        assertEquals(0, new AckFrame().write(b, 0, 20));
    }

    @Test
    void rangesMustBeAddedLargestFirstWithGaps() {
        AckFrame f = new AckFrame();
        f.addRange(10, 12);
        assertThrows(IllegalArgumentException.class, () -> f.addRange(11, 11)); // overlaps
        assertThrows(IllegalArgumentException.class, () -> f.addRange(8, 9));   // adjacent: no gap
        assertThrows(IllegalArgumentException.class, () -> f.addRange(20, 21)); // above
        assertThrows(IllegalArgumentException.class, () -> f.addRange(5, 4));
        assertThrows(IllegalArgumentException.class, () -> f.addRange(-1, 3));
        f.addRange(0, 8);
        assertEquals(2, f.rangeCount());
    }

    @Test
    void everyTruncationIsRejected() {
        AckFrame f = new AckFrame();
        int bodyOff = 2;
        int bodyLen = THREE_RANGES.length - bodyOff;
        for (int len = 0; len < bodyLen; len++) {
            assertFalse(f.decode(AckFrame.TYPE, THREE_RANGES, bodyOff, len), "prefix of " + len);
            assertEquals(0, f.rangeCount());
        }
        assertTrue(f.decode(AckFrame.TYPE, THREE_RANGES, bodyOff, bodyLen));
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] body = {0x05, 0x00, 0x00, 0x02, 0x00};
        AckFrame f = new AckFrame();
        assertTrue(f.decode(AckFrame.TYPE, body, 0, 4));
        assertFalse(f.decode(AckFrame.TYPE, body, 0, 5));
    }

    @Test
    void rangesBelowPacketNumberZeroAreRejected() {
        AckFrame f = new AckFrame();
        // largest 5, first range 6: smallest would be -1
        assertFalse(f.decode(AckFrame.TYPE, new byte[] {0x05, 0x00, 0x00, 0x06}, 0, 4));
        // largest 5, first range 5: 0..5 is fine
        assertTrue(f.decode(AckFrame.TYPE, new byte[] {0x05, 0x00, 0x00, 0x05}, 0, 4));
        // largest 10, 8..10, gap 6 -> largest 0, length 0: fine
        assertTrue(f.decode(AckFrame.TYPE, new byte[] {0x0a, 0x00, 0x01, 0x02, 0x06, 0x00}, 0, 6));
        assertEquals(0, f.smallest(1));
        assertEquals(0, f.largest(1));
        // gap 7 -> largest 8 - 7 - 2 = -1: underflow
        assertFalse(f.decode(AckFrame.TYPE, new byte[] {0x0a, 0x00, 0x01, 0x02, 0x07, 0x00}, 0, 6));
        // gap 6 -> largest 0, length 1 -> smallest -1: underflow
        assertFalse(f.decode(AckFrame.TYPE, new byte[] {0x0a, 0x00, 0x01, 0x02, 0x06, 0x01}, 0, 6));
        // a gap of 2^62-1 (8-byte varint) underflows without overflowing arithmetic
        assertFalse(f.decode(AckFrame.TYPE, new byte[] {0x0a, 0x00, 0x01, 0x02,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            0x00}, 0, 13));
    }

    @Test
    void anAbsurdRangeCountIsRejectedWithoutLooping() {
        byte[] body = {0x05, 0x00,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            0x00, 0x00, 0x00};
        assertFalse(new AckFrame().decode(AckFrame.TYPE, body, 0, body.length));
    }

    @Test
    void otherTypesAndBadBoundsAreRejected() {
        byte[] body = {0x05, 0x00, 0x00, 0x05};
        AckFrame f = new AckFrame();
        assertFalse(f.decode(MeshFrame.DATAGRAM, body, 0, 4));
        assertFalse(f.decode(0x08, body, 0, 4));
        assertFalse(f.decode(AckFrame.TYPE, body, 2, 4));
        assertFalse(f.decode(AckFrame.TYPE, body, -1, 4));
        assertFalse(f.decode(AckFrame.TYPE, null, 0, 0));
    }

    @Test
    void ecnCountsAreWrittenAsTheEcnVariant() {
        AckFrame f = new AckFrame();
        f.addRange(0, 5);
        f.setEcnCounts(7, 0, 64);
        byte[] out = new byte[32];
        int n = f.write(out, 0, out.length);
        // type 0x03, body length 8, then the body of theEcnVariantCarriesThreeCounts
        assertArrayEquals(new byte[] {0x03, 0x08, 0x05, 0x00, 0x00, 0x05, 0x07, 0x00, 0x40, 0x40},
                java.util.Arrays.copyOf(out, n));
        assertEquals(n, f.frameLength());
        assertEquals(0, f.write(out, 0, n - 1), "the counts are part of what must fit");
        AckFrame back = new AckFrame();
        assertTrue(back.decode(AckFrame.TYPE_ECN, out, 2, n - 2));
        assertEquals(64, back.ecnCeCount());
        f.clear();
        f.addRange(0, 5);
        assertEquals(AckFrame.TYPE, f.write(out, 0, out.length) > 0 ? out[0] : -1, "cleared: a plain ACK again");
    }

    @Test
    void theEcnVariantCarriesThreeCounts() {
        AckFrame f = new AckFrame();
        byte[] body = {0x05, 0x00, 0x00, 0x05, 0x07, 0x00, 0x40, 0x40};
        assertTrue(f.decode(AckFrame.TYPE_ECN, body, 0, body.length));
        assertTrue(f.hasEcnCounts());
        assertEquals(7, f.ect0Count());
        assertEquals(0, f.ect1Count());
        assertEquals(64, f.ecnCeCount());
        assertEquals(5, f.largestAcknowledged());
        // without the counts, or with them under the plain type, it is malformed
        assertFalse(f.decode(AckFrame.TYPE_ECN, body, 0, 4));
        assertFalse(f.decode(AckFrame.TYPE_ECN, body, 0, 7));
        assertFalse(f.decode(AckFrame.TYPE, body, 0, body.length));
        assertTrue(f.decode(AckFrame.TYPE, body, 0, 4));
        assertFalse(f.hasEcnCounts());
        assertEquals(0, f.ecnCeCount());
    }

    @Test
    void decodingManyRangesGrowsTheInstance() {
        AckFrame f = new AckFrame();
        for (int i = 0; i < 100; i++) {
            long top = 1000 - 3L * i;
            f.addRange(top - 1, top);
        }
        byte[] b = new byte[f.frameLength()];
        assertEquals(b.length, f.write(b, 0, b.length));
        AckFrame g = new AckFrame();
        assertTrue(MeshFrame.forEach(b, 0, b.length, (type, buf, off, len) -> assertTrue(g.decode(type, buf, off, len))));
        assertEquals(100, g.rangeCount());
        assertEquals(1000 - 3 * 99 - 1, g.smallest(99));
    }
}
