package io.keymesh.overlay;

import static io.keymesh.overlay.OverlayWorld.MS;
import static io.keymesh.overlay.OverlayWorld.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.overlay.OverlayWorld.Node;
import io.keymesh.wire.RelayReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Circuits through relays: opening, carrying both ways, refusals, multi-hop, limits, expiry. */
class RelayTest {
    private final OverlayWorld w = new OverlayWorld();

    /** A reaches B through R; B knows A only from what arrives. */
    private Node[] triangle(Node r) {
        Node a = w.node("a");
        Node b = w.node("b");
        w.connect(a, r);
        w.connect(r, b);
        b.overlay.addPeer(w.now, a.key, null, List.of(), false);
        a.overlay.addPeer(w.now, b.key, null, List.of(List.of(r.key)), false);
        return new Node[] {a, b};
    }

    @Test
    void aCircuitOpensEndToEndAndCarriesMessagesBothWaysWithoutTheRelayReadingThem() {
        Node r = w.node("r");
        Node[] ab = triangle(r);
        Node a = ab[0];
        Node b = ab[1];
        w.runFor(100 * MS);
        RelayedEndpoint path = assertInstanceOf(RelayedEndpoint.class, a.using.get(b.key));
        assertEquals(r.key, path.via());
        assertTrue(a.overlay.circuits().isOpen(path));
        assertEquals(1, r.overlay.relay().circuits());

        for (int i = 0; i < 5; i++) {
            assertTrue(a.send(b.key, "hello " + i));
        }
        w.runFor(100 * MS);
        assertEquals(List.of("a: hello 0 via r", "a: hello 1 via r", "a: hello 2 via r", "a: hello 3 via r",
                "a: hello 4 via r"), b.received);
        assertTrue(b.send(a.key, "back"));
        w.runFor(100 * MS);
        assertEquals(List.of("b: back via r"), a.received);
        assertEquals(List.of(), r.received, "the relay passes messages on; nothing is delivered to it");
        assertEquals(0, r.overlay.relay().notWireGuard());
        assertTrue(r.overlay.relay().packetsForwarded() >= 6, "six messages, and probes, passed through the relay");
    }

    @Test
    void aRelayWithRelayingOffRefusesAndTheOpenerCounts() {
        Node r = w.node("r", RelayConfig.DEFAULT.withEnabled(false));
        Node a = triangle(r)[0];
        w.runFor(100 * MS);
        assertEquals(1, r.overlay.relay().refused(RelayReason.DISABLED));
        assertEquals(1, a.overlay.circuitsRefused());
        assertNull(a.using.get(w.nodes.keySet().stream().filter(k -> k != a.key && k != r.key).findFirst().orElseThrow()));
    }

    @Test
    void aRelayAtItsLimitRefusesWithCapacity() {
        Node r = w.node("r", RelayConfig.DEFAULT.withMaxCircuits(0));
        Node a = triangle(r)[0];
        w.runFor(100 * MS);
        assertEquals(1, r.overlay.relay().refused(RelayReason.CAPACITY));
        assertEquals(1, a.overlay.circuitsRefused());
    }

    @Test
    void aRelayWithoutASessionToTheTargetRefusesWithNoRoute() {
        Node r = w.node("r");
        Node a = w.node("a");
        Node b = w.node("b");
        w.connect(a, r);
        a.overlay.addPeer(w.now, b.key, null, List.of(List.of(r.key)), false);
        w.runFor(100 * MS);
        assertEquals(1, r.overlay.relay().refused(RelayReason.NO_ROUTE));
        assertEquals(0, r.overlay.relay().circuits());
    }

    @Test
    void aRouteThatLoopsIsRefused() {
        Node r = w.node("r");
        Node a = w.node("a");
        Node b = w.node("b");
        w.connect(a, r);
        w.connect(r, b);
        r.overlay.relay().onOpen(w.now, a.key, 8, List.of(r.key, a.key));
        r.overlay.relay().onOpen(w.now, a.key, 10, List.of(r.key, b.key, r.key));
        r.overlay.relay().onOpen(w.now, a.key, 12, List.of(b.key, b.key));
        assertEquals(2, r.overlay.relay().refused(RelayReason.LOOP));
        assertEquals(1, r.overlay.relay().refused(RelayReason.NO_ROUTE), "a route that does not start at the relay");
    }

    @Test
    void aMultiHopRouteCarriesMessages() {
        Node a = w.node("a");
        Node r1 = w.node("r1");
        Node r2 = w.node("r2");
        Node b = w.node("b");
        w.connect(a, r1);
        w.connect(r1, r2);
        w.connect(r2, b);
        b.overlay.addPeer(w.now, a.key, null, List.of(), false);
        a.overlay.addPeer(w.now, b.key, null, List.of(List.of(r1.key, r2.key)), false);
        w.runFor(200 * MS);
        assertTrue(a.send(b.key, "two hops"));
        w.runFor(200 * MS);
        assertEquals(List.of("a: two hops via r2"), b.received);
        assertTrue(b.send(a.key, "and back"));
        w.runFor(200 * MS);
        assertEquals(List.of("b: and back via r1"), a.received);
        assertEquals(1, r1.overlay.relay().circuits());
        assertEquals(1, r2.overlay.relay().circuits());
    }

    @Test
    void theRelaysLinkToTheTargetGoingDownClosesTheCircuitAtTheOpener() {
        Node r = w.node("r");
        Node[] ab = triangle(r);
        Node a = ab[0];
        Node b = ab[1];
        w.runFor(100 * MS);
        assertEquals(1, a.overlay.paths(b.key).paths().size());
        r.overlay.linkDown(w.now, b.key);
        w.runFor(100 * MS);
        assertEquals(0, r.overlay.relay().circuits());
        assertEquals(List.of(), a.overlay.paths(b.key).paths().stream()
                .filter(p -> a.overlay.circuits().isOpen((RelayedEndpoint) p.endpoint())).toList());
    }

    @Test
    void aCircuitOverItsRateDropsTheExcessAndCountsIt() {
        Node r = w.node("r", RelayConfig.DEFAULT.withBytesPerSecond(100_000));
        Node[] ab = triangle(r);
        Node a = ab[0];
        Node b = ab[1];
        w.runFor(100 * MS);
        String kilobyte = "x".repeat(1000);
        for (int i = 0; i < 200; i++) {
            a.send(b.key, kilobyte);
        }
        w.runFor(100 * MS);
        long forwarded = r.overlay.relay().bytesForwarded();
        assertTrue(forwarded <= RelayConfig.MIN_BURST_BYTES, "no more than the burst at once: " + forwarded);
        assertTrue(r.overlay.relay().packetsOverRate() > 100, "the rest dropped: " + r.overlay.relay().packetsOverRate());
        int burst = (int) (RelayConfig.MIN_BURST_BYTES / (OverlayWorld.HEADER + 32 + 1000 + 3));
        assertTrue(b.received.size() >= burst - 2 && b.received.size() <= burst,
                "the burst's worth of messages arrived: " + b.received.size());
    }

    @Test
    void aCircuitWhoseOpenerDiedIdlesOutAtTheRelayAndTheTarget() {
        Node r = w.node("r");
        Node[] ab = triangle(r);
        Node a = ab[0];
        Node b = ab[1];
        w.runFor(100 * MS);
        assertEquals(1, b.overlay.circuits().inbound());
        w.runFor(60 * SECOND);
        assertEquals(1, r.overlay.relay().circuits(), "probes keep a configured route's circuit open");
        w.cut(a, r);
        w.runFor(RelayConfig.DEFAULT.idleTimeoutNanos() + 60 * SECOND);
        assertEquals(0, r.overlay.relay().circuits());
        assertEquals(0, b.overlay.circuits().inbound());
    }

    @Test
    void aRelayPassesOnlyWireGuardMessages() {
        Node r = w.node("r");
        Node[] ab = triangle(r);
        w.runFor(100 * MS);
        RelayedEndpoint path = (RelayedEndpoint) ab[0].using.get(ab[1].key);
        long before = r.overlay.relay().packetsForwarded();
        ab[0].overlay.circuits().send(w.now, path, new byte[] {9, 9, 9, 9, 1, 2, 3}, 0, 7);
        byte[] initiationTooShort = new byte[147];
        initiationTooShort[0] = 1;
        ab[0].overlay.circuits().send(w.now, path, initiationTooShort, 0, initiationTooShort.length);
        w.runFor(100 * MS);
        assertEquals(2, r.overlay.relay().notWireGuard());
        assertEquals(before, r.overlay.relay().packetsForwarded(), "neither was passed on");
    }
}
