package io.keymesh.config;

import static io.keymesh.config.NodeConfigLoaderTest.NETWORK;
import static io.keymesh.config.NodeConfigLoaderTest.OWN_PUBLIC;
import static io.keymesh.config.NodeConfigLoaderTest.PEER_1;
import static io.keymesh.config.NodeConfigLoaderTest.PEER_2;
import static io.keymesh.config.NodeConfigLoaderTest.PRIVATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keymesh.forward.ForwardingConfig;
import io.keymesh.forward.LocalForward;
import io.keymesh.forward.RemoteForward;
import io.keymesh.forward.RemoteListenGrant;
import io.keymesh.forward.Service;
import io.keymesh.forward.TcpAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service forwarding in the config file: {@code services}, {@code forwards}, {@code
 * remote-forwards}, {@code remote-listen} and {@code forwarding}, with each bad value's exact
 * message naming the key path, why and the line.
 */
class ForwardingConfigTest {
    @TempDir
    Path dir;

    /** A config with the two keys on lines 2 and 3, PEER_1 as a peer on line 4, and {@code body} from line 5. */
    private static String conf(String body) {
        return "keymesh {\n  private-key = \"" + PRIVATE + "\"\n  network-key = \"" + NETWORK + "\"\n"
                + "  peers = [ { public-key = " + q(PEER_1.toBase64()) + " } ]\n" + body + "}\n";
    }

    private static String q(String s) {
        return "\"" + s + "\"";
    }

    private LoadedNodeConfig load(String text) throws BadConfigException {
        return NodeConfigLoader.parse(text, dir);
    }

    private void assertProblems(String text, String... expected) {
        assertEquals(List.of(expected), assertThrows(BadConfigException.class, () -> load(text)).problems());
    }

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void nothingIsForwardedByDefault() throws Exception {
        assertEquals(ForwardingConfig.DEFAULT, load(conf("")).forwarding());
    }

    @Test
    void aFullForwardingConfig() throws Exception {
        LoadedNodeConfig loaded = load(conf("""
                  services {
                    db = "10.0.0.5:5432"
                    web { target = "intranet.example:443", allow = [ "%s", "%s" ] }
                    "api.v2" { target = "[2001:db8::7]:8080" }
                  }
                  forwards = [
                    { listen = "127.0.0.1:15432", to = "%s/db" }
                    { listen = "[::1]:8443", to = "%s/web" }
                  ]
                  remote-forwards = [ { peer = "%s", listen = "0.0.0.0:8080", target = "127.0.0.1:3000" } ]
                  remote-listen = [ { from = "%s", listen = "0.0.0.0:9090" } ]
                  forwarding { window = 256K, connect-timeout = 3s, open-timeout = 20s, max-connections = 64 }
                  socks = [ "127.0.0.1:1080", "[::1]:0" ]
                """.formatted(PEER_1.toBase64(), PEER_2.toBase32(), PEER_1.toBase64(), PEER_1.toBase32(), PEER_1.toBase64(),
                PEER_2.toBase64())));
        ForwardingConfig expected = new ForwardingConfig(
                List.of(new Service("api.v2", new TcpAddress("2001:db8::7", 8080), Set.of()),
                        Service.of("db", new TcpAddress("10.0.0.5", 5432)),
                        new Service("web", new TcpAddress("intranet.example", 443), Set.of(PEER_1, PEER_2))),
                List.of(new LocalForward(at("127.0.0.1", 15432), PEER_1, "db"), new LocalForward(at("::1", 8443), PEER_1, "web")),
                List.of(new RemoteForward(PEER_1, new TcpAddress("0.0.0.0", 8080), new TcpAddress("127.0.0.1", 3000))),
                List.of(new RemoteListenGrant(PEER_2, new TcpAddress("0.0.0.0", 9090))),
                256 << 10, Duration.ofSeconds(3), Duration.ofSeconds(20), 64, List.of(at("127.0.0.1", 1080), at("::1", 0)));
        assertEquals(expected, loaded.forwarding());
        assertEquals(List.of(), loaded.warnings());
    }

    @Test
    void theEffectiveConfigShowsForwardingAndLoadsBackToTheSameSettings() throws Exception {
        LoadedNodeConfig loaded = load(conf("""
                  services { db = "10.0.0.5:5432", web { target = "h:1", allow = [ "%s" ] } }
                  forwards = [ { listen = "127.0.0.1:15432", to = "%s/db" } ]
                  remote-forwards = [ { peer = "%s", listen = "0.0.0.0:8080", target = "127.0.0.1:3000" } ]
                  remote-listen = [ { from = "%s", listen = "[::]:9090" } ]
                  forwarding.window = 128K
                  socks = [ "127.0.0.1:1080" ]
                """.formatted(PEER_2.toBase64(), PEER_1.toBase64(), PEER_1.toBase64(), PEER_2.toBase64())));
        String reloadable = loaded.render().replace("private-key = \"(secret)\"", "private-key = \"" + PRIVATE + "\"")
                .replace("network-key = \"(secret)\"", "network-key = \"" + NETWORK + "\"");
        assertEquals(loaded.forwarding(), load(reloadable).forwarding(), reloadable);
    }

    @Test
    void aForwardToAKeyThatIsNotAPeerIsAWarning() throws Exception {
        LoadedNodeConfig loaded = load(conf("  forwards = [ { listen = \"127.0.0.1:1\", to = \"" + PEER_2.toBase64() + "/db\" } ]\n"));
        assertEquals(List.of("keymesh.forwards[0].to: " + PEER_2.toBase64() + " is not in peers: its connections fail until it is added"),
                loaded.warnings());
        LoadedNodeConfig members = load(conf("  accept-members = true\n  forwards = [ { listen = \"127.0.0.1:1\", to = \""
                + PEER_2.toBase64() + "/db\" } ]\n"));
        assertEquals(List.of(), members.warnings());
    }

    @Test
    void serviceErrors() {
        String p = "keymesh.services";
        assertProblems(conf("  services = [ ]\n"),
                p + ": must be an object { NAME { target = \"HOST:PORT\", allow = [ KEYS ] }, ... }, got a list (line 5)");
        assertProblems(conf("  services { db = \"10.0.0.5\" }\n"),
                p + ".db: expected \"HOST:PORT\" (IPv6 as \"[ADDRESS]:PORT\"), got \"10.0.0.5\" (line 5)");
        assertProblems(conf("  services { db = \"10.0.0.5:99999\" }\n"), p + ".db: port 99999 out of range 1..65535 (line 5)");
        assertProblems(conf("  services { db = \"10.0.0.5:0\" }\n"), p + ".db: port 0 out of range 1..65535 (line 5)");
        assertProblems(conf("  services { db = 5432 }\n"),
                p + ".db: must be \"HOST:PORT\" or { target = \"HOST:PORT\", allow = [ KEYS ] }, got a number (line 5)");
        assertProblems(conf("  services { db { allow = [ \"" + PEER_1.toBase64() + "\" ] } }\n"),
                p + ".db.target: missing: give \"HOST:PORT\", where this node connects for the service (line 5)");
        assertProblems(conf("  services { db { target = \"h:1\", allow = [] } }\n"),
                p + ".db.allow: is empty, which would let nobody in: list keys, or leave allow out to let any member use the service (line 5)");
        assertProblems(conf("  services { db { target = \"h:1\", allow = [ \"nope\" ] } }\n"),
                p + ".db.allow[0]: a public key is 44 characters of base64 or 52 of base32, got 4 characters (line 5)");
        assertProblems(conf("  services { db { target = \"h:1\", allow = [ \"" + PEER_1.toBase64() + "\", \"" + PEER_1.toBase32()
                + "\" ] } }\n"), p + ".db.allow[1]: listed twice (line 5)");
        assertProblems(conf("  services { db { target = \"h:1\", alow = [] } }\n"),
                p + ".db.alow: unknown key (did you mean allow?); valid keys: allow, target (line 5)");
        assertProblems(conf("  services { \"-db\" = \"h:1\" }\n"), p + ".-db: a service name is 1..63 letters, digits, '.', '_' "
                + "or '-', starting with a letter or digit; got \"-db\" (line 5)");
    }

    @Test
    void forwardErrors() {
        String p = "keymesh.forwards";
        String to = PEER_1.toBase64() + "/db";
        assertProblems(conf("  forwards = { }\n"),
                p + ": must be a list [ { listen = \"HOST:PORT\", to = \"KEY/SERVICE\" }, ... ], got an object (line 5)");
        assertProblems(conf("  forwards = [ \"x\" ]\n"),
                p + "[0]: must be an object { listen = \"HOST:PORT\", to = \"KEY/SERVICE\" }, got a string \"x\" (line 5)");
        assertProblems(conf("  forwards = [ { listen = \"127.0.0.1\", to = \"" + to + "\" } ]\n"),
                p + "[0].listen: expected \"HOST:PORT\" (IPv6 as \"[ADDRESS]:PORT\"), got \"127.0.0.1\" (line 5)");
        assertProblems(conf("  forwards = [ { to = \"" + to + "\" } ]\n"),
                p + "[0].listen: missing: give \"HOST:PORT\" to listen on, e.g. \"127.0.0.1:15432\" (line 5)");
        assertProblems(conf("  forwards = [ { listen = \"127.0.0.1:1\" } ]\n"),
                p + "[0].to: missing: give \"KEY/SERVICE\", the node and the name of its service (line 5)");
        assertProblems(conf("  forwards = [ { listen = \"127.0.0.1:1\", to = \"db\" } ]\n"),
                p + "[0].to: expected \"KEY/SERVICE\" (the node's public key, a slash, the service's name), got \"db\" (line 5)");
        assertProblems(conf("  forwards = [ { listen = \"127.0.0.1:1\", to = \"abc/db\" } ]\n"),
                p + "[0].to: a public key is 44 characters of base64 or 52 of base32, got 3 characters (line 5)");
        assertProblems(conf("  forwards = [ { listen = \"127.0.0.1:1\", to = \"" + OWN_PUBLIC + "/db\" } ]\n"),
                p + "[0].to: is this node's own public key (line 5)");
        assertProblems(conf("  forwards = [ { listen = \"127.0.0.1:1\", to = \"" + PEER_1.toBase64() + "/d b\" } ]\n"),
                p + "[0].to: a service name is 1..63 letters, digits, '.', '_' or '-', starting with a letter or digit; got \"d b\" (line 5)");
        assertProblems(conf("  forwards = [\n    { listen = \"127.0.0.1:7\", to = \"" + to + "\" }\n    { listen = \"127.0.0.1:7\", to = \""
                + to + "\" }\n  ]\n"), p + "[1].listen: 127.0.0.1:7 is also the listen address of keymesh.forwards[0] (line 7)");
        assertProblems(conf("  forwards = [ { listen = \"127.0.0.1:1\", to = \"" + to + "\", port = 5 } ]\n"),
                p + "[0].port: unknown key; valid keys: listen, to (line 5)");
    }

    @Test
    void remoteForwardAndGrantErrors() {
        String r = "keymesh.remote-forwards";
        assertProblems(conf("  remote-forwards = [ { listen = \"0.0.0.0:1\", target = \"h:2\" } ]\n"),
                r + "[0].peer: missing: give the public key of the node asked to listen (line 5)");
        assertProblems(conf("  remote-forwards = [ { peer = \"" + PEER_1.toBase64() + "\", listen = \"0.0.0.0:0\", target = \"h:2\" } ]\n"),
                r + "[0].listen: port 0 out of range 1..65535 (line 5)");
        assertProblems(conf("  remote-forwards = [ { peer = \"" + PEER_1.toBase64() + "\", listen = \"0.0.0.0:1\" } ]\n"),
                r + "[0].target: missing: give \"HOST:PORT\", where this node connects what the peer forwards (line 5)");
        String one = "{ peer = \"" + PEER_1.toBase64() + "\", listen = \"0.0.0.0:1\", target = \"h:2\" }";
        assertProblems(conf("  remote-forwards = [\n    " + one + "\n    " + one + "\n  ]\n"),
                r + "[1].listen: the same peer and address as keymesh.remote-forwards[0] (line 7)");
        String g = "keymesh.remote-listen";
        assertProblems(conf("  remote-listen = [ { from = \"x\", listen = \"0.0.0.0:1\" } ]\n"),
                g + "[0].from: a public key is 44 characters of base64 or 52 of base32, got 1 characters (line 5)");
        assertProblems(conf("  remote-listen = [ { from = \"" + PEER_1.toBase64() + "\" } ]\n"),
                g + "[0].listen: missing: give \"HOST:PORT\", the address it may ask this node to listen at (line 5)");
    }

    @Test
    void socksErrors() {
        String p = "keymesh.socks";
        assertProblems(conf("  socks = \"127.0.0.1:1080\"\n"),
                p + ": must be a list of addresses to listen on [ \"127.0.0.1:1080\", ... ], got a string (line 5)");
        assertProblems(conf("  socks = [ \"127.0.0.1\" ]\n"),
                p + "[0]: expected \"HOST:PORT\" (IPv6 as \"[ADDRESS]:PORT\"), got \"127.0.0.1\" (line 5)");
        assertProblems(conf("  socks = [ \"127.0.0.1:7\" ]\n  forwards = [ { listen = \"127.0.0.1:7\", to = \"" + PEER_1.toBase64()
                + "/db\" } ]\n"), p + "[0]: 127.0.0.1:7 is also another listener's address (forwards or socks) (line 5)");
    }

    @Test
    void forwardingLimitErrors() {
        String p = "keymesh.forwarding";
        assertProblems(conf("  forwarding.window = 1K\n"), p + ".window: must be 64K..64M, got 1K (line 5)");
        assertProblems(conf("  forwarding.window = 1G\n"), p + ".window: must be 64K..64M, got 1G (line 5)");
        assertProblems(conf("  forwarding.window = lots\n"), p + ".window: not a size (e.g. 1M, 256K, 1048576): \"lots\" (line 5)");
        assertProblems(conf("  forwarding.connect-timeout = 1ms\n"), p + ".connect-timeout: must be 100ms..10m, got 1ms (line 5)");
        assertProblems(conf("  forwarding.open-timeout = 1h\n"), p + ".open-timeout: must be 100ms..10m, got 1h (line 5)");
        assertProblems(conf("  forwarding.max-connections = 0\n"), p + ".max-connections: must be 1..1048576, got 0 (line 5)");
        assertProblems(conf("  forwarding.windw = 1M\n"),
                p + ".windw: unknown key (did you mean window?); valid keys: connect-timeout, max-connections, open-timeout, window (line 5)");
    }

    /** The README's two forwarding examples load (with key files beside them), so the documentation stays true. */
    @Test
    void theReadmeForwardingExamplesLoad() throws Exception {
        String readme = java.nio.file.Files.readString(Path.of("..", "README.md"));
        java.nio.file.Files.writeString(dir.resolve("node.key"), io.keymesh.crypto.PrivateKey.of(filled(9)).toBase64() + "\n");
        java.nio.file.Files.writeString(dir.resolve("network.key"), NETWORK + "\n");
        java.nio.file.Files.setPosixFilePermissions(dir.resolve("node.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        java.nio.file.Files.setPosixFilePermissions(dir.resolve("network.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        ForwardingConfig exposing = load(hoconBlockWith(readme, "services {")).forwarding();
        assertEquals(List.of("db", "metrics"), exposing.services().stream().map(Service::name).toList());
        assertEquals(new TcpAddress("10.0.0.5", 5432), exposing.services().getFirst().target());
        assertEquals(1, exposing.services().getFirst().allow().size());
        assertEquals(Set.of(), exposing.services().get(1).allow());
        LoadedNodeConfig laptop = load(hoconBlockWith(readme, "forwards = ["));
        assertEquals(List.of(new LocalForward(at("127.0.0.1", 15432), io.keymesh.crypto.PublicKey.fromBase64(OWN_PUBLIC), "db")),
                laptop.forwarding().forwards());
        assertEquals(List.of(), laptop.warnings());
    }

    private static String hoconBlockWith(String text, String needle) {
        int at = text.indexOf(needle);
        int start = text.lastIndexOf("```hocon\n", at);
        return text.substring(start + 8, text.indexOf("```", start + 8));
    }

    private static byte[] filled(int b) {
        byte[] a = new byte[32];
        java.util.Arrays.fill(a, (byte) b);
        return a;
    }
}
