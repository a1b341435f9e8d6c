package io.keymesh.sim.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import io.keymesh.sim.Host;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Network;
import io.keymesh.sim.Simulation;
import io.keymesh.sim.node.SimMesh.Pair;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.RecordingListener.Message;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reliable channels between two real MeshNodes over the simulator's lossy, reordering links. */
class MeshNodeChannelSimTest {
    /** Two started nodes on one simulated network, keys derived from {@code seed}; b knows a only by key. */
    static Pair start(long seed, LinkConditions link) {
        return SimMesh.pair(seed, sim -> {
            Network net = sim.newNetwork("wan", "10.1.0.0/24");
            net.setLinkConditions(link);
            return net;
        });
    }

    /** The channel messages {@code events} kept, in arrival order. */
    static List<byte[]> messages(RecordingListener events) {
        return events.messages.stream().map(Message::data).toList();
    }

    /** For a failure message: the losses {@code events} was told of. */
    static String lost(RecordingListener events) {
        return "channels lost " + events.channelsLost + ", peers down " + events.peersDown();
    }

    /** A hop crosses two links (egress, ingress): per-link loss so that a hop loses {@code hopLoss}. */
    static double linkLoss(double hopLoss) {
        return 1 - Math.sqrt(1 - hopLoss);
    }

    @ParameterizedTest(name = "loss {0} per hop, latency {1} ms per link")
    @CsvSource({"0.0, 0", "0.01, 0", "0.05, 25", "0.10, 0", "0.30, 25"})
    void everyMessageArrivesOnceInOrder(double loss, int latencyMs) {
        Pair p = start(41, LinkConditions.DEFAULT.withLatency(Duration.ofMillis(latencyMs)).withLoss(linkLoss(loss))
                .withDuplication(0.01).withReordering(0.02, Duration.ofMillis(2)));
        Simulation sim = p.mesh().sim;
        MeshNode na = p.a().node;
        MeshNode nb = p.b().node;
        RecordingListener atA = p.a().events;
        RecordingListener atB = p.b().events;
        PublicKey aKey = p.a().publicKey();
        PublicKey bKey = p.b().publicKey();
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
        Channel ch = na.channel(bKey, 9);
        Runnable pump = () -> {
            while (!toSend.isEmpty() && ch.send(toSend.peek())) {
                toSend.poll();
            }
        };
        atA.writableHook = (peer, channelId) -> pump.run();
        pump.run();
        long start = sim.now();
        while (atB.messageCount() < sent.size() && sim.now() - start < 1_200_000_000_000L) {
            sim.runFor(Duration.ofSeconds(1));
        }
        List<byte[]> received = messages(atB);
        assertEquals(sent.size(), received.size(), "all messages arrived; lost: " + lost(atA) + "; " + lost(atB)
                + "; a: " + na.channelStats(bKey).join() + "; b: " + nb.channelStats(aKey).join());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), received.get(i), "message " + i);
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
        Pair p = start(43, LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)).withLoss(linkLoss(0.01)));
        Simulation sim = p.mesh().sim;
        MeshNode na = p.a().node;
        RecordingListener atA = p.a().events;
        RecordingListener atB = p.b().events;
        SplittableRandom r = p.random();
        Host ha = p.a().host;
        Network net = ha.network();
        Channel ch = na.channel(p.b().publicKey(), 1);
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
        List<byte[]> received = messages(atB);
        assertEquals(sent.size(), received.size(), "lost: " + lost(atA) + "; " + lost(atB));
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), received.get(i), "message " + i);
        }
        long handshakes = na.peerStats().join().get(0).handshakes();
        assertTrue(handshakes >= 5, "rekeyed under the channel: " + handshakes);
        List<String> endpoints = atB.endpointChanges().stream()
                .map(e -> e.endpoint().getAddress().getHostAddress()).toList();
        assertEquals(List.of("10.1.0.99"), endpoints.subList(endpoints.size() - 1, endpoints.size()), "b followed a");
        assertTrue(atA.channelsLost.isEmpty() && atA.peersDown().isEmpty() && atB.channelsLost.isEmpty(),
                "the connection never broke");
    }
}
