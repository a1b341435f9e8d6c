package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@link IndexTable}: the receiver indices a received packet is looked up by. An index maps to
 * exactly what was allocated or last put there, is gone once removed by its owner, and is never
 * handed out twice while in use.
 */
class IndexTableTest {

    /** Draws {@link RandomGenerator#nextInt()} values from {@code script}, in order. */
    private static RandomGenerator scripted(int... script) {
        return new RandomGenerator() {
            private int next;

            @Override
            public long nextLong() {
                return (long) script[next++] << 32;
            }
        };
    }

    @Test
    void allocateHandsOutTheRandomIndexAndSkipsOnesInUse() {
        IndexTable t = new IndexTable(scripted(42, 42, -7, 42, -7, 0));
        Object a = new Object();
        Object b = new Object();
        Object c = new Object();
        assertEquals(42, t.allocate(a));
        assertEquals(-7, t.allocate(b), "42 is in use: drawn again");
        assertEquals(0, t.allocate(c), "42 and -7 are in use");
        assertEquals(3, t.size());
        assertSame(a, t.get(42));
        assertSame(b, t.get(-7));
        assertSame(c, t.get(0));
        assertNull(t.get(1));
        assertNull(t.get(Integer.MIN_VALUE));
    }

    @Test
    void removeFreesAnIndexOnlyForItsOwner() {
        IndexTable t = new IndexTable(scripted(5, 5, 9));
        Object owner = new Object();
        assertEquals(5, t.allocate(owner));
        t.remove(5, new Object());
        assertSame(owner, t.get(5), "someone else's remove is ignored");
        assertEquals(1, t.size());
        t.remove(6, owner);
        assertEquals(1, t.size(), "an index never allocated");
        t.remove(5, owner);
        assertNull(t.get(5));
        assertEquals(0, t.size());
        t.remove(5, owner);
        assertEquals(0, t.size(), "removing twice counts once");
        Object next = new Object();
        assertEquals(5, t.allocate(next), "a freed index may be drawn again");
        assertSame(next, t.get(5));
    }

    @Test
    void replaceKeepsTheIndexAndRefusesOneNotAllocated() {
        IndexTable t = new IndexTable(scripted(77));
        Object handshake = new Object();
        Object keypair = new Object();
        assertEquals(77, t.allocate(handshake));
        t.replace(77, keypair);
        assertSame(keypair, t.get(77));
        assertEquals(1, t.size());
        assertThrows(IllegalStateException.class, () -> t.replace(78, handshake));
        t.remove(77, handshake);
        assertSame(keypair, t.get(77), "the handshake no longer owns it");
        t.remove(77, keypair);
        assertThrows(IllegalStateException.class, () -> t.replace(77, keypair), "freed");
    }

    /**
     * Random allocations, replacements and removals from a small index space (so that indices are
     * drawn again, probe chains are long and wrap around, tombstones pile up and the table
     * rehashes and grows) against a map. Each seed replays exactly.
     */
    @Test
    void behavesAsAMapUnderRandomOperations() {
        for (long seed = 1; seed <= 40; seed++) {
            runModel(seed);
        }
    }

    private static void runModel(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int space = 64 + r.nextInt(400);
        SplittableRandom draws = new SplittableRandom(seed * 31);
        IndexTable t = new IndexTable(() -> (long) (draws.nextInt(space) - space / 2) << 32);
        Map<Integer, Object> model = new HashMap<>();
        List<Integer> live = new ArrayList<>();
        for (int step = 0; step < 3000; step++) {
            String where = "seed " + seed + " step " + step;
            int op = r.nextInt(10);
            if (op < 5 && live.size() < space * 3 / 4) {
                Object v = new Object();
                int i = t.allocate(v);
                assertNull(model.put(i, v), where + ": index " + i + " handed out twice");
                live.add(i);
            } else if (op < 8 && !live.isEmpty()) {
                int i = live.remove(r.nextInt(live.size()));
                t.remove(i, new Object());
                t.remove(i, model.remove(i));
            } else if (!live.isEmpty()) {
                int i = live.get(r.nextInt(live.size()));
                Object v = new Object();
                t.replace(i, v);
                model.put(i, v);
            }
            assertEquals(model.size(), t.size(), where);
            if (step % 50 == 0 || step > 2900) {
                for (int i = -space / 2 - 1; i <= space / 2; i++) {
                    assertSame(model.get(i), t.get(i), where + ": get(" + i + ")");
                }
            }
        }
    }
}
