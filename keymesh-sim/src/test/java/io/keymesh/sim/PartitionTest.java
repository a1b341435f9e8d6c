package io.keymesh.sim;

import static io.keymesh.sim.Recorder.MS;
import static io.keymesh.sim.Recorder.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionTest {
    private final Simulation sim = new Simulation(5);
    private final Network net = sim.newNetwork("internet", "198.18.0.0/15");
    private final Host a = net.newHost("a");
    private final Host b = net.newHost("b");
    private final Host c = net.newHost("c");
    private final VirtualUdpSocket sa = a.openUdp(1, new Recorder(sim));
    private final Recorder rb = new Recorder(sim);
    private final Recorder rc = new Recorder(sim);
    private final VirtualUdpSocket sb = b.openUdp(1, rb);
    private final VirtualUdpSocket sc = c.openUdp(1, rc);

    @Test
    void aPartitionThatComesAndGoesDropsOnlyWhileItLasts() {
        Partition[] p = new Partition[1];
        sim.schedule(1000 * MS, () -> p[0] = sim.partition(List.of(a)));
        sim.schedule(2000 * MS, () -> p[0].heal());
        for (int i = 0; i < 30; i++) {
            sim.schedule(i * 100 * MS, () -> sa.send(sb.localAddress(), text("x")));
        }
        sim.runUntilIdle(10_000);
        assertEquals(20, rb.count());
        assertEquals(10, a.dropped(DropReason.PARTITIONED));
        assertEquals(10, sim.counters().dropped(DropReason.PARTITIONED));
        assertFalse(p[0].isActive());
        assertEquals(List.of(), sim.partitions());
    }

    @Test
    void aOneSidedPartitionCutsTheSideFromEveryoneElse() {
        Partition p = sim.partition(Set.of(a, b));
        sa.send(sb.localAddress(), text("inside the side"));
        sa.send(sc.localAddress(), text("across"));
        sc.send(sb.localAddress(), text("across back"));
        sim.runUntilIdle(100);
        assertEquals(1, rb.count());
        assertEquals(0, rc.count());
        assertEquals(2, sim.counters().dropped(DropReason.PARTITIONED));
        p.heal();
        sa.send(sc.localAddress(), text("healed"));
        sim.runUntilIdle(100);
        assertEquals(1, rc.count());
    }

    @Test
    void aTwoSidedPartitionLeavesOthersAlone() {
        sim.partition(List.of(a), List.of(b));
        sa.send(sb.localAddress(), text("cut"));
        sa.send(sc.localAddress(), text("fine"));
        sc.send(sb.localAddress(), text("fine too"));
        sim.runUntilIdle(100);
        assertEquals(1, rb.count());
        assertEquals(1, rc.count());
        assertThrows(IllegalArgumentException.class, () -> sim.partition(List.of(a), List.of(a)));
    }

    @Test
    void datagramsInFlightWhenThePartitionStartsAreLost() {
        a.link().egress().setConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(100)));
        sa.send(sb.localAddress(), text("in flight"));
        sim.runFor(50 * MS);
        sim.partition(List.of(b));
        sim.runUntilIdle(100);
        assertEquals(0, rb.count());
        assertEquals(1, a.link().egress().counters().dropped(DropReason.PARTITIONED));
    }

    @Test
    void cuttingANatCutsEveryoneBehindIt() {
        Nat nat = net.newNat("nat", NatConfig.of(NatType.FULL_CONE), "192.168.0.0/24");
        Host h1 = nat.inside().newHost("h1");
        Host h2 = nat.inside().newHost("h2");
        VirtualUdpSocket s1 = h1.openUdp(1, new Recorder(sim));
        Recorder r2 = new Recorder(sim);
        VirtualUdpSocket s2 = h2.openUdp(1, r2);
        sim.partition(List.of(nat));
        s1.send(sb.localAddress(), text("out"));
        s1.send(s2.localAddress(), text("next door"));
        sim.runUntilIdle(100);
        assertEquals(0, rb.count());
        assertEquals(1, r2.count());
        assertEquals(1, h1.dropped(DropReason.PARTITIONED), "dropped on the way to the NAT");
    }
}
