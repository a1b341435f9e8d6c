package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static io.keymesh.sim.node.SimMesh.SECOND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.node.Channel;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerStats;
import io.keymesh.sim.FilteringBehavior;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.MappingBehavior;
import io.keymesh.sim.Nat;
import io.keymesh.sim.NatConfig;
import io.keymesh.sim.NatType;
import io.keymesh.sim.Network;
import io.keymesh.sim.Partition;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.testing.RecordingListener.PathChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Going direct on the simulator: A and B behind NATs, R a public relay both know; A and B list each
 * other through R only, with no endpoint. They meet through R, learn their server-reflexive
 * addresses from R's address reports, exchange candidates and punch: a pair goes direct when the
 * NATs let it, stays relayed when they do not, moves without losing a channel message, falls back to
 * the relay when the direct path dies, and keeps the direct path's NAT bindings open while idle.
 */
class MeshNodeHolePunchSimTest {
    /** A and B behind NATs of the given configs, R public; A, B know R with persistent keepalive 25 s. */
    private static final class World {
        final SimMesh mesh;
        final Nat natA;
        final Nat natB;
        final Member a;
        final Member b;
        final Member r;
        /** When A met B (its first path to B, relayed). */
        final long metAt;

        World(long seed, NatConfig configA, NatConfig configB) {
            mesh = new SimMesh(seed);
            Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
            internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
            natA = internet.newNat("nat-a", configA, "192.168.1.0/24");
            natB = internet.newNat("nat-b", configB, "192.168.2.0/24");
            r = mesh.member("r", internet.newHost("r"));
            a = mesh.member("a", natA.inside().newHost("a"));
            b = mesh.member("b", natB.inside().newHost("b"));
            r.start(List.of(a.asPeerWithoutEndpoint(), b.asPeerWithoutEndpoint()));
            a.start(List.of(r.asPeer().withPersistentKeepalive(25), b.asPeerVia(r)));
            b.start(List.of(r.asPeer().withPersistentKeepalive(25), a.asPeerVia(r)));
            a.node.connect(r.publicKey());
            b.node.connect(r.publicKey());
            long start = mesh.sim.now();
            long met = -1;
            while (met < 0 && mesh.sim.now() - start < 5 * SECOND) {
                mesh.sim.runFor(Duration.ofMillis(10));
                met = changes(a, b).isEmpty() ? -1 : changes(a, b).getFirst().atNanos();
            }
            assertTrue(met >= 0, "a met b through r");
            assertTrue(changes(a, b).getFirst().path().relayed(), "the first path is relayed: " + changes(a, b));
            metAt = met;
        }

        PathInfo path(Member at, Member peer) {
            return at.stats(peer).path();
        }
    }

    private static List<PathChange> changes(Member at, Member peer) {
        return at.events.pathChanges.stream().filter(c -> c.peer().equals(peer.publicKey())).toList();
    }

    /** Both NATs' mappings are endpoint-independent: the textbook case where punching works. */
    private static boolean punchable(NatType x, NatType y) {
        return x.mapping() == MappingBehavior.ENDPOINT_INDEPENDENT && y.mapping() == MappingBehavior.ENDPOINT_INDEPENDENT;
    }

    /**
     * With one symmetric NAT the other side's filtering decides: a symmetric NAT sends the checks
     * from a new port, which an endpoint-independent or address-dependent filter lets in (the peer
     * has sent to that address), and the answer goes back through the mapping the check opened — a
     * peer-reflexive candidate (RFC 8445 section 7.3.1.3). An address-and-port-dependent filter on
     * the other side, or two symmetric NATs, leave the pair relayed.
     */
    private static boolean punchableViaPeerReflexive(NatType x, NatType y) {
        NatType sym = x == NatType.SYMMETRIC ? x : y;
        NatType other = sym == x ? y : x;
        return sym == NatType.SYMMETRIC && other.mapping() == MappingBehavior.ENDPOINT_INDEPENDENT
                && other.filtering() != FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT;
    }

    static Stream<Arguments> natPairs() {
        List<Arguments> out = new ArrayList<>();
        for (NatType x : NatType.values()) {
            for (NatType y : NatType.values()) {
                if (x.ordinal() <= y.ordinal()) {
                    out.add(Arguments.of(x, y));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} and {1}")
    @MethodSource("natPairs")
    void aRelayedPairGoesDirectWithinTwoSecondsWhereBothNatsMapIndependentlyOfTheEndpoint(NatType x, NatType y) {
        World w = new World(301 + 10L * x.ordinal() + y.ordinal(), NatConfig.of(x), NatConfig.of(y));
        w.mesh.sim.runUntil(w.metAt + 2 * SECOND);
        PathInfo ab = w.path(w.a, w.b);
        PathInfo ba = w.path(w.b, w.a);
        assertNotNull(ab);
        assertNotNull(ba);
        if (punchable(x, y)) {
            assertFalse(ab.relayed(), "a went direct within 2 s of meeting b: " + ab);
            assertFalse(ba.relayed(), "and b too: " + ba);
            assertEquals(w.natB.publicAddress(), ab.address().getAddress(), "a sends to b's NAT");
            assertEquals(w.natA.publicAddress(), ba.address().getAddress(), "b sends to a's NAT");
            assertTrue(w.a.stats(w.b).directForNanos() >= 0, "a reports since when it is direct");
        } else if (punchableViaPeerReflexive(x, y)) {
            assertFalse(ab.relayed(), "direct through a peer-reflexive candidate: " + ab);
            assertFalse(ba.relayed(), ba.toString());
        } else {
            w.mesh.sim.runFor(Duration.ofSeconds(70)); // past a second round of punching
            ab = w.path(w.a, w.b);
            assertTrue(ab.relayed(), "the NATs cannot be punched: still relayed: " + ab);
            assertTrue(w.path(w.b, w.a).relayed());
            assertEquals(-1, w.a.stats(w.b).directForNanos());
            for (PathInfo p : w.a.stats(w.b).paths()) {
                assertTrue(p.relayed() || !p.usable(), "no direct path was validated: " + p);
            }
        }
        PeerStats s = w.a.stats(w.b);
        assertFalse(s.candidates().isEmpty(), "a knows b's candidates: " + s);
        assertTrue(s.candidates().stream().anyMatch(c -> c.getAddress().equals(w.natB.publicAddress())),
                "b's server-reflexive address as r saw it is among them: " + s.candidates());
        // The channel layer works on whatever path was chosen.
        w.a.send(w.b, 1, 300);
        w.mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(1, w.b.receivedFrom(w.a).size());
    }

    private static List<byte[]> messages(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] m = new byte[8 + r.nextInt(1200)];
            r.nextBytes(m);
            out.add(m);
        }
        return out;
    }

    private static void assertMessages(List<byte[]> sent, List<byte[]> got) {
        assertEquals(sent.size(), got.size(), "every message, once");
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), got.get(i), "message " + i + " in order and intact");
        }
    }

    /** Sends {@code sent} on {@code ch} until {@code to} has them all, running {@code step} each 50 ms round. */
    private static void transfer(World w, Channel ch, Member to, List<byte[]> sent, Runnable step) {
        int next = 0;
        for (int round = 0; round < 2000 && to.events.messages(w.a.publicKey(), ch.id()).size() < sent.size(); round++) {
            while (next < sent.size() && ch.send(sent.get(next))) {
                next++;
            }
            step.run();
            w.mesh.sim.runFor(Duration.ofMillis(50));
        }
    }

    @Test
    void thousandsOfChannelMessagesArriveOnceAndInOrderAcrossTheSwitchToDirect() {
        World w = new World(311, NatConfig.of(NatType.PORT_RESTRICTED_CONE), NatConfig.of(NatType.RESTRICTED_CONE));
        assertTrue(w.path(w.a, w.b).relayed(), "relayed when the transfer starts");
        List<byte[]> sent = messages(12, 4000);
        Channel ch = w.a.node.channel(w.b.publicKey(), 5);
        transfer(w, ch, w.b, sent, () -> { });
        assertMessages(sent, w.b.events.messages(w.a.publicKey(), 5));
        List<PathChange> c = changes(w.a, w.b);
        assertTrue(c.getFirst().path().relayed() && !c.getLast().path().relayed(),
                "relayed, then direct, during the transfer: " + c);
        assertEquals(2, c.size(), "one switch, no flapping: " + c);
        assertTrue(c.getLast().atNanos() - w.metAt <= 2 * SECOND,
                "direct " + (c.getLast().atNanos() - w.metAt) / MS + " ms after meeting");
        long relayed = w.r.node.relayStats().join().packetsForwarded();
        assertTrue(w.a.stats(w.b).txPackets() > 5 * relayed,
                "most of the transfer went direct: " + w.a.stats(w.b).txPackets() + " packets, " + relayed + " relayed");
    }

    @Test
    void whenTheDirectPathDiesTrafficIsBackOnTheRelayWithinTwoSecondsAndNothingIsLost() {
        World w = new World(312, NatConfig.of(NatType.FULL_CONE), NatConfig.of(NatType.PORT_RESTRICTED_CONE));
        w.mesh.sim.runFor(Duration.ofSeconds(2));
        assertFalse(w.path(w.a, w.b).relayed(), "direct before the cut");
        List<byte[]> sent = messages(13, 3000);
        Channel ch = w.a.node.channel(w.b.publicKey(), 9);
        Partition[] cut = new Partition[1];
        long[] cutAt = {-1};
        transfer(w, ch, w.b, sent, () -> {
            if (cut[0] == null && w.b.events.messages(w.a.publicKey(), 9).size() > 1000) {
                cutAt[0] = w.mesh.sim.now();
                cut[0] = w.mesh.sim.partition(List.of(w.natA), List.of(w.natB)); // the direct route only
            }
        });
        assertTrue(cutAt[0] > 0, "the direct route was cut mid-transfer");
        assertMessages(sent, w.b.events.messages(w.a.publicKey(), 9));
        PathChange back = changes(w.a, w.b).stream().filter(c -> c.atNanos() > cutAt[0]).findFirst().orElseThrow();
        assertTrue(back.path().relayed(), "back on the relay: " + back);
        assertTrue(back.atNanos() - cutAt[0] <= 2 * SECOND, "within 2 s: " + (back.atNanos() - cutAt[0]) / MS + " ms");

        // The route heals: the direct path answers its probes again and is taken again.
        cut[0].heal();
        w.mesh.sim.runFor(Duration.ofSeconds(12));
        assertFalse(w.path(w.a, w.b).relayed(), "direct again after the cut healed: " + w.path(w.a, w.b));
    }

    @Test
    void aNodeThatChangesNetworkMidTransferIsDirectAgainWithinAFewSecondsAndNothingIsLost() {
        World w = new World(316, NatConfig.of(NatType.PORT_RESTRICTED_CONE), NatConfig.of(NatType.FULL_CONE));
        w.mesh.sim.runFor(Duration.ofSeconds(2));
        PathInfo before = w.path(w.b, w.a);
        assertFalse(before.relayed(), "direct before the move");
        // another network a can move to: behind a NAT of its own with another public address
        Nat cafe = w.natA.outside().newNat("nat-cafe", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "192.168.7.0/24");
        List<byte[]> sent = messages(16, 3000);
        Channel ch = w.a.node.channel(w.b.publicKey(), 6);
        long[] movedAt = {-1};
        transfer(w, ch, w.b, sent, () -> {
            if (movedAt[0] < 0 && w.b.events.messages(w.a.publicKey(), 6).size() > 1000) {
                movedAt[0] = w.mesh.sim.now();
                w.a.host.moveTo(cafe.inside()); // the laptop leaves home for the cafe: new address, new NAT
            }
        });
        assertTrue(movedAt[0] > 0, "a moved mid-transfer");
        assertMessages(sent, w.b.events.messages(w.a.publicKey(), 6));
        w.mesh.sim.runFor(Duration.ofSeconds(10));
        PathInfo after = w.path(w.a, w.b);
        assertFalse(after.relayed(), "direct again from the new network: " + after);
        PathInfo seenByB = w.path(w.b, w.a);
        assertEquals(cafe.publicAddress(), seenByB.address().getAddress(), "b reaches a at the cafe's NAT: " + seenByB);
        long directAgain = changes(w.b, w.a).stream().filter(c -> c.atNanos() > movedAt[0] && !c.path().relayed()
                && c.path().address().getAddress().equals(cafe.publicAddress())).mapToLong(PathChange::atNanos).min().orElse(-1);
        assertTrue(directAgain > 0 && directAgain - movedAt[0] <= 5 * SECOND,
                "direct again " + (directAgain - movedAt[0]) / MS + " ms after the move");
        System.out.printf("network change: b direct to a at its new address %.1f ms after the move (informational)%n",
                (directAgain - movedAt[0]) / 1e6);
    }

    @Test
    void aFlushedNatBindingSendsTrafficBackToTheRelayAndANewRoundGoesDirectAgain() {
        World w = new World(313, NatConfig.of(NatType.PORT_RESTRICTED_CONE), NatConfig.of(NatType.PORT_RESTRICTED_CONE));
        w.mesh.sim.runFor(Duration.ofSeconds(2));
        PathInfo before = w.path(w.b, w.a);
        assertFalse(before.relayed(), "direct before the flush");
        List<byte[]> sent = messages(14, 2000);
        Channel ch = w.a.node.channel(w.b.publicKey(), 4);
        long[] flushedAt = {-1};
        transfer(w, ch, w.b, sent, () -> {
            if (flushedAt[0] < 0 && w.b.events.messages(w.a.publicKey(), 4).size() > 500) {
                flushedAt[0] = w.mesh.sim.now();
                // A's NAT forgets every binding at once (a reboot): new ports from now on.
                NatConfig c = w.natA.config();
                w.natA.setConfig(c.withBindingTimeout(Duration.ofNanos(1)));
                w.mesh.sim.scheduleAfter(Duration.ofMillis(1), () -> w.natA.setConfig(c));
            }
        });
        assertTrue(flushedAt[0] > 0);
        assertMessages(sent, w.b.events.messages(w.a.publicKey(), 4));
        PathChange back = changes(w.a, w.b).stream().filter(c -> c.atNanos() > flushedAt[0]).findFirst().orElseThrow();
        assertTrue(back.path().relayed(), "a fell back to the relay: " + back);
        assertTrue(back.atNanos() - flushedAt[0] <= 2 * SECOND, (back.atNanos() - flushedAt[0]) / MS + " ms");
        w.mesh.sim.runFor(Duration.ofSeconds(15));
        PathInfo after = w.path(w.b, w.a);
        assertFalse(after.relayed(), "direct again, to a's new mapping: " + after);
        assertFalse(after.address().equals(before.address()), "a new port: " + before + " then " + after);
    }

    @Test
    void aPeerListedWithoutRelaysComesUnderThePolicyWhenItArrivesThroughARelayAndGoesDirect() {
        SimMesh mesh = new SimMesh(315);
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Nat natA = internet.newNat("nat-a", NatConfig.of(NatType.FULL_CONE), "192.168.1.0/24");
        Nat natB = internet.newNat("nat-b", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "192.168.2.0/24");
        Member r = mesh.member("r", internet.newHost("r"));
        Member a = mesh.member("a", natA.inside().newHost("a"));
        Member b = mesh.member("b", natB.inside().newHost("b"));
        r.start(List.of(a.asPeerWithoutEndpoint(), b.asPeerWithoutEndpoint()));
        a.start(List.of(r.asPeer().withPersistentKeepalive(25), b.asPeerVia(r)));
        b.start(List.of(r.asPeer().withPersistentKeepalive(25), a.asPeerWithoutEndpoint())); // no relay for a
        a.node.connect(r.publicKey());
        b.node.connect(r.publicKey());
        mesh.sim.runFor(Duration.ofSeconds(3));
        assertTrue(changes(b, a).getFirst().path().relayed(), "b first answered a through the relay: " + changes(b, a));
        assertFalse(b.stats(a).path().relayed(), "then went direct with it: " + b.stats(a).path());
        assertFalse(a.stats(b).path().relayed(), a.stats(b).path().toString());
        a.send(b, 1, 100);
        b.send(a, 1, 100);
        mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(1, b.receivedFrom(a).size());
        assertEquals(1, a.receivedFrom(b).size());
    }

    @Test
    void anIdleDirectPathOutlivesNatBindingTimeoutsShorterThanTheIdleTime() {
        NatConfig shortBindings = NatConfig.of(NatType.PORT_RESTRICTED_CONE).withBindingTimeout(Duration.ofSeconds(30));
        World w = new World(314, shortBindings, shortBindings);
        w.mesh.sim.runFor(Duration.ofSeconds(2));
        PathInfo direct = w.path(w.a, w.b);
        assertFalse(direct.relayed());
        w.a.send(w.b, 1, 100);
        w.mesh.sim.runFor(Duration.ofSeconds(1));
        int switches = changes(w.a, w.b).size();
        long expiredBefore = w.natA.mappingsExpired() + w.natB.mappingsExpired();

        w.mesh.sim.runFor(Duration.ofSeconds(75)); // idle: no application traffic
        assertEquals(direct.address(), w.path(w.a, w.b).address(), "still the same direct path");
        assertEquals(switches, changes(w.a, w.b).size(), "no switch while idle");
        long relayedBefore = w.r.node.relayStats().join().packetsForwarded();
        for (int i = 2; i < 22; i++) {
            w.a.send(w.b, i, 100);
            w.b.send(w.a, i, 100);
        }
        w.mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(21, w.b.receivedFrom(w.a).size(), "every datagram after a minute's idleness");
        assertEquals(20, w.a.receivedFrom(w.b).size());
        assertEquals(switches, changes(w.a, w.b).size(), "over the direct path");
        long relayedNow = w.r.node.relayStats().join().packetsForwarded();
        assertTrue(relayedNow - relayedBefore < 10, "not through the relay: " + (relayedNow - relayedBefore));
        assertEquals(expiredBefore, w.natA.mappingsExpired() + w.natB.mappingsExpired(),
                "the heartbeats kept every binding of the direct path alive");
    }
}
