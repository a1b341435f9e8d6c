package io.keymesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config loader: a full config maps to the expected {@link NodeConfig}, defaults come from
 * reference.conf, and every bad value gets its exact message naming the key path, why and the line.
 */
class NodeConfigLoaderTest {
    /** RFC 7748 section 6.1: Alice's private key, and her public key. */
    static final String PRIVATE = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
    static final String OWN_PUBLIC = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
    static final String NETWORK = PresharedKey.of(filled(7)).toBase64();
    static final PublicKey PEER_1 = PrivateKey.of(filled(1)).publicKey();
    static final PublicKey PEER_2 = PrivateKey.of(filled(2)).publicKey();
    static final PublicKey PEER_3 = PrivateKey.of(filled(3)).publicKey();
    static final String VALID_KEYS = "valid keys: aead, listen, network-key, network-key-file, peers, private-key, private-key-file";

    @TempDir
    Path dir;

    private static byte[] filled(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return a;
    }

    /** A config with the two keys on lines 2 and 3 and {@code body} from line 4. */
    private static String conf(String body) {
        return "keymesh {\n  private-key = \"" + PRIVATE + "\"\n  network-key = \"" + NETWORK + "\"\n" + body + "}\n";
    }

    private LoadedNodeConfig load(String text) throws BadConfigException {
        return NodeConfigLoader.parse(text, dir);
    }

    private List<String> problems(String text) {
        return assertThrows(BadConfigException.class, () -> load(text)).problems();
    }

    private void assertProblem(String expected, String text) {
        assertEquals(List.of(expected), problems(text));
    }

    private static InetSocketAddress address(String ip, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void aFullConfigGivesTheExpectedNodeConfig() throws Exception {
        LoadedNodeConfig loaded = load("""
                keymesh {
                  private-key = "%s"
                  listen = "[::]:51820"
                  network-key = "%s"
                  aead = portable
                  peers = [
                    { public-key = "%s", endpoint = "192.0.2.1:51820", persistent-keepalive = 25s }
                    { public-key = "%s", endpoint = "[2001:db8::1]:4500", wireguard = true }
                    { public-key = "%s", persistent-keepalive = "2 minutes", wireguard = false }
                  ]
                }
                """.formatted(PRIVATE, NETWORK, PEER_1.toBase64(), PEER_2.toBase32(), PEER_3.toBase64()));
        NodeConfig expected = new NodeConfig(PrivateKey.fromBase64(PRIVATE), address("::", 51820),
                PresharedKey.fromBase64(NETWORK), List.of(
                        new PeerConfig(PEER_1, address("192.0.2.1", 51820), 25, false),
                        new PeerConfig(PEER_2, address("2001:db8::1", 4500), 0, true),
                        new PeerConfig(PEER_3, null, 120, false)),
                "portable");
        assertEquals(expected, loaded.node());
        assertEquals(OWN_PUBLIC, loaded.node().privateKey().publicKey().toBase64());
        assertNull(loaded.privateKeyFile());
        assertNull(loaded.networkKeyFile());
        assertEquals(List.of(), loaded.warnings());
    }

    @Test
    void defaultsComeFromReferenceConf() throws Exception {
        NodeConfig node = load(conf("")).node();
        assertEquals(address("0.0.0.0", 51820), node.listen());
        assertEquals("jdk", node.aead());
        assertEquals(List.of(), node.peers());
    }

    @Test
    void peerKeysInBase32AreTheSameKeysAsInBase64() throws Exception {
        String b32 = PEER_1.toBase32();
        assertEquals(52, b32.length());
        NodeConfig lower = load(conf("  peers = [ { public-key = \"" + b32 + "\" } ]\n")).node();
        NodeConfig upper = load(conf("  peers = [ { public-key = \"" + b32.toUpperCase() + "\" } ]\n")).node();
        assertEquals(PEER_1, lower.peers().get(0).publicKey());
        assertEquals(PEER_1, upper.peers().get(0).publicKey());
    }

    @Test
    void keepaliveDurations() throws Exception {
        for (var c : List.of(new Object[] {"25s", 25}, new Object[] {"\"1 m\"", 60}, new Object[] {"0", 0},
                new Object[] {"0s", 0}, new Object[] {"65535s", 65535}, new Object[] {"2000ms", 2}, new Object[] {"1h", 3600})) {
            NodeConfig node = load(conf("  peers = [ { public-key = \"" + PEER_1 + "\", persistent-keepalive = " + c[0] + " } ]\n")).node();
            assertEquals(c[1], node.peers().get(0).persistentKeepaliveSeconds(), c[0].toString());
        }
    }

    @Test
    void keepaliveErrors() {
        String path = "keymesh.peers[0].persistent-keepalive: ";
        for (String[] c : List.of(
                new String[] {"25", "a duration needs a unit, e.g. 25s (units: ms, s, m, h, d), got 25"},
                new String[] {"-5s", "must not be negative, got -5s"},
                new String[] {"1500ms", "must be whole seconds (WireGuard's unit), got 1500ms"},
                new String[] {"20h", "at most 65535s, got 20h"},
                new String[] {"soon", "not a duration (e.g. 25s, 500ms, 2m): \"soon\""},
                new String[] {"[25s]", "must be a duration such as 25s, got a list"})) {
            assertProblem(path + c[1] + " (line 4)",
                    conf("  peers = [ { public-key = \"" + PEER_1 + "\", persistent-keepalive = " + c[0] + " } ]\n"));
        }
    }

    @Test
    void keysFromFilesRelativeToTheConfigDirectory() throws Exception {
        Path keyFile = write("node.key", PRIVATE + "\n", "rw-------");
        Path netFile = write("net.key", NETWORK + "\n", "rw-------");
        LoadedNodeConfig loaded = load("keymesh { private-key-file = node.key, network-key-file = \"" + netFile + "\" }");
        assertEquals(PrivateKey.fromBase64(PRIVATE), loaded.node().privateKey());
        assertEquals(PresharedKey.fromBase64(NETWORK), loaded.node().networkKey());
        assertEquals(keyFile, loaded.privateKeyFile());
        assertEquals(netFile, loaded.networkKeyFile());
        assertEquals(List.of(), loaded.warnings());
    }

    @Test
    void aKeyFileOthersCanReadIsAWarning() throws Exception {
        Path keyFile = write("node.key", PRIVATE, "rw-r--r--");
        LoadedNodeConfig loaded = load("keymesh { private-key-file = node.key, network-key = \"" + NETWORK + "\" }");
        assertEquals(List.of("keymesh.private-key-file: " + keyFile + " can be read by others than its owner (chmod 600 it)"),
                loaded.warnings());
    }

    @Test
    void keyFileErrors() throws Exception {
        assertProblem("keymesh.private-key-file: " + dir.resolve("nope.key") + ": no such file (line 1)",
                "keymesh { private-key-file = nope.key, network-key = \"" + NETWORK + "\" }");
        Path bad = write("bad.key", "hello\n", "rw-------");
        assertProblem("keymesh.private-key-file: " + bad + ": a key is 44 characters of base64 ending in '=', got 5 characters (line 1)",
                "keymesh { private-key-file = bad.key, network-key = \"" + NETWORK + "\" }");
        assertProblem("keymesh.network-key-file: " + dir + ": is a directory (line 1)",
                "keymesh { private-key = \"" + PRIVATE + "\", network-key-file = \"" + dir + "\" }");
    }

    @Test
    void privateKeyErrors() {
        String netLine = "  network-key = \"" + NETWORK + "\"\n";
        assertProblem("keymesh.private-key: missing: give private-key (base64, as `keymesh genkey` prints it) "
                + "or private-key-file (a file holding it)", "keymesh {\n" + netLine + "}");
        assertProblem("keymesh.private-key: give exactly one of private-key and private-key-file, not both (line 2)",
                conf("  private-key-file = node.key\n"));
        String notBase64 = "*".repeat(43) + "=";
        assertProblem("keymesh.private-key: not base64: Illegal base64 character 2a (line 2)",
                "keymesh {\n  private-key = \"" + notBase64 + "\"\n" + netLine + "}");
        assertProblem("keymesh.private-key: a key is 44 characters of base64 ending in '=', got 7 characters (line 2)",
                "keymesh {\n  private-key = \"abcdefg\"\n" + netLine + "}");
        assertProblem("keymesh.private-key: must be a string (in quotes), got a number 12345 (line 2)",
                "keymesh {\n  private-key = 12345\n" + netLine + "}");
    }

    @Test
    void theNetworkKeyIsRequiredAndTheMessageSaysWhy() {
        assertProblem("keymesh.network-key: missing: give network-key (base64, as `keymesh genpsk` prints it) or "
                + "network-key-file (a file holding it). Every member of a mesh holds the same network key; a node "
                + "without it gets no answer, and a stock WireGuard peer uses it as its PresharedKey",
                "keymesh { private-key = \"" + PRIVATE + "\" }");
        assertProblem("keymesh.network-key: give exactly one of network-key and network-key-file, not both (line 3)",
                conf("  network-key-file = net.key\n"));
        assertProblem("keymesh.network-key: a key is 44 characters of base64 ending in '=', got 3 characters (line 1)",
                "keymesh { private-key = \"" + PRIVATE + "\", network-key = abc }");
    }

    @Test
    void listenErrors() {
        assertProblem("keymesh.listen: port 70000 out of range 0..65535 (line 4)", conf("  listen = \"0.0.0.0:70000\"\n"));
        assertProblem("keymesh.listen: expected \"HOST:PORT\" (IPv6 as \"[ADDRESS]:PORT\"), got \"0.0.0.0\" (line 4)",
                conf("  listen = \"0.0.0.0\"\n"));
        assertProblem("keymesh.listen: write an IPv6 address in brackets, \"[ADDRESS]:PORT\", got \"::1:5\" (line 4)",
                conf("  listen = \"::1:5\"\n"));
        assertProblem("keymesh.listen: port \"http\" is not a number (line 4)", conf("  listen = \"0.0.0.0:http\"\n"));
        assertProblem("keymesh.listen: no host in \":51820\" (all addresses: \"0.0.0.0:PORT\" or \"[::]:PORT\") (line 4)",
                conf("  listen = \":51820\"\n"));
        assertProblem("keymesh.listen: unknown host no-such-host.invalid (line 4)",
                conf("  listen = \"no-such-host.invalid:5\"\n"));
        assertProblem("keymesh.listen: must be a string (in quotes), got a number 51820 (line 4)", conf("  listen = 51820\n"));
    }

    @Test
    void listenAcceptsIpv6AndPortZero() throws Exception {
        assertEquals(address("::1", 0), load(conf("  listen = \"[::1]:0\"\n")).node().listen());
        assertEquals(address("127.0.0.1", 9), load(conf("  listen = \"127.0.0.1:9\"\n")).node().listen());
    }

    @Test
    void aeadMustBeJdkOrPortable() {
        assertProblem("keymesh.aead: must be jdk or portable, got \"fast\" (line 4)", conf("  aead = fast\n"));
    }

    @Test
    void unknownKeysAreRefusedWithTheValidOnes() {
        assertProblem("keymesh.privat-key-file: unknown key (did you mean private-key-file?); " + VALID_KEYS + " (line 4)",
                conf("  privat-key-file = x\n"));
        assertProblem("keymesh.colour: unknown key; " + VALID_KEYS + " (line 4)", conf("  colour = red\n"));
        assertProblem("keymesh.peers[0].endpiont: unknown key (did you mean endpoint?); valid keys: endpoint, "
                + "persistent-keepalive, public-key, wireguard (line 4)",
                conf("  peers = [ { public-key = \"" + PEER_1 + "\", endpiont = \"192.0.2.1:5\" } ]\n"));
    }

    @Test
    void theFileMustHaveAKeymeshBlock() {
        assertProblem("keymesh: missing: the file has no keymesh { ... } block; its top-level keys are keymsh",
                "keymsh { listen = \"0.0.0.0:1\" }");
        assertProblem("keymesh: missing: the file has no keymesh { ... } block (it is empty)", "");
        assertProblem("keymesh: must be an object { ... }, got a number (line 1)", "keymesh = 5");
    }

    @Test
    void peerErrors() {
        String p = "keymesh.peers";
        assertProblem(p + ": must be a list [ { public-key = ..., endpoint = ... }, ... ], got a string (line 4)",
                conf("  peers = \"x\"\n"));
        assertProblem(p + "[0]: must be an object { public-key = ..., endpoint = ... }, got a string (line 4)",
                conf("  peers = [ \"x\" ]\n"));
        assertProblem(p + "[0].public-key: missing: every peer needs its public key (base64, as `keymesh pubkey` "
                + "prints it, or base32) (line 4)", conf("  peers = [ { endpoint = \"192.0.2.1:5\" } ]\n"));
    }

    @Test
    void peerPublicKeyErrors() {
        String first = "  peers = [\n    { public-key = \"" + PEER_1 + "\" }\n";
        String prefix = "keymesh.peers[1].public-key: ";
        assertProblem(prefix + "not base64: Illegal base64 character 2a (line 6)",
                conf(first + "    { public-key = \"" + "*".repeat(43) + "=\" }\n  ]\n"));
        assertProblem(prefix + "a public key is 44 characters of base64 or 52 of base32, got 10 characters (line 6)",
                conf(first + "    { public-key = \"abcdefghij\" }\n  ]\n"));
        assertProblem(prefix + "not base32: character '!' at 3 (line 6)",
                conf(first + "    { public-key = \"abc!" + "a".repeat(48) + "\" }\n  ]\n"));
        assertProblem(prefix + "is this node's own public key (line 6)",
                conf(first + "    { public-key = \"" + OWN_PUBLIC + "\" }\n  ]\n"));
        assertProblem(prefix + "the same key as keymesh.peers[0]: a peer is listed once (line 6)",
                conf(first + "    { public-key = \"" + PEER_1.toBase32() + "\" }\n  ]\n"));
        assertProblem(prefix + "not a usable key (a low-order point) (line 6)",
                conf(first + "    { public-key = \"" + PublicKey.of(new byte[32]) + "\" }\n  ]\n"));
    }

    @Test
    void peerEndpointErrors() {
        String peer = "  peers = [ { public-key = \"" + PEER_1 + "\", endpoint = %s } ]\n";
        String prefix = "keymesh.peers[0].endpoint: ";
        assertProblem(prefix + "port 0 out of range 1..65535 (line 4)", conf(peer.formatted("\"192.0.2.1:0\"")));
        assertProblem(prefix + "port 65536 out of range 1..65535 (line 4)", conf(peer.formatted("\"192.0.2.1:65536\"")));
        assertProblem(prefix + "IPv6 endpoint [2001:db8:0:0:0:0:0:1]:5 cannot be reached from the IPv4 listen address "
                + "0.0.0.0:51820; listen on \"[::]:51820\" for both (line 4)", conf(peer.formatted("\"[2001:db8::1]:5\"")));
        assertProblem(prefix + "IPv4 endpoint 192.0.2.1:5 cannot be reached from the IPv6 listen address "
                + "[0:0:0:0:0:0:0:1]:7; listen on \"[::]:7\" for both (line 5)",
                conf("  listen = \"[::1]:7\"\n" + peer.formatted("\"192.0.2.1:5\"")));
        assertProblem("keymesh.peers[0].wireguard: must be true or false, got \"yes\" (line 4)",
                conf("  peers = [ { public-key = \"" + PEER_1 + "\", wireguard = \"yes\" } ]\n"));
    }

    @Test
    void everyProblemIsReportedInOrder() {
        assertEquals(List.of(
                "keymesh.colour: unknown key; " + VALID_KEYS + " (line 2)",
                "keymesh.private-key: missing: give private-key (base64, as `keymesh genkey` prints it) "
                        + "or private-key-file (a file holding it)",
                "keymesh.listen: port 70000 out of range 0..65535 (line 3)",
                "keymesh.aead: must be jdk or portable, got \"fast\" (line 5)",
                "keymesh.peers[0].endpoint: port 0 out of range 1..65535 (line 6)"),
                problems("""
                        keymesh {
                          colour = red
                          listen = "0.0.0.0:70000"
                          network-key = "%s"
                          aead = fast
                          peers = [ { public-key = "%s", endpoint = "192.0.2.1:0" } ]
                        }
                        """.formatted(NETWORK, PEER_1)));
    }

    @Test
    void syntaxErrorsAndUnresolvedSubstitutionsNameTheLine() {
        List<String> syntax = problems("keymesh {\n  listen = \n  aead = }\n");
        assertEquals(1, syntax.size());
        assertTrue(syntax.get(0).endsWith("(line 3)"), syntax.get(0));
        List<String> unresolved = problems(conf("  listen = ${NO_SUCH_SETTING_FOR_KEYMESH}\n"));
        assertEquals(1, unresolved.size());
        assertTrue(unresolved.get(0).contains("NO_SUCH_SETTING_FOR_KEYMESH") && unresolved.get(0).endsWith("(line 4)"),
                unresolved.get(0));
    }

    @Test
    void optionalSubstitutionsFallBackToTheDefaults() throws Exception {
        NodeConfig node = load(conf("  listen = ${?NO_SUCH_SETTING_FOR_KEYMESH}\n")).node();
        assertEquals(address("0.0.0.0", 51820), node.listen());
    }

    @Test
    void aFileIsLoadedWithItsLineNumbers() throws Exception {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, conf("  listen = \"0.0.0.0:99999\"\n"));
        BadConfigException e = assertThrows(BadConfigException.class, () -> NodeConfigLoader.load(file));
        assertEquals(List.of("keymesh.listen: port 99999 out of range 0..65535 (line 4)"), e.problems());
        assertEquals(List.of("no such file"),
                assertThrows(BadConfigException.class, () -> NodeConfigLoader.load(dir.resolve("nope.conf"))).problems());
        assertEquals(List.of("is a directory"),
                assertThrows(BadConfigException.class, () -> NodeConfigLoader.load(dir)).problems());
        Files.writeString(file, conf(""));
        assertEquals(PrivateKey.fromBase64(PRIVATE), NodeConfigLoader.load(file).node().privateKey());
    }

    @Test
    void theEffectiveConfigHidesSecretsAndLoadsBackToTheSameSettings() throws Exception {
        LoadedNodeConfig loaded = load(conf("  listen = \"[::]:5\"\n  peers = [ { public-key = \"" + PEER_1.toBase32()
                + "\", endpoint = \"[2001:db8::1]:6\", persistent-keepalive = 1m } ]\n"));
        String text = loaded.render();
        assertFalse(text.contains(PRIVATE), text);
        assertFalse(text.contains(NETWORK), text);
        assertTrue(text.contains("# public key of this node: " + OWN_PUBLIC), text);
        String reloadable = text.replace("private-key = \"(secret)\"", "private-key = \"" + PRIVATE + "\"")
                .replace("network-key = \"(secret)\"", "network-key = \"" + NETWORK + "\"");
        assertEquals(loaded.node(), load(reloadable).node());
    }

    /** The example in the README loads (with key files beside it), so the documentation stays true. */
    @Test
    void theReadmeExampleLoads() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("```hocon\n");
        assertTrue(start >= 0, "no ```hocon block in README.md");
        String example = readme.substring(start + 8, readme.indexOf("```", start + 8));
        write("node.key", PrivateKey.of(filled(9)).toBase64() + "\n", "rw-------"); // not a key of the example's peers
        write("network.key", NETWORK + "\n", "rw-------");
        NodeConfig node = load(example).node();
        assertEquals(address("::", 51820), node.listen());
        assertEquals(3, node.peers().size());
        assertEquals(25, node.peers().get(2).persistentKeepaliveSeconds());
        assertTrue(node.peers().get(2).wireGuardCompatible());
    }

    private Path write(String name, String content, String perms) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        return p;
    }
}
