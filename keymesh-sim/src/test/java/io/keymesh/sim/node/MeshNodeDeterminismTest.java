package io.keymesh.sim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Same seed, same trace: real nodes (keys, ephemeral keys, indices and jitter all drawn from the seed)
 * over lossy, jittery, duplicating, reordering links and a NAT give the same packets on the wire and
 * the same deliveries, event for event, byte for byte; another seed gives another trace. The
 * scenario is {@link TraceGoldenTest}'s "datagrams through a NAT".
 */
class MeshNodeDeterminismTest {
    private static TraceGoldenTest.Trace trace(long seed) {
        TraceGoldenTest.Trace t = TraceGoldenTest.Trace.keepingLines();
        TraceGoldenTest.datagramsThroughNat(t, seed);
        return t;
    }

    @Test
    void theSameSeedGivesTheSameTraceAndAnotherSeedAnother() {
        TraceGoldenTest.Trace first = trace(42);
        TraceGoldenTest.Trace second = trace(42);
        TraceGoldenTest.Trace other = trace(43);
        assertEquals(first.lines, second.lines);
        assertEquals(first.hex(), second.hex(), "the bytes too");
        assertNotEquals(first.lines, other.lines);

        assertTrue(first.lines.size() > 500, "a substantial trace: " + first.lines.size());
        assertTrue(first.lines.stream().anyMatch(l -> l.contains(" drop LOSS ")), "loss in the trace");
        assertTrue(first.lines.stream().anyMatch(l -> l.contains(" at hidden datagram from ")),
                "datagrams reached the NATed node");
        assertTrue(first.lines.stream().filter(l -> l.contains(" datagram from ")).count() > 100, "datagrams delivered");
    }
}
