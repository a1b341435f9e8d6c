package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulated part of {@code keymesh demo} (seed 1): every pair of nodes behind NATs reaches the
 * other by key, the pairs behind endpoint-independent NATs end direct, the output says it is
 * simulated, and the same seed prints the same thing.
 */
class NatDemoTest {
    private static String run(long seed, NatDemo.Outcome[] outcome) {
        StringWriter text = new StringWriter();
        outcome[0] = NatDemo.run(seed, new PrintWriter(text));
        return text.toString();
    }

    /** The summary row of the pair {@code pair} ("a -> b"). */
    private static String summary(String out, String pair) {
        List<String> rows = out.lines().filter(l -> l.startsWith("  " + pair + " ")).toList();
        assertEquals(1, rows.size(), pair + " has one summary row: " + out);
        return rows.getFirst();
    }

    @Test
    void everyPairConnectsAndThoseBehindEndpointIndependentNatsGoDirect() {
        NatDemo.Outcome[] o = new NatDemo.Outcome[1];
        String out = run(1, o);
        assertTrue(out.contains("simulated network (keymesh-sim, seed 1): NATs and links are virtual; the nodes, sessions and frames are real"),
                out);
        assertEquals(6, o[0].pairs(), out);
        assertEquals(6, o[0].connected(), "every pair connected: " + out);
        assertEquals(3, o[0].eimPairs(), "a, b and d map endpoint-independently: " + out);
        assertEquals(3, o[0].eimDirect(), "and those three pairs went direct: " + out);
        assertTrue(o[0].ok());
        assertTrue(out.contains("6 pairs, 6 connected; behind endpoint-independent NATs 3 of 3 direct;"), out);
        for (String pair : List.of("a -> b", "a -> d", "b -> d")) {
            String row = summary(out, pair);
            assertTrue(row.contains(" direct 198.18."), pair + " ends on a direct path to a public address: " + row);
            assertTrue(row.contains(" sought, via p "), pair + " was found through p: " + row);
            assertTrue(row.matches(".*  after \\d+ ms$"), pair + " says when it went direct: " + row);
        }
        for (String pair : List.of("a -> c", "b -> c", "c -> d")) {
            String row = summary(out, pair);
            assertTrue(row.contains(" sought, via p "), pair + " was found through p: " + row);
            assertTrue(row.contains(" direct 198.18.") && row.contains("  after ")
                    || row.contains(" relay p") && row.contains("  relayed: "), pair + " says where it ended and why: " + row);
        }
        assertTrue(out.lines().anyMatch(l -> l.matches(" +0  +seeking .*")), "at first every lookup is seeking: " + out);
        assertTrue(out.lines().anyMatch(l -> l.contains("relay p")), "then relayed through p: " + out);
        assertTrue(out.contains("discovery: 6 lookups cost "), out);
    }

    @Test
    void theSameSeedPrintsTheSameRun() {
        NatDemo.Outcome[] o = new NatDemo.Outcome[1];
        assertEquals(run(7, o), run(7, o));
    }
}
