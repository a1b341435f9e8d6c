package io.keymesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import io.keymesh.channel.ChannelConfig;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import io.keymesh.overlay.RelayConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link NodeConfigRenderer}: what it writes loads back into an equal {@link NodeConfig}, keys that
 * HOCON would misread unquoted survive, optional settings at their defaults are left out, and a
 * node the block cannot describe is refused.
 */
class NodeConfigRendererTest {
    private static final PresharedKey NETWORK = PresharedKey.of(filled(7));
    private static final PublicKey PEER_1 = PrivateKey.of(filled(1)).publicKey();
    private static final PublicKey PEER_2 = PrivateKey.of(filled(2)).publicKey();
    private static final PublicKey PEER_3 = PrivateKey.of(filled(3)).publicKey();
    private static final PublicKey PEER_4 = PrivateKey.of(filled(4)).publicKey();

    private static byte[] filled(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return a;
    }

    private static InetSocketAddress address(String ip, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private static NodeConfig roundTrip(NodeConfig node) throws BadConfigException {
        return NodeConfigLoader.parse(NodeConfigRenderer.render(node), null).node();
    }

    /** The keys of the rendered block (parsed as plain HOCON, without the loader's defaults). */
    private static ConfigObject block(String text) {
        return ConfigFactory.parseString(text).getObject(NodeConfigLoader.ROOT);
    }

    @Test
    void everySettingLoadsBackEqual() throws Exception {
        NodeConfig node = new NodeConfig(PrivateKey.of(filled(9)), address("::", 51820), NETWORK, List.of(
                new PeerConfig(PEER_1, address("192.0.2.1", 51820), 25, false),
                new PeerConfig(PEER_2, address("2001:db8::1", 4500), 0, true).withName("wg-gw.2"),
                new PeerConfig(PEER_3, null, 120, false)),
                "portable");
        assertEquals(node, roundTrip(node));
        assertEquals("wg-gw.2", roundTrip(node).peers().get(1).name());
    }

    @Test
    void routesThroughRelaysAndTheRelayServiceLoadBackEqual() throws Exception {
        NodeConfig node = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), NETWORK).withPeers(List.of(
                PeerConfig.of(PEER_1, address("192.0.2.1", 51820)),
                PeerConfig.of(PEER_2, null).withPersistentKeepalive(25),
                PeerConfig.of(PEER_3, address("192.0.2.3", 51820)).withRelays(List.of(
                        List.of(PEER_1), List.of(PEER_2, PEER_4), List.of(PEER_1, PEER_4, PEER_2)))))
                .withRelay(new RelayConfig(false, 5, 1 << 20, 90_000_000_000L, 2));
        String text = NodeConfigRenderer.render(node);
        assertEquals(node, NodeConfigLoader.parse(text, null).node());

        Config c = block(text).toConfig();
        ConfigObject target = c.getObjectList("peers").get(2);
        assertEquals(Set.of("public-key", "endpoint", "via"), target.keySet(), text);
        assertEquals(List.of(PEER_1.toBase64(), List.of(PEER_2.toBase64(), PEER_4.toBase64()),
                List.of(PEER_1.toBase64(), PEER_4.toBase64(), PEER_2.toBase64())),
                target.toConfig().getList("via").unwrapped(), "a route of one relay is its key, a longer one a list");
        assertEquals(Set.of("public-key", "persistent-keepalive"), c.getObjectList("peers").get(1).keySet(),
                "no via for a peer without relays: " + text);
        assertEquals(Set.of("enabled", "max-circuits", "max-circuits-per-link", "bytes-per-second", "idle-timeout"),
                c.getObject("relay").keySet(), text);
        assertEquals(2, c.getInt("relay.max-circuits-per-link"));
        assertEquals(1 << 20, c.getLong("relay.bytes-per-second"));
        assertEquals("90s", c.getString("relay.idle-timeout"));
    }

    @Test
    void onlyTheRelaySettingsThatDifferFromTheDefaultsAreWritten() throws Exception {
        NodeConfig node = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), NETWORK)
                .withRelay(RelayConfig.DEFAULT.withEnabled(false));
        String text = NodeConfigRenderer.render(node);
        assertEquals(Set.of("enabled"), block(text).toConfig().getObject("relay").keySet(), text);
        assertEquals(node, roundTrip(node));
        assertEquals(RelayConfig.DEFAULT.withEnabled(false), roundTrip(node).relay());
        NodeConfig plain = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), NETWORK);
        assertFalse(block(NodeConfigRenderer.render(plain)).containsKey("relay"), "the default relay service is not written");
    }

    @Test
    void aPlainMeshNodeWritesOnlyItsOwnSettingsAndPeersWithAndWithoutEndpointsLoadBack() throws Exception {
        NodeConfig node = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), NETWORK).withPeers(List.of(
                PeerConfig.of(PEER_1, address("127.0.0.1", 40002)),
                PeerConfig.of(PEER_2, null)));
        String text = NodeConfigRenderer.render(node);
        assertEquals(node, NodeConfigLoader.parse(text, null).node());

        ConfigObject block = block(text);
        assertEquals(Set.of("private-key", "listen", "network-key", "peers"), block.keySet(), text);
        Config c = block.toConfig();
        assertEquals(PrivateKey.of(filled(9)).toBase64(), c.getString("private-key"));
        assertEquals("127.0.0.1:40001", c.getString("listen"));
        assertEquals(NETWORK.toBase64(), c.getString("network-key"));
        List<? extends ConfigObject> peers = c.getObjectList("peers");
        assertEquals(2, peers.size());
        assertEquals(Set.of("public-key", "endpoint"), peers.get(0).keySet(), text);
        assertEquals(PEER_1.toBase64(), peers.get(0).toConfig().getString("public-key"));
        assertEquals("127.0.0.1:40002", peers.get(0).toConfig().getString("endpoint"));
        assertEquals(Set.of("public-key"), peers.get(1).keySet(), text);
    }

    @Test
    void settingsThatDifferFromTheDefaultsAreWritten() throws Exception {
        NodeConfig node = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), NETWORK)
                .withAead("portable")
                .withUdpIo(io.keymesh.io.UdpIo.Mode.PORTABLE)
                .withCryptoWorkers(0)
                .withPeers(List.of(new PeerConfig(PEER_1, null, 25, true)));
        Config c = block(NodeConfigRenderer.render(node)).toConfig();
        assertEquals("portable", c.getString("aead"));
        assertEquals("portable", c.getString("udp-io"));
        assertEquals(0, c.getInt("crypto-workers"));
        assertEquals(node, roundTrip(node));
        ConfigObject peer = c.getObjectList("peers").get(0);
        assertEquals(Set.of("public-key", "persistent-keepalive", "wireguard"), peer.keySet());
        assertEquals("25s", peer.toConfig().getString("persistent-keepalive"));
        assertTrue(peer.toConfig().getBoolean("wireguard"));
    }

    @Test
    void anEmptyPeerListIsWrittenAndLoadsBackEmpty() throws Exception {
        NodeConfig node = NodeConfig.of(PrivateKey.of(filled(9)), address("0.0.0.0", 0), NETWORK);
        String text = NodeConfigRenderer.render(node);
        assertEquals(List.of(), block(text).toConfig().getList("peers").unwrapped(), text);
        assertEquals(node, roundTrip(node));
        assertEquals(List.of(), roundTrip(node).peers());
    }

    /**
     * Base64 has '+', '/' and '=', and "//" starts a comment in unquoted HOCON; an IPv6 address has
     * brackets and colons. All of them are quoted and read back unchanged.
     */
    @Test
    void valuesThatUnquotedHoconWouldMisreadAreQuoted() throws Exception {
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xff);
        PresharedKey slashes = PresharedKey.of(ones);
        PrivateKey plus = PrivateKey.of(ones);
        assertTrue(slashes.toBase64().contains("//") && plus.toBase64().contains("+"), slashes + " " + plus.toBase64());
        NodeConfig node = NodeConfig.of(plus, address("::1", 7), slashes)
                .withPeers(List.of(PeerConfig.of(PEER_1, address("2001:db8::1", 4500))));
        String text = NodeConfigRenderer.render(node);
        assertTrue(text.contains("\"" + slashes.toBase64() + "\""), text);
        assertTrue(text.contains("\"[0:0:0:0:0:0:0:1]:7\""), text);
        Config c = block(text).toConfig();
        assertEquals(slashes.toBase64(), c.getString("network-key"));
        assertEquals(plus.toBase64(), c.getString("private-key"));
        assertEquals("[2001:db8:0:0:0:0:0:1]:4500", c.getObjectList("peers").get(0).toConfig().getString("endpoint"));
        assertEquals(node, roundTrip(node));
    }

    @Test
    void theBlockEndsWithANewlineSoThatMoreSettingsCanFollow() throws Exception {
        NodeConfig node = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), NETWORK);
        String text = NodeConfigRenderer.render(node) + "pekko.loglevel = WARNING\n";
        assertEquals("WARNING", ConfigFactory.parseString(text).getString("pekko.loglevel"));
        assertEquals(node, NodeConfigLoader.parse(text, null).node());
    }

    @Test
    void whatTheBlockCannotSayIsRefused() throws Exception {
        NodeConfig plainWireGuard = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), null);
        IllegalArgumentException noNetwork = assertThrows(IllegalArgumentException.class,
                () -> NodeConfigRenderer.render(plainWireGuard));
        assertTrue(noNetwork.getMessage().contains("without a network key"), noNetwork.getMessage());

        NodeConfig tuned = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), NETWORK)
                .withChannels(ChannelConfig.DEFAULT.withMaxUdpPayload(1400));
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> NodeConfigRenderer.render(tuned));
        assertTrue(channels.getMessage().contains("channel settings"), channels.getMessage());

        NodeConfig strangeRelay = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), NETWORK)
                .withPeers(List.of(PeerConfig.of(PEER_1, null).via(PEER_2)));
        assertEquals("the route [" + PEER_2 + "] to " + PEER_1 + " cannot be written as a keymesh block: relay " + PEER_2
                + " is not a peer: list it in keymesh.peers too (this node reaches the first relay of a route over its "
                + "own session with it)",
                assertThrows(IllegalArgumentException.class, () -> NodeConfigRenderer.render(strangeRelay)).getMessage());
        NodeConfig wireGuardRelay = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), NETWORK)
                .withPeers(List.of(PeerConfig.of(PEER_1, null).via(PEER_2), new PeerConfig(PEER_2, null, 0, true)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeConfigRenderer.render(wireGuardRelay)).getMessage()
                .endsWith("relay " + PEER_2 + " is a stock WireGuard peer (wireguard = true), which relays nothing"));
        NodeConfig quickIdle = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), NETWORK)
                .withRelay(new RelayConfig(true, 1024, 0, 1_000_000_000L));
        assertEquals("a relay idle timeout of 1s cannot be written as a keymesh block: the loader takes 10s..1d",
                assertThrows(IllegalArgumentException.class, () -> NodeConfigRenderer.render(quickIdle)).getMessage());
        NodeConfig fast = NodeConfig.of(PrivateKey.of(filled(9)), address("127.0.0.1", 40001), NETWORK)
                .withRelay(RelayConfig.DEFAULT.withBytesPerSecond(9L << 30));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeConfigRenderer.render(fast)).getMessage()
                .startsWith("a relay rate of 9663676416 bytes per second cannot be written"));

        PrivateKey closed = PrivateKey.of(filled(9));
        NodeConfig node = NodeConfig.of(closed, address("127.0.0.1", 40001), NETWORK);
        closed.close();
        assertThrows(IllegalStateException.class, () -> NodeConfigRenderer.render(node));
    }
}
