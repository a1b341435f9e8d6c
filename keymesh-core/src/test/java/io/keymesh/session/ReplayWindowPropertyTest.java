package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReplayWindowPropertyTest {
    private static final long REJECT_AFTER_MESSAGES = -1L - (1L << 13);
    private static final long W = ReplayWindow.WINDOW_SIZE;

    /** A call to accept: counter and limit, both unsigned. */
    record Call(long counter, long limit) {
        @Override
        public String toString() {
            return Long.toUnsignedString(counter) + "<" + Long.toUnsignedString(limit);
        }
    }

    /**
     * Up to 300 calls with counters clustered around a base (small, near 2^64, or anywhere) so that
     * windows overlap: eight in nine counters within the window (and 200 more) of the base, the rest
     * anywhere; four in five limits REJECT_AFTER_MESSAGES, the rest near the base.
     */
    private static List<Call> calls(RandomGenerator r) {
        long base = switch (r.nextInt(3)) {
            case 0 -> Gen.longs(r, 0, 20_000);
            case 1 -> Gen.longs(r, -20_000, -1);
            default -> Gen.anyLong(r);
        };
        int n = Gen.ints(r, 0, 300);
        List<Call> calls = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long counter = r.nextInt(9) < 8 ? base + Gen.longs(r, -W - 200, W + 200) : Gen.anyLong(r);
            long limit = r.nextInt(10) < 8 ? REJECT_AFTER_MESSAGES : base + Gen.longs(r, -W - 200, W + 200);
            calls.add(new Call(counter, limit));
        }
        return calls;
    }

    /**
     * Fixed sequences at the edges: around 0, the window size, 2^63 and 2^64, the highest counter
     * REJECT_AFTER_MESSAGES allows, and the limits REJECT_AFTER_MESSAGES, 0, 2^64 - 1 and the base
     * itself; each visits the base, just inside and just behind the window, past it by more than
     * the ring, and back.
     */
    static List<List<Call>> edgeCases() {
        long[] bases = {0, 1, W, W + 1, Long.MAX_VALUE, Long.MIN_VALUE, REJECT_AFTER_MESSAGES - 1, -1};
        long[] offsets = {0, -1, -W, -W - 1, 1, 0, W + 1, 1, 2, 2 * W + 64, -1, W + 64, Long.MIN_VALUE, -W};
        List<List<Call>> cases = new ArrayList<>();
        for (long base : bases) {
            for (long limit : new long[] {REJECT_AFTER_MESSAGES, base, base + 1, 0, -1}) {
                List<Call> calls = new ArrayList<>();
                for (long offset : offsets) {
                    calls.add(new Call(base + offset, limit));
                }
                cases.add(calls);
            }
        }
        return cases;
    }

    private static void checkAcceptedAtMostOnce(List<Call> calls) {
        ReplayWindow window = new ReplayWindow();
        Map<Long, Integer> accepted = new HashMap<>();
        for (Call c : calls) {
            if (window.accept(c.counter(), c.limit())) {
                int n = accepted.merge(c.counter(), 1, Integer::sum);
                assertEquals(1, n, "counter " + Long.toUnsignedString(c.counter()) + " accepted twice");
                assertTrue(Long.compareUnsigned(c.counter(), c.limit()) < 0, "accepted a counter at or over the limit");
            }
        }
    }

    @Test
    void eachCounterIsAcceptedAtMostOnce() {
        SeededProperty.forAll(1000, r -> checkAcceptedAtMostOnce(calls(r)));
    }

    @ParameterizedTest
    @MethodSource("edgeCases")
    void eachCounterIsAcceptedAtMostOnceAtTheEdges(List<Call> calls) {
        checkAcceptedAtMostOnce(calls);
    }

    /**
     * The window behaves exactly like the ideal model: accept iff below the limit, never accepted
     * before, and either above the highest accepted counter or at most WINDOW_SIZE below it.
     * Refusals leave the state unchanged.
     */
    private static void checkIdealModel(List<Call> calls) {
        ReplayWindow window = new ReplayWindow();
        Set<Long> seen = new HashSet<>();
        long max = 0;
        for (Call c : calls) {
            long n = c.counter();
            boolean expected = Long.compareUnsigned(n, c.limit()) < 0
                    && !seen.contains(n)
                    && (Long.compareUnsigned(n, max) > 0 || Long.compareUnsigned(max - n, W) <= 0);
            assertEquals(expected, window.accept(n, c.limit()), "counter " + Long.toUnsignedString(n));
            if (expected) {
                seen.add(n);
                if (Long.compareUnsigned(n, max) > 0) {
                    max = n;
                }
            }
        }
    }

    @Test
    void matchesIdealModel() {
        SeededProperty.forAll(1000, r -> checkIdealModel(calls(r)));
    }

    @ParameterizedTest
    @MethodSource("edgeCases")
    void matchesIdealModelAtTheEdges(List<Call> calls) {
        checkIdealModel(calls);
    }

    /**
     * With the highest counter at {@code max} (by kind: exactly WINDOW_SIZE, so the window reaches
     * down to 0; above it; the highest acceptable counter; or in [2^63, 2^63 + 2^62)), every
     * counter of the window below it, each arriving twice in shuffled order, is accepted once.
     */
    private static void checkWholeWindow(int baseKind, long anyBase, RandomGenerator random) {
        long max = switch (baseKind) {
            case 0 -> W; // the window reaches exactly down to 0
            case 1 -> W + 1 + Math.floorMod(anyBase, 1_000_000L);
            case 2 -> REJECT_AFTER_MESSAGES - 1; // highest acceptable counter
            default -> (anyBase & 0x3fff_ffff_ffff_ffffL) | Long.MIN_VALUE; // in [2^63, 2^63 + 2^62)
        };
        ReplayWindow window = new ReplayWindow();
        assertTrue(window.accept(max, REJECT_AFTER_MESSAGES));
        List<Long> order = new ArrayList<>();
        for (long c = max - W; c != max; c++) {
            order.add(c);
            order.add(c); // each arrives twice
        }
        order.add(max);
        Collections.shuffle(order, random);
        Set<Long> accepted = new HashSet<>();
        for (long c : order) {
            boolean ok = window.accept(c, REJECT_AFTER_MESSAGES);
            if (c == max) {
                assertFalse(ok, "the max was already accepted");
            } else {
                assertEquals(accepted.add(c), ok, "counter " + Long.toUnsignedString(c));
            }
        }
        assertEquals(W, accepted.size());
        assertFalse(window.accept(max - W - 1, REJECT_AFTER_MESSAGES), "just behind the window");
    }

    @Test
    void everyCounterInTheWindowBelowTheMaxIsAcceptedExactlyOnceInAnyOrder() {
        SeededProperty.forAll(200, r -> checkWholeWindow(r.nextInt(4), Gen.anyLong(r), r));
    }

    /** Each kind of max with each edge value of the long it is made from. */
    static List<Arguments> wholeWindowEdges() {
        List<Arguments> cases = new ArrayList<>();
        for (int baseKind = 0; baseKind < 4; baseKind++) {
            for (long anyBase : Gen.edges(Long.MIN_VALUE, Long.MAX_VALUE)) {
                cases.add(Arguments.of(baseKind, anyBase));
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("wholeWindowEdges")
    void everyCounterInTheWindowBelowTheMaxIsAcceptedExactlyOnceAtTheEdges(int baseKind, long anyBase) {
        checkWholeWindow(baseKind, anyBase, new SplittableRandom(anyBase));
    }
}
