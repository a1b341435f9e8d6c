package io.keymesh.config;

import static io.keymesh.config.ConfigReader.present;
import static io.keymesh.config.ConfigReader.typeName;
import static io.keymesh.config.NodeConfigKeys.ALLOW_NON_LOOPBACK;
import static io.keymesh.config.NodeConfigKeys.ENABLED;
import static io.keymesh.config.NodeConfigKeys.HTTP_ENDPOINT_KEYS;
import static io.keymesh.config.NodeConfigKeys.LISTEN;
import static io.keymesh.config.NodeConfigKeys.MAX_PEERS;
import static io.keymesh.config.NodeConfigKeys.METRICS;
import static io.keymesh.config.NodeConfigKeys.METRICS_KEYS;
import static io.keymesh.config.NodeConfigKeys.PROMETHEUS;
import static io.keymesh.config.NodeConfigKeys.WEB;
import static io.keymesh.config.NodeConfigLoader.ROOT;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Reads what the daemon serves over HTTP: the {@code keymesh.metrics} object ({@code max-peers},
 * the {@code prometheus} endpoint) into a {@link MetricsConfig} and the {@code keymesh.web} object
 * (the topology page) into an {@link HttpEndpoint}, reporting each problem to its
 * {@link ConfigReader} and adding a warning for an endpoint allowed off loopback. An enabled
 * endpoint whose {@code listen} is not a loopback address is refused unless its
 * {@code allow-non-loopback} is true. Not thread-safe: one per load.
 */
final class MonitoringConfigReader {
    private final ConfigReader reader;
    private final List<String> warnings;

    MonitoringConfigReader(ConfigReader reader, List<String> warnings) {
        this.reader = reader;
        this.warnings = warnings;
    }

    /** The settings of {@code reference.conf}: metrics and the page off. */
    static MetricsConfig defaultMetrics() {
        ConfigReader reader = new ConfigReader(null);
        MetricsConfig m = new MonitoringConfigReader(reader, new java.util.ArrayList<>())
                .metrics(NodeConfigLoader.reference().getObject(ROOT));
        if (m == null) {
            throw new IllegalStateException("reference.conf's metrics object: " + String.join("; ", reader.problems()));
        }
        return m;
    }

    /** {@link #defaultMetrics()} for the topology page. */
    static HttpEndpoint defaultWeb() {
        ConfigReader reader = new ConfigReader(null);
        HttpEndpoint w = new MonitoringConfigReader(reader, new java.util.ArrayList<>()).web(NodeConfigLoader.reference().getObject(ROOT));
        if (w == null) {
            throw new IllegalStateException("reference.conf's web object: " + String.join("; ", reader.problems()));
        }
        return w;
    }

    /** The {@code metrics} object of the {@code keymesh} block {@code o} (merged over reference.conf's), or null after reporting a problem. */
    MetricsConfig metrics(ConfigObject o) {
        String path = ROOT + "." + METRICS;
        ConfigObject m = object(o, METRICS, path, "{ " + MAX_PEERS + " = ..., " + PROMETHEUS + " { ... } }");
        if (m == null) {
            return null;
        }
        reader.unknownKeys(path, m, METRICS_KEYS);
        int maxPeers = maxPeers(path + "." + MAX_PEERS, m);
        ConfigObject p = object(m, PROMETHEUS, path + "." + PROMETHEUS, endpointShape());
        HttpEndpoint prometheus = p == null ? null : endpoint(path + "." + PROMETHEUS, p, "Prometheus endpoint");
        if (maxPeers < 0 || prometheus == null) {
            return null;
        }
        return new MetricsConfig(maxPeers, prometheus);
    }

    /** The {@code web} object of the {@code keymesh} block {@code o}, or null after reporting a problem. */
    HttpEndpoint web(ConfigObject o) {
        String path = ROOT + "." + WEB;
        ConfigObject w = object(o, WEB, path, endpointShape());
        return w == null ? null : endpoint(path, w, "topology page");
    }

    private static String endpointShape() {
        return "{ " + ENABLED + " = ..., " + LISTEN + " = \"HOST:PORT\" }";
    }

    private ConfigObject object(ConfigObject parent, String key, String path, String shape) {
        ConfigValue v = parent.get(key);
        if (v == null || v.valueType() != ConfigValueType.OBJECT) {
            reader.problem(path, "must be an object " + shape + ", got " + (v == null ? "nothing" : typeName(v)),
                    v == null ? null : v.origin());
            return null;
        }
        return (ConfigObject) v;
    }

    /** One endpoint object; null after reporting a problem. {@code what} names it in the warning. */
    private HttpEndpoint endpoint(String path, ConfigObject e, String what) {
        reader.unknownKeys(path, e, HTTP_ENDPOINT_KEYS);
        boolean enabled = reader.bool(path + "." + ENABLED, e, ENABLED, false);
        boolean allow = reader.bool(path + "." + ALLOW_NON_LOOPBACK, e, ALLOW_NON_LOOPBACK, false);
        String listenPath = path + "." + LISTEN;
        ConfigValue v = present(e, LISTEN);
        if (v == null) {
            reader.problem(listenPath, "missing: give \"HOST:PORT\", e.g. \"127.0.0.1:8480\"", e.origin());
            return null;
        }
        String text = reader.string(v, listenPath);
        if (text == null) {
            return null;
        }
        InetSocketAddress listen;
        try {
            listen = HostPort.parse(text, true);
        } catch (IllegalArgumentException ex) {
            reader.problem(listenPath, ex.getMessage(), v.origin());
            return null;
        }
        HttpEndpoint endpoint = new HttpEndpoint(enabled, listen, allow);
        if (enabled && !endpoint.loopback()) {
            if (!allow) {
                reader.problem(listenPath, HostPort.format(listen) + " is not a loopback address: the " + what
                        + " shows this node's peers, their addresses and traffic to whoever reaches it, without"
                        + " authentication. Listen on \"127.0.0.1:PORT\" or \"[::1]:PORT\" (and reach it through an"
                        + " SSH tunnel or a proxy), or set " + path + "." + ALLOW_NON_LOOPBACK + " = true", v.origin());
                return null;
            }
            warnings.add(listenPath + ": the " + what + " on " + HostPort.format(listen)
                    + " can be read, without authentication, by any host that reaches that address");
        }
        return endpoint;
    }

    /** 0..{@value MetricsConfig#MAX_PEERS_LIMIT}, or -1 after reporting a problem. */
    private int maxPeers(String path, ConfigObject o) {
        return (int) reader.wholeNumber(path, o, MAX_PEERS, 0, MetricsConfig.MAX_PEERS_LIMIT, "0: node totals only",
                "0: node totals only");
    }
}
