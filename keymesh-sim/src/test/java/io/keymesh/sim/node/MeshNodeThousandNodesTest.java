package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.SECOND;
import static io.keymesh.sim.node.SimMesh.sender;
import static io.keymesh.sim.node.SimMesh.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.node.PeerConfig;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.testing.RecordingListener.Datagram;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * A thousand nodes in one simulation: a sparse mesh where each node has four peers (a ring with chords),
 * every node sends ten datagrams to each peer at random times within a minute, and on lossless links
 * every one arrives, exactly once and intact. Prints simulated events per wall second; asserts no timing.
 */
class MeshNodeThousandNodesTest {
    private static final int NODES = 1000;
    private static final int[] NEIGHBOURS = {1, 7}; // peers at ±1 and ±7 around the ring
    private static final int PER_PEER = 10;
    private static final long SPAN = 60 * SECOND;

    @Test
    void aThousandNodesInASparseMeshDeliverEveryDatagram() {
        long wallStart = System.nanoTime();
        SimMesh mesh = new SimMesh(1000);
        Network net = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        net.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(15))
                .withJitter(Duration.ofMillis(5)));
        List<Member> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            nodes.add(mesh.member("n" + i, net.newHost("n" + i)));
        }
        List<List<Member>> peersOf = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            List<Member> peers = new ArrayList<>();
            for (int d : NEIGHBOURS) {
                peers.add(nodes.get((i + d) % NODES));
                peers.add(nodes.get((i - d + NODES) % NODES));
            }
            peersOf.add(peers);
            List<PeerConfig> configs = peers.stream().map(Member::asPeer).toList();
            nodes.get(i).start(configs);
        }
        long setupNanos = System.nanoTime() - wallStart;

        RandomGenerator random = mesh.sim.random();
        int sent = 0;
        for (int i = 0; i < NODES; i++) {
            Member from = nodes.get(i);
            for (Member to : peersOf.get(i)) {
                for (int k = 0; k < PER_PEER; k++) {
                    int seq = k;
                    mesh.sim.schedule(random.nextLong(SPAN), () -> from.send(to, seq, 32 + random.nextInt(500)));
                    sent++;
                }
            }
        }
        long runStart = System.nanoTime();
        long eventsBefore = mesh.sim.eventsProcessed();
        mesh.sim.runUntil(SPAN + 5 * SECOND);
        long runNanos = System.nanoTime() - runStart;
        long events = mesh.sim.eventsProcessed() - eventsBefore;

        long received = 0;
        long handshakes = 0;
        for (int i = 0; i < NODES; i++) {
            Member at = nodes.get(i);
            int[] perSender = new int[NODES];
            boolean[][] seen = new boolean[NODES][PER_PEER];
            for (Datagram r : at.events.datagrams) {
                assertTrue(SimMesh.check(r.data()), "intact at " + at);
                Member from = mesh.byKey(r.from());
                assertEquals(from.number, sender(r), "attributed to its sender");
                assertTrue(!seen[from.number][seq(r)], "once only");
                seen[from.number][seq(r)] = true;
                perSender[from.number]++;
            }
            for (Member peer : peersOf.get(i)) {
                assertEquals(PER_PEER, perSender[peer.number], peer + "->" + at);
            }
            received += at.events.datagrams.size();
            handshakes += at.initiationsSent();
        }
        assertEquals(sent, received);
        assertEquals(NODES * NEIGHBOURS.length * 2 * PER_PEER, sent);
        System.out.printf("1000 nodes: %d datagrams delivered, %d handshake initiations; setup %.2f s wall;"
                + " %d events in %.2f s wall for %d s virtual: %.0f simulated events/s%n",
                received, handshakes, setupNanos / 1e9, events, runNanos / 1e9, (SPAN + 5 * SECOND) / SECOND,
                events / (runNanos / 1e9));
    }
}
