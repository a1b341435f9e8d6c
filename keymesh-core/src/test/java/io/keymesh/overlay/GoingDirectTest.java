package io.keymesh.overlay;

import static io.keymesh.overlay.OverlayWorld.MS;
import static io.keymesh.overlay.OverlayWorld.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.overlay.OverlayWorld.Node;
import io.keymesh.session.Endpoint;
import io.keymesh.session.UdpEndpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Going direct: address reports, the candidates exchange and its connectivity checks, validation,
 * the bound on direct paths, and which peers come under the overlay's policy.
 */
class GoingDirectTest {
    private final OverlayWorld w = new OverlayWorld();

    /** a and b, each linked to r and listing the other through r, with their own addresses as host candidates. */
    private Node[] relayedPair(Node r) {
        Node a = w.node("a");
        Node b = w.node("b");
        w.connect(a, r);
        w.connect(r, b);
        a.overlay.hostAddresses(List.of(OverlayWorld.address(a)));
        b.overlay.hostAddresses(List.of(OverlayWorld.address(b)));
        b.overlay.addPeer(w.now, a.key, null, List.of(List.of(r.key)), false);
        a.overlay.addPeer(w.now, b.key, null, List.of(List.of(r.key)), false);
        return new Node[] {a, b};
    }

    private static List<Path> direct(Node at, Node peer) {
        return at.overlay.paths(peer.key).paths().stream().filter(p -> p.kind() == Path.Kind.DIRECT).toList();
    }

    @Test
    void aRelayedPairExchangesCandidatesAndGoesDirectOnBothSidesOnceAChecksIsAnswered() {
        Node r = w.node("r");
        Node[] ab = relayedPair(r);
        Node a = ab[0];
        Node b = ab[1];
        w.openDirect(a, b);
        w.runFor(SECOND);
        assertInstanceOf(UdpEndpoint.class, a.using.get(b.key), "a went direct");
        assertInstanceOf(UdpEndpoint.class, b.using.get(a.key), "b went direct");
        assertEquals(new UdpEndpoint(OverlayWorld.address(b)), a.using.get(b.key));
        assertEquals(List.of(OverlayWorld.address(b)), a.overlay.remoteCandidates(b.key), "b's candidates as it sent them");
        assertEquals(List.of(OverlayWorld.address(a)), b.overlay.remoteCandidates(a.key));
        Path ad = direct(a, b).getFirst();
        assertTrue(ad.usable() && ad.validatedNanos() > 0, "validated by an answered check");
        assertTrue(ad.rttNanos() >= 2 * OverlayWorld.DELAY, "its RTT from the check: " + ad.rttNanos());
        long rounds = a.overlay.punchRounds(b.key) + b.overlay.punchRounds(a.key);
        assertTrue(rounds >= 1 && rounds <= 2, "an offer, or one from each side when both start at once: " + rounds);
        assertEquals(2, a.overlay.paths(b.key).switches(), "relayed, then direct");
        assertTrue(a.overlay.paths(b.key).directSinceNanos() > 0);

        // Data goes direct; the relayed path stays, probed, as the fallback.
        a.send(b.key, "hello");
        w.runFor(100 * MS);
        assertEquals("a: hello via direct", b.received.getLast());
        assertTrue(a.overlay.paths(b.key).paths().stream().anyMatch(p -> p.kind() == Path.Kind.RELAYED && p.usable()));
        assertFalse(a.overlay.paths(b.key).onlyRelayed());
    }

    @Test
    void aCandidateThatNeverAnswersCarriesNothingAndIsCheckedAgainAtTheNextRound() {
        Node r = w.node("r");
        Node[] ab = relayedPair(r);
        Node a = ab[0];
        Node b = ab[1];
        for (int i = 0; i < 60; i++) {
            a.send(b.key, "m" + i);
            w.runFor(50 * MS);
        }
        assertInstanceOf(RelayedEndpoint.class, a.using.get(b.key), "no direct route: still relayed");
        assertEquals(1, direct(a, b).size(), "b's candidate is known");
        assertFalse(direct(a, b).getFirst().usable(), "but never validated");
        assertTrue(b.received.stream().allMatch(m -> m.endsWith("via r")), "nothing went to an unvalidated path");
        assertTrue(a.overlay.paths(b.key).onlyRelayed());
        long rounds = a.overlay.punchRounds(b.key) + b.overlay.punchRounds(a.key);
        assertTrue(rounds >= 1 && rounds <= 2, "one round (an offer from one side or each): " + rounds);

        // A minute later, a new round; this time the route is open.
        w.openDirect(a, b);
        w.runFor(HolePunch.UPGRADE_INTERVAL_NANOS);
        long more = a.overlay.punchRounds(b.key) + b.overlay.punchRounds(a.key) - rounds;
        assertTrue(more >= 1 && more <= 2, "one more round: " + more);
        assertInstanceOf(UdpEndpoint.class, a.using.get(b.key), "direct after the second round");
    }

    @Test
    void whenTheDirectPathStopsAnsweringTrafficGoesBackToTheRelayWithinTwoSeconds() {
        Node r = w.node("r");
        Node[] ab = relayedPair(r);
        Node a = ab[0];
        Node b = ab[1];
        w.openDirect(a, b);
        w.runFor(SECOND);
        assertInstanceOf(UdpEndpoint.class, a.using.get(b.key));
        long cutAt = w.now + SECOND;
        for (int i = 0; w.now < cutAt + 3 * SECOND; i++) {
            if (w.now >= cutAt) {
                w.closeDirect(a, b);
            }
            a.send(b.key, "m" + i);
            w.runFor(50 * MS);
        }
        assertInstanceOf(RelayedEndpoint.class, a.using.get(b.key), "back on the relay");
        long back = a.switchTimes.getLast();
        assertTrue(back > cutAt && back - cutAt <= 2 * SECOND, (back - cutAt) / MS + " ms after the cut");
        assertTrue(b.received.getLast().endsWith("via r"), b.received.getLast());
    }

    @Test
    void peersTellEachOtherTheAddressTheySeeAndTheNodeKeepsItAsAServerReflexiveCandidate() {
        Node a = w.node("a");
        Node r = w.node("r");
        w.connect(a, r);
        a.overlay.addPeer(w.now, r.key, new UdpEndpoint(OverlayWorld.address(r)), List.of(), false);
        r.overlay.addPeer(w.now, a.key, null, List.of(), false);
        // r's roaming peer a speaks from its address, and the handshake completes.
        assertFalse(r.overlay.roamed(w.now, a.key, new UdpEndpoint(OverlayWorld.address(a))));
        r.overlay.handshakeCompleted(w.now, a.key, new UdpEndpoint(OverlayWorld.address(a)));
        w.runFor(100 * MS);
        var reflexive = a.overlay.localCandidates().reflexive(w.now);
        assertEquals(1, reflexive.size());
        assertEquals(OverlayWorld.address(a), reflexive.getFirst().address());
        assertEquals(List.of(r.key), List.copyOf(reflexive.getFirst().reporters().keySet()), "and who reported it");
        assertTrue(a.overlay.localCandidates().candidates(w.now).stream()
                .anyMatch(c -> c.address().equals(OverlayWorld.address(a))));

        // No repeat within the second, even for another handshake; the next one after it goes.
        long before = reflexive.getFirst().lastReportNanos();
        r.overlay.handshakeCompleted(w.now, a.key, new UdpEndpoint(OverlayWorld.address(a)));
        w.runFor(500 * MS);
        assertEquals(before, a.overlay.localCandidates().reflexive(w.now).getFirst().lastReportNanos());
        w.runFor(SECOND);
        assertTrue(a.overlay.localCandidates().reflexive(w.now).getFirst().lastReportNanos() > before);
    }

    @Test
    void aRoamingPeerComesUnderThePolicyWhenARelayedPathAppearsButAStockWireGuardPeerKeepsRoaming() {
        Node r = w.node("r");
        Node a = w.node("a");
        Node b = w.node("b");
        Node g = w.node("g");
        w.connect(a, r);
        w.connect(r, b);
        w.connect(r, g);
        b.overlay.addPeer(w.now, a.key, null, List.of(), false); // b lists a with no relay
        g.overlay.addPeer(w.now, a.key, null, List.of(), true); // g takes a for a stock WireGuard peer
        a.overlay.addPeer(w.now, b.key, null, List.of(List.of(r.key)), false);
        a.overlay.addPeer(w.now, g.key, null, List.of(List.of(r.key)), false);
        assertTrue(b.overlay.paths(a.key).isRoaming());
        w.runFor(100 * MS);
        a.send(b.key, "to b");
        a.send(g.key, "to g");
        w.runFor(100 * MS);
        assertFalse(b.overlay.paths(a.key).isRoaming(), "b picks a's paths now");
        assertInstanceOf(RelayedEndpoint.class, b.using.get(a.key), "through the circuit a came in on");
        assertTrue(g.overlay.paths(a.key).isRoaming(), "a stock WireGuard peer always roams");
        assertInstanceOf(RelayedEndpoint.class, g.using.get(a.key), "its endpoint follows its packets");
        assertEquals(0, g.overlay.punchRounds(a.key));
    }

    @Test
    void aPeerHasAtMostEightDirectPathsAndWorkingOnesAreNotPushedOut() {
        List<Long> probes = new ArrayList<>();
        PeerPaths paths = new PeerPaths(false, new PeerPaths.Actions() {
            @Override
            public boolean probe(Path path, long id) {
                probes.add(id);
                return true;
            }

            @Override
            public void use(Endpoint endpoint, Endpoint previous) {}
        }, 0);
        long now = 1_000 * SECOND;
        List<UdpEndpoint> twelve = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            twelve.add(new UdpEndpoint(new InetSocketAddress("192.0.2." + (i + 1), 51820)));
        }
        assertTrue(paths.candidatesReceived(now, twelve));
        assertEquals(PeerPaths.MAX_DIRECT_PATHS, paths.paths().size(), "bounded");
        paths.onTimeout(now);
        assertEquals(PeerPaths.MAX_DIRECT_PATHS, probes.size(), "one check each, at once");
        for (Path p : List.copyOf(paths.paths())) {
            paths.probeAnswered(now + 10 * MS, p.endpoint(), p.probeId);
        }
        assertTrue(paths.paths().stream().allMatch(Path::usable), "all validated");
        assertNull(paths.addCandidate(new UdpEndpoint(new InetSocketAddress("198.51.100.1", 1))),
                "no room: every direct path works");
        assertTrue(paths.active() != null && paths.active().usable(), "with no other path, a validated one is taken");
    }

    @Test
    void checksStopAfterTheirAttemptsAndADirectPacketFromAnUnknownAddressTriggersOne() {
        List<Endpoint> probed = new ArrayList<>();
        PeerPaths paths = new PeerPaths(false, new PeerPaths.Actions() {
            @Override
            public boolean probe(Path path, long id) {
                probed.add(path.endpoint());
                return true;
            }

            @Override
            public void use(Endpoint endpoint, Endpoint previous) {}
        }, 0);
        long now = 1_000 * SECOND;
        UdpEndpoint c = new UdpEndpoint(new InetSocketAddress("192.0.2.1", 51820));
        paths.candidatesReceived(now, List.of(c));
        for (long t = now; t < now + 10 * SECOND; t += 50 * MS) {
            paths.onTimeout(t);
        }
        assertEquals(PeerPaths.CHECK_ATTEMPTS, probed.size(), "a round of checks, then silence");
        assertEquals(Long.MAX_VALUE, paths.nextTimeout(now + 10 * SECOND));

        UdpEndpoint peerReflexive = new UdpEndpoint(new InetSocketAddress("203.0.113.5", 40000));
        assertTrue(paths.authenticated(now + 10 * SECOND, peerReflexive), "a triggered check");
        paths.onTimeout(now + 10 * SECOND);
        assertEquals(peerReflexive, probed.getLast());
    }
}
