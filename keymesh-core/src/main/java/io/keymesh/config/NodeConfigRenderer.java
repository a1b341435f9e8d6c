package io.keymesh.config;

import static io.keymesh.config.NodeConfigKeys.ACCEPT_MEMBERS;
import static io.keymesh.config.NodeConfigKeys.AEAD;
import static io.keymesh.config.NodeConfigKeys.CRYPTO_WORKERS;
import static io.keymesh.config.NodeConfigKeys.ECN;
import static io.keymesh.config.NodeConfigKeys.UDP_IO;
import static io.keymesh.config.NodeConfigKeys.BYTES_PER_SECOND;
import static io.keymesh.config.NodeConfigKeys.DEFAULT_PERSISTENT_KEEPALIVE_SECONDS;
import static io.keymesh.config.NodeConfigKeys.DEFAULT_WIREGUARD;
import static io.keymesh.config.NodeConfigKeys.ENABLED;
import static io.keymesh.config.NodeConfigKeys.ENDPOINT;
import static io.keymesh.config.NodeConfigKeys.IDLE_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.LISTEN;
import static io.keymesh.config.NodeConfigKeys.MAX_BYTES_PER_SECOND;
import static io.keymesh.config.NodeConfigKeys.MAX_CIRCUITS;
import static io.keymesh.config.NodeConfigKeys.MAX_CIRCUITS_PER_LINK;
import static io.keymesh.config.NodeConfigKeys.MAX_IDLE_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.MIN_IDLE_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.NETWORK_KEY;
import static io.keymesh.config.NodeConfigKeys.NAME;
import static io.keymesh.config.NodeConfigKeys.PEERS;
import static io.keymesh.config.NodeConfigKeys.PERSISTENT_KEEPALIVE;
import static io.keymesh.config.NodeConfigKeys.PRIVATE_KEY;
import static io.keymesh.config.NodeConfigKeys.PUBLIC_KEY;
import static io.keymesh.config.NodeConfigKeys.DISCOVERY;
import static io.keymesh.config.NodeConfigKeys.MAX_HOPS;
import static io.keymesh.config.NodeConfigKeys.RELAY;
import static io.keymesh.config.NodeConfigKeys.TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.VIA;
import static io.keymesh.config.NodeConfigKeys.WIREGUARD;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import io.keymesh.channel.ChannelConfig;
import io.keymesh.crypto.PublicKey;
import io.keymesh.io.UdpIo;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import io.keymesh.overlay.DiscoveryConfig;
import io.keymesh.overlay.RelayConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a {@link NodeConfig} as the HOCON {@code keymesh { ... }} block that {@link
 * NodeConfigLoader} reads: loading the text gives a configuration equal to the one written. For
 * programs that start nodes from configuration text they generate (tests, demos, benchmarks).
 *
 * <p>The secrets are written inline ({@code private-key}, {@code network-key}, base64): the text is
 * as sensitive as the private key. {@code private-key}, {@code listen}, {@code network-key} and
 * {@code peers} (with each peer's {@code public-key}) are always written; {@code aead}, the keys of
 * {@code relay}, and a peer's {@code name}, {@code endpoint}, {@code persistent-keepalive},
 * {@code wireguard} and {@code via} only when they differ from what the loader takes when they are absent. A route of one
 * relay is written as its key, a longer one as a list of keys. Values are quoted by Typesafe Config's renderer;
 * keys come in its (alphabetical) order. Addresses are written as {@link HostPort#format} writes
 * them, which leaves out an IPv6 scope. Stateless.
 */
public final class NodeConfigRenderer {
    private static final ConfigRenderOptions OPTIONS = ConfigRenderOptions.defaults()
            .setOriginComments(false).setComments(false).setJson(false).setFormatted(true);

    private NodeConfigRenderer() {}

    /**
     * The {@code keymesh} block of {@code node}, ending with a newline (so that other settings can
     * follow it in the same text).
     *
     * @throws IllegalArgumentException if {@code node} holds what the block cannot say: no network
     *     key (the loader requires one), channel settings other than {@link ChannelConfig#DEFAULT}
     *     (the loader does not read any), a route whose first relay is not a mesh peer of the node, or
     *     a relay service idle timeout or rate outside what the loader accepts
     * @throws IllegalStateException if the node's private key is closed
     */
    public static String render(NodeConfig node) {
        Objects.requireNonNull(node, "node");
        if (node.networkKey() == null) {
            throw new IllegalArgumentException("a node without a network key cannot be written as a keymesh block: "
                    + "the loader requires " + NETWORK_KEY);
        }
        if (!node.channels().equals(ChannelConfig.DEFAULT)) {
            throw new IllegalArgumentException("a node with channel settings other than the defaults cannot be written "
                    + "as a keymesh block: the block has no channel settings (got " + node.channels() + ")");
        }
        Map<String, Object> block = new LinkedHashMap<>();
        block.put(PRIVATE_KEY, node.privateKey().toBase64());
        block.put(LISTEN, HostPort.format(node.listen()));
        block.put(NETWORK_KEY, node.networkKey().toBase64());
        if (node.acceptMembers()) {
            block.put(ACCEPT_MEMBERS, true);
        }
        if (!node.aead().equals(defaultAead())) {
            block.put(AEAD, node.aead());
        }
        if (!node.ecn()) {
            block.put(ECN, false);
        }
        if (node.udpIo() != UdpIo.Mode.AUTO) {
            block.put(UDP_IO, node.udpIo().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (node.cryptoWorkers() != NodeConfig.CRYPTO_WORKERS_AUTO) {
            block.put(CRYPTO_WORKERS, node.cryptoWorkers());
        }
        List<Map<String, Object>> peers = new ArrayList<>();
        for (PeerConfig p : node.peers()) {
            for (List<PublicKey> route : p.relays()) {
                String problem = PeerConfigReader.firstRelayProblem(route, node.peers());
                if (problem != null) {
                    throw new IllegalArgumentException("the route " + route + " to " + p.publicKey()
                            + " cannot be written as a keymesh block: " + problem);
                }
            }
            peers.add(peer(p));
        }
        block.put(PEERS, peers);
        Map<String, Object> relay = relay(node.relay());
        if (!relay.isEmpty()) {
            block.put(RELAY, relay);
        }
        Map<String, Object> discovery = discovery(node.discovery());
        if (!discovery.isEmpty()) {
            block.put(DISCOVERY, discovery);
        }
        Map<String, Object> compression = compression(node.compression());
        if (!compression.isEmpty()) {
            block.put(NodeConfigKeys.COMPRESSION, compression);
        }
        return ConfigValueFactory.fromMap(Map.of(NodeConfigLoader.ROOT, block)).render(OPTIONS);
    }

    /** The compression settings that differ from reference.conf's (dictionary files as absolute paths). */
    private static Map<String, Object> compression(io.keymesh.compress.CompressionConfig c) {
        io.keymesh.compress.CompressionConfig dflt = io.keymesh.compress.CompressionConfig.DEFAULT;
        Map<String, Object> out = new LinkedHashMap<>();
        if (c.enabled() != dflt.enabled()) {
            out.put(NodeConfigKeys.ENABLED, c.enabled());
        }
        if (c.level() != dflt.level()) {
            out.put(NodeConfigKeys.LEVEL, c.level());
        }
        if (!c.dictionaries().isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (io.keymesh.compress.DictionarySource d : c.dictionaries()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put(NodeConfigKeys.NAME, d.name());
                if (d.file() != null) {
                    m.put(NodeConfigKeys.FILE, d.file().toAbsolutePath().toString());
                } else {
                    m.put(NodeConfigKeys.RESOURCE, d.resource());
                }
                list.add(m);
            }
            out.put(NodeConfigKeys.DICTIONARIES, list);
        }
        return out;
    }

    /** The discovery settings that differ from reference.conf's. */
    private static Map<String, Object> discovery(DiscoveryConfig d) {
        DiscoveryConfig dflt = DiscoveryConfigReader.defaults();
        if (d.seeksPerSecondPerOrigin() != dflt.seeksPerSecondPerOrigin() || d.seeksPerSecondPerLink() != dflt.seeksPerSecondPerLink()) {
            throw new IllegalArgumentException("seek rates other than the defaults cannot be written as a keymesh block");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (d.enabled() != dflt.enabled()) {
            out.put(ENABLED, d.enabled());
        }
        if (d.maxHops() != dflt.maxHops()) {
            out.put(MAX_HOPS, d.maxHops());
        }
        if (d.timeoutNanos() != dflt.timeoutNanos()) {
            out.put(TIMEOUT, Durations.format(Duration.ofNanos(d.timeoutNanos())));
        }
        return out;
    }

    /** The relay settings that differ from reference.conf's. */
    private static Map<String, Object> relay(RelayConfig r) {
        Duration idle = Duration.ofNanos(r.idleTimeoutNanos());
        if (idle.compareTo(MIN_IDLE_TIMEOUT) < 0 || idle.compareTo(MAX_IDLE_TIMEOUT) > 0) {
            throw new IllegalArgumentException("a relay idle timeout of " + Durations.format(idle) + " cannot be written as "
                    + "a keymesh block: the loader takes " + Durations.format(MIN_IDLE_TIMEOUT) + "..1d");
        }
        if (r.bytesPerSecond() > MAX_BYTES_PER_SECOND) {
            throw new IllegalArgumentException("a relay rate of " + r.bytesPerSecond() + " bytes per second cannot be "
                    + "written as a keymesh block: the loader takes at most " + MAX_BYTES_PER_SECOND + " (or 0, no limit)");
        }
        RelayConfig dflt = RelayConfigReader.defaults();
        Map<String, Object> relay = new LinkedHashMap<>();
        if (r.enabled() != dflt.enabled()) {
            relay.put(ENABLED, r.enabled());
        }
        if (r.maxCircuits() != dflt.maxCircuits()) {
            relay.put(MAX_CIRCUITS, r.maxCircuits());
        }
        if (r.maxCircuitsPerLink() != dflt.maxCircuitsPerLink()) {
            relay.put(MAX_CIRCUITS_PER_LINK, r.maxCircuitsPerLink());
        }
        if (r.bytesPerSecond() != dflt.bytesPerSecond()) {
            relay.put(BYTES_PER_SECOND, r.bytesPerSecond());
        }
        if (r.idleTimeoutNanos() != dflt.idleTimeoutNanos()) {
            relay.put(IDLE_TIMEOUT, Durations.format(idle));
        }
        return relay;
    }

    private static Map<String, Object> peer(PeerConfig p) {
        Map<String, Object> peer = new LinkedHashMap<>();
        peer.put(PUBLIC_KEY, p.publicKey().toBase64());
        if (p.name() != null) {
            peer.put(NAME, p.name());
        }
        if (p.endpoint() != null) {
            peer.put(ENDPOINT, HostPort.format(p.endpoint()));
        }
        if (p.persistentKeepaliveSeconds() != DEFAULT_PERSISTENT_KEEPALIVE_SECONDS) {
            peer.put(PERSISTENT_KEEPALIVE, Durations.format(Duration.ofSeconds(p.persistentKeepaliveSeconds())));
        }
        if (p.wireGuardCompatible() != DEFAULT_WIREGUARD) {
            peer.put(WIREGUARD, p.wireGuardCompatible());
        }
        if (!p.relays().isEmpty()) {
            List<Object> via = new ArrayList<>();
            for (List<PublicKey> route : p.relays()) {
                List<String> keys = route.stream().map(PublicKey::toBase64).toList();
                via.add(keys.size() == 1 ? keys.getFirst() : keys);
            }
            peer.put(VIA, via);
        }
        return peer;
    }

    /** The {@code aead} of {@code reference.conf}, which the loader takes when the block has none. */
    private static String defaultAead() {
        return NodeConfigLoader.reference().getString(NodeConfigLoader.ROOT + "." + AEAD);
    }
}
