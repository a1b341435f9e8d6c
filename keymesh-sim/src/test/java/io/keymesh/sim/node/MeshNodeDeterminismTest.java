package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.SECOND;
import static io.keymesh.sim.node.SimMesh.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.PeerConfig;
import io.keymesh.sim.DropReason;
import io.keymesh.sim.Host;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Nat;
import io.keymesh.sim.NatConfig;
import io.keymesh.sim.NatType;
import io.keymesh.sim.Network;
import io.keymesh.sim.Node;
import io.keymesh.sim.PacketTracer;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.testing.RecordingListener.Datagram;
import io.keymesh.testing.RecordingListener.PeerEvent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Same seed, same trace: real nodes (keys, ephemeral keys, indices and jitter all drawn from the seed)
 * over lossy, jittery, duplicating, reordering links and a NAT give the same packets on the wire and
 * the same deliveries, event for event; another seed gives another trace.
 */
class MeshNodeDeterminismTest {
    /** Runs the scenario and returns every wire delivery and drop, every datagram and every peer event, in order. */
    static List<String> trace(long seed) {
        SimMesh mesh = new SimMesh(seed);
        List<String> trace = new ArrayList<>();
        mesh.sim.setTracer(new PacketTracer() {
            @Override
            public void delivered(long now, Host host, InetSocketAddress from, InetSocketAddress to, int length) {
                trace.add(now + " wire " + host.name() + " " + from + " -> " + to + " " + length);
            }

            @Override
            public void dropped(long now, Node node, DropReason reason, InetSocketAddress from, InetSocketAddress to,
                    int length) {
                trace.add(now + " drop " + reason + " at " + node.name() + " " + from + " -> " + to + " " + length);
            }
        });
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(20))
                .withJitter(Duration.ofMillis(15)).withLoss(0.05).withDuplication(0.02)
                .withReordering(0.05, Duration.ofMillis(40)));
        Nat nat = internet.newNat("home", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "192.168.1.0/24");
        List<Member> pub = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pub.add(mesh.member("p" + i, internet.newHost("p" + i)));
        }
        Member hidden = mesh.member("hidden", nat.inside().newHost("hidden"));
        for (Member m : pub) {
            List<PeerConfig> peers = new ArrayList<>();
            for (Member o : pub) {
                if (o != m) {
                    peers.add(o.asPeer());
                }
            }
            peers.add(hidden.asPeerWithoutEndpoint());
            m.start(peers);
        }
        hidden.start(pub.stream().map(m -> m.asPeer().withPersistentKeepalive(25)).toList());

        List<Member> all = mesh.members;
        RandomGenerator random = mesh.sim.random();
        for (int k = 0; k < 400; k++) {
            Member from = all.get(random.nextInt(all.size()));
            Member to = all.get(random.nextInt(all.size()));
            if (from == to || (to == hidden && k < 100)) {
                continue; // the hidden node is reachable only once it has spoken
            }
            int seq = k;
            int len = 16 + random.nextInt(1200);
            mesh.sim.schedule(random.nextLong(60 * SECOND), () -> from.send(to, seq, len));
        }
        mesh.sim.runUntil(90 * SECOND);
        for (Member m : all) {
            for (Datagram r : m.events.datagrams) {
                trace.add(r.atNanos() + " datagram at " + m + " from " + mesh.byKey(r.from()) + " #" + seq(r) + " "
                        + Arrays.hashCode(r.data()));
            }
            for (PeerEvent e : m.events.peerEvents) {
                trace.add(e.atNanos() + " event at " + m + " " + e.kind() + " " + name(mesh, e.peer()) + " " + e.detail());
            }
        }
        return trace;
    }

    private static String name(SimMesh mesh, PublicKey key) {
        return mesh.byKey(key).name;
    }

    @Test
    void theSameSeedGivesTheSameTraceAndAnotherSeedAnother() {
        List<String> first = trace(42);
        List<String> second = trace(42);
        List<String> other = trace(43);
        assertEquals(first, second);
        assertNotEquals(first, other);

        assertTrue(first.size() > 500, "a substantial trace: " + first.size());
        assertTrue(first.stream().anyMatch(l -> l.contains(" drop LOSS ")), "loss in the trace");
        assertTrue(first.stream().anyMatch(l -> l.contains(" datagram at hidden ")), "datagrams reached the NATed node");
        assertTrue(first.stream().filter(l -> l.contains(" datagram at ")).count() > 100, "datagrams delivered");
    }
}
