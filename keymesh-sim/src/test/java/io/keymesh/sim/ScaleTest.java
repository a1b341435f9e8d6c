package io.keymesh.sim;

import static io.keymesh.sim.Recorder.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A thousand hosts with random traffic. Prints simulated events per wall second; asserts no timing. */
class ScaleTest {
    @Test
    void aThousandHostsExchangeRandomTraffic() {
        long wallStart = System.nanoTime();
        Simulation sim = new Simulation(2024);
        Workload w = new Workload(sim, LinkConditions.DEFAULT
                .withLatency(Duration.ofMillis(15)).withJitter(Duration.ofMillis(5)).withLoss(0.005));
        long[] responses = new long[1];
        DatagramHandler client = (from, data, off, len) -> {
            if (data[off] == Workload.RESPONSE) {
                responses[0]++;
            }
        };
        for (int i = 0; i < 100; i++) {
            w.addServer(w.internet);
        }
        for (int i = 0; i < 800; i++) {
            w.addClient(w.internet, client);
        }
        for (int n = 0; n < 10; n++) {
            Nat nat = w.addNat(NatConfig.of(NatType.values()[n % NatType.values().length]));
            for (int i = 0; i < 10; i++) {
                w.addClient(nat.inside(), client);
            }
        }
        assertEquals(1000, w.hosts.size());
        int perClient = 100;
        w.scheduleRequests(perClient, 60 * SECOND);
        sim.runUntil(61 * SECOND);
        long wallNanos = System.nanoTime() - wallStart;

        long requests = 900L * perClient;
        // Four link crossings per round trip, 0.5 % loss each (more crossings behind a NAT), no other drops.
        assertTrue(responses[0] > requests * 0.96 && responses[0] < requests * 0.99, "responses " + responses[0]);
        TrafficCounters total = sim.counters();
        assertEquals(w.sent(), total.delivered() + total.droppedTotal(), total.toString());
        assertEquals(total.droppedTotal(), total.dropped(DropReason.LOSS));
        System.out.printf("ScaleTest: 1000 hosts, %d datagrams, %d events in %.2f s wall for 61 s virtual: %.0f events/s%n",
                w.sent(), sim.eventsProcessed(), wallNanos / 1e9, sim.eventsProcessed() / (wallNanos / 1e9));
    }
}
