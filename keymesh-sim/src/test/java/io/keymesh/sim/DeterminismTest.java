package io.keymesh.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Same seed, same trace; different seed, different trace. */
class DeterminismTest {
    /** Runs the workload and returns every delivery and drop, in order, as text. */
    static List<String> trace(long seed) {
        Simulation sim = new Simulation(seed);
        List<String> trace = new ArrayList<>();
        sim.setTracer(new PacketTracer() {
            @Override
            public void delivered(long now, Host host, InetSocketAddress from, InetSocketAddress to, int length) {
                trace.add(now + " deliver " + host.name() + " " + from + " -> " + to + " " + length);
            }

            @Override
            public void dropped(long now, Node node, DropReason reason, InetSocketAddress from, InetSocketAddress to,
                    int length) {
                trace.add(now + " drop " + reason + " at " + node.name() + " " + from + " -> " + to + " " + length);
            }
        });
        Workload w = new Workload(sim, Workload.rough());
        for (int i = 0; i < 3; i++) {
            w.addServer(w.internet);
        }
        Nat cone = w.addNat(NatConfig.of(NatType.PORT_RESTRICTED_CONE));
        Nat symmetric = w.addNat(NatConfig.of(NatType.SYMMETRIC));
        for (Network net : List.of(w.internet, cone.inside(), symmetric.inside())) {
            for (int i = 0; i < 3; i++) {
                w.addClient(net, (from, data, off, len) -> {});
            }
        }
        w.scheduleRequests(60, Workload.SPAN);
        // A partition that comes and goes at random times, and an unsolicited probe at each NAT.
        long cut = sim.random().nextLong(Workload.SPAN);
        sim.schedule(cut, () -> {
            Partition p = sim.partition(List.of(cone));
            sim.scheduleAfter(sim.random().nextLong(2_000_000_000L), p::heal);
        });
        for (Nat nat : w.nats) {
            sim.schedule(sim.random().nextLong(Workload.SPAN), () -> w.servers.getFirst()
                    .send(new InetSocketAddress(nat.publicAddress(), 1024 + sim.random().nextInt(60000)), new byte[8]));
        }
        sim.runUntil(Workload.SPAN + Workload.MARGIN);
        return trace;
    }

    @Test
    void theSameSeedGivesTheSameTraceAndAnotherSeedAnother() {
        List<String> first = trace(42);
        List<String> second = trace(42);
        List<String> other = trace(43);
        assertEquals(first, second);
        assertNotEquals(first, other);

        assertTrue(first.size() > 1000, "a substantial trace: " + first.size());
        Set<DropReason> seen = EnumSet.noneOf(DropReason.class);
        for (String line : first) {
            for (DropReason r : DropReason.values()) {
                if (line.contains(" drop " + r + " ")) {
                    seen.add(r);
                }
            }
        }
        assertTrue(seen.containsAll(EnumSet.of(DropReason.LOSS, DropReason.MTU_EXCEEDED, DropReason.PARTITIONED,
                DropReason.NAT_NO_MAPPING)), "the workload exercises the faults: " + seen);
    }
}
