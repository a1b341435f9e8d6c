package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** ACK frames round-trip exactly, truncate to a valid prefix, and arbitrary bodies never throw. */
class AckFramePropertyTest {

    /** Builds ranges downward from {@code largest}: each step is (gap, length), both bounded so they stay >= 0. */
    private static AckFrame build(long largest, long delayNanos, List<Long> steps) {
        AckFrame f = new AckFrame();
        f.setAckDelayNanos(delayNanos);
        long hi = largest;
        long lo = hi - Math.min(hi, steps.isEmpty() ? 0 : steps.get(0) % 1000);
        f.addRange(lo, hi);
        for (int i = 1; i + 1 < steps.size(); i += 2) {
            long gap = steps.get(i);
            long length = steps.get(i + 1);
            long nextHi = lo - gap - 2;
            if (nextHi < 0) {
                break;
            }
            long nextLo = nextHi - Math.min(nextHi, length);
            f.addRange(nextLo, nextHi);
            lo = nextLo;
        }
        return f;
    }

    @Property
    void roundTrips(@ForAll @LongRange(max = (1L << 62) - 1) long largest,
                    @ForAll @LongRange(max = 1L << 40) long delayNanos,
                    @ForAll @Size(max = 80) List<@LongRange(max = 1L << 20) Long> steps,
                    @ForAll @IntRange(max = 9) int at) {
        AckFrame f = build(largest, delayNanos, steps);
        byte[] b = new byte[at + f.frameLength()];
        int n = f.write(b, at, b.length - at);
        assertEquals(f.frameLength(), n);
        AckFrame g = new AckFrame();
        int[] frames = {0};
        assertTrue(MeshFrame.forEach(b, at, n, (type, buf, off, len) -> {
            frames[0]++;
            assertEquals(AckFrame.TYPE, type);
            assertTrue(g.decode(type, buf, off, len));
        }));
        assertEquals(1, frames[0]);
        assertEquals(f.rangeCount(), g.rangeCount());
        for (int i = 0; i < f.rangeCount(); i++) {
            assertEquals(f.smallest(i), g.smallest(i));
            assertEquals(f.largest(i), g.largest(i));
        }
        assertEquals(delayNanos / 8000 * 8000, g.ackDelayNanos());
    }

    @Property
    void truncationKeepsTheNewestRanges(@ForAll @LongRange(min = 1L << 20, max = 1L << 40) long largest,
                                        @ForAll @Size(min = 3, max = 120) List<@LongRange(max = 1L << 14) Long> steps,
                                        @ForAll @IntRange(max = 200) int maxLen) {
        AckFrame f = build(largest, 0, steps);
        byte[] b = new byte[Math.max(maxLen, 1)];
        int n = f.write(b, 0, maxLen);
        int k = f.rangesThatFit(maxLen);
        if (k == 0) {
            assertEquals(0, n);
            return;
        }
        assertTrue(n <= maxLen);
        AckFrame g = new AckFrame();
        assertTrue(MeshFrame.forEach(b, 0, n, (type, buf, off, len) -> assertTrue(g.decode(type, buf, off, len))));
        assertEquals(k, g.rangeCount());
        for (int i = 0; i < k; i++) {
            assertEquals(f.smallest(i), g.smallest(i));
            assertEquals(f.largest(i), g.largest(i));
        }
        // one more range would not have fitted
        if (k < f.rangeCount()) {
            AckFrame more = new AckFrame();
            for (int i = 0; i <= k; i++) {
                more.addRange(f.smallest(i), f.largest(i));
            }
            assertTrue(more.frameLength() > maxLen);
        }
    }

    @Property
    void arbitraryBodiesNeverThrowAndDecodedRangesAreSane(@ForAll @Size(max = 60) byte[] body,
                                                          @ForAll @IntRange(min = 2, max = 3) int type) {
        AckFrame f = new AckFrame();
        if (f.decode(type, body, 0, body.length)) {
            long previousSmallest = Long.MAX_VALUE;
            for (int i = 0; i < f.rangeCount(); i++) {
                assertTrue(f.smallest(i) >= 0);
                assertTrue(f.smallest(i) <= f.largest(i));
                assertTrue(f.largest(i) < previousSmallest - 1 || i == 0);
                previousSmallest = f.smallest(i);
            }
        } else {
            assertEquals(0, f.rangeCount());
        }
    }
}
