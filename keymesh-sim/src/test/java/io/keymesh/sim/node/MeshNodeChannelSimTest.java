package io.keymesh.sim.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.NodeListener;
import io.keymesh.node.PeerConfig;
import io.keymesh.sim.Host;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Network;
import io.keymesh.sim.SimNodeIo;
import io.keymesh.sim.Simulation;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reliable channels between two real MeshNodes over the simulator's lossy, reordering links. */
class MeshNodeChannelSimTest {
    /** Records messages per channel. */
    static final class Recorder implements NodeListener {
        final List<byte[]> messages = new ArrayList<>();
        final List<String> lost = new ArrayList<>();
        Runnable onWritable = () -> { };

        @Override
        public void onChannelsLost(PublicKey peer, String reason) {
            lost.add(reason);
        }

        @Override
        public void onPeerDown(PublicKey peer, String reason) {
            lost.add("peer down: " + reason);
        }

        @Override
        public void onMessage(PublicKey from, long channelId, byte[] message) {
            messages.add(message);
        }

        @Override
        public void onChannelWritable(PublicKey peer, long channelId) {
            onWritable.run();
        }
    }

    /** Two started nodes on one simulated network, keys derived from {@code seed}; b knows a only by key. */
    record Pair(Simulation sim, Host hostA, MeshNode a, MeshNode b, PublicKey aKey, PublicKey bKey, SplittableRandom random) {
        static Pair start(long seed, LinkConditions link, NodeListener atA, NodeListener atB) {
            Simulation sim = new Simulation(seed);
            Network net = sim.newNetwork("wan", "10.1.0.0/24");
            net.setLinkConditions(link);
            Host ha = net.newHost("a");
            Host hb = net.newHost("b");
            SplittableRandom r = new SplittableRandom(seed);
            byte[] ka = new byte[32];
            byte[] kb = new byte[32];
            byte[] kn = new byte[32];
            r.nextBytes(ka);
            r.nextBytes(kb);
            r.nextBytes(kn);
            PrivateKey a = PrivateKey.of(ka);
            PrivateKey b = PrivateKey.of(kb);
            PresharedKey network = PresharedKey.of(kn);
            MeshNode nb = MeshNode.start(NodeConfig.of(b, new InetSocketAddress(0), network)
                    .withPeers(List.of(PeerConfig.of(a.publicKey(), null))), atB, new SimNodeIo(hb, 51820));
            MeshNode na = MeshNode.start(NodeConfig.of(a, new InetSocketAddress(0), network)
                    .withPeers(List.of(PeerConfig.of(b.publicKey(), nb.localAddress()))), atA, new SimNodeIo(ha, 51820));
            return new Pair(sim, ha, na, nb, a.publicKey(), b.publicKey(), r);
        }
    }

    /** A hop crosses two links (egress, ingress): per-link loss so that a hop loses {@code hopLoss}. */
    static double linkLoss(double hopLoss) {
        return 1 - Math.sqrt(1 - hopLoss);
    }

    @ParameterizedTest(name = "loss {0} per hop, latency {1} ms per link")
    @CsvSource({"0.0, 0", "0.01, 0", "0.05, 25", "0.10, 0", "0.30, 25"})
    void everyMessageArrivesOnceInOrder(double loss, int latencyMs) {
        Recorder atA = new Recorder();
        Recorder atB = new Recorder();
        Pair p = Pair.start(41, LinkConditions.DEFAULT.withLatency(Duration.ofMillis(latencyMs)).withLoss(linkLoss(loss))
                .withDuplication(0.01).withReordering(0.02, Duration.ofMillis(2)), atA, atB);
        Simulation sim = p.sim();
        MeshNode na = p.a();
        MeshNode nb = p.b();
        SplittableRandom r = p.random();
        List<byte[]> sent = new ArrayList<>();
        // Loss-based congestion control crawls at high loss, as TCP does: less data there.
        int count = loss >= 0.1 ? 500 : 1500;
        int big = loss >= 0.1 ? 1 << 20 : 3 << 20;
        for (int i = 0; i < count; i++) {
            byte[] m = new byte[i == count / 2 ? big : r.nextInt(10) == 0 ? r.nextInt(60_000) : r.nextInt(1500)];
            r.nextBytes(m);
            sent.add(m);
        }
        ArrayDeque<byte[]> toSend = new ArrayDeque<>(sent);
        Channel ch = na.channel(p.bKey(), 9);
        Runnable pump = () -> {
            while (!toSend.isEmpty() && ch.send(toSend.peek())) {
                toSend.poll();
            }
        };
        atA.onWritable = pump;
        pump.run();
        long start = sim.now();
        while (atB.messages.size() < sent.size() && sim.now() - start < 1_200_000_000_000L) {
            sim.runFor(Duration.ofSeconds(1));
        }
        assertEquals(sent.size(), atB.messages.size(), "all messages arrived; lost: " + atA.lost + atB.lost
                + "; a: " + na.channelStats(p.bKey()).join() + "; b: " + nb.channelStats(p.aKey()).join());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), atB.messages.get(i), "message " + i);
        }
        assertTrue(toSend.isEmpty());
        System.out.printf("loss %.2f, %d ms: %d messages (%.1f MB) in %.1f virtual s%n", loss, latencyMs, sent.size(),
                sent.stream().mapToLong(m -> m.length).sum() / 1e6, (sim.now() - start) / 1e9);
    }

    /**
     * A channel carrying a steady stream for ten virtual minutes: five rekeys happen under it (every
     * 120 s), and half-way the sender's host moves to another address. Every message arrives once,
     * in order: the keypairs change under the channel and the peer follows the new endpoint.
     */
    @org.junit.jupiter.api.Test
    void deliverySurvivesRekeysAndAChangeOfEndpoint() {
        Recorder atA = new Recorder();
        Recorder atB = new Recorder();
        List<String> endpoints = new ArrayList<>();
        NodeListener bListener = new NodeListener() {
            @Override
            public void onMessage(PublicKey from, long channelId, byte[] message) {
                atB.onMessage(from, channelId, message);
            }

            @Override
            public void onEndpointChanged(PublicKey peer, InetSocketAddress endpoint) {
                endpoints.add(endpoint.getAddress().getHostAddress());
            }

            @Override
            public void onChannelsLost(PublicKey peer, String reason) {
                atB.onChannelsLost(peer, reason);
            }
        };
        Pair p = Pair.start(43, LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)).withLoss(linkLoss(0.01)),
                atA, bListener);
        Simulation sim = p.sim();
        MeshNode na = p.a();
        SplittableRandom r = p.random();
        Host ha = p.hostA();
        Network net = ha.network();
        Channel ch = na.channel(p.bKey(), 1);
        List<byte[]> sent = new ArrayList<>();
        for (int second = 0; second < 600; second++) {
            for (int i = 0; i < 5; i++) {
                byte[] m = new byte[200 + r.nextInt(3000)];
                r.nextBytes(m);
                assertTrue(ch.send(m), "a steady trickle never fills the channel");
                sent.add(m);
            }
            if (second == 300) {
                ha.moveTo(net, "10.1.0.99");
            }
            sim.runFor(Duration.ofSeconds(1));
        }
        sim.runFor(Duration.ofSeconds(10));
        assertEquals(sent.size(), atB.messages.size(), "lost: " + atA.lost + atB.lost);
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), atB.messages.get(i), "message " + i);
        }
        long handshakes = na.peerStats().join().get(0).handshakes();
        assertTrue(handshakes >= 5, "rekeyed under the channel: " + handshakes);
        assertEquals(List.of("10.1.0.99"), endpoints.subList(endpoints.size() - 1, endpoints.size()), "b followed a");
        assertTrue(atA.lost.isEmpty() && atB.lost.isEmpty(), "the connection never broke");
    }
}
