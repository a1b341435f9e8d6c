package io.keymesh.config;

import static io.keymesh.config.NodeConfigKeys.AEAD;
import static io.keymesh.config.NodeConfigKeys.BYTES_PER_SECOND;
import static io.keymesh.config.NodeConfigKeys.ENABLED;
import static io.keymesh.config.NodeConfigKeys.ENDPOINT;
import static io.keymesh.config.NodeConfigKeys.FILE_SUFFIX;
import static io.keymesh.config.NodeConfigKeys.IDLE_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.LISTEN;
import static io.keymesh.config.NodeConfigKeys.MAX_CIRCUITS;
import static io.keymesh.config.NodeConfigKeys.NETWORK_KEY;
import static io.keymesh.config.NodeConfigKeys.PEERS;
import static io.keymesh.config.NodeConfigKeys.PERSISTENT_KEEPALIVE;
import static io.keymesh.config.NodeConfigKeys.PRIVATE_KEY;
import static io.keymesh.config.NodeConfigKeys.PUBLIC_KEY;
import static io.keymesh.config.NodeConfigKeys.RELAY;
import static io.keymesh.config.NodeConfigKeys.VIA;
import static io.keymesh.config.NodeConfigKeys.WIREGUARD;

import com.typesafe.config.ConfigUtil;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import io.keymesh.overlay.RelayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A node configuration read from a file, and where its secrets came from. The private key in
 * {@link #node()} belongs to whoever loaded it: close it when done.
 *
 * @param node the configuration to start a node with
 * @param privateKeyFile the file the private key was read from, or null if it was inline
 * @param networkKeyFile the file the network key was read from, or null if it was inline
 * @param warnings things that work but deserve attention (a key file others can read)
 */
public record LoadedNodeConfig(NodeConfig node, Path privateKeyFile, Path networkKeyFile, List<String> warnings) {
    public LoadedNodeConfig {
        warnings = List.copyOf(warnings);
    }

    /**
     * The effective configuration as HOCON, without secrets: inline keys show as {@code "(secret)"},
     * and every setting is written, defaults too. {@link NodeConfigRenderer} writes a loadable block
     * with the secrets inline.
     */
    public String render() {
        StringBuilder s = new StringBuilder();
        s.append("# effective configuration; secrets are not shown\n");
        s.append("# public key of this node: ").append(node.privateKey().publicKey().toBase64()).append('\n');
        s.append(NodeConfigLoader.ROOT).append(" {\n");
        secret(s, PRIVATE_KEY, privateKeyFile);
        s.append("  " + LISTEN + " = ").append(quote(HostPort.format(node.listen()))).append('\n');
        secret(s, NETWORK_KEY, networkKeyFile);
        s.append("  " + AEAD + " = ").append(node.aead()).append('\n');
        if (node.peers().isEmpty()) {
            s.append("  " + PEERS + " = []\n");
        } else {
            s.append("  " + PEERS + " = [\n");
            for (PeerConfig p : node.peers()) {
                s.append("    {\n");
                s.append("      " + PUBLIC_KEY + " = ").append(quote(p.publicKey().toBase64())).append('\n');
                s.append("      " + ENDPOINT + " = ").append(p.endpoint() == null ? "null" : quote(HostPort.format(p.endpoint()))).append('\n');
                s.append("      " + PERSISTENT_KEEPALIVE + " = ").append(p.persistentKeepaliveSeconds()).append("s\n");
                s.append("      " + WIREGUARD + " = ").append(p.wireGuardCompatible()).append('\n');
                s.append("      " + VIA + " = ").append(via(p.relays())).append('\n');
                s.append("    }\n");
            }
            s.append("  ]\n");
        }
        RelayConfig r = node.relay();
        s.append("  " + RELAY + " {\n");
        s.append("    " + ENABLED + " = ").append(r.enabled()).append('\n');
        s.append("    " + MAX_CIRCUITS + " = ").append(r.maxCircuits()).append('\n');
        s.append("    " + BYTES_PER_SECOND + " = ").append(r.bytesPerSecond()).append(r.bytesPerSecond() == 0 ? "  # no limit\n" : "\n");
        s.append("    " + IDLE_TIMEOUT + " = ").append(Durations.format(Duration.ofNanos(r.idleTimeoutNanos()))).append('\n');
        s.append("  }\n");
        io.keymesh.compress.CompressionConfig c = node.compression();
        s.append("  " + NodeConfigKeys.COMPRESSION + " {\n");
        s.append("    " + ENABLED + " = ").append(c.enabled()).append('\n');
        s.append("    " + NodeConfigKeys.LEVEL + " = ").append(c.level()).append('\n');
        s.append("    " + NodeConfigKeys.DICTIONARIES + " = [");
        for (io.keymesh.compress.DictionarySource d : c.dictionaries()) {
            s.append("\n      { " + NodeConfigKeys.NAME + " = ").append(quote(d.name())).append(", ")
                    .append(d.file() != null ? NodeConfigKeys.FILE + " = " + quote(d.file().toString())
                            : NodeConfigKeys.RESOURCE + " = " + quote(d.resource())).append(" }");
        }
        s.append(c.dictionaries().isEmpty() ? "]\n" : "\n    ]\n");
        s.append("  }\n");
        s.append("}\n");
        return s.toString();
    }

    /** {@code [ "R1", [ "R2", "R3" ] ]}: a route of one relay as its key, a longer one as a list. */
    private static String via(List<List<PublicKey>> routes) {
        if (routes.isEmpty()) {
            return "[]";
        }
        return routes.stream()
                .map(route -> route.size() == 1 ? quote(route.getFirst().toBase64())
                        : route.stream().map(k -> quote(k.toBase64())).collect(Collectors.joining(", ", "[ ", " ]")))
                .collect(Collectors.joining(", ", "[ ", " ]"));
    }

    private static void secret(StringBuilder s, String key, Path file) {
        if (file != null) {
            s.append("  ").append(key).append(FILE_SUFFIX).append(" = ").append(quote(file.toString())).append('\n');
        } else {
            s.append("  ").append(key).append(" = \"(secret)\"\n");
        }
    }

    private static String quote(String text) {
        return ConfigUtil.quoteString(text);
    }
}
