package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ACK frames round-trip exactly, truncate to a valid prefix, and arbitrary bodies never throw. */
class AckFramePropertyTest {
    private static final long MAX_DELAY = 1L << 40;
    private static final long MAX_ROUND_TRIP_STEP = 1L << 20;
    private static final long MAX_TRUNCATION_STEP = 1L << 14;
    /** Where a varint grows: 1, 2, 4 and 8 bytes. */
    private static final long[] VARINT_STEPS = {63, 64, 16_383, 16_384, (1L << 30) - 1, 1L << 30};

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

    private static List<Long> steps(RandomGenerator r, int minSize, int maxSize, long maxStep) {
        int n = Gen.ints(r, minSize, maxSize);
        List<Long> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            steps.add(Gen.longs(r, 0, maxStep));
        }
        return steps;
    }

    private static void checkRoundTrip(long largest, long delayNanos, List<Long> steps, int at) {
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

    @Test
    void roundTrips() {
        SeededProperty.forAll(1000, r -> checkRoundTrip(Gen.longs(r, 0, VarInt.MAX), Gen.longs(r, 0, MAX_DELAY),
                steps(r, 0, 80, MAX_ROUND_TRIP_STEP), Gen.ints(r, 0, 9)));
    }

    /**
     * Largest at the ends of the varint range and where varints grow; one range, or 80 steps of
     * the smallest or the largest size.
     */
    static List<Arguments> roundTripEdges() {
        List<Long> largests = new ArrayList<>();
        for (long v : Gen.edges(0, VarInt.MAX)) {
            largests.add(v);
        }
        for (long v : VARINT_STEPS) {
            largests.add(v);
        }
        List<List<Long>> stepLists =
                List.of(List.of(), Collections.nCopies(80, 0L), Collections.nCopies(80, MAX_ROUND_TRIP_STEP));
        List<Arguments> cases = new ArrayList<>();
        for (long largest : largests) {
            for (List<Long> steps : stepLists) {
                cases.add(Arguments.of(largest, 0L, steps, 0));
                cases.add(Arguments.of(largest, MAX_DELAY, steps, 9));
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("roundTripEdges")
    void roundTripsAtTheEdges(long largest, long delayNanos, List<Long> steps, int at) {
        checkRoundTrip(largest, delayNanos, steps, at);
    }

    private static void checkTruncation(long largest, List<Long> steps, int maxLen) {
        AckFrame f = build(largest, 0, steps);
        byte[] b = new byte[Math.max(maxLen, 1)];
        int n = f.write(b, 0, maxLen);
        int k = f.rangesThatFit(maxLen);
        String what = "maxLen " + maxLen + ", " + f.rangeCount() + " ranges";
        if (k == 0) {
            assertEquals(0, n, what);
            return;
        }
        assertTrue(n <= maxLen, what);
        AckFrame g = new AckFrame();
        assertTrue(MeshFrame.forEach(b, 0, n, (type, buf, off, len) -> assertTrue(g.decode(type, buf, off, len))), what);
        assertEquals(k, g.rangeCount(), what);
        for (int i = 0; i < k; i++) {
            assertEquals(f.smallest(i), g.smallest(i), what);
            assertEquals(f.largest(i), g.largest(i), what);
        }
        // one more range would not have fitted
        if (k < f.rangeCount()) {
            AckFrame more = new AckFrame();
            for (int i = 0; i <= k; i++) {
                more.addRange(f.smallest(i), f.largest(i));
            }
            assertTrue(more.frameLength() > maxLen, what);
        }
    }

    @Test
    void truncationKeepsTheNewestRanges() {
        SeededProperty.forAll(1000, r -> checkTruncation(Gen.longs(r, 1L << 20, 1L << 40),
                steps(r, 3, 120, MAX_TRUNCATION_STEP), Gen.ints(r, 0, 200)));
    }

    /**
     * The ends of the largest's range, the fewest and the most steps of either extreme size, each
     * at every maxLen from 0 to 200.
     */
    static List<Arguments> truncationEdges() {
        List<Arguments> cases = new ArrayList<>();
        for (long largest : new long[] {1L << 20, 1L << 40}) {
            for (int size : new int[] {3, 120}) {
                cases.add(Arguments.of(largest, Collections.nCopies(size, 0L)));
                cases.add(Arguments.of(largest, Collections.nCopies(size, MAX_TRUNCATION_STEP)));
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("truncationEdges")
    void truncationKeepsTheNewestRangesAtTheEdges(long largest, List<Long> steps) {
        for (int maxLen = 0; maxLen <= 200; maxLen++) {
            checkTruncation(largest, steps, maxLen);
        }
    }

    private static void checkArbitraryBody(byte[] body, int type) {
        Supplier<String> what = () -> "type " + type + ", body " + HexFormat.of().formatHex(body);
        AckFrame f = new AckFrame();
        if (f.decode(type, body, 0, body.length)) {
            long previousSmallest = Long.MAX_VALUE;
            for (int i = 0; i < f.rangeCount(); i++) {
                assertTrue(f.smallest(i) >= 0, what);
                assertTrue(f.smallest(i) <= f.largest(i), what);
                assertTrue(f.largest(i) < previousSmallest - 1 || i == 0, what);
                previousSmallest = f.smallest(i);
            }
        } else {
            assertEquals(0, f.rangeCount(), what);
        }
    }

    @Test
    void arbitraryBodiesNeverThrowAndDecodedRangesAreSane() {
        SeededProperty.forAll(1000, r -> checkArbitraryBody(Gen.bytes(r, 0, 60), Gen.ints(r, 2, 3)));
    }

    /** Every body of up to two bytes, and bodies of every length up to 60 filled with one edge byte. */
    @Test
    void shortAndUniformBodiesNeverThrowAndDecodedRangesAreSane() {
        for (int type = 2; type <= 3; type++) {
            checkArbitraryBody(new byte[0], type);
            for (int v = 0; v < 1 << 8; v++) {
                checkArbitraryBody(new byte[] {(byte) v}, type);
            }
            for (int v = 0; v < 1 << 16; v++) {
                checkArbitraryBody(new byte[] {(byte) (v >> 8), (byte) v}, type);
            }
            for (byte fill : new byte[] {0, 1, -1, Byte.MAX_VALUE, Byte.MIN_VALUE}) {
                for (int length = 0; length <= 60; length++) {
                    byte[] body = new byte[length];
                    Arrays.fill(body, fill);
                    checkArbitraryBody(body, type);
                }
            }
        }
    }
}
