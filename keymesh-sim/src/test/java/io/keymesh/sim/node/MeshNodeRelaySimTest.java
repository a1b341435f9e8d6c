package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static io.keymesh.sim.node.SimMesh.SECOND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.node.Channel;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerStats;
import io.keymesh.overlay.RelayConfig;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Nat;
import io.keymesh.sim.NatConfig;
import io.keymesh.sim.NatType;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.testing.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Relayed paths on the simulator: two nodes behind NATs that cannot reach each other directly talk
 * through public members, end to end encrypted; traffic fails over when the relay in use dies, goes
 * to another relay when one refuses, and crosses two relays on a multi-hop route. Where the test is
 * about relaying, both NATs are symmetric, so the pair cannot go direct (MeshNodeHolePunchSimTest is
 * about going direct).
 */
class MeshNodeRelaySimTest {
    /** A, B behind NATs of {@code type}; public relays R1 and R2; A and B list each other via both. */
    private static final class World {
        final SimMesh mesh;
        final Member a;
        final Member b;
        final Member r1;
        final Member r2;

        World(long seed, NatType type, RelayConfig r1Config) {
            mesh = new SimMesh(seed);
            Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
            internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
            Nat natA = internet.newNat("nat-a", NatConfig.of(type), "192.168.1.0/24");
            Nat natB = internet.newNat("nat-b", NatConfig.of(type), "192.168.2.0/24");
            r1 = mesh.member("r1", internet.newHost("r1"));
            r2 = mesh.member("r2", internet.newHost("r2"));
            a = mesh.member("a", natA.inside().newHost("a"));
            b = mesh.member("b", natB.inside().newHost("b"));
            r1.start(List.of(a.asPeerWithoutEndpoint(), b.asPeerWithoutEndpoint()), r1Config);
            r2.start(List.of(a.asPeerWithoutEndpoint(), b.asPeerWithoutEndpoint()));
            a.start(List.of(r1.asPeer().withPersistentKeepalive(25), r2.asPeer().withPersistentKeepalive(25),
                    b.asPeerVia(r1, r2)));
            b.start(List.of(r1.asPeer().withPersistentKeepalive(25), r2.asPeer().withPersistentKeepalive(25),
                    a.asPeerVia(r1, r2)));
            a.node.connect(r1.publicKey());
            a.node.connect(r2.publicKey());
            b.node.connect(r1.publicKey());
            b.node.connect(r2.publicKey());
            mesh.sim.runFor(Duration.ofSeconds(2));
        }

        PathInfo path(Member at, Member peer) {
            PeerStats s = at.stats(peer);
            return s.path();
        }
    }

    /**
     * Behind NATs of every kind the pair meets through a relay and exchanges everything; behind
     * symmetric NATs the relays carry it all, behind the others the pair goes direct (punching) and
     * the relays carry the start.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(NatType.class)
    void twoNodesBehindNatsExchangeChannelMessagesAndDatagramsThroughARelay(NatType type) {
        World w = new World(91, type, RelayConfig.DEFAULT);
        PathInfo ab = w.path(w.a, w.b);
        assertNotNull(ab, "a has a path to b");
        PathInfo first = w.a.events.pathChanges.stream().filter(c -> c.peer().equals(w.b.publicKey())).findFirst()
                .orElseThrow().path();
        assertTrue(first.relayed(), "a's first path to b went through a relay: " + first);
        assertEquals(1, w.a.events(RecordingListener.PeerEvent.Kind.UP, w.b).size(),
                "a met b as soon as a path to it existed, before any data");

        SplittableRandom r = new SplittableRandom(5);
        List<byte[]> toB = new ArrayList<>();
        List<byte[]> toA = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            byte[] m = new byte[i == 700 ? 200_000 : r.nextInt(1500)];
            r.nextBytes(m);
            (i % 3 == 0 ? toA : toB).add(m);
        }
        Channel ab7 = w.a.node.channel(w.b.publicKey(), 7);
        Channel ba8 = w.b.node.channel(w.a.publicKey(), 8);
        int[] next = new int[2];
        int datagrams = 0;
        for (int step = 0; step < 600 && (w.b.events.messageCount() < toB.size() || w.a.events.messageCount() < toA.size()
                || datagrams < 25); step++) {
            while (next[0] < toB.size() && ab7.send(toB.get(next[0]))) {
                next[0]++;
            }
            while (next[1] < toA.size() && ba8.send(toA.get(next[1]))) {
                next[1]++;
            }
            if (step % 4 == 0 && datagrams < 25) {
                w.a.send(w.b, step, 100 + step);
                w.b.send(w.a, step, 200 + step);
                datagrams++;
            }
            w.mesh.sim.runFor(Duration.ofMillis(100));
        }
        assertMessages(toB, w.b.events.messages(w.a.publicKey(), 7));
        assertMessages(toA, w.a.events.messages(w.b.publicKey(), 8));
        assertEquals(25, datagrams, "the datagrams were sent while the channels ran");
        assertEquals(25, w.b.receivedFrom(w.a).size(), "every datagram (no loss on these links)");
        assertEquals(25, w.a.receivedFrom(w.b).size());
        for (var d : w.b.receivedFrom(w.a)) {
            assertTrue(SimMesh.check(d.data()), "intact and attributed to its sender");
        }
        for (Member relay : List.of(w.r1, w.r2)) {
            assertEquals(0, relay.events.messageCount(), "a relay gets no message of the pair's");
            assertEquals(0, relay.events.datagramCount(), "nor any datagram");
            assertEquals(0, relay.node.relayStats().join().notWireGuard(), "it carried WireGuard messages only");
            // Its session layer holds keys for its own two sessions (at most previous, current and
            // next keypair and a handshake each): none for the pair's, whose handshakes it only carried.
            int indices = relay.engine((e, now) -> e.indicesInUse());
            assertTrue(indices <= 8, "indices in use at the relay: " + indices);
            int peers = relay.engine((e, now) -> e.peers().size());
            assertEquals(2, peers, "and knows no other peer");
        }
        long forwarded = w.r1.node.relayStats().join().packetsForwarded() + w.r2.node.relayStats().join().packetsForwarded();
        if (type == NatType.SYMMETRIC) {
            assertTrue(forwarded > 1000, "the relays carried the traffic: " + forwarded);
        } else {
            assertTrue(!w.path(w.a, w.b).relayed() && w.a.stats(w.b).txPackets() > 10 * forwarded,
                    "the pair went direct: " + forwarded + " packets relayed, " + w.a.stats(w.b).txPackets() + " sent");
        }
    }

    private static void assertMessages(List<byte[]> sent, List<byte[]> got) {
        assertEquals(sent.size(), got.size(), "every message, once");
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), got.get(i), "message " + i + " in order and intact");
        }
    }

    @Test
    void whenTheRelayInUseIsKilledMidTransferTrafficMovesToTheOtherWithinTwoSecondsAndNothingIsLost() {
        World w = new World(92, NatType.SYMMETRIC, RelayConfig.DEFAULT);
        PathInfo first = w.path(w.a, w.b);
        assertTrue(first.relayed());
        Member dying = first.via().equals(w.r1.publicKey()) ? w.r1 : w.r2;
        Member other = dying == w.r1 ? w.r2 : w.r1;

        SplittableRandom r = new SplittableRandom(6);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            byte[] m = new byte[200 + r.nextInt(1000)];
            r.nextBytes(m);
            sent.add(m);
        }
        Channel ch = w.a.node.channel(w.b.publicKey(), 3);
        int next = 0;
        long killAt = -1;
        for (int step = 0; step < 1200 && w.b.events.messageCount() < sent.size(); step++) {
            while (next < sent.size() && ch.send(sent.get(next))) {
                next++;
            }
            if (killAt < 0 && w.b.events.messageCount() > 1000) {
                killAt = w.mesh.sim.now();
                dying.node.close();
            }
            w.mesh.sim.runFor(Duration.ofMillis(50));
        }
        assertTrue(killAt > 0, "the relay died mid-transfer");
        assertMessages(sent, w.b.events.messages(w.a.publicKey(), 3));
        PathInfo now = w.path(w.a, w.b);
        assertEquals(other.publicKey(), now.via(), "a uses the relay that is alive");
        long switchedAt = w.a.events.pathChanges.stream().filter(c -> c.peer().equals(w.b.publicKey()))
                .mapToLong(RecordingListener.PathChange::atNanos).max().orElse(-1);
        assertTrue(switchedAt > killAt && switchedAt - killAt <= 2 * SECOND,
                "switched " + (switchedAt - killAt) / MS + " ms after the relay died");
    }

    @Test
    void aDatagramLargerThanTheRelayedPathCarriesIsRefusedNamingTheLimit() {
        World w = new World(96, NatType.SYMMETRIC, RelayConfig.DEFAULT);
        int direct = w.a.node.maxDatagramLength(w.r1.publicKey());
        int relayed = w.a.node.maxDatagramLength(w.b.publicKey());
        assertEquals(1452 - 52, direct, "a direct path: the configured UDP payload less WireGuard's and the frame's bytes");
        assertEquals(direct - 47 - 17, relayed, "a relayed path: less the relay frame and the outer session too");
        w.a.node.send(w.b.publicKey(), new byte[relayed]);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> w.a.node.send(w.b.publicKey(), new byte[relayed + 1]));
        assertTrue(e.getMessage().contains("carries at most " + relayed), e.getMessage());
        w.mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(1, w.b.events.datagramCount(), "the largest that fits arrives whole");
        assertEquals(relayed, w.b.events.datagrams.peek().data().length);
    }

    @Test
    void aRelayAtItsLimitRefusesAndTheOtherCarriesTheTraffic() {
        World w = new World(93, NatType.SYMMETRIC, RelayConfig.DEFAULT.withMaxCircuits(0));
        PathInfo ab = w.path(w.a, w.b);
        assertEquals(w.r2.publicKey(), ab.via(), "the relay with room");
        long refused = w.r1.node.relayStats().join().refused();
        assertTrue(refused >= 2, "r1 refused both openings, counted: " + refused);
        w.a.send(w.b, 1, 300);
        w.mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(1, w.b.receivedFrom(w.a).size());
    }

    @Test
    void aRelayThatListsNoPeerLetsMembersInAndCarriesTheirTrafficWhileStrangersGetSilence() {
        SimMesh mesh = new SimMesh(95);
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Nat natA = internet.newNat("nat-a", NatConfig.of(NatType.SYMMETRIC), "192.168.1.0/24");
        Nat natB = internet.newNat("nat-b", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "192.168.2.0/24");
        Member r = mesh.member("r", internet.newHost("r"));
        Member a = mesh.member("a", natA.inside().newHost("a"));
        Member b = mesh.member("b", natB.inside().newHost("b"));
        r.start(List.of(), c -> c.withAcceptMembers(true));
        a.start(List.of(r.asPeer().withPersistentKeepalive(25), b.asPeerVia(r)), c -> c.withAcceptMembers(true));
        b.start(List.of(r.asPeer().withPersistentKeepalive(25)), c -> c.withAcceptMembers(true));
        b.node.connect(r.publicKey());
        mesh.sim.runFor(Duration.ofMillis(500));
        a.node.connect(r.publicKey());
        mesh.sim.runFor(Duration.ofSeconds(2));
        for (int i = 0; i < 20; i++) {
            a.send(b, i, 100 + i);
            mesh.sim.runFor(Duration.ofMillis(50));
        }
        mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(20, b.receivedFrom(a).size(), "b let a in through the relay and got every datagram");
        assertTrue(b.node.isPeer(a.publicKey()), "a is b's peer now, without being listed");
        for (int i = 0; i < 5; i++) {
            b.send(a, i, 50);
        }
        mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(5, a.receivedFrom(b).size());
        assertEquals(2, r.node.peerStats().join().size(), "the relay let the two members in");

        // A stranger: the same software, another network key.
        SimMesh strangers = new SimMesh(mesh.sim, io.keymesh.crypto.PresharedKey.of(new byte[32]));
        Member s = strangers.member("s", internet.newHost("s"), io.keymesh.crypto.PrivateKey.of(new byte[] {
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
                28, 29, 30, 31, 32}));
        s.start(List.of(r.asPeer()));
        long before = r.drops(io.keymesh.session.DropReason.BAD_MAC1);
        s.node.connect(r.publicKey());
        mesh.sim.runFor(Duration.ofSeconds(12));
        assertTrue(r.drops(io.keymesh.session.DropReason.BAD_MAC1) > before, "the stranger's initiations were dropped");
        assertEquals(0, s.stats(r).handshakes(), "and never answered");
        assertEquals(2, r.node.peerStats().join().size(), "nor let in");
    }

    @Test
    void aNodeThatRestartsMeetsItsPeerAgainThroughARelayThatStillHoldsItsOldCircuits() {
        World w = new World(97, NatType.SYMMETRIC, RelayConfig.DEFAULT);
        w.a.send(w.b, 1, 100);
        w.mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(1, w.b.receivedFrom(w.a).size());
        int relayed = w.r1.node.relayStats().join().circuits() + w.r2.node.relayStats().join().circuits();

        w.a.io.close(); // a crashes: the relays keep its circuits until they idle out
        w.mesh.sim.runFor(Duration.ofSeconds(1));
        w.a.start(List.of(w.r1.asPeer().withPersistentKeepalive(25), w.r2.asPeer().withPersistentKeepalive(25),
                w.b.asPeerVia(w.r1, w.r2)));
        w.a.node.connect(w.r1.publicKey());
        w.a.node.connect(w.r2.publicKey());
        w.mesh.sim.runFor(Duration.ofSeconds(3));
        int now = w.r1.node.relayStats().join().circuits() + w.r2.node.relayStats().join().circuits();
        assertTrue(now > relayed, "the relays hold the old circuits and the new ones: " + relayed + " then " + now);
        w.a.send(w.b, 2, 100);
        w.mesh.sim.runFor(Duration.ofSeconds(2));
        assertEquals(2, w.b.receivedFrom(w.a).size(), "the restarted a reaches b through a relay");
    }

    @Test
    void aMultiHopRouteCarriesATransfer() {
        SimMesh mesh = new SimMesh(94);
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(5)));
        Nat natA = internet.newNat("nat-a", NatConfig.of(NatType.SYMMETRIC), "192.168.1.0/24");
        Nat natB = internet.newNat("nat-b", NatConfig.of(NatType.SYMMETRIC), "192.168.2.0/24");
        Member r1 = mesh.member("r1", internet.newHost("r1"));
        Member r2 = mesh.member("r2", internet.newHost("r2"));
        Member a = mesh.member("a", natA.inside().newHost("a"));
        Member b = mesh.member("b", natB.inside().newHost("b"));
        r1.start(List.of(a.asPeerWithoutEndpoint(), r2.asPeer()));
        r2.start(List.of(b.asPeerWithoutEndpoint(), r1.asPeer()));
        a.start(List.of(r1.asPeer().withPersistentKeepalive(25),
                b.asPeerWithoutEndpoint().withRelays(List.of(List.of(r1.publicKey(), r2.publicKey())))));
        b.start(List.of(r2.asPeer().withPersistentKeepalive(25), a.asPeerWithoutEndpoint()));
        a.node.connect(r1.publicKey());
        b.node.connect(r2.publicKey());
        r1.node.connect(r2.publicKey());
        mesh.sim.runFor(Duration.ofSeconds(2));
        SplittableRandom r = new SplittableRandom(8);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            byte[] m = new byte[r.nextInt(3000)];
            r.nextBytes(m);
            sent.add(m);
        }
        Channel ch = a.node.channel(b.publicKey(), 1);
        int next = 0;
        for (int step = 0; step < 300 && b.events.messageCount() < sent.size(); step++) {
            while (next < sent.size() && ch.send(sent.get(next))) {
                next++;
            }
            mesh.sim.runFor(Duration.ofMillis(100));
        }
        assertMessages(sent, b.events.messages(a.publicKey(), 1));
        assertTrue(r1.node.relayStats().join().packetsForwarded() > 0 && r2.node.relayStats().join().packetsForwarded() > 0,
                "both relays carried it");
    }
}
