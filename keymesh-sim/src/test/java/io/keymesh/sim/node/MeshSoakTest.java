package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static io.keymesh.sim.node.SimMesh.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The soak: many real nodes on the simulator for hours of virtual time, with steady channel
 * traffic between fixed pairs and churn throughout — restarts, moves to other networks, NATs
 * forgetting their mappings, relays leaving and coming back ({@link Soak} has the setup). The
 * normal build runs 20 nodes for 2 virtual hours; {@code -Dkeymesh.soak=true} runs 200 nodes for
 * 24 virtual hours (docs/testing.md, "Soak (simulator)", has the command and a run's numbers).
 *
 * <p>The contract checked is the channel API's ({@link io.keymesh.node.Channel}): a message counts
 * as accepted when {@code Channel.send} returns true, and every accepted message arrives exactly
 * once, whole and in order, unless its connection is lost — which the sending application is told
 * ({@code NodeListener.onChannelsLost}, {@code Channel.lostReason()}), or which it caused itself by
 * crashing. So, per flow and channel handle ({@link SoakFlow}): never a repeat, a reordering, a
 * corrupted or misattributed message, nor a message of a handle after a later handle's; every
 * message accepted on a handle that was never reported lost, by a sender that did not crash, arrived
 * — including every message of a sender that stopped after its node reported everything acknowledged
 * ({@code MeshNode.drained()}, what {@code close(drainTimeout)} waits for). Beyond the contract,
 * the product promises that moving, NAT rebinding and relays leaving keep connections (paths change
 * under them): a connection lost while neither end restarted (since 30 s, the idle timeout, before
 * the handle was made) is a failure too.
 *
 * <p>Reconnection: after every churn event, each flow it touched (for a restart: from the node's
 * return) delivers a message sent after it within {@link SoakConfig#reconnectBoundNanos} (60 s: six
 * message intervals, past the 30-s idle timeout of a connection and two 15-s handshake retries).
 * At the end every flow's last message has arrived on a live channel, and every pair and every
 * member's relays hold sessions. Flatness ({@link #flat}): the node tables (summed, and on the node
 * that holds the most), the simulator's queued events and the NAT mappings in the last third of the
 * run stay within {@link #GROWTH} of their peak in the second sixth (the first is the mesh forming);
 * the heap is printed, not asserted.
 */
class MeshSoakTest {
    /** How much a table's peak in the last third may exceed its peak in the early hours before it counts as growth. */
    static final double GROWTH = 1.5;
    /** Entries one node's table may gain beyond {@link #GROWTH} between the early hours and the last third. */
    static final long NODE_SLACK = 4;
    /**
     * Queues rather than tables: packets waiting for a handshake, and for the loop. A sample catches
     * whatever waits at that instant (a peer that just left, its handshake retried), so a single
     * late sample says nothing; a leak would raise them for good, so the last third's median is
     * held to the early peak instead of its peak.
     */
    static final java.util.Set<String> QUEUES = java.util.Set.of("staged", "outbox");

    @Test
    void twentyNodesForTwoVirtualHoursOfChurnLoseNothingAcceptedAndStayFlat() {
        check(run(SoakConfig.small()));
    }

    @Test
    @EnabledIfSystemProperty(named = "keymesh.soak", matches = "true|.*,.*")
    void twoHundredNodesForTwentyFourVirtualHours() {
        SoakConfig c = SoakConfig.full();
        String size = System.getProperty("keymesh.soak");
        if (size.contains(",")) { // nodes,hours: a shorter run to measure the pace
            String[] p = size.split(",");
            c = c.withSize(Integer.parseInt(p[0].strip()), (long) (Double.parseDouble(p[1].strip()) * SoakConfig.HOUR));
        }
        check(run(c));
    }

    static Soak run(SoakConfig config) {
        Soak s = new Soak(config);
        System.out.println("soak: " + s.describe());
        System.out.println(SoakSample.header());
        s.run();
        report(s);
        return s;
    }

    static void report(Soak s) {
        SoakFindings f = s.findings;
        long[] t = s.totals();
        System.out.printf("soak: %d nodes, %.1f virtual hours, %.1f s wall, %d simulator events (%.0f a wall second)%n",
                s.config.nodes(), s.config.durationNanos() / 3600e9, s.wallNanos / 1e9, s.mesh.sim.eventsProcessed(),
                s.mesh.sim.eventsProcessed() / (s.wallNanos / 1e9));
        System.out.printf("soak: messages accepted %d, delivered %d, refused (channel full) %d; churn done: %d restarts,"
                + " %d moves, %d rebinds, %d relay departures, %d returns, %d skipped (target away)%n", t[0], t[1], t[2],
                s.counters.restarts, s.counters.moves, s.counters.rebinds, s.counters.relayDepartures,
                s.counters.relayReturns, s.skippedChurn);
        System.out.printf("soak: graceful stops: %d drained, %d not drained within %d s%n", s.counters.drainedStops,
                s.counters.undrainedStops, SoakChurn.DRAIN_NANOS / SECOND);
        System.out.printf("soak: peers up %d, down %d, unreachable %d; connections lost %d, by reason %s%n",
                s.counters.peersUp, s.counters.peersDown, s.counters.unreachable, s.counters.connectionsLost, f.lossReasons);
        System.out.println("soak: accepted messages lost, the sender told, by cause: " + f.messagesLostReported);
        for (Map.Entry<String, List<Long>> e : f.reconnectNanos.entrySet()) {
            long[] v = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("soak: back after %s: %d flows, p50 %d ms, p95 %d ms, max %d ms%n", e.getKey(), v.length,
                    MeshScaleTest.pct(v, 50) / MS, MeshScaleTest.pct(v, 95) / MS, MeshScaleTest.pct(v, 100) / MS);
        }
        print("contract breaches", f.violationCount, f.violations);
        print("connections lost with no restart", f.unexplainedLossCount, f.unexplainedLosses);
        print("slow reconnections", f.slowReconnectCount, f.slowReconnects);
    }

    private static void print(String what, long count, List<String> first) {
        System.out.println("soak: " + what + ": " + count);
        first.forEach(x -> System.out.println("  " + x));
    }

    static void check(Soak s) {
        SoakFindings f = s.findings;
        assertEquals(0, f.violationCount, "contract breaches: " + f.violations);
        assertEquals(0, f.unexplainedLossCount, "connections lost with no restart: " + f.unexplainedLosses);
        assertEquals(0, f.slowReconnectCount, "flows not back within the bound: " + f.slowReconnects);
        assertTrue(s.counters.restarts > 0 && s.counters.moves > 0 && s.counters.rebinds > 0
                && s.counters.relayDepartures > 0, "every kind of churn happened");
        assertEquals(s.counters.relayDepartures, s.counters.relayReturns, "every relay came back");
        for (String cause : List.of("restart", "move", "relay back: members rejoined")) {
            assertTrue(f.reconnectNanos.containsKey(cause), "flows came back after a " + cause + ": " + f.reconnectNanos.keySet());
        }
        long[] t = s.totals();
        long expected = (long) s.flows.length * ((s.config.durationNanos() - 90 * SECOND) / s.config.messageIntervalNanos());
        assertTrue(t[1] > expected * 9 / 10, "steady traffic: " + t[1] + " delivered, about " + expected + " sent");
        flat(s);
    }

    /**
     * The last third's peaks (medians for the {@link #QUEUES}) within {@link #GROWTH} of the early
     * hours' (the second sixth: the first is the mesh forming) — summed over the nodes, with half an entry per node for what comes and
     * goes, and on the node that holds the most, with {@link #NODE_SLACK} — for every table, the
     * simulator's queued events and the NAT mappings.
     */
    static void flat(Soak s) {
        long d = s.config.durationNanos();
        List<SoakSample> early = new ArrayList<>();
        List<SoakSample> late = new ArrayList<>();
        for (SoakSample x : s.samples) {
            if (x.atNanos() >= d / 6 && x.atNanos() <= d / 3) {
                early.add(x);
            } else if (x.atNanos() >= 2 * d / 3) {
                late.add(x);
            }
        }
        assertTrue(early.size() >= 2 && late.size() >= 2, "samples in both windows");
        List<String> grown = new ArrayList<>();
        long slack = s.config.nodes() / 2 + 2; // what comes and goes (staged packets, seeks in progress) may be caught at any sample
        for (String name : SoakSample.NAMES) {
            java.util.function.Function<java.util.stream.LongStream, java.util.stream.LongStream> lateOf =
                    QUEUES.contains(name) ? MeshSoakTest::median : x -> x;
            grew(grown, name + " (sum)", early.stream().mapToLong(x -> x.sum(name)),
                    lateOf.apply(late.stream().mapToLong(x -> x.sum(name))), slack);
            grew(grown, name + " (one node)", early.stream().mapToLong(x -> x.max(name)),
                    lateOf.apply(late.stream().mapToLong(x -> x.max(name))), NODE_SLACK);
        }
        grew(grown, "simulator events queued", early.stream().mapToLong(SoakSample::pendingEvents),
                late.stream().mapToLong(SoakSample::pendingEvents), slack);
        grew(grown, "NAT mappings", early.stream().mapToLong(SoakSample::natMappings),
                late.stream().mapToLong(SoakSample::natMappings), slack);
        assertEquals(List.of(), grown, "tables that grew (peak of the early hours -> of the last third)");
    }

    /** The median of {@code values}, as a stream of one. */
    private static java.util.stream.LongStream median(java.util.stream.LongStream values) {
        long[] v = values.sorted().toArray();
        return java.util.stream.LongStream.of(v[v.length / 2]);
    }

    /** Adds {@code what} to {@code grown} if the late peak exceeds the early one by more than {@link #GROWTH} and {@code slack}. */
    private static void grew(List<String> grown, String what, java.util.stream.LongStream early, java.util.stream.LongStream late,
            long slack) {
        long before = early.max().orElseThrow();
        long after = late.max().orElseThrow();
        if (after > before * GROWTH + slack) {
            grown.add(what + " " + before + " -> " + after);
        }
    }
}
