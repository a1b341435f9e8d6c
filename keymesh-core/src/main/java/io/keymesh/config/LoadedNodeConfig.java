package io.keymesh.config;

import static io.keymesh.config.NodeConfigKeys.AEAD;
import static io.keymesh.config.NodeConfigKeys.ALLOW_NON_LOOPBACK;
import static io.keymesh.config.NodeConfigKeys.ALLOW;
import static io.keymesh.config.NodeConfigKeys.CONNECT_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.FORWARDING;
import static io.keymesh.config.NodeConfigKeys.FORWARDS;
import static io.keymesh.config.NodeConfigKeys.FROM;
import static io.keymesh.config.NodeConfigKeys.MAX_CONNECTIONS;
import static io.keymesh.config.NodeConfigKeys.OPEN_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.PEER;
import static io.keymesh.config.NodeConfigKeys.REMOTE_FORWARDS;
import static io.keymesh.config.NodeConfigKeys.REMOTE_LISTEN;
import static io.keymesh.config.NodeConfigKeys.SERVICES;
import static io.keymesh.config.NodeConfigKeys.SOCKS;
import static io.keymesh.config.NodeConfigKeys.TARGET;
import static io.keymesh.config.NodeConfigKeys.TO;
import static io.keymesh.config.NodeConfigKeys.WINDOW;
import static io.keymesh.config.NodeConfigKeys.BYTES_PER_SECOND;
import static io.keymesh.config.NodeConfigKeys.CONTROL;
import static io.keymesh.config.NodeConfigKeys.ENABLED;
import static io.keymesh.config.NodeConfigKeys.ENDPOINT;
import static io.keymesh.config.NodeConfigKeys.FILE_SUFFIX;
import static io.keymesh.config.NodeConfigKeys.IDLE_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.LISTEN;
import static io.keymesh.config.NodeConfigKeys.MAX_CIRCUITS;
import static io.keymesh.config.NodeConfigKeys.MAX_PEERS;
import static io.keymesh.config.NodeConfigKeys.METRICS;
import static io.keymesh.config.NodeConfigKeys.NETWORK_KEY;
import static io.keymesh.config.NodeConfigKeys.NAME;
import static io.keymesh.config.NodeConfigKeys.PEERS;
import static io.keymesh.config.NodeConfigKeys.PERSISTENT_KEEPALIVE;
import static io.keymesh.config.NodeConfigKeys.PRIVATE_KEY;
import static io.keymesh.config.NodeConfigKeys.PROMETHEUS;
import static io.keymesh.config.NodeConfigKeys.PUBLIC_KEY;
import static io.keymesh.config.NodeConfigKeys.RELAY;
import static io.keymesh.config.NodeConfigKeys.SOCKET;
import static io.keymesh.config.NodeConfigKeys.VIA;
import static io.keymesh.config.NodeConfigKeys.WEB;
import static io.keymesh.config.NodeConfigKeys.WIREGUARD;

import com.typesafe.config.ConfigUtil;
import io.keymesh.crypto.PublicKey;
import io.keymesh.forward.ForwardingConfig;
import io.keymesh.forward.LocalForward;
import io.keymesh.forward.RemoteForward;
import io.keymesh.forward.RemoteListenGrant;
import io.keymesh.forward.Service;
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
 * @param metrics the daemon's meters and Prometheus endpoint ({@code keymesh.metrics})
 * @param web the daemon's topology page ({@code keymesh.web})
 * @param control {@code keymesh up}'s control socket
 * @param forwarding the services this node exposes and the forwards it runs ({@code services},
 *     {@code forwards}, {@code remote-forwards}, {@code remote-listen}, {@code socks}, {@code forwarding})
 */
public record LoadedNodeConfig(NodeConfig node, Path privateKeyFile, Path networkKeyFile, List<String> warnings,
        MetricsConfig metrics, HttpEndpoint web, ControlConfig control, ForwardingConfig forwarding) {
    public LoadedNodeConfig {
        warnings = List.copyOf(warnings);
        java.util.Objects.requireNonNull(metrics, "metrics");
        java.util.Objects.requireNonNull(web, "web");
        java.util.Objects.requireNonNull(control, "control");
        if (forwarding == null) {
            forwarding = ForwardingConfig.DEFAULT;
        }
    }

    /** With the defaults of {@code reference.conf} for metrics, the topology page (both off), the control socket and forwarding (none). */
    public LoadedNodeConfig(NodeConfig node, Path privateKeyFile, Path networkKeyFile, List<String> warnings) {
        this(node, privateKeyFile, networkKeyFile, warnings, MonitoringConfigReader.defaultMetrics(),
                MonitoringConfigReader.defaultWeb(), ControlConfig.DEFAULT, ForwardingConfig.DEFAULT);
    }

    /**
     * The effective configuration as HOCON, without secrets: inline keys show as {@code "(secret)"},
     * and every setting is written, defaults too (a peer's name only when it has one). {@link NodeConfigRenderer} writes a loadable block
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
                if (p.name() != null) {
                    s.append("      " + NAME + " = ").append(quote(p.name())).append('\n');
                }
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
        s.append("  " + METRICS + " {\n");
        s.append("    " + MAX_PEERS + " = ").append(metrics.maxPeers()).append('\n');
        endpoint(s, "    ", PROMETHEUS, metrics.prometheus());
        s.append("  }\n");
        endpoint(s, "  ", WEB, web);
        s.append("  " + CONTROL + " {\n");
        s.append("    " + ENABLED + " = ").append(control.enabled()).append('\n');
        s.append("    " + SOCKET + " = ").append(control.socket() == null ? "null  # the default path"
                : quote(control.socket().toString())).append('\n');
        s.append("  }\n");
        renderForwarding(s, forwarding);
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

    private static void endpoint(StringBuilder s, String indent, String key, HttpEndpoint e) {
        s.append(indent).append(key).append(" {\n");
        s.append(indent).append("  " + ENABLED + " = ").append(e.enabled()).append('\n');
        s.append(indent).append("  " + LISTEN + " = ").append(quote(HostPort.format(e.listen()))).append('\n');
        s.append(indent).append("  " + ALLOW_NON_LOOPBACK + " = ").append(e.allowNonLoopback()).append('\n');
        s.append(indent).append("}\n");
    }

    /** The service forwarding keys, defaults too. */
    private static void renderForwarding(StringBuilder s, ForwardingConfig f) {
        if (f.services().isEmpty()) {
            s.append("  " + SERVICES + " {}\n");
        } else {
            s.append("  " + SERVICES + " {\n");
            for (Service v : f.services()) {
                s.append("    ").append(quote(v.name())).append(" { " + TARGET + " = ").append(quote(v.target().toString()));
                if (!v.allow().isEmpty()) {
                    s.append(", " + ALLOW + " = ").append(v.allow().stream().map(k -> quote(k.toBase64())).sorted()
                            .collect(Collectors.joining(", ", "[ ", " ]")));
                }
                s.append(" }").append(v.allow().isEmpty() ? "  # any member\n" : "\n");
            }
            s.append("  }\n");
        }
        s.append("  " + FORWARDS + " = [");
        for (LocalForward l : f.forwards()) {
            s.append("\n    { " + LISTEN + " = ").append(quote(HostPort.format(l.listen()))).append(", " + TO + " = ")
                    .append(quote(l.peer().toBase64() + "/" + l.service())).append(" }");
        }
        s.append(f.forwards().isEmpty() ? "]\n" : "\n  ]\n");
        s.append("  " + REMOTE_FORWARDS + " = [");
        for (RemoteForward r : f.remoteForwards()) {
            s.append("\n    { " + PEER + " = ").append(quote(r.peer().toBase64())).append(", " + LISTEN + " = ")
                    .append(quote(r.listen().toString())).append(", " + TARGET + " = ").append(quote(r.target().toString())).append(" }");
        }
        s.append(f.remoteForwards().isEmpty() ? "]\n" : "\n  ]\n");
        s.append("  " + REMOTE_LISTEN + " = [");
        for (RemoteListenGrant g : f.remoteListenGrants()) {
            s.append("\n    { " + FROM + " = ").append(quote(g.from().toBase64())).append(", " + LISTEN + " = ")
                    .append(quote(g.listen().toString())).append(" }");
        }
        s.append(f.remoteListenGrants().isEmpty() ? "]\n" : "\n  ]\n");
        s.append("  " + SOCKS + " = ").append(f.socks().stream().map(a -> quote(HostPort.format(a)))
                .collect(Collectors.joining(", ", "[", "]"))).append('\n');
        s.append("  " + FORWARDING + " {\n");
        s.append("    " + WINDOW + " = ").append(size(f.window())).append('\n');
        s.append("    " + CONNECT_TIMEOUT + " = ").append(Durations.format(f.connectTimeout())).append('\n');
        s.append("    " + OPEN_TIMEOUT + " = ").append(Durations.format(f.openTimeout())).append('\n');
        s.append("    " + MAX_CONNECTIONS + " = ").append(f.maxConnections()).append('\n');
        s.append("  }\n");
    }

    /** A size as HOCON reads it back: "1M", "256K", or bytes. */
    private static String size(long bytes) {
        if (bytes % (1 << 20) == 0) {
            return bytes / (1 << 20) + "M";
        }
        return bytes % 1024 == 0 ? bytes / 1024 + "K" : Long.toString(bytes);
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
