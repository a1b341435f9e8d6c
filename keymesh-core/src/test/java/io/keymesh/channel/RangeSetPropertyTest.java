package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link RangeSet} against a naive model: a BitSet over a small domain. */
class RangeSetPropertyTest {
    private static final int DOMAIN = 200;

    record Op(boolean add, int start, int length) {}

    /**
     * Up to 120 operations, three in five adds: a start anywhere in the domain, and a length of at
     * most 5 (6 in 9), at most 40 (2 in 9) or up to the whole domain (1 in 9).
     */
    private static List<Op> ops(RandomGenerator r) {
        int n = Gen.ints(r, 0, 120);
        List<Op> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(9);
            int length = kind < 6 ? Gen.ints(r, 0, 5) : kind < 8 ? Gen.ints(r, 0, 40) : Gen.ints(r, 0, DOMAIN);
            ops.add(new Op(r.nextInt(5) < 3, Gen.ints(r, 0, DOMAIN - 1), length));
        }
        return ops;
    }

    private static void checkAgainstBitSet(List<Op> ops) {
        RangeSet set = new RangeSet(1);
        BitSet model = new BitSet();
        for (Op op : ops) {
            int s = op.start();
            int e = Math.min(DOMAIN, s + op.length());
            BitSet before = (BitSet) model.clone();
            long changed;
            if (op.add()) {
                changed = set.add(s, e);
                model.set(s, e);
            } else {
                changed = set.remove(s, e);
                model.clear(s, e);
            }
            BitSet diff = (BitSet) before.clone();
            diff.xor(model);
            assertEquals(diff.cardinality(), changed, "values changed by " + op);
            check(set, model);
        }
    }

    @Test
    void behavesLikeABitSet() {
        SeededProperty.forAll(500, r -> checkAgainstBitSet(ops(r)));
    }

    /**
     * No operations; an empty, a one-value and a whole-domain range added and removed at each end
     * of the domain; removals from an empty set; adjacent ranges that merge, and a removal that
     * splits a range.
     */
    static List<List<Op>> edgeCases() {
        List<List<Op>> cases = new ArrayList<>();
        cases.add(List.of());
        for (int start : new int[] {0, 1, DOMAIN - 2, DOMAIN - 1}) {
            for (int length : new int[] {0, 1, DOMAIN}) {
                cases.add(List.of(new Op(true, start, length), new Op(true, start, length), new Op(false, start, length),
                        new Op(false, start, length)));
            }
        }
        cases.add(List.of(new Op(false, 0, DOMAIN), new Op(false, DOMAIN - 1, 1)));
        cases.add(List.of(new Op(true, 0, 5), new Op(true, 10, 5), new Op(true, 5, 5), new Op(false, 7, 1),
                new Op(true, 0, DOMAIN), new Op(false, 1, DOMAIN - 2), new Op(true, 1, 0), new Op(false, 0, 1)));
        return cases;
    }

    @ParameterizedTest
    @MethodSource("edgeCases")
    void behavesLikeABitSetAtTheEdges(List<Op> ops) {
        checkAgainstBitSet(ops);
    }

    private static void check(RangeSet set, BitSet model) {
        // shape: sorted, non-empty, disjoint, not adjacent, and exactly the model's runs
        int runs = 0;
        for (int i = model.nextSetBit(0); i >= 0; i = model.nextSetBit(model.nextClearBit(i))) {
            int end = model.nextClearBit(i);
            assertTrue(runs < set.size(), "too few ranges: " + set);
            assertEquals(i, set.start(runs), set.toString());
            assertEquals(end, set.end(runs), set.toString());
            runs++;
        }
        assertEquals(runs, set.size(), set.toString());
        assertEquals(runs == 0, set.isEmpty());
        long[] nextStart = new long[DOMAIN + 4]; // the next range start >= v: a set bit whose predecessor is clear
        long following = Long.MAX_VALUE;
        for (int v = DOMAIN + 2; v >= 0; v--) {
            if (model.get(v) && (v == 0 || !model.get(v - 1))) {
                following = v;
            }
            nextStart[v] = following;
        }
        for (int v = -2; v <= DOMAIN + 2; v++) {
            boolean in = v >= 0 && model.get(v);
            assertEquals(in, set.contains(v), "contains " + v);
            int gap = v < 0 ? v : model.nextClearBit(v);
            assertEquals(gap, set.firstGap(v), "firstGap " + v);
            assertEquals(nextStart[Math.max(0, v)], set.nextStart(v), "nextStart " + v);
        }
        for (int s = 0; s < DOMAIN; s += 13) {
            for (int e = s; e <= DOMAIN; e += 17) {
                assertEquals(model.get(s, e).cardinality(), set.countIn(s, e), "countIn " + s + ".." + e);
                assertEquals(model.get(s, e).cardinality() == e - s, set.containsAll(s, e), "containsAll " + s + ".." + e);
            }
        }
    }

    @Test
    void extremesAndErrors() {
        RangeSet set = new RangeSet();
        assertEquals(1L << 62, set.add(0, 1L << 62));
        assertEquals(Long.MAX_VALUE - (1L << 62), set.add(1L << 62, Long.MAX_VALUE));
        assertEquals(1, set.size());
        set.add(Long.MIN_VALUE, -5);
        assertEquals(2, set.size());
        set.add(-5, 0);
        assertEquals(1, set.size());
        assertTrue(set.contains(Long.MIN_VALUE));
        assertTrue(set.contains(Long.MAX_VALUE - 1));
        assertEquals(Long.MAX_VALUE, set.firstGap(0));
        assertEquals(Long.MAX_VALUE, set.nextStart(Long.MAX_VALUE));
        set.remove(Long.MIN_VALUE, 0);
        assertEquals(0, set.start(0));
        assertEquals(0, set.add(5, 5));
        assertThrows(IllegalArgumentException.class, () -> set.add(5, 4));
        assertThrows(IllegalArgumentException.class, () -> set.remove(5, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> set.start(1));
        set.clear();
        assertTrue(set.isEmpty());
    }

    @Test
    void manySmallRanges() {
        RangeSet set = new RangeSet();
        for (long k = 0; k <= 100_000; k++) {
            set.add(2 * k, 2 * k + 1);
        }
        assertEquals(100_001, set.size());
        set.add(1, 199_999);
        assertEquals(2, set.size());
        assertEquals(0, set.start(0));
        assertEquals(199_999, set.end(0));
        assertEquals(200_000, set.start(1));
    }
}
