package io.keymesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code keymesh.metrics} and {@code keymesh.web} blocks: off and on loopback by default,
 * every bad value named with its key path and line, a listen address that is not loopback refused
 * unless allowed (and then warned about).
 */
class MonitoringConfigReaderTest {
    private static final String PRIVATE = PrivateKey.of(filled(5)).toBase64();
    private static final String NETWORK = PresharedKey.of(filled(7)).toBase64();

    @TempDir
    Path dir;

    private static byte[] filled(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return a;
    }

    /** A config whose {@code body} starts on line 4. */
    private static String conf(String body) {
        return "keymesh {\n  private-key = \"" + PRIVATE + "\"\n  network-key = \"" + NETWORK + "\"\n" + body + "}\n";
    }

    private LoadedNodeConfig load(String body) throws BadConfigException {
        return NodeConfigLoader.parse(conf(body), dir);
    }

    private List<String> problems(String body) {
        return assertThrows(BadConfigException.class, () -> load(body)).problems();
    }

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void byDefaultBothAreOffOnLoopbackWith256MeteredPeers() throws Exception {
        LoadedNodeConfig c = load("");
        assertEquals(new MetricsConfig(256, new HttpEndpoint(false, at("127.0.0.1", 9464), false)), c.metrics());
        assertEquals(new HttpEndpoint(false, at("127.0.0.1", 8480), false), c.web());
        assertEquals(List.of(), c.warnings());
        LoadedNodeConfig legacy = new LoadedNodeConfig(c.node(), null, null, List.of());
        assertEquals(c.metrics(), legacy.metrics(), "the four-argument constructor takes reference.conf's");
        assertEquals(c.web(), legacy.web());
    }

    @Test
    void enabledOnLoopbackAddresses() throws Exception {
        LoadedNodeConfig c = load("""
                  metrics { max-peers = 0, prometheus { enabled = true, listen = "127.0.0.2:0" } }
                  web.enabled = true
                  web.listen = "[::1]:8000"
                """);
        assertEquals(new MetricsConfig(0, new HttpEndpoint(true, at("127.0.0.2", 0), false)), c.metrics());
        assertEquals(new HttpEndpoint(true, at("::1", 8000), false), c.web());
        assertEquals(new HttpEndpoint(true, at("127.0.0.1", 1), false), load("  web { enabled = true, listen = \"localhost:1\" }\n").web());
    }

    @Test
    void aListenAddressThatIsNotLoopbackIsRefusedUnlessAllowedAndThenWarnedAbout() throws Exception {
        assertEquals(List.of("keymesh.web.listen: 0.0.0.0:8480 is not a loopback address: the topology page shows this"
                + " node's peers, their addresses and traffic to whoever reaches it, without authentication. Listen on"
                + " \"127.0.0.1:PORT\" or \"[::1]:PORT\" (and reach it through an SSH tunnel or a proxy), or set"
                + " keymesh.web.allow-non-loopback = true (line 4)"),
                problems("  web { enabled = true, listen = \"0.0.0.0:8480\" }\n"));
        assertEquals(List.of("keymesh.metrics.prometheus.listen: 192.0.2.1:9464 is not a loopback address: the Prometheus"
                + " endpoint shows this node's peers, their addresses and traffic to whoever reaches it, without"
                + " authentication. Listen on \"127.0.0.1:PORT\" or \"[::1]:PORT\" (and reach it through an SSH tunnel or a"
                + " proxy), or set keymesh.metrics.prometheus.allow-non-loopback = true (line 4)"),
                problems("  metrics.prometheus { enabled = true, listen = \"192.0.2.1:9464\" }\n"));
        LoadedNodeConfig allowed = load("  web { enabled = true, listen = \"0.0.0.0:8480\", allow-non-loopback = true }\n");
        assertEquals(new HttpEndpoint(true, at("0.0.0.0", 8480), true), allowed.web());
        assertEquals(List.of("keymesh.web.listen: the topology page on 0.0.0.0:8480 can be read, without authentication,"
                + " by any host that reaches that address"), allowed.warnings());
        // off: not served, so not refused
        assertEquals(new HttpEndpoint(false, at("0.0.0.0", 8480), false), load("  web.listen = \"0.0.0.0:8480\"\n").web());
    }

    @Test
    void everyBadValueIsNamedWithItsKeyPathAndLine() {
        assertEquals(List.of(
                "keymesh.metrics.max-peers: must be 0..65536 (0: node totals only), got 70000 (line 4)",
                "keymesh.metrics.prometheus.enabled: must be true or false, got \"yes\" (line 5)",
                "keymesh.metrics.prometheus.listen: port 99999 out of range 0..65535 (line 5)",
                "keymesh.web.lisen: unknown key (did you mean listen?); valid keys: allow-non-loopback, enabled, listen (line 6)",
                "keymesh.web.listen: must be a string (in quotes), got a number 8480 (line 7)"),
                problems("""
                          metrics.max-peers = 70000
                          metrics.prometheus { enabled = yes, listen = "127.0.0.1:99999" }
                          web.lisen = "127.0.0.1:1"
                          web.listen = 8480
                        """));
        assertEquals(List.of("keymesh.metrics.max-peers: must be a whole number 0..65536, got \"many\" (line 4)"),
                problems("  metrics.max-peers = many\n"));
        assertEquals(List.of("keymesh.web: must be an object { enabled = ..., listen = \"HOST:PORT\" }, got a boolean (line 4)"),
                problems("  web = true\n"));
        assertEquals(List.of("keymesh.metrics.prometheus.listen: expected \"HOST:PORT\" (IPv6 as \"[ADDRESS]:PORT\"), got \"9464\" (line 4)"),
                problems("  metrics.prometheus.listen = \"9464\"\n"));
        assertEquals(List.of("keymesh.metrics.promethus: unknown key (did you mean prometheus?); valid keys: max-peers, prometheus (line 4)"),
                problems("  metrics.promethus.enabled = true\n"));
    }

    /** The README's example turning both on loads, with the settings it says. */
    @Test
    void theReadmeExampleLoads() throws Exception {
        String readme = java.nio.file.Files.readString(Path.of("..", "README.md"));
        int prometheus = readme.indexOf("prometheus { enabled = true");
        assertEquals(true, prometheus >= 0, "no prometheus example in README.md");
        int start = readme.lastIndexOf("```hocon\n", prometheus) + 8;
        String example = readme.substring(start, readme.indexOf("```", start));
        String withKeys = example.replaceFirst("keymesh \\{", "keymesh {\n  private-key = \"" + PRIVATE
                + "\"\n  network-key = \"" + NETWORK + "\"");
        LoadedNodeConfig c = NodeConfigLoader.parse(withKeys, dir);
        assertEquals(new MetricsConfig(256, new HttpEndpoint(true, at("127.0.0.1", 9464), false)), c.metrics());
        assertEquals(new HttpEndpoint(true, at("127.0.0.1", 8480), false), c.web());
    }

    @Test
    void theEffectiveConfigShowsBothBlocksAndLoadsBackToTheSameSettings() throws Exception {
        LoadedNodeConfig c = load("  metrics { max-peers = 3, prometheus { enabled = true, listen = \"127.0.0.1:9000\" } }\n"
                + "  web { enabled = true, listen = \"[::]:8000\", allow-non-loopback = true }\n");
        String text = c.render();
        String reloadable = text.replace("private-key = \"(secret)\"", "private-key = \"" + PRIVATE + "\"")
                .replace("network-key = \"(secret)\"", "network-key = \"" + NETWORK + "\"");
        LoadedNodeConfig again = NodeConfigLoader.parse(reloadable, dir);
        assertEquals(c.metrics(), again.metrics());
        assertEquals(c.web(), again.web());
    }
}
