package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.node.PathInfo;
import io.keymesh.node.PingResult;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Nat;
import io.keymesh.sim.NatConfig;
import io.keymesh.sim.NatType;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link io.keymesh.node.MeshNode#ping} over relayed paths on the simulator, where round trips are
 * known: a ping through a relay names it and takes two links' latency each way; a ping of a peer
 * known by key only seeks it first and says so.
 */
class MeshNodePingSimTest {
    private static final long LATENCY_MS = 10;

    private static Network internet(SimMesh mesh) {
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(LATENCY_MS)));
        return internet;
    }

    /** The answer, after running the simulation until it came (at most 10 s). */
    private static PingResult run(SimMesh mesh, CompletableFuture<PingResult> ping) {
        for (int i = 0; i < 1000 && !ping.isDone(); i++) {
            mesh.sim.runFor(Duration.ofMillis(10));
        }
        return ping.join();
    }

    @Test
    void aPingThroughARelayNamesItAndTakesTwoLinksEachWay() {
        SimMesh mesh = new SimMesh(41);
        Network internet = internet(mesh);
        Nat natA = internet.newNat("nat-a", NatConfig.of(NatType.SYMMETRIC), "192.168.1.0/24");
        Nat natB = internet.newNat("nat-b", NatConfig.of(NatType.SYMMETRIC), "192.168.2.0/24");
        Member r = mesh.member("r", internet.newHost("r"));
        Member a = mesh.member("a", natA.inside().newHost("a"));
        Member b = mesh.member("b", natB.inside().newHost("b"));
        r.start(List.of(a.asPeerWithoutEndpoint(), b.asPeerWithoutEndpoint()));
        a.start(List.of(r.asPeer().withPersistentKeepalive(25), b.asPeerVia(r)));
        b.start(List.of(r.asPeer().withPersistentKeepalive(25), a.asPeerVia(r)));
        a.node.connect(r.publicKey());
        b.node.connect(r.publicKey());
        mesh.sim.runFor(Duration.ofSeconds(3));
        PathInfo before = a.stats(b).path();
        assertTrue(before != null && before.relayed(), "a reaches b through r: " + before);

        for (int i = 0; i < 3; i++) {
            PingResult p = run(mesh, a.node.ping(b.publicKey(), Duration.ofSeconds(5)));
            assertEquals(PingResult.Setup.READY, p.setup());
            assertTrue(p.relayed());
            assertEquals(r.publicKey(), p.via());
            assertNull(p.address());
            // a to its NAT, to r, to b's NAT, to b: each link 10 ms one way (NAT hops add none)
            assertTrue(p.rttNanos() >= 4 * LATENCY_MS * MS && p.rttNanos() < 10 * LATENCY_MS * MS,
                    "rtt " + p.rttNanos() / MS + " ms");
        }
    }

    @Test
    void aPingOfAPeerKnownByKeyOnlySeeksItFirst() {
        SimMesh mesh = new SimMesh(43);
        Network internet = internet(mesh);
        Member p = mesh.member("p", internet.newHost("p"));
        Member a = mesh.member("a", internet.newHost("a"));
        Member b = mesh.member("b", internet.newHost("b"));
        p.start(List.of(a.asPeerWithoutEndpoint(), b.asPeerWithoutEndpoint()));
        a.start(List.of(p.asPeer(), b.asPeerWithoutEndpoint()));
        b.start(List.of(p.asPeer(), a.asPeerWithoutEndpoint()));
        a.node.connect(p.publicKey());
        b.node.connect(p.publicKey());
        mesh.sim.runFor(Duration.ofSeconds(2));

        PingResult first = run(mesh, a.node.ping(b.publicKey(), Duration.ofSeconds(5)));
        assertEquals(PingResult.Setup.SEEK, first.setup());
        assertTrue(first.rttNanos() > 0);
        assertTrue(first.relayed() ? first.via().equals(p.publicKey()) : first.address().equals(b.address()),
                "through p, or direct once the pair punched through: " + first);
        PingResult next = run(mesh, a.node.ping(b.publicKey(), Duration.ofSeconds(5)));
        assertEquals(PingResult.Setup.READY, next.setup());
    }
}
