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
import io.keymesh.overlay.RelayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The config loader: a full config maps to the expected {@link NodeConfig}, defaults come from
 * reference.conf, and every bad value gets its exact message naming the key path, why and the line.
 */
class NodeConfigLoaderTest extends NodeConfigTestBase {
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
        assertEquals(io.keymesh.io.UdpIo.Mode.AUTO, node.udpIo());
        assertEquals(NodeConfig.CRYPTO_WORKERS_AUTO, node.cryptoWorkers());
        assertEquals(List.of(), node.peers());
        assertEquals(RelayConfig.DEFAULT, node.relay());
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
    void acceptMembersIsABooleanAndOffByDefault() throws BadConfigException {
        assertEquals(false, load(conf("")).node().acceptMembers());
        assertEquals(true, load(conf("  accept-members = true\n")).node().acceptMembers());
        assertProblem("keymesh.accept-members: must be true or false, got a string (line 4)",
                conf("  accept-members = \"sometimes\"\n"));
    }

    @Test
    void aeadMustBeJdkOrPortable() {
        assertProblem("keymesh.aead: must be jdk or portable, got \"fast\" (line 4)", conf("  aead = fast\n"));
    }

    @Test
    void cryptoWorkersIsAutoOrAWholeNumber() throws Exception {
        assertEquals(0, load(conf("  crypto-workers = 0\n")).node().cryptoWorkers());
        assertEquals(3, load(conf("  crypto-workers = 3\n")).node().cryptoWorkers());
        assertEquals(NodeConfig.CRYPTO_WORKERS_AUTO, load(conf("  crypto-workers = auto\n")).node().cryptoWorkers());
        assertProblem("keymesh.crypto-workers: must be auto or a whole number 0..64, got \"many\" (line 4)",
                conf("  crypto-workers = many\n"));
        assertProblem("keymesh.crypto-workers: must be 0..64 (0: the loop thread alone; or auto), got 65 (line 4)",
                conf("  crypto-workers = 65\n"));
        assertProblem("keymesh.crypto-workers: must be 0..64 (0: the loop thread alone; or auto), got -1 (line 4)",
                conf("  crypto-workers = -1\n"));
    }

    @Test
    void udpIoIsAutoBatchedOrPortable() throws Exception {
        assertProblem("keymesh.udp-io: must be auto, batched or portable, got \"fast\" (line 4)", conf("  udp-io = fast\n"));
        assertEquals(io.keymesh.io.UdpIo.Mode.PORTABLE, load(conf("  udp-io = portable\n")).node().udpIo());
        assertEquals(io.keymesh.io.UdpIo.Mode.BATCHED, load(conf("  udp-io = batched\n")).node().udpIo());
    }

    @Test
    void unknownKeysAreRefusedWithTheValidOnes() {
        assertProblem("keymesh.privat-key-file: unknown key (did you mean private-key-file?); " + VALID_KEYS + " (line 4)",
                conf("  privat-key-file = x\n"));
        assertProblem("keymesh.colour: unknown key; " + VALID_KEYS + " (line 4)", conf("  colour = red\n"));
        assertProblem("keymesh.peers[0].endpiont: unknown key (did you mean endpoint?); valid keys: endpoint, "
                + "name, persistent-keepalive, public-key, via, wireguard (line 4)",
                conf("  peers = [ { public-key = \"" + PEER_1 + "\", endpiont = \"192.0.2.1:5\" } ]\n"));
        assertProblem("keymesh.relay.enabeld: unknown key (did you mean enabled?); valid keys: bytes-per-second, enabled, "
                + "idle-timeout, max-circuits, max-circuits-per-link (line 4)", conf("  relay { enabeld = false }\n"));
    }

    /** The problems of loading {@code text} as a node's config file. */
    private List<String> fileProblems(String text) throws IOException {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, text);
        return assertThrows(BadConfigException.class, () -> NodeConfigLoader.load(file)).problems();
    }

    /** A node's file holds one keymesh block: a near miss of its name, or a setting written outside it, would pass unread. */
    @Test
    void keysOutsideTheKeymeshBlockOfANodesFileAreRefused() throws Exception {
        assertEquals(List.of("keymsh: unknown top-level key (did you mean keymesh?): a node's settings go in the keymesh { } "
                + "block (line 5)"), fileProblems(conf("") + "keymsh.aead = portable\n"));
        assertEquals(List.of("aead: outside the keymesh { } block: write it inside, as keymesh.aead (line 1)"),
                fileProblems("aead = portable\n" + conf("")));
        assertEquals(List.of(
                "colour: unknown top-level key: a node's settings go in the keymesh { } block (line 1)",
                "keymesh.colour: unknown key; " + VALID_KEYS + " (line 5)"),
                fileProblems("colour = red\n" + conf("  colour = red\n")));
    }

    /** An application's configuration (an actor system's) has other top-level keys: only the keymesh block is read. */
    @Test
    void anApplicationConfigMayHaveOtherTopLevelKeys() throws Exception {
        com.typesafe.config.Config app = com.typesafe.config.ConfigFactory.parseString("pekko.loglevel = INFO\n" + conf(""));
        assertEquals(PrivateKey.fromBase64(PRIVATE), NodeConfigLoader.fromConfig(app, dir).node().privateKey());
        assertEquals(PrivateKey.fromBase64(PRIVATE), load("pekko.loglevel = INFO\n" + conf("")).node().privateKey());
    }

    /** The blocks of the daemon's parts (forwarding, control socket, metrics, page) load when given empty: their defaults apply. */
    @Test
    void theDaemonsBlocksLoadEmpty() throws Exception {
        LoadedNodeConfig loaded = load(conf("  services { }\n  forwards = []\n  remote-forwards = []\n  remote-listen = []\n"
                + "  socks = []\n  forwarding { }\n  control { }\n  metrics { }\n  web { }\n"));
        assertEquals(PrivateKey.fromBase64(PRIVATE), loaded.node().privateKey());
        assertTrue(loaded.forwarding().services().isEmpty() && loaded.forwarding().forwards().isEmpty());
        assertTrue(loaded.control().enabled());
        assertFalse(loaded.web().enabled());
    }

    /** reference.conf defines no key the loader would refuse: the list of keys and the defaults agree. */
    @Test
    void everyKeyOfReferenceConfIsAKnownKey() {
        java.util.Set<String> defined = NodeConfigLoader.reference().getObject(NodeConfigLoader.ROOT).keySet();
        assertTrue(NodeConfigKeys.KEYMESH_KEYS.containsAll(defined), defined + " not all in " + NodeConfigKeys.KEYMESH_KEYS);
    }

    /** An unquoted base64 key breaks HOCON's syntax; the message says to quote it, and where, without showing it whole. */
    @Test
    void anUnquotedBase64KeyIsASyntaxErrorThatSaysToQuoteIt() throws Exception {
        String unquoted = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
        assertProblem("private-key: a base64 key must be in quotes: private-key = \"yAnz\u2026\" (outside quotes HOCON reads "
                + "its '+', '/' and '=' as syntax) (line 2)", "keymesh {\n  private-key = " + unquoted + "\n}\n");
        assertProblem("public-key: a base64 key must be in quotes: public-key = \"hSDw\u2026\" (outside quotes HOCON reads "
                + "its '+', '/' and '=' as syntax) (line 5)",
                conf("  peers = [\n    { public-key = hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=, endpoint = \"192.0.2.1:5\" }\n  ]\n"));
        assertProblem("a base64 key must be in quotes: \"" + PEER_2.toBase64().substring(0, 4) + "\u2026\" (outside quotes HOCON "
                + "reads its '+', '/' and '=' as syntax) (line 5)",
                conf("  peers = [ { public-key = " + q(PEER_1) + " }\n    { public-key = " + q(PEER_3) + ", via = [ "
                        + PEER_2.toBase64() + " ] } ]\n"));
        Path file = dir.resolve("node.conf");
        Files.writeString(file, "keymesh {\n  network-key = \"" + NETWORK + "\"\n  private-key = " + unquoted + "\n}\n");
        BadConfigException e = assertThrows(BadConfigException.class, () -> NodeConfigLoader.load(file));
        assertEquals(List.of("private-key: a base64 key must be in quotes: private-key = \"yAnz\u2026\" (outside quotes HOCON "
                + "reads its '+', '/' and '=' as syntax) (line 3)"), e.problems());
        assertFalse(e.problems().getFirst().contains(unquoted.substring(0, 8)), "the key is not shown whole");
    }

    /** An unquoted key with "//" in it parses, cut short by a comment: the key's problem says why. */
    @Test
    void anUnquotedKeyCutShortByACommentSaysToQuoteIt() {
        assertProblem("keymesh.private-key: a key is 44 characters of base64 ending in '=', got 21 characters; it is not in quotes, so HOCON read "
                + "the '//' in it and the rest of the line as a comment: put the key in quotes (line 2)",
                "keymesh {\n  private-key = yAnz5TFlXXJte14tji3zl//MNqhd2rYUIgJBgB3fBmk=\n  network-key = \"" + NETWORK + "\"\n}\n");
    }

    @Test
    void peersMayHaveNamesThatAreUniqueAndReadable() throws Exception {
        NodeConfig node = load(conf("  peers = [ { name = \"db-eu\", public-key = " + q(PEER_1) + " }\n"
                + "    { public-key = " + q(PEER_2) + " }\n    { name = \"DB_eu.2\", public-key = " + q(PEER_3) + " } ]\n")).node();
        assertEquals(java.util.Arrays.asList("db-eu", null, "DB_eu.2"), node.peers().stream().map(PeerConfig::name).toList());
        String rendered = load(conf("  peers = [ { name = \"db-eu\", public-key = " + q(PEER_1) + " } ]\n")).render();
        assertTrue(rendered.contains("    {\n      name = \"db-eu\"\n      public-key = \"" + PEER_1 + "\"\n"), rendered);
        String rule = "must be 1..32 characters: letters, digits, '-', '_' and '.', beginning with a letter or digit; got ";
        for (String bad : List.of("", "db eu", "-db", "x".repeat(33), "caf\u00e9", "a/b")) {
            assertProblem("keymesh.peers[0].name: " + rule + "\"" + bad + "\" (line 4)",
                    conf("  peers = [ { name = \"" + bad + "\", public-key = " + q(PEER_1) + " } ]\n"));
        }
        assertProblem("keymesh.peers[0].name: must be a string (in quotes), got a number 5 (line 4)",
                conf("  peers = [ { name = 5, public-key = " + q(PEER_1) + " } ]\n"));
        assertProblem("keymesh.peers[1].name: the same name as keymesh.peers[0]: each peer has its own name (line 5)",
                conf("  peers = [ { name = db, public-key = " + q(PEER_1) + " }\n    { name = db, public-key = " + q(PEER_2) + " } ]\n"));
        assertThrows(IllegalArgumentException.class, () -> PeerConfig.of(PEER_1, null).withName("no spaces"));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> NodeConfig.of(
                PrivateKey.fromBase64(PRIVATE), address("0.0.0.0", 1), PresharedKey.fromBase64(NETWORK)).withPeers(List.of(
                PeerConfig.of(PEER_1, null).withName("a"), PeerConfig.of(PEER_2, null).withName("a"))));
        assertEquals("peers: the name a is given to two peers", twice.getMessage());
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
                + "\", endpoint = \"[2001:db8::1]:6\", persistent-keepalive = 1m }\n"
                + "    { public-key = " + q(PEER_2) + ", wireguard = true }\n"
                + "    { public-key = " + q(PEER_3) + ", via = [ " + q(PEER_1) + ", [ " + q(PEER_1) + ", " + q(PEER_4) + " ] ] } ]\n"
                + "  relay { enabled = false, bytes-per-second = 1M, idle-timeout = 90s }\n"));
        assertEquals(new RelayConfig(false, 1024, 1 << 20, 90_000_000_000L), loaded.node().relay());
        assertEquals(List.of(List.of(PEER_1), List.of(PEER_1, PEER_4)), loaded.node().peers().get(2).relays());
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

    /** The README's example of a node reaching another through a relay loads too. */
    @Test
    void theReadmeRelayExampleLoads() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int via = readme.indexOf("via = [");
        assertTrue(via >= 0, "no via in README.md");
        int start = readme.lastIndexOf("```hocon\n", via);
        String example = readme.substring(start + 8, readme.indexOf("```", start + 8));
        write("node.key", PrivateKey.of(filled(9)).toBase64() + "\n", "rw-------");
        write("network.key", NETWORK + "\n", "rw-------");
        NodeConfig node = load(example).node();
        assertEquals(2, node.peers().size());
        PublicKey hub = node.peers().get(0).publicKey();
        assertEquals(List.of(List.of(hub)), node.peers().get(1).relays());
        assertEquals(RelayConfig.DEFAULT, node.relay());
    }

    private Path write(String name, String content, String perms) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        return p;
    }
}
