package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class ReplayWindowPropertyTest {
    private static final long REJECT_AFTER_MESSAGES = -1L - (1L << 13);
    private static final long W = ReplayWindow.WINDOW_SIZE;

    /** A call to accept: counter and limit, both unsigned. */
    record Call(long counter, long limit) {}

    /** Counters clustered around a base (small, near 2^64, or anywhere) so that windows overlap. */
    @Provide
    Arbitrary<List<Call>> calls() {
        Arbitrary<Long> base = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 20_000),
                Arbitraries.longs().between(-20_000, -1),
                Arbitraries.longs());
        return base.flatMap(b -> {
            Arbitrary<Long> counter = Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(-W - 200, W + 200).map(o -> b + o)),
                    net.jqwik.api.Tuple.of(1, Arbitraries.longs()));
            Arbitrary<Long> limit = Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(8, Arbitraries.just(REJECT_AFTER_MESSAGES)),
                    net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(-W - 200, W + 200).map(o -> b + o)));
            return Combinators.combine(counter, limit).as(Call::new).list().ofMaxSize(300);
        });
    }

    @Property
    void eachCounterIsAcceptedAtMostOnce(@ForAll("calls") List<Call> calls) {
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

    /**
     * The window behaves exactly like the ideal model: accept iff below the limit, never accepted
     * before, and either above the highest accepted counter or at most WINDOW_SIZE below it.
     * Refusals leave the state unchanged.
     */
    @Property
    void matchesIdealModel(@ForAll("calls") List<Call> calls) {
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

    @Property(tries = 200)
    void everyCounterInTheWindowBelowTheMaxIsAcceptedExactlyOnceInAnyOrder(
            @ForAll @IntRange(min = 0, max = 3) int baseKind, @ForAll long anyBase, @ForAll Random random) {
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
}
