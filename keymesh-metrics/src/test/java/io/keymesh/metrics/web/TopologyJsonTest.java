package io.keymesh.metrics.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.metrics.NodeSnapshot;
import io.keymesh.metrics.NodeSnapshots;
import io.keymesh.node.DiscoveryStats;
import io.keymesh.node.Found;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerStats;
import io.keymesh.node.RelayStats;
import io.keymesh.session.DropReason;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The topology JSON, byte for byte, for a node with a direct peer and a relayed peer that is down. */
class TopologyJsonTest {
    private static PublicKey key(int b) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        return PrivateKey.of(k).publicKey();
    }

    private static final PublicKey SELF = key(1);
    private static final PublicKey RELAY = key(2);
    private static final PublicKey FAR = key(3);
    private static final RelayStats RELAY_STATS = new RelayStats(1, 20, 3000, 0, 0, 1, 0, 0, 0, 0, 0, 0);
    private static final DiscoveryStats DISCOVERY = new DiscoveryStats(0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0, 0);

    private static PeerStats relay(long bytes) {
        return new PeerStats(RELAY, new InetSocketAddress("127.0.0.1", 4000), true, 1_500_000_000L, 1, 10, 10, bytes, bytes / 2,
                3, 0, List.of(new PathInfo(false, new InetSocketAddress("127.0.0.1", 4000), null, 1_250_000, true),
                        new PathInfo(false, new InetSocketAddress("192.0.2.9", 4000), null, 0, false, false)),
                List.of(), -1, new Found(Found.How.ENDPOINT, null));
    }

    private static PeerStats far() {
        return new PeerStats(FAR, null, false, -1, 0, 0, 0, 0, 0, 0, 0,
                List.of(new PathInfo(true, null, RELAY, 0, true)), List.of(), -1, new Found(Found.How.RELAYS, null));
    }

    @Test
    void theJsonNamesEveryPeerItsPathsAndItsRatesSinceTheSnapshotBefore() {
        InetSocketAddress self = new InetSocketAddress("127.0.0.1", 51820);
        NodeSnapshot before = new NodeSnapshot(1_000_000_000L, 1_700_000_000_000L, SELF, self, List.of(relay(1000), far()),
                Map.of(), RELAY_STATS, DISCOVERY, Map.of(), 0);
        ChannelConnection.Stats channel = new ChannelConnection.Stats(40, 30, 2, 1, 0, 0, 800_000, 0, 0, 1400, 0, 1, 0, 0, 0,
                io.keymesh.channel.EcnValidation.State.DISABLED, 0, 0);
        NodeSnapshot now = new NodeSnapshot(3_000_000_000L, 1_700_000_002_000L, SELF, self, List.of(far(), relay(5000)),
                Map.of(DropReason.REPLAY, 2L, DropReason.BAD_MAC1, 1L), RELAY_STATS, DISCOVERY, Map.of(RELAY, channel), 4);
        String json = TopologyJson.of(new NodeSnapshots.Latest(now, before), k -> k.equals(FAR) ? "far <away>" : null);
        String r = RELAY.toBase64();
        String f = FAR.toBase64();
        assertEquals("{\"node\":{\"key\":\"" + SELF.toBase64() + "\",\"short\":\"" + SELF.toBase64().substring(0, 8)
                + "\",\"name\":null,\"address\":\"127.0.0.1:51820\"},"
                + "\"takenAtMillis\":1700000002000,\"intervalMillis\":2000,\"peers\":["
                // sorted by key
                + (r.compareTo(f) < 0 ? relayJson(r) + "," + farJson(f, r) : farJson(f, r) + "," + relayJson(r))
                + "],\"drops\":{\"BAD_MAC1\":1,\"REPLAY\":2},"
                + "\"relay\":{\"circuits\":1,\"packetsForwarded\":20,\"bytesForwarded\":3000,\"refused\":0,\"ownCircuits\":1},"
                + "\"sendsRefused\":4}", json);
    }

    private static String relayJson(String r) {
        return "{\"key\":\"" + r + "\",\"short\":\"" + r.substring(0, 8) + "\",\"name\":null,\"state\":\"up\","
                + "\"endpoint\":\"127.0.0.1:4000\",\"found\":\"configured endpoint\",\"lastHandshakeAgoMillis\":1500,"
                + "\"handshakes\":1,\"txPackets\":10,\"rxPackets\":10,\"txBytes\":5000,\"rxBytes\":2500,"
                + "\"datagramsSent\":3,\"datagramsReceived\":0,\"txBytesPerSecond\":2000,\"rxBytesPerSecond\":1000,"
                + "\"paths\":[{\"kind\":\"direct\",\"address\":\"127.0.0.1:4000\",\"via\":null,\"rttMillis\":1.25,"
                + "\"inUse\":true,\"usable\":true},{\"kind\":\"candidate\",\"address\":\"192.0.2.9:4000\",\"via\":null,"
                + "\"rttMillis\":null,\"inUse\":false,\"usable\":false}],"
                + "\"channel\":{\"rttMillis\":0.8,\"packetsSent\":40,\"packetsReceived\":30,\"packetsLost\":2,\"duplicates\":1}}";
    }

    private static String farJson(String f, String r) {
        return "{\"key\":\"" + f + "\",\"short\":\"" + f.substring(0, 8) + "\",\"name\":\"far \\u003caway\\u003e\","
                + "\"state\":\"down\",\"endpoint\":null,\"found\":\"configured relays\",\"lastHandshakeAgoMillis\":null,"
                + "\"handshakes\":0,\"txPackets\":0,\"rxPackets\":0,\"txBytes\":0,\"rxBytes\":0,\"datagramsSent\":0,"
                + "\"datagramsReceived\":0,\"txBytesPerSecond\":0,\"rxBytesPerSecond\":0,"
                + "\"paths\":[{\"kind\":\"relayed\",\"address\":null,\"via\":\"" + r + "\",\"rttMillis\":null,"
                + "\"inUse\":true,\"usable\":true}],\"channel\":null}";
    }

    @Test
    void withoutASnapshotBeforeThereAreNoRates() {
        NodeSnapshot now = new NodeSnapshot(3_000_000_000L, 0, SELF, new InetSocketAddress("127.0.0.1", 1), List.of(relay(5)),
                Map.of(), RELAY_STATS, DISCOVERY, Map.of(), 0);
        String json = TopologyJson.of(new NodeSnapshots.Latest(now, null), k -> null);
        assertEquals(true, json.contains("\"intervalMillis\":null,"), json);
        assertEquals(true, json.contains("\"txBytesPerSecond\":null,\"rxBytesPerSecond\":null,"), json);
    }
}
