package io.keymesh.sim;

import static io.keymesh.sim.Recorder.MS;
import static io.keymesh.sim.Recorder.SECOND;
import static io.keymesh.sim.Recorder.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Link conditions: latency, jitter, loss, duplication, reordering, bandwidth, queue, MTU. */
class LinkTest {
    private final Simulation sim = new Simulation(11);
    private final Network net = sim.newNetwork("lan", "10.0.0.0/16");
    private final Host a = net.newHost("a");
    private final Host b = net.newHost("b");
    private final Recorder rb = new Recorder(sim);
    private final VirtualUdpSocket sa = a.openUdp(1000, new Recorder(sim));
    private final VirtualUdpSocket sb = b.openUdp(2000, rb);

    /** Sends {@code n} datagrams of {@code size} bytes, one every {@code intervalNanos}, numbered from 0. */
    private List<Long> sendEvery(int n, long intervalNanos, int size) {
        List<Long> sentAt = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int s = i;
            long at = sim.now() + i * intervalNanos;
            sentAt.add(at);
            sim.schedule(at, () -> sa.send(sb.localAddress(), seq(s, size)));
        }
        return sentAt;
    }

    private int lateArrivals() {
        int late = 0;
        int highest = -1;
        for (Recorder.Received r : rb.received) {
            if (r.seq() < highest) {
                late++;
            }
            highest = Math.max(highest, r.seq());
        }
        return late;
    }

    @Test
    void delayIsTheSumOfEgressAndIngressLatency() {
        a.link().egress().setConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        b.link().ingress().setConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(7)));
        sendEvery(1, 0, 100);
        sim.runUntilIdle(100);
        assertEquals(17 * MS, rb.last().atNanos());
    }

    @Test
    void jitterStaysWithinBoundsAndKeepsOrder() {
        a.link().egress().setConditions(LinkConditions.DEFAULT
                .withLatency(Duration.ofMillis(10)).withJitter(Duration.ofMillis(5)));
        List<Long> sentAt = sendEvery(2000, MS, 100);
        sim.runUntilIdle(100_000);
        assertEquals(2000, rb.count());
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (Recorder.Received r : rb.received) {
            long delay = r.atNanos() - sentAt.get(r.seq());
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }
        assertTrue(min >= 10 * MS && max <= 15 * MS, "delay in [10, 15] ms, was [" + min + ", " + max + "]");
        assertTrue(min < 10_500_000 && max > 14_500_000, "jitter spreads the delay: [" + min + ", " + max + "]");
        assertEquals(0, lateArrivals(), "no reordering unless asked");
    }

    @Test
    void lossRateIsNearTheConfiguredProbability() {
        int n = 20_000;
        double p = 0.1;
        a.link().egress().setConditions(LinkConditions.DEFAULT.withLoss(p));
        sendEvery(n, 100_000, 50);
        sim.runUntilIdle(1_000_000);
        double sigma = Math.sqrt(n * p * (1 - p));
        int lost = n - rb.count();
        assertTrue(Math.abs(lost - n * p) < 4 * sigma, "lost " + lost + " of " + n);
        assertEquals(lost, a.link().egress().counters().dropped(DropReason.LOSS));
        assertEquals(lost, a.dropped(DropReason.LOSS));
        assertEquals(n, a.link().egress().offered());
        assertEquals(n - lost, a.link().egress().counters().delivered());
    }

    @Test
    void duplicationDeliversIdenticalCopies() {
        int n = 10_000;
        double p = 0.2;
        b.link().ingress().setConditions(LinkConditions.DEFAULT.withDuplication(p));
        sendEvery(n, 100_000, 50);
        sim.runUntilIdle(1_000_000);
        long extra = rb.count() - n;
        double sigma = Math.sqrt(n * p * (1 - p));
        assertTrue(Math.abs(extra - n * p) < 4 * sigma, "duplicates " + extra);
        assertEquals(extra, b.link().ingress().duplicated());
        Map<Integer, Integer> copies = new HashMap<>();
        for (Recorder.Received r : rb.received) {
            copies.merge(r.seq(), 1, Integer::sum);
        }
        assertEquals(n, copies.size());
        assertTrue(copies.values().stream().allMatch(c -> c == 1 || c == 2));
    }

    @Test
    void reorderingHoldsPacketsBackSoOthersOvertakeThem() {
        int n = 1000;
        a.link().egress().setConditions(LinkConditions.DEFAULT
                .withLatency(Duration.ofMillis(5)).withReordering(0.1, Duration.ofMillis(20)));
        sendEvery(n, MS, 100);
        sim.runUntilIdle(100_000);
        assertEquals(n, rb.count(), "reordering loses nothing");
        long reordered = a.link().egress().reordered();
        assertTrue(reordered > 50 && reordered < 150, "reordered " + reordered);
        int late = lateArrivals();
        assertTrue(late > reordered - 20 && late <= reordered, "late " + late + " of " + reordered + " held back");
    }

    @Test
    void bandwidthSerialisesPacketsAtTheConfiguredRate() {
        // 1,222 bytes of payload + 28 of headers = 1,250 bytes = 10,000 bits = 10 ms at 1 Mbit/s.
        a.link().egress().setConditions(LinkConditions.DEFAULT.withBandwidth(1_000_000));
        sendEvery(500, 0, 1222);
        sim.runUntilIdle(100_000);
        assertEquals(500, rb.count());
        for (Recorder.Received r : rb.received) {
            assertEquals((r.seq() + 1) * 10 * MS, r.atNanos());
        }
    }

    @Test
    void anOverloadedLinkDeliversAtItsCapacityAndTailDrops() {
        long bps = 1_000_000;
        a.link().egress().setConditions(LinkConditions.DEFAULT.withBandwidth(bps).withQueueCapacity(50 * 1250));
        sendEvery(2000, 5 * MS, 1222); // 2 Mbit/s offered for 10 s
        sim.runUntil(10 * SECOND);
        long inWindow = rb.received.stream().filter(r -> r.atNanos() > SECOND).count();
        double rate = inWindow * 1250 * 8 / 9.0;
        assertTrue(Math.abs(rate - bps) / bps < 0.02, "delivered " + rate + " bit/s");
        long dropped = a.link().egress().counters().dropped(DropReason.QUEUE_FULL);
        assertTrue(dropped > 900 && dropped < 1000, "tail-dropped " + dropped);
        sim.runUntilIdle(100_000);
        assertEquals(2000, rb.count() + dropped);
    }

    @Test
    void aFullQueueTailDropsExactly() {
        // A queue of 12,500 bytes holds ten 1,250-byte packets, counting the one being sent.
        a.link().egress().setConditions(LinkConditions.DEFAULT.withBandwidth(1_000_000).withQueueCapacity(12_500));
        sendEvery(100, 0, 1222);
        sim.runUntil(1);
        assertEquals(12_500, a.link().egress().queuedBytes());
        sim.runUntilIdle(100_000);
        assertEquals(10, rb.count());
        assertEquals(90, a.link().egress().counters().dropped(DropReason.QUEUE_FULL));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), rb.received.stream().map(Recorder.Received::seq).toList());
        assertEquals(0, a.link().egress().queuedBytes());
    }

    @Test
    void datagramsLargerThanTheMtuAreDroppedAndCounted() {
        sa.send(sb.localAddress(), new byte[1472]); // 1500 with headers: fits Ethernet
        sa.send(sb.localAddress(), new byte[1473]);
        sim.runUntilIdle(100);
        b.link().ingress().setConditions(LinkConditions.DEFAULT.withMtu(1280));
        sa.send(sb.localAddress(), new byte[1252]);
        sa.send(sb.localAddress(), new byte[1253]);
        sim.runUntilIdle(100);
        assertEquals(List.of(1472, 1252), rb.received.stream().map(r -> r.data().length).toList());
        assertEquals(1, a.link().egress().counters().dropped(DropReason.MTU_EXCEEDED));
        assertEquals(1, b.link().ingress().counters().dropped(DropReason.MTU_EXCEEDED));
        assertEquals(2, sim.counters().dropped(DropReason.MTU_EXCEEDED));
    }

    @Test
    void conditionsChangeAtRunTime() {
        sendEvery(30, 100 * MS, 10);
        sim.schedule(1000 * MS - 1, () -> a.link().setConditions(LinkConditions.DEFAULT.withLoss(1.0)));
        sim.schedule(2000 * MS - 1, () -> a.link().setConditions(LinkConditions.DEFAULT));
        sim.runUntilIdle(10_000);
        assertEquals(20, rb.count());
        assertEquals(10, a.dropped(DropReason.LOSS));
        assertTrue(rb.received.stream().noneMatch(r -> r.seq() >= 10 && r.seq() < 20));
    }

    @Test
    void networkConditionsApplyToExistingAndNewLinks() {
        LinkConditions slow = LinkConditions.DEFAULT.withLatency(Duration.ofMillis(3));
        net.setLinkConditions(slow);
        assertEquals(slow, a.link().egress().conditions());
        assertEquals(slow, net.newHost("c").link().ingress().conditions());
        sendEvery(1, 0, 1);
        sim.runUntilIdle(100);
        assertEquals(6 * MS, rb.last().atNanos());
    }

    @Test
    void invalidConditionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.DEFAULT.withLoss(1.5));
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.DEFAULT.withDuplication(-0.1));
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.DEFAULT.withReordering(Double.NaN, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.DEFAULT.withLatency(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.DEFAULT.withMtu(67));
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.DEFAULT.withQueueCapacity(0));
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.DEFAULT.withBandwidth(-1));
    }
}
