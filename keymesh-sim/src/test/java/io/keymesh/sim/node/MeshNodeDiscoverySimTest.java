package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static io.keymesh.sim.node.SimMesh.SECOND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.node.Channel;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerConfig;
import io.keymesh.overlay.DiscoveryConfig;
import io.keymesh.overlay.Seeks;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Nat;
import io.keymesh.sim.NatConfig;
import io.keymesh.sim.NatType;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.RecordingListener.PeerEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Discovery by key on the simulator: a node that knows only a public member's address and another
 * node's key reaches that node through whichever member knows it — one hop or several — with the
 * first session up over the circuit the seek found; a key no member within the hop limit knows is
 * reported unreachable within the seek timeout.
 */
class MeshNodeDiscoverySimTest {
    private static final long LATENCY_MS = 10;

    private static Network internet(SimMesh mesh) {
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(LATENCY_MS)));
        return internet;
    }

    /** {@code a} and {@code b} hold sessions with the members they list with an address. */
    private static void connectAll(SimMesh mesh, Member... members) {
        for (Member m : members) {
            for (var s : m.node.peerStats().join()) {
                if (s.endpoint() != null) {
                    m.node.connect(s.publicKey());
                }
            }
        }
        mesh.sim.runFor(Duration.ofSeconds(2));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(NatType.class)
    void aNodeKnowingOnlyAPublicMemberReachesAnotherByKeyRelayedAtOnce(NatType type) {
        SimMesh mesh = new SimMesh(301);
        Network internet = internet(mesh);
        Nat natA = internet.newNat("nat-a", NatConfig.of(type), "192.168.1.0/24");
        Nat natB = internet.newNat("nat-b", NatConfig.of(type), "192.168.2.0/24");
        Member p = mesh.member("p", internet.newHost("p"));
        Member a = mesh.member("a", natA.inside().newHost("a"));
        Member b = mesh.member("b", natB.inside().newHost("b"));
        p.start(List.of(a.asPeerWithoutEndpoint(), b.asPeerWithoutEndpoint()));
        a.start(List.of(p.asPeer().withPersistentKeepalive(25), b.asPeerWithoutEndpoint()));
        b.start(List.of(p.asPeer().withPersistentKeepalive(25), a.asPeerWithoutEndpoint()));
        connectAll(mesh, a, b);

        long t0 = mesh.sim.now();
        SplittableRandom r = new SplittableRandom(3);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            byte[] m = new byte[1 + r.nextInt(3000)];
            r.nextBytes(m);
            sent.add(m);
        }
        Channel ch = a.node.channel(b.publicKey(), 7);
        int next = 0;
        a.send(b, 0, 300);
        for (int step = 0; step < 400 && b.events.messageCount() < sent.size(); step++) {
            while (next < sent.size() && ch.send(sent.get(next))) {
                next++;
            }
            mesh.sim.runFor(Duration.ofMillis(50));
        }
        List<byte[]> got = b.events.messages(a.publicKey(), 7);
        assertEquals(sent.size(), got.size(), "every message, once");
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), got.get(i), "message " + i + " in order and intact");
        }
        assertEquals(1, b.receivedFrom(a).size(), "the first datagram, which waited for the seek, arrived");
        long firstDelivery = b.events.datagrams.peek().atNanos() - t0;
        System.out.printf("discovery behind %s NATs, 10 ms links: first datagram delivered %.1f ms after the send that started the seek (informational)%n",
                type, firstDelivery / 1e6);
        // seek a→p (1 way), p opens both halves (1 round trip each, in parallel), initiation p→b,
        // response b→p→a: about 6 one-way latencies of 10 ms, with room for the links' jitter.
        assertTrue(firstDelivery < 200 * MS, "first delivery " + firstDelivery / MS + " ms after the send");

        List<RecordingListener.PathChange> changes = a.events.pathChanges.stream()
                .filter(c -> c.peer().equals(b.publicKey())).toList();
        assertTrue(!changes.isEmpty() && changes.getFirst().path().relayed()
                && changes.getFirst().path().via().equals(p.publicKey()), "first relayed through p: " + changes);
        PathInfo path = a.stats(b).path();
        assertNotNull(path);
        if (type.mapping() == io.keymesh.sim.MappingBehavior.ENDPOINT_INDEPENDENT) {
            assertTrue(!path.relayed(), "then direct through the NATs: " + path);
            long toDirect = changes.stream().filter(c -> !c.path().relayed()).findFirst().orElseThrow().atNanos() - t0;
            assertTrue(toDirect < 2 * SECOND, "direct " + toDirect / MS + " ms after the send");
            System.out.printf("discovery behind %s NATs: direct %.1f ms after the send that started the seek (informational)%n",
                    type, toDirect / 1e6);
        } else {
            assertTrue(path.relayed() && path.via().equals(p.publicKey()), "symmetric NATs: still through p: " + path);
        }
        assertEquals(1, p.node.discoveryStats().join().spliced(), "p answered one seek");
        assertEquals(0, p.events.messageCount(), "p read none of a's messages");
        assertEquals(1, a.events(PeerEvent.Kind.UP, b).size(), "a met b once");
        assertEquals(new io.keymesh.node.Found(io.keymesh.node.Found.How.SOUGHT, p.publicKey()), a.stats(b).found(),
                "a's status says how it found b");
        assertEquals(io.keymesh.node.Found.How.REACHED_US, b.stats(a).found().how(), "b's: a reached it");
        assertEquals(io.keymesh.node.Found.How.ENDPOINT, a.stats(p).found().how());
    }

    @Test
    void aSeekCrossesMembersThatDoNotKnowTheKeyUpToTheHopLimit() {
        // a — p1 — p2 — p3 — b: a knows p1, b knows p3; p1, p2, p3 know their neighbours.
        for (int hops : new int[] {3, 2}) {
            SimMesh mesh = new SimMesh(302);
            Network internet = internet(mesh);
            Member p1 = mesh.member("p1", internet.newHost("p1"));
            Member p2 = mesh.member("p2", internet.newHost("p2"));
            Member p3 = mesh.member("p3", internet.newHost("p3"));
            Nat natA = internet.newNat("nat-a", NatConfig.of(NatType.FULL_CONE), "192.168.1.0/24");
            Nat natB = internet.newNat("nat-b", NatConfig.of(NatType.SYMMETRIC), "192.168.2.0/24");
            Member a = mesh.member("a", natA.inside().newHost("a"));
            Member b = mesh.member("b", natB.inside().newHost("b"));
            DiscoveryConfig d = DiscoveryConfig.DEFAULT.withMaxHops(hops);
            p1.start(List.of(a.asPeerWithoutEndpoint(), p2.asPeer()), c -> c.withDiscovery(d));
            p2.start(List.of(p1.asPeer(), p3.asPeer()), c -> c.withDiscovery(d));
            p3.start(List.of(p2.asPeer(), b.asPeerWithoutEndpoint()), c -> c.withDiscovery(d));
            a.start(List.of(p1.asPeer().withPersistentKeepalive(25), b.asPeerWithoutEndpoint()), c -> c.withDiscovery(d));
            b.start(List.of(p3.asPeer().withPersistentKeepalive(25), a.asPeerWithoutEndpoint()), c -> c.withDiscovery(d));
            p1.node.connect(p2.publicKey());
            p2.node.connect(p3.publicKey());
            connectAll(mesh, a, b);

            long t0 = mesh.sim.now();
            for (int i = 0; i < 20; i++) {
                a.send(b, i, 100);
                mesh.sim.runFor(Duration.ofMillis(250));
            }
            if (hops == 3) {
                assertEquals(20, b.receivedFrom(a).size(), "found three hops away (p1, p2, p3): every datagram");
                List<RecordingListener.PathChange> changes = a.events.pathChanges.stream()
                        .filter(c -> c.peer().equals(b.publicKey())).toList();
                assertTrue(!changes.isEmpty() && changes.getFirst().path().relayed()
                        && changes.getFirst().path().via().equals(p1.publicKey()), "first through p1: " + changes);
                assertEquals(1, p3.node.discoveryStats().join().spliced(), "p3 knew b and spliced");
                assertEquals(1, p2.node.discoveryStats().join().passedOn(), "p2 passed the seek on once, to p3");
                assertEquals(0, a.events(PeerEvent.Kind.UNREACHABLE, b).size());
            } else {
                assertEquals(0, b.receivedFrom(a).size(), "p3 is beyond two hops");
                List<PeerEvent> u = a.events(PeerEvent.Kind.UNREACHABLE, b);
                assertTrue(u.size() >= 1, "a heard b is unreachable");
                long after = u.getFirst().atNanos() - t0;
                assertTrue(after >= DiscoveryConfig.DEFAULT.timeoutNanos() && after < DiscoveryConfig.DEFAULT.timeoutNanos()
                        + 100 * MS, "unreachable at the seek timeout, not later: " + after / MS + " ms");
                assertTrue(u.getFirst().reason().contains("unreachable"), u.getFirst().reason());
                assertEquals(0, p3.node.discoveryStats().join().received(), "the seek stopped at p2");
            }
        }
    }

    @Test
    void aKeyNoMemberKnowsIsUnreachableWithinTheTimeoutAndItsChannelsAreLostWithThatReason() {
        SimMesh mesh = new SimMesh(303);
        Network internet = internet(mesh);
        Member p = mesh.member("p", internet.newHost("p"));
        Member a = mesh.member("a", internet.newHost("a"));
        Member ghost = mesh.member("ghost", internet.newHost("ghost")); // never started
        p.start(List.of(a.asPeerWithoutEndpoint()));
        a.start(List.of(p.asPeer(), ghost.asPeerWithoutEndpoint()));
        connectAll(mesh, a);

        long t0 = mesh.sim.now();
        Channel ch = a.node.channel(ghost.publicKey(), 1);
        assertTrue(ch.send(new byte[100]));
        mesh.sim.runFor(Duration.ofSeconds(5));
        List<PeerEvent> u = a.events(PeerEvent.Kind.UNREACHABLE, ghost);
        assertEquals(1, u.size(), "reported once");
        long after = u.getFirst().atNanos() - t0;
        assertTrue(after >= 3 * SECOND && after < 3 * SECOND + 100 * MS, "at the 3 s timeout: " + after / MS + " ms");
        List<RecordingListener.ChannelsLost> lost = a.events.channelsLost.stream()
                .filter(l -> l.peer().equals(ghost.publicKey())).toList();
        assertEquals(1, lost.size(), "its channels are lost");
        assertEquals(u.getFirst().reason(), lost.getFirst().reason(), "with the same reason");
        assertTrue(ch.lostReason() != null, "the handle knows");
        var stats = a.node.discoveryStats().join();
        assertEquals(1, stats.started());
        assertEquals(3, stats.sent(), "sent to p at 0, 1 and 2 s");
        assertEquals(3, p.node.discoveryStats().join().received(), "p took each (new ids), and had no one to pass them to");
    }

    @Test
    void seeksThatMeetAgainAreDroppedAsDuplicatesAndEachMemberPassesASeekOnOnce() {
        // a full mesh of five public members m0..m4 that do not know b; a knows them all; b knows none of them.
        SimMesh mesh = new SimMesh(304);
        Network internet = internet(mesh);
        List<Member> ms = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ms.add(mesh.member("m" + i, internet.newHost("m" + i)));
        }
        Member a = mesh.member("a", internet.newHost("a"));
        Member b = mesh.member("b", internet.newHost("b"));
        for (Member m : ms) {
            List<PeerConfig> peers = new ArrayList<>();
            for (Member o : ms) {
                if (o != m) {
                    peers.add(o.asPeer());
                }
            }
            peers.add(a.asPeerWithoutEndpoint());
            m.start(peers);
        }
        List<PeerConfig> aPeers = new ArrayList<>();
        for (Member m : ms) {
            aPeers.add(m.asPeer());
        }
        aPeers.add(b.asPeerWithoutEndpoint());
        a.start(aPeers);
        for (Member m : ms) {
            for (Member o : ms) {
                if (o != m) {
                    m.node.connect(o.publicKey());
                }
            }
        }
        connectAll(mesh, a);

        a.send(b, 0, 100);
        mesh.sim.runFor(Duration.ofMillis(900)); // before the first retry
        long passedOn = 0;
        long duplicates = 0;
        for (Member m : ms) {
            var s = m.node.discoveryStats().join();
            assertEquals(4, s.passedOn(), m + " passed the seek on once, to each other member: " + s);
            passedOn += s.passedOn();
            duplicates += s.dropped(Seeks.Dropped.DUPLICATE);
        }
        // a sends 5; each member passes it on to the 4 others (not back to a), hops 3 → 2; those
        // copies arrive after a's own everywhere, so each is a second sighting and goes no further.
        assertEquals(5, a.node.discoveryStats().join().sent());
        assertEquals(5 * 4, passedOn, "each member passed the seek on once");
        assertEquals(5 * 4, duplicates, "every copy met a member that had seen it");
    }

    @Test
    void inMemberModeANodeListingOnlyABootstrapReachesAnyMemberByKey() {
        SimMesh mesh = new SimMesh(305);
        Network internet = internet(mesh);
        Nat natA = internet.newNat("nat-a", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "192.168.1.0/24");
        Nat natB = internet.newNat("nat-b", NatConfig.of(NatType.SYMMETRIC), "192.168.2.0/24");
        Member p = mesh.member("p", internet.newHost("p"));
        Member a = mesh.member("a", natA.inside().newHost("a"));
        Member b = mesh.member("b", natB.inside().newHost("b"));
        p.start(List.of(), c -> c.withAcceptMembers(true));
        a.start(List.of(p.asPeer().withPersistentKeepalive(25)), c -> c.withAcceptMembers(true));
        b.start(List.of(p.asPeer().withPersistentKeepalive(25)), c -> c.withAcceptMembers(true));
        connectAll(mesh, a, b);
        assertTrue(p.node.isPeer(a.publicKey()) && p.node.isPeer(b.publicKey()), "p let both in as members");
        assertTrue(!a.node.isPeer(b.publicKey()), "a does not list b");

        assertTrue(a.node.reach(b.publicKey()).join(), "a takes b's key as a peer to be found");
        a.send(b, 1, 500);
        mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(1, b.receivedFrom(a).size(), "found through p, delivered");
        assertTrue(b.node.isPeer(a.publicKey()), "b let a in as a member");
        b.send(a, 2, 500);
        mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(1, a.receivedFrom(b).size(), "and answered over the same circuit");

        Member listed = mesh.member("listed", internet.newHost("listed"));
        listed.start(List.of(p.asPeer()));
        assertTrue(!listed.node.reach(b.publicKey()).join(), "a node that takes only its listed peers reaches only those");
    }

    /**
     * Two linked public members p1 and p2 in member mode; a and b behind NATs of {@code type}, each
     * knowing p1 and p2 only; sessions up; a has taken b's key ({@link io.keymesh.node.MeshNode#reach}).
     */
    private record TwoMembers(Member p1, Member p2, Member a, Member b) {
        static TwoMembers start(SimMesh mesh, NatType type) {
            Network internet = internet(mesh);
            Nat natA = internet.newNat("nat-a", NatConfig.of(type), "192.168.1.0/24");
            Nat natB = internet.newNat("nat-b", NatConfig.of(type), "192.168.2.0/24");
            Member p1 = mesh.member("p1", internet.newHost("p1"));
            Member p2 = mesh.member("p2", internet.newHost("p2"));
            Member a = mesh.member("a", natA.inside().newHost("a"));
            Member b = mesh.member("b", natB.inside().newHost("b"));
            p1.start(List.of(p2.asPeer()), c -> c.withAcceptMembers(true));
            p2.start(List.of(p1.asPeer()), c -> c.withAcceptMembers(true));
            for (Member m : List.of(a, b)) {
                m.start(List.of(p1.asPeer().withPersistentKeepalive(25), p2.asPeer().withPersistentKeepalive(25)),
                        c -> c.withAcceptMembers(true));
            }
            p1.node.connect(p2.publicKey());
            connectAll(mesh, a, b);
            assertTrue(a.node.reach(b.publicKey()).join());
            return new TwoMembers(p1, p2, a, b);
        }
    }

    @Test
    void whenTwoMembersKnowTheKeyBothSpliceAndTheSessionUsesTheOneThatAnsweredFirst() {
        SimMesh mesh = new SimMesh(306);
        TwoMembers w = TwoMembers.start(mesh, NatType.PORT_RESTRICTED_CONE);
        Member p1 = w.p1();
        Member p2 = w.p2();
        Member a = w.a();
        Member b = w.b();
        a.send(b, 1, 200);
        mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(1, p1.node.discoveryStats().join().spliced() + p2.node.discoveryStats().join().spliced() - 1,
                "both spliced");
        assertEquals(1, b.receivedFrom(a).size(), "the datagram arrived");
        b.send(a, 2, 200);
        mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(1, a.receivedFrom(b).size(), "and the answer");
    }

    @Test
    void whenTheMemberThatSplicedDiesMidTransferThePeerIsSoughtAgainAndNothingIsLost() {
        // a and b behind symmetric NATs (no direct path), both members of p1 and p2 (linked to each other)
        SimMesh mesh = new SimMesh(307);
        TwoMembers w = TwoMembers.start(mesh, NatType.SYMMETRIC);
        Member p1 = w.p1();
        Member p2 = w.p2();
        Member a = w.a();
        Member b = w.b();

        SplittableRandom r = new SplittableRandom(8);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            byte[] m = new byte[200 + r.nextInt(1000)];
            r.nextBytes(m);
            sent.add(m);
        }
        Channel ch = a.node.channel(b.publicKey(), 3);
        int next = 0;
        long killAt = -1;
        long splicedBefore = -1;
        Member dying = null;
        for (int step = 0; step < 1200 && b.events.messageCount() < sent.size(); step++) {
            while (next < sent.size() && ch.send(sent.get(next))) {
                next++;
            }
            if (killAt < 0 && b.events.messageCount() > 1000) {
                PathInfo now = a.stats(b).path();
                assertTrue(now.relayed(), "symmetric NATs: relayed " + now);
                dying = now.via().equals(p1.publicKey()) ? p1 : p2;
                splicedBefore = (dying == p1 ? p2 : p1).node.discoveryStats().join().spliced();
                killAt = mesh.sim.now();
                dying.node.close();
            }
            mesh.sim.runFor(Duration.ofMillis(50));
        }
        assertTrue(killAt > 0, "the splicing member died mid-transfer");
        List<byte[]> got = b.events.messages(a.publicKey(), 3);
        assertEquals(sent.size(), got.size(), "every message, once");
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), got.get(i), "message " + i + " in order and intact");
        }
        Member alive = dying == p1 ? p2 : p1;
        assertEquals(splicedBefore + 1, alive.node.discoveryStats().join().spliced(),
                "a sought b again when its path died, and the member alive spliced anew");
        PathInfo now = a.stats(b).path();
        assertTrue(now.relayed() && now.via().equals(alive.publicKey()), "found again through the member alive: " + now);
        long movedAt = a.events.pathChanges.stream().filter(c -> c.peer().equals(b.publicKey())
                && c.path().relayed() && c.path().via().equals(alive.publicKey())).mapToLong(RecordingListener.PathChange::atNanos)
                .filter(t -> t > 0).max().orElse(-1);
        System.out.printf("discovery failover: a on %s %.1f ms after %s died (informational)%n", alive, (movedAt - killAt) / 1e6, dying);
        assertTrue(movedAt > killAt && movedAt - killAt <= 3 * SECOND, "moved " + (movedAt - killAt) / MS + " ms after the kill");
    }

    @Test
    void withGoingDirectOffAPairThatMetThroughARelayStaysRelayed() {
        SimMesh mesh = new SimMesh(308);
        Network internet = internet(mesh);
        Nat natA = internet.newNat("nat-a", NatConfig.of(NatType.FULL_CONE), "192.168.1.0/24");
        Nat natB = internet.newNat("nat-b", NatConfig.of(NatType.FULL_CONE), "192.168.2.0/24");
        Member p = mesh.member("p", internet.newHost("p"));
        Member a = mesh.member("a", natA.inside().newHost("a"));
        Member b = mesh.member("b", natB.inside().newHost("b"));
        DiscoveryConfig relayedOnly = DiscoveryConfig.DEFAULT.withGoDirect(false);
        p.start(List.of(), c -> c.withAcceptMembers(true));
        a.start(List.of(p.asPeer().withPersistentKeepalive(25)), c -> c.withAcceptMembers(true).withDiscovery(relayedOnly));
        b.start(List.of(p.asPeer().withPersistentKeepalive(25)), c -> c.withAcceptMembers(true).withDiscovery(relayedOnly));
        connectAll(mesh, a, b);
        assertTrue(a.node.reach(b.publicKey()).join());
        a.send(b, 1, 100);
        mesh.sim.runFor(Duration.ofSeconds(10));
        assertEquals(1, b.receivedFrom(a).size());
        PathInfo path = a.stats(b).path();
        assertTrue(path.relayed() && path.via().equals(p.publicKey()), "behind two full cones, still through p: " + path);
        assertTrue(a.stats(b).candidates().isEmpty() && b.stats(a).candidates().isEmpty(), "no addresses offered");
    }

    /**
     * A pair found by discovery whose only path (the circuit through p) misses its probes for a
     * moment: both sides count it failing and seek each other again, then the path answers again.
     * Each side's packets must take it again — before, a side whose path came back without a switch
     * kept sending to the seek, which carries only handshake initiations, so its channel went quiet
     * and was lost 30 s later (found by the soak, MeshSoakTest).
     */
    @Test
    void aSoughtPeerWhosePathMissesItsProbesForAMomentKeepsItsChannelsWhenThePathAnswersAgain() {
        SimMesh mesh = new SimMesh(309);
        Network internet = internet(mesh);
        Nat natA = internet.newNat("nat-a", NatConfig.of(NatType.SYMMETRIC), "192.168.1.0/24");
        Nat natB = internet.newNat("nat-b", NatConfig.of(NatType.SYMMETRIC), "192.168.2.0/24");
        Member p = mesh.member("p", internet.newHost("p"));
        Member a = mesh.member("a", natA.inside().newHost("a"));
        Member b = mesh.member("b", natB.inside().newHost("b"));
        p.start(List.of(), c -> c.withAcceptMembers(true));
        for (Member m : List.of(a, b)) {
            m.start(List.of(p.asPeer().withPersistentKeepalive(25)), c -> c.withAcceptMembers(true));
        }
        connectAll(mesh, a, b);
        assertTrue(a.node.reach(b.publicKey()).join());
        Channel ab = a.node.channel(b.publicKey(), 3);
        List<byte[]> toB = new ArrayList<>();
        List<byte[]> toA = new ArrayList<>();
        Channel ba = null;
        long cutAt = mesh.sim.now() + 5 * SECOND;
        io.keymesh.sim.Partition cut = null;
        for (int step = 0; step < 600; step++) {
            byte[] m = new byte[] {(byte) step, (byte) (step >> 8), 1};
            assertTrue(ab.send(m), "a's channel takes every message");
            toB.add(m);
            if (ba == null && b.node.isPeer(a.publicKey())) {
                ba = b.node.channel(a.publicKey(), 4);
            }
            if (ba != null) {
                byte[] n = new byte[] {(byte) step, (byte) (step >> 8), 2};
                assertTrue(ba.send(n), "b's channel takes every message");
                toA.add(n);
            }
            if (cut == null && mesh.sim.now() >= cutAt) {
                cut = mesh.sim.partition(List.of(natB), List.of(p.host)); // b's way to p drops everything...
            }
            if (cut != null && cut.isActive() && mesh.sim.now() >= cutAt + 1500 * MS) {
                cut.heal(); // ...for 1.5 s: long enough for a probe to go unanswered
            }
            mesh.sim.runFor(Duration.ofMillis(100));
        }
        mesh.sim.runFor(Duration.ofSeconds(5));
        assertEquals(List.of(), a.events.channelsLost.stream().toList(), "a lost no channel");
        assertEquals(List.of(), b.events.channelsLost.stream().toList(), "b lost no channel");
        List<byte[]> gotB = b.events.messages(a.publicKey(), 3);
        assertEquals(toB.size(), gotB.size(), "every message a sent, once");
        for (int i = 0; i < toB.size(); i++) {
            assertArrayEquals(toB.get(i), gotB.get(i), "a's message " + i + " in order");
        }
        List<byte[]> gotA = a.events.messages(b.publicKey(), 4);
        assertEquals(toA.size(), gotA.size(), "every message b sent, once");
        for (int i = 0; i < toA.size(); i++) {
            assertArrayEquals(toA.get(i), gotA.get(i), "b's message " + i + " in order");
        }
        assertTrue(b.engine((e, now) -> e.peer(a.publicKey()).endpoint()) instanceof io.keymesh.overlay.RelayedEndpoint,
                "b's packets for a take a circuit, not the seek");
        assertTrue(a.engine((e, now) -> e.peer(b.publicKey()).endpoint()) instanceof io.keymesh.overlay.RelayedEndpoint,
                "a's packets for b take a circuit, not the seek");
    }

}
