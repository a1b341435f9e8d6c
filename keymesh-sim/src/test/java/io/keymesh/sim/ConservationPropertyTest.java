package io.keymesh.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Nothing is lost unaccounted: every datagram sent, and every duplicate, is delivered or dropped once. */
class ConservationPropertyTest {
    private static final long[] BANDWIDTHS = {0, 1_000_000, 10_000_000, 100_000_000};

    /** The link conditions of one run: bandwidth 0 is unlimited. */
    record Conditions(double loss, double duplication, double reordering, long bandwidth, int mtu) {}

    private static void checkConservation(long seed, Conditions k, NatType natType, boolean partition) {
        LinkConditions c = LinkConditions.DEFAULT
                .withLatency(Duration.ofMillis(5)).withJitter(Duration.ofMillis(3))
                .withLoss(k.loss()).withDuplication(k.duplication()).withReordering(k.reordering(), Duration.ofMillis(10))
                .withBandwidth(k.bandwidth()).withQueueCapacity(20_000).withMtu(k.mtu());
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

    /** A probability in {@code [0, max]}: one in eight of them 0 or {@code max}, the rest uniform. */
    private static double probability(RandomGenerator r, double max) {
        return switch (r.nextInt(16)) {
            case 0 -> 0;
            case 1 -> max;
            default -> r.nextDouble(0, max);
        };
    }

    @Test
    void everyDatagramIsDeliveredOrDroppedExactlyOnce() {
        SeededProperty.forAll(60, r -> {
            Conditions k = new Conditions(probability(r, 0.5), probability(r, 0.3), probability(r, 0.3),
                    BANDWIDTHS[r.nextInt(BANDWIDTHS.length)], Gen.ints(r, 576, 1500));
            NatType[] types = NatType.values();
            checkConservation(r.nextLong(), k, types[r.nextInt(types.length)], r.nextBoolean());
        });
    }

    /**
     * Every NAT type, with or without a partition, on perfect links (unlimited bandwidth, the
     * largest MTU) and on the worst ones (the most loss, duplication and reordering, the lowest
     * bandwidth and MTU).
     */
    static List<Arguments> edgeCases() {
        Conditions perfect = new Conditions(0, 0, 0, 0, 1500);
        Conditions worst = new Conditions(0.5, 0.3, 0.3, BANDWIDTHS[1], 576);
        List<Arguments> cases = new ArrayList<>();
        for (NatType natType : NatType.values()) {
            for (boolean partition : new boolean[] {false, true}) {
                cases.add(Arguments.of(perfect, natType, partition));
                cases.add(Arguments.of(worst, natType, partition));
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("edgeCases")
    void everyDatagramIsDeliveredOrDroppedExactlyOnceAtTheEdges(Conditions k, NatType natType, boolean partition) {
        checkConservation(natType.ordinal() * 2L + (partition ? 1 : 0), k, natType, partition);
    }
}
