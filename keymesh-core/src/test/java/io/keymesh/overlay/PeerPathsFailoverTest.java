package io.keymesh.overlay;

import static io.keymesh.overlay.OverlayWorld.MS;
import static io.keymesh.overlay.OverlayWorld.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.overlay.OverlayWorld.Node;
import io.keymesh.session.UdpEndpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Choosing among paths: failover when a relay dies, preferring direct, no flapping. */
class PeerPathsFailoverTest {
    private final OverlayWorld w = new OverlayWorld();

    @Test
    void whenTheRelayInUseDiesTrafficMovesToTheOtherWithinTwoSeconds() {
        Node a = w.node("a");
        Node r1 = w.node("r1");
        Node r2 = w.node("r2");
        Node b = w.node("b");
        for (Node r : List.of(r1, r2)) {
            w.connect(a, r);
            w.connect(r, b);
        }
        b.overlay.addPeer(w.now, a.key, null, List.of(List.of(r1.key), List.of(r2.key)), false);
        a.overlay.addPeer(w.now, b.key, null, List.of(List.of(r1.key), List.of(r2.key)), false);
        w.runFor(SECOND);
        RelayedEndpoint first = assertInstanceOf(RelayedEndpoint.class, a.using.get(b.key));
        Node dying = first.via().equals(r1.key) ? r1 : r2;
        Node other = dying == r1 ? r2 : r1;

        // Steady traffic both ways, one message every 50 ms; then the relay in use dies.
        long killAt = w.now + 3 * SECOND;
        int[] sent = new int[1];
        while (w.now < killAt + 5 * SECOND) {
            if (w.now >= killAt) {
                w.kill(dying);
            }
            a.send(b.key, "m" + sent[0]++);
            w.runFor(50 * MS);
        }
        RelayedEndpoint now = assertInstanceOf(RelayedEndpoint.class, a.using.get(b.key));
        assertEquals(other.key, now.via(), "moved to the relay that is alive");
        long switchedAt = a.switchTimes.getLast();
        assertTrue(switchedAt > killAt && switchedAt - killAt <= 2 * SECOND,
                "switched " + (switchedAt - killAt) / MS + " ms after the relay died");
        assertTrue(b.received.getLast().endsWith("via " + other.name), b.received.getLast());
        assertEquals(1, a.overlay.paths(b.key).switches() - 1, "one switch after the first choice: no flapping");
    }

    @Test
    void aDirectPathThatAnswersReplacesTheRelayedOneOnBothSides() {
        Node a = w.node("a");
        Node r = w.node("r");
        Node b = w.node("b");
        w.connect(a, r);
        w.connect(r, b);
        b.overlay.addPeer(w.now, a.key, null, List.of(List.of(r.key)), false);
        a.overlay.addPeer(w.now, b.key, null, List.of(List.of(r.key)), false);
        w.runFor(SECOND);
        assertInstanceOf(RelayedEndpoint.class, a.using.get(b.key));
        // A learns an address of B's that works (a session between them carries packets there now).
        w.connect(a, b);
        a.overlay.paths(b.key).setDirect(w.now, new UdpEndpoint(OverlayWorld.address(b)));
        long learnt = w.now;
        for (int i = 0; i < 200; i++) {
            a.send(b.key, "m" + i);
            w.runFor(50 * MS);
        }
        assertInstanceOf(UdpEndpoint.class, a.using.get(b.key), "a moved to the direct path");
        assertTrue(a.switchTimes.getLast() - learnt <= PeerPaths.STANDBY_PROBE_INTERVAL_NANOS,
                "once its first probe was answered: " + (a.switchTimes.getLast() - learnt) / MS + " ms");
        assertInstanceOf(UdpEndpoint.class, b.using.get(a.key), "b followed a's data to the direct path");
        assertTrue(b.received.getLast().endsWith("via direct"), b.received.getLast());
        assertEquals(2, a.overlay.paths(b.key).switches(), "relayed, then direct: nothing in between");
    }

    @Test
    void aPeerWhosePathsAreStillOpeningAnswersThroughTheCircuitItsPeerCameIn() {
        Node a = w.node("a");
        Node r = w.node("r");
        Node b = w.node("b");
        w.connect(a, r);
        w.connect(r, b);
        a.overlay.addPeer(w.now, b.key, null, List.of(List.of(r.key)), false);
        w.runFor(100 * MS);
        b.overlay.addPeer(w.now, a.key, null, List.of(List.of(r.key)), false); // b's own circuit is only opening
        a.send(b.key, "first");
        w.runFor(25 * MS);
        RelayedEndpoint in = assertInstanceOf(RelayedEndpoint.class, b.using.get(a.key),
                "b answers a at once, through the circuit a came in on");
        assertTrue(b.send(a.key, "answer"));
        w.runFor(50 * MS);
        assertEquals(List.of("b: answer via r"), a.received);
        assertEquals(r.key, in.via());
    }
}
