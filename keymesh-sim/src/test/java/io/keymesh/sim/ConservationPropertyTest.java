package io.keymesh.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Nothing is lost unaccounted: every datagram sent, and every duplicate, is delivered or dropped once. */
class ConservationPropertyTest {
    @Property(tries = 60)
    void everyDatagramIsDeliveredOrDroppedExactlyOnce(
            @ForAll long seed,
            @ForAll @DoubleRange(min = 0, max = 0.5) double loss,
            @ForAll @DoubleRange(min = 0, max = 0.3) double duplication,
            @ForAll @DoubleRange(min = 0, max = 0.3) double reordering,
            @ForAll @IntRange(min = 0, max = 3) int bandwidthChoice,
            @ForAll @IntRange(min = 576, max = 1500) int mtu,
            @ForAll NatType natType,
            @ForAll boolean partition) {
        long bandwidth = new long[] {0, 1_000_000, 10_000_000, 100_000_000}[bandwidthChoice];
        LinkConditions c = LinkConditions.DEFAULT
                .withLatency(Duration.ofMillis(5)).withJitter(Duration.ofMillis(3))
                .withLoss(loss).withDuplication(duplication).withReordering(reordering, Duration.ofMillis(10))
                .withBandwidth(bandwidth).withQueueCapacity(20_000).withMtu(mtu);
        Simulation sim = new Simulation(seed);
        Workload w = new Workload(sim, c);
        w.addServer(w.internet);
        w.addServer(w.internet);
        Nat nat = w.addNat(NatConfig.of(natType));
        nat.inside().setDefaultLinkConditions(c);
        w.addClient(w.internet, (from, data, off, len) -> {});
        w.addClient(nat.inside(), (from, data, off, len) -> {});
        w.addClient(nat.inside(), (from, data, off, len) -> {});
        w.scheduleRequests(40, Workload.SPAN / 10);
        if (partition) {
            sim.schedule(Workload.SPAN / 40, () -> {
                Partition p = sim.partition(List.of(nat));
                sim.scheduleAfter(Workload.SPAN / 40, p::heal);
            });
        }
        sim.runUntil(Workload.SPAN);

        long sent = w.sent();
        assertTrue(sent >= 120);
        TrafficCounters total = sim.counters();
        assertEquals(sent + w.duplicated(), total.delivered() + total.droppedTotal(), total.toString());
        long droppedAtNodes = 0;
        for (Network n : w.networks) {
            for (Link l : n.links()) {
                droppedAtNodes += l.egress().counters().droppedTotal() + l.ingress().counters().droppedTotal();
            }
        }
        for (Host h : w.hosts) {
            droppedAtNodes += h.counters().droppedTotal();
        }
        droppedAtNodes += nat.counters().droppedTotal();
        assertEquals(total.droppedTotal(), droppedAtNodes, "every drop is counted at exactly one place");
    }
}
