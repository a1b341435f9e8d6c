package io.keymesh.metrics;

import static io.keymesh.metrics.MeterNames.DIRECTION;
import static io.keymesh.metrics.MeterNames.PEER;
import static io.keymesh.metrics.MeterNames.RX;
import static io.keymesh.metrics.MeterNames.TX;
import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.PeerConfig;
import io.keymesh.node.PeerStats;
import io.keymesh.session.DropReason;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link KeymeshMetrics} on real nodes over loopback: after datagrams and channel messages (some
 * of whose packets a relay drops), every meter equals what the node itself reports; drops,
 * removed and added peers, the bound on metered peers, and closing the binding.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KeymeshMetricsTest {
    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static String tag(PublicKey k) {
        return k.toBase64();
    }

    private double counter(String name, Tags tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    private double gauge(String name, Tags tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    private double seconds(String name, Tags tags) {
        return registry.get(name).tags(tags).timeGauge().value(TimeUnit.NANOSECONDS);
    }

    /** What a node reports of one peer, read twice around a refresh of the meters until nothing moved in between. */
    private record Quiet(PeerStats peer, ChannelConnection.Stats channel) {}

    private static Quiet quiet(Node n, PublicKey peer, KeymeshMetrics m) {
        for (int i = 0; ; i++) {
            PeerStats before = Loopback.stats(n, peer);
            ChannelConnection.Stats channelBefore = get(n.mesh().channelStats(peer));
            m.refresh();
            PeerStats after = Loopback.stats(n, peer);
            ChannelConnection.Stats channelAfter = get(n.mesh().channelStats(peer));
            if (counters(before).equals(counters(after)) && java.util.Objects.equals(channelBefore, channelAfter)) {
                return new Quiet(after, channelAfter);
            }
            if (i > 200) {
                throw new AssertionError("the node never stopped counting: " + before + " / " + after);
            }
            Loopback.holdsWithin(java.time.Duration.ofMillis(50), () -> false);
        }
    }

    private static List<Long> counters(PeerStats p) {
        return List.of(p.txPackets(), p.rxPackets(), p.txBytes(), p.rxBytes(), p.datagramsSent(), p.datagramsReceived(),
                p.handshakes(), p.up() ? 1L : 0L);
    }

    @Test
    void everyMeterEqualsWhatTheNodeReportsAfterDatagramsAndLossyChannelTraffic() throws Exception {
        Node a = net.start(newKey(), network, List.of());
        DroppingRelay relay = net.track(new DroppingRelay(a.address(), 5));
        Node b = net.start(newKey(), network, List.of(PeerConfig.of(a.publicKey(), relay.address())));
        get(a.mesh().addPeer(PeerConfig.of(b.publicKey(), null)));
        Tags onA = Tags.of("node", "a");
        Tags onB = Tags.of("node", "b");
        KeymeshMetrics ma = net.track(KeymeshMetrics.bindTo(a.mesh(), registry, MetricsOptions.DEFAULT.withTags(onA)));
        KeymeshMetrics mb = net.track(KeymeshMetrics.bindTo(b.mesh(), registry, MetricsOptions.DEFAULT.withTags(onB)));

        get(b.mesh().connect(a.publicKey()));
        await("b up at a", () -> a.events().upCount(b.publicKey()) == 1 && b.events().upCount(a.publicKey()) == 1);
        int datagrams = 30;
        for (int i = 0; i < datagrams; i++) {
            assertTrue(b.mesh().send(a.publicKey(), new byte[100 + i]));
        }
        Channel ch = b.mesh().channel(a.publicKey(), 1);
        int messages = 300;
        byte[] message = new byte[1000];
        for (int i = 0; i < messages; i++) {
            Arrays.fill(message, (byte) i);
            while (!ch.send(message)) {
                Loopback.holdsWithin(java.time.Duration.ofMillis(5), () -> false);
            }
        }
        await("every channel message at a", () -> a.events().messageCount() == messages);
        relay.dropping = false;
        assertTrue(relay.dropped.get() > 0, "the relay dropped packets");

        Quiet qb = quiet(b, a.publicKey(), mb);
        Tags bToA = onB.and(PEER, tag(a.publicKey()));
        assertPeerMeters(bToA, qb);
        assertEquals(datagrams, counter(MeterNames.PEER_DATAGRAMS, bToA.and(DIRECTION, TX)));
        assertTrue(qb.channel().packetsLost() > 0, "b's connection declared packets lost: " + qb.channel());
        // one peer: the node's totals are that peer's
        assertEquals(qb.peer().txBytes(), counter(MeterNames.BYTES, onB.and(DIRECTION, TX)));
        assertEquals(qb.peer().rxBytes(), counter(MeterNames.BYTES, onB.and(DIRECTION, RX)));
        assertEquals(qb.peer().txPackets(), counter(MeterNames.PACKETS, onB.and(DIRECTION, TX)));
        assertEquals(qb.peer().rxPackets(), counter(MeterNames.PACKETS, onB.and(DIRECTION, RX)));
        assertEquals(datagrams, counter(MeterNames.DATAGRAMS, onB.and(DIRECTION, TX)));
        assertEquals(qb.peer().handshakes(), counter(MeterNames.HANDSHAKES, onB));
        assertEquals(qb.channel().packetsLost(), counter(MeterNames.CHANNEL_LOST, onB));
        assertEquals(1, gauge(MeterNames.PEERS, onB.and(MeterNames.STATE, "up")));
        assertEquals(0, gauge(MeterNames.PEERS, onB.and(MeterNames.STATE, "down")));
        assertEquals(0, gauge(MeterNames.PEER_PATH_RELAYED, bToA), "a direct path (the relay here is a plain UDP forwarder)");

        Quiet qa = quiet(a, b.publicKey(), ma);
        Tags aFromB = onA.and(PEER, tag(b.publicKey()));
        assertPeerMeters(aFromB, qa);
        assertEquals(qa.peer().datagramsReceived(), counter(MeterNames.PEER_DATAGRAMS, aFromB.and(DIRECTION, RX)));
        assertTrue(qa.peer().datagramsReceived() > 0 && qa.peer().datagramsReceived() <= datagrams);
        assertTrue(qa.channel().packetsReceived() > messages / 2, "a's connection received the messages' packets: " + qa.channel());
    }

    private void assertPeerMeters(Tags peer, Quiet q) {
        PeerStats p = q.peer();
        assertEquals(p.up() ? 1 : 0, gauge(MeterNames.PEER_UP, peer));
        assertEquals(p.txPackets(), counter(MeterNames.PEER_PACKETS, peer.and(DIRECTION, TX)));
        assertEquals(p.rxPackets(), counter(MeterNames.PEER_PACKETS, peer.and(DIRECTION, RX)));
        assertEquals(p.txBytes(), counter(MeterNames.PEER_BYTES, peer.and(DIRECTION, TX)));
        assertEquals(p.rxBytes(), counter(MeterNames.PEER_BYTES, peer.and(DIRECTION, RX)));
        assertEquals(p.datagramsSent(), counter(MeterNames.PEER_DATAGRAMS, peer.and(DIRECTION, TX)));
        assertEquals(p.datagramsReceived(), counter(MeterNames.PEER_DATAGRAMS, peer.and(DIRECTION, RX)));
        assertEquals(p.handshakes(), counter(MeterNames.PEER_HANDSHAKES, peer));
        assertTrue(p.handshakes() >= 1 && p.txBytes() > 0 && p.rxBytes() > 0, p.toString());
        ChannelConnection.Stats c = q.channel();
        assertEquals(c.packetsSent(), counter(MeterNames.PEER_CHANNEL_PACKETS, peer.and(DIRECTION, TX)));
        assertEquals(c.packetsReceived(), counter(MeterNames.PEER_CHANNEL_PACKETS, peer.and(DIRECTION, RX)));
        assertEquals(c.packetsLost(), counter(MeterNames.PEER_CHANNEL_LOST, peer));
        assertEquals(c.duplicatesDropped(), counter(MeterNames.PEER_CHANNEL_DUPLICATES, peer));
        assertEquals(c.smoothedRttNanos(), seconds(MeterNames.PEER_CHANNEL_RTT, peer), 0.5, "nanoseconds, through seconds as a double");
        assertTrue(c.smoothedRttNanos() > 0);
        double age = seconds(MeterNames.PEER_HANDSHAKE_AGE, peer);
        assertTrue(age >= 0 && age <= p.lastHandshakeAgoNanos(), age + " ns, node: " + p.lastHandshakeAgoNanos());
    }

    @Test
    void aDroppedPacketShowsInTheDropsMeterByReason() throws Exception {
        Node a = net.start(newKey(), network, List.of());
        KeymeshMetrics m = net.track(KeymeshMetrics.bindTo(a.mesh(), registry));
        Tags malformed = Tags.of(MeterNames.REASON, DropReason.MALFORMED.name());
        assertEquals(0, counter(MeterNames.DROPS, malformed));
        try (DatagramChannel stranger = DatagramChannel.open()) {
            for (int i = 0; i < 3; i++) {
                stranger.send(ByteBuffer.wrap(new byte[] {9, 9, 9}), new InetSocketAddress(Loopback.LOCALHOST, a.address().getPort()));
            }
        }
        await("three malformed packets dropped", () -> get(a.mesh().drops()).getOrDefault(DropReason.MALFORMED, 0L) == 3);
        m.refresh();
        assertEquals(3, counter(MeterNames.DROPS, malformed));
        assertEquals(0, counter(MeterNames.DROPS, Tags.of(MeterNames.REASON, DropReason.BAD_TAG.name())));
        assertEquals(DropReason.values().length, registry.find(MeterNames.DROPS).functionCounters().size(),
                "every reason has its meter, zeros included");
    }

    @Test
    void aRemovedPeerLosesItsMetersAndTheTotalsKeepWhatItCounted() throws Exception {
        Loopback.Pair pair = net.connectedPair(network);
        Node a = pair.a();
        Node b = pair.b();
        KeymeshMetrics m = net.track(KeymeshMetrics.bindTo(a.mesh(), registry));
        for (int i = 0; i < 10; i++) {
            assertTrue(a.mesh().send(b.publicKey(), new byte[200]));
        }
        await("ten datagrams at b", () -> b.events().datagramCount() == 10);
        Quiet q = quiet(a, b.publicKey(), m);
        Tags toB = Tags.of(PEER, tag(b.publicKey()));
        assertEquals(q.peer().txBytes(), counter(MeterNames.PEER_BYTES, toB.and(DIRECTION, TX)));
        assertEquals(10, counter(MeterNames.DATAGRAMS, Tags.of(DIRECTION, TX)));

        assertTrue(get(a.mesh().removePeer(b.publicKey())));
        m.refresh();
        assertEquals(List.of(), peerMeters(b.publicKey()), "b's meters are gone");
        assertEquals(java.util.Set.of(), m.meteredPeers());
        assertEquals(0, gauge(MeterNames.PEERS, Tags.of(MeterNames.STATE, "up")));
        assertEquals(10, counter(MeterNames.DATAGRAMS, Tags.of(DIRECTION, TX)), "the total keeps what b counted");
        double bytesBefore = counter(MeterNames.BYTES, Tags.of(DIRECTION, TX));
        assertTrue(bytesBefore >= q.peer().txBytes(), bytesBefore + " < " + q.peer().txBytes());

        // added back: new meters, counting from 0 again, and the total goes on from where it was
        get(a.mesh().addPeer(b.asPeer()));
        m.refresh();
        assertEquals(0, counter(MeterNames.PEER_DATAGRAMS, toB.and(DIRECTION, TX)));
        get(a.mesh().connect(b.publicKey()));
        await("a up again", () -> a.events().upCount(b.publicKey()) == 2);
        assertTrue(a.mesh().send(b.publicKey(), new byte[10]));
        await("the eleventh datagram at b", () -> b.events().datagramCount() == 11);
        m.refresh();
        assertEquals(1, counter(MeterNames.PEER_DATAGRAMS, toB.and(DIRECTION, TX)));
        assertEquals(11, counter(MeterNames.DATAGRAMS, Tags.of(DIRECTION, TX)));
        assertTrue(counter(MeterNames.BYTES, Tags.of(DIRECTION, TX)) > bytesBefore);
    }

    private List<Meter> peerMeters(PublicKey peer) {
        return registry.getMeters().stream().filter(x -> tag(peer).equals(x.getId().getTag(PEER))).toList();
    }

    @Test
    void atMostMaxPeersHaveMetersAndAPlaceFreedIsTakenByAnother() throws Exception {
        List<Node> nodes = net.startMesh(network, 4);
        Node a = nodes.get(0);
        KeymeshMetrics m = net.track(KeymeshMetrics.bindTo(a.mesh(), registry, MetricsOptions.DEFAULT.withMaxPeers(2)));
        assertEquals(2, m.meteredPeers().size());
        assertEquals(1, gauge(MeterNames.PEERS_UNMETERED, Tags.empty()));
        assertEquals(3, gauge(MeterNames.PEERS, Tags.of(MeterNames.STATE, "down")));
        assertEquals(2, registry.find(MeterNames.PEER_UP).gauges().size());

        PublicKey gone = m.meteredPeers().iterator().next();
        get(a.mesh().removePeer(gone));
        m.refresh();
        assertEquals(2, m.meteredPeers().size());
        assertTrue(!m.meteredPeers().contains(gone));
        assertEquals(0, gauge(MeterNames.PEERS_UNMETERED, Tags.empty()));
        assertEquals(List.of(), peerMeters(gone));
    }

    @Test
    void noPeerMetersWithMaxPeersZeroAndNoMetersAfterClose() throws Exception {
        List<Node> nodes = net.startMesh(network, 3);
        KeymeshMetrics m = KeymeshMetrics.bindTo(nodes.get(0).mesh(), registry, MetricsOptions.DEFAULT.withMaxPeers(0));
        assertEquals(0, Search.in(registry).name(n -> n.startsWith("keymesh.peer.")).meters().size());
        assertEquals(2, gauge(MeterNames.PEERS_UNMETERED, Tags.empty()));
        assertTrue(registry.getMeters().size() > 20);
        m.close();
        assertEquals(List.of(), registry.getMeters());
        m.close(); // idempotent
    }

    @Test
    void aPeerAddedAtRunTimeGetsMetersWithTheNextSnapshot() throws Exception {
        Node a = net.start(newKey(), network, List.of());
        Node b = net.start(newKey(), network, List.of());
        KeymeshMetrics m = net.track(KeymeshMetrics.bindTo(a.mesh(), registry));
        assertEquals(List.of(), peerMeters(b.publicKey()));
        get(a.mesh().addPeer(b.asPeer()));
        m.refresh();
        assertEquals(0, gauge(MeterNames.PEER_UP, Tags.of(PEER, tag(b.publicKey()))));
        assertTrue(Double.isNaN(seconds(MeterNames.PEER_HANDSHAKE_AGE, Tags.of(PEER, tag(b.publicKey())))),
                "no handshake yet");
    }
}
