package io.keymesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import io.keymesh.overlay.DiscoveryConfig;
import io.keymesh.overlay.RelayConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The config loader on routes through relays ({@code via}) and on the blocks of the services a node
 * offers: relay, discovery and control. Every bad value gets its exact message.
 */
class NodeConfigRoutesAndServicesTest extends NodeConfigTestBase {
    // ------------------------------------------------------------------ via: routes through relays

    /**
     * Peers R1 (PEER_1, line 5) and R2 (PEER_2, line 6, {@code r2} its extra settings), then the
     * target T (PEER_3, line 7) with {@code via = VIA} and {@code extra} settings.
     */
    private static String viaConf(String via, String r2, String extra) {
        return conf("  peers = [\n"
                + "    { public-key = \"" + PEER_1 + "\", endpoint = \"192.0.2.1:51820\" }\n"
                + "    { public-key = \"" + PEER_2.toBase32() + "\"" + r2 + " }\n"
                + "    { public-key = \"" + PEER_3 + "\", via = " + via + extra + " }\n"
                + "  ]\n");
    }

    private static String viaConf(String via) {
        return viaConf(via, "", "");
    }

    @Test
    void viaListsRoutesOfOneKeyOrOfSeveral() throws Exception {
        NodeConfig node = load(viaConf("[ " + q(PEER_1) + ", [ " + q(PEER_2) + ", " + q(PEER_4) + " ], [ \""
                + PEER_1.toBase32() + "\", " + q(PEER_2) + ", " + q(PEER_4) + " ] ]")).node();
        assertEquals(List.of(List.of(PEER_1), List.of(PEER_2, PEER_4), List.of(PEER_1, PEER_2, PEER_4)),
                node.peers().get(2).relays());
        assertEquals(PeerConfig.of(PEER_3, null).withRelays(node.peers().get(2).relays()), node.peers().get(2));
        assertEquals(List.of(), node.peers().get(0).relays());
        assertEquals(List.of(List.of(PEER_1)), load(viaConf("[ [ " + q(PEER_1) + " ] ]")).node().peers().get(2).relays(),
                "a list of one key is the same route as the key");
    }

    @Test
    void anEmptyViaIsNoRelaysAlsoForAStockWireGuardPeer() throws Exception {
        assertEquals(List.of(), load(viaConf("[]")).node().peers().get(2).relays());
        PeerConfig wg = load(viaConf("[]", "", ", wireguard = true")).node().peers().get(2);
        assertTrue(wg.wireGuardCompatible());
        assertEquals(List.of(), wg.relays());
        assertEquals(List.of(), load(viaConf("null")).node().peers().get(2).relays());
    }

    @Test
    void viaErrors() {
        String p = "keymesh.peers[2].via";
        String r1 = q(PEER_1);
        for (String[] c : List.of(
                new String[] {r1, p + ": must be a list [ \"RELAY\", ... ], each a relay's key or a list of 1..3 keys "
                        + "(a multi-hop route), got a string " + r1},
                new String[] {"[ 5 ]", p + "[0]: must be a relay's key or a list of 1..3 keys (a multi-hop route), got a number 5"},
                new String[] {"[ \"abc\" ]", p + "[0]: a public key is 44 characters of base64 or 52 of base32, got 3 characters"},
                new String[] {"[ [ " + r1 + ", \"" + "*".repeat(43) + "=\" ] ]", p + "[0][1]: not base64: Illegal base64 character 2a"},
                new String[] {"[ [ " + r1 + ", 5 ] ]", p + "[0][1]: must be a string (in quotes), got a number 5"},
                new String[] {"[ \"" + PublicKey.of(new byte[32]) + "\" ]", p + "[0]: not a usable key (a low-order point)"},
                new String[] {"[ [] ]", p + "[0]: an empty route: a route is 1..3 relays, in order"},
                new String[] {"[ [ " + r1 + ", " + q(PEER_2) + ", " + q(PEER_4) + ", " + q(PEER_5) + " ] ]",
                        p + "[0]: a route has at most 3 relays, got 4"},
                new String[] {"[ " + q(PEER_3) + " ]", p + "[0]: is the peer itself: a route lists only the relays on the way to the peer"},
                new String[] {"[ [ " + r1 + ", \"" + PEER_3.toBase32() + "\" ] ]",
                        p + "[0][1]: is the peer itself: a route lists only the relays on the way to the peer"},
                new String[] {"[ [ " + r1 + ", \"" + OWN_PUBLIC + "\" ] ]", p + "[0][1]: is this node's own public key"},
                new String[] {"[ [ " + r1 + ", " + q(PEER_2) + ", \"" + PEER_1.toBase32() + "\" ] ]",
                        p + "[0][2]: the same relay as " + p + "[0][0]: a route names a relay once"},
                new String[] {"[ " + r1 + ", [ \"" + PEER_1.toBase32() + "\" ] ]",
                        p + "[1]: the same route as " + p + "[0]: a route is listed once"},
                new String[] {"[ " + r1 + ", \"" + PEER_4.toBase32() + "\" ]", p + "[1]: relay " + PEER_4.toBase64()
                        + " is not a peer: list it in keymesh.peers too (this node reaches the first relay of a route "
                        + "over its own session with it)"})) {
            assertProblem(c[1] + " (line 7)", viaConf(c[0]));
        }
        assertProblem(p + ": a stock WireGuard peer (wireguard = true) cannot be reached through relays (line 7)",
                viaConf("[ " + r1 + " ]", "", ", wireguard = true"));
        assertProblem(p + "[0][0]: relay " + PEER_2.toBase64() + " is a stock WireGuard peer (wireguard = true), "
                + "which relays nothing (line 7)", viaConf("[ [ " + q(PEER_2) + ", " + r1 + " ] ]", ", wireguard = true", ""));
    }

    @Test
    void everyProblemOfARouteIsReported() {
        assertEquals(List.of(
                "keymesh.peers[2].via[0][0]: a public key is 44 characters of base64 or 52 of base32, got 3 characters (line 7)",
                "keymesh.peers[2].via[0][1]: is the peer itself: a route lists only the relays on the way to the peer (line 7)",
                "keymesh.peers[2].via[1]: an empty route: a route is 1..3 relays, in order (line 7)"),
                problems(viaConf("[ [ \"abc\", " + q(PEER_3) + " ], [] ]")));
    }

    /** Only the first relay of a route needs a session with this node: the later ones are the previous relay's peers. */
    @Test
    void laterRelaysOfARouteNeedNotBePeers() throws Exception {
        PeerConfig t = load(viaConf("[ [ " + q(PEER_1) + ", " + q(PEER_5) + ", " + q(PEER_4) + " ] ]")).node().peers().get(2);
        assertEquals(List.of(List.of(PEER_1, PEER_5, PEER_4)), t.relays());
    }

    // ------------------------------------------------------------------ relay: the service this node offers

    @Test
    void theRelayBlock() throws Exception {
        assertEquals(new RelayConfig(false, 10, 10L << 20, 300_000_000_000L),
                load(conf("  relay { enabled = false, max-circuits = 10, bytes-per-second = 10M, idle-timeout = 5m }\n"))
                        .node().relay());
        assertEquals(RelayConfig.DEFAULT.withMaxCircuits(5), load(conf("  relay.max-circuits = 5\n")).node().relay(),
                "the keys not given keep their defaults");
        for (var c : List.of(new Object[] {"1048576", 1048576L}, new Object[] {"\"500kB\"", 500_000L},
                new Object[] {"0", 0L}, new Object[] {"1.5M", 1_572_864L}, new Object[] {"8G", 8L << 30})) {
            assertEquals(c[1], load(conf("  relay.bytes-per-second = " + c[0] + "\n")).node().relay().bytesPerSecond(),
                    c[0].toString());
        }
        assertEquals(12, load(conf("  relay.max-circuits = \"12\"\n")).node().relay().maxCircuits());
        assertEquals(0, load(conf("  relay.max-circuits = 0\n")).node().relay().maxCircuits());
        assertEquals(1 << 20, load(conf("  relay.max-circuits = 1048576\n")).node().relay().maxCircuits());
        assertEquals(10_000_000_000L, load(conf("  relay.idle-timeout = 10s\n")).node().relay().idleTimeoutNanos());
        assertEquals(86_400_000_000_000L, load(conf("  relay.idle-timeout = 1d\n")).node().relay().idleTimeoutNanos());
    }

    /** A NUL character cannot be in a file path: each setting that names a file says so, as any other problem. */
    @Test
    void aFilePathThatCannotBeOneIsAProblemNotACrash() {
        assertProblem("keymesh.private-key-file: not a file path (Nul character not allowed) (line 2)",
                "keymesh {\n  private-key-file = \"a\\u0000b\"\n  network-key = \"" + NETWORK + "\"\n}\n");
        assertProblem("keymesh.network-key-file: not a file path (Nul character not allowed) (line 3)",
                "keymesh {\n  private-key = \"" + PRIVATE + "\"\n  network-key-file = \"a\\u0000b\"\n}\n");
        assertProblem("keymesh.control.socket: not a file path (Nul character not allowed) (line 4)",
                conf("  control { socket = \"a\\u0000b\" }\n"));
        assertProblem("keymesh.compression.dictionaries[0].file: not a file path (Nul character not allowed) (line 4)",
                conf("  compression { dictionaries = [ { name = json, file = \"a\\u0000b\" } ] }\n"));
    }

    @Test
    void aLinksShareOfTheRelay() throws Exception {
        RelayConfig dflt = load(conf("")).node().relay();
        assertEquals(0, dflt.maxCircuitsPerLink(), "absent: half of max-circuits");
        assertEquals(512, dflt.circuitsPerLink());
        assertEquals(RelayConfig.DEFAULT, dflt);
        assertEquals(RelayConfig.DEFAULT.withMaxCircuitsPerLink(1024),
                load(conf("  relay.max-circuits-per-link = 1024\n")).node().relay());
        assertEquals(3, load(conf("  relay { max-circuits = 10, max-circuits-per-link = 3 }\n")).node().relay().circuitsPerLink());
        assertEquals(5, load(conf("  relay { max-circuits = 10, max-circuits-per-link = null }\n")).node().relay().circuitsPerLink());
        String p = "keymesh.relay.max-circuits-per-link";
        assertProblem(p + ": must be 1..1024 (at most max-circuits; leave it out for half of it), got 0 (line 4)",
                conf("  relay.max-circuits-per-link = 0\n"));
        assertProblem(p + ": must be 1..10 (at most max-circuits; leave it out for half of it), got 11 (line 4)",
                conf("  relay { max-circuits = 10, max-circuits-per-link = 11 }\n"));
        assertProblem(p + ": not with max-circuits = 0 (no circuits at all) (line 4)",
                conf("  relay { max-circuits = 0, max-circuits-per-link = 1 }\n"));
    }

    @Test
    void theDiscoveryBlock() throws Exception {
        assertEquals(DiscoveryConfig.DEFAULT, load(conf("")).node().discovery(), "reference.conf's are DiscoveryConfig's defaults");
        assertEquals(DiscoveryConfig.DEFAULT.withEnabled(false).withMaxHops(4).withTimeoutNanos(1_500_000_000L),
                load(conf("  discovery { enabled = false, max-hops = 4, timeout = 1500ms }\n")).node().discovery());
        assertEquals(DiscoveryConfig.DEFAULT.withMaxHops(1), load(conf("  discovery.max-hops = \"1\"\n")).node().discovery(),
                "the keys not given keep their defaults");
        assertEquals(60_000_000_000L, load(conf("  discovery.timeout = 1m\n")).node().discovery().timeoutNanos());
    }

    @Test
    void discoveryErrors() {
        String p = "keymesh.discovery";
        assertProblem(p + ": must be an object { enabled = ..., max-hops = ..., timeout = ... }, got a boolean "
                + "(to turn discovery off: discovery.enabled = false) (line 4)", conf("  discovery = false\n"));
        for (String[] c : List.of(
                new String[] {"enabled = 1", "enabled: must be true or false, got 1"},
                new String[] {"max-hops = 0", "max-hops: must be 1..4 (a seek's way back is a relayed route of at most 4 hops), got 0"},
                new String[] {"max-hops = 5", "max-hops: must be 1..4 (a seek's way back is a relayed route of at most 4 hops), got 5"},
                new String[] {"max-hops = two", "max-hops: must be a whole number 1..4, got \"two\""},
                new String[] {"timeout = 50ms", "timeout: must be 100ms..60s, got 50ms"},
                new String[] {"timeout = 2m", "timeout: must be 100ms..60s, got 2m"},
                new String[] {"hops = 3", "hops: unknown key"})) {
            List<String> problems = problems(conf("  discovery { " + c[0] + " }\n"));
            assertEquals(1, problems.size(), c[0] + ": " + problems);
            assertTrue(problems.getFirst().startsWith(p + "." + c[1]), problems.getFirst());
        }
    }

    @Test
    void theControlBlock() throws Exception {
        assertEquals(ControlConfig.DEFAULT, load(conf("")).control(), "on, at the default path");
        assertEquals(new ControlConfig(false, null), load(conf("  control.enabled = false\n")).control());
        assertEquals(new ControlConfig(true, Path.of("/run/mine/node.sock")),
                load(conf("  control { socket = \"/run/mine/node.sock\" }\n")).control());
        assertEquals(new ControlConfig(true, dir.resolve("sockets/node.sock")),
                load(conf("  control.socket = \"sockets/../sockets/node.sock\"\n")).control(),
                "relative to the config file's directory, normalized");
        String text = load(conf("  control.socket = \"/run/mine/node.sock\"\n")).render();
        assertTrue(text.contains("  control {\n    enabled = true\n    socket = \"/run/mine/node.sock\"\n  }\n"), text);
    }

    @Test
    void controlErrors() {
        String p = "keymesh.control";
        assertProblem(p + ": must be an object { enabled = ..., socket = ... }, got a boolean (line 4)", conf("  control = false\n"));
        String tooLong = "/" + "d".repeat(120) + "/x.sock";
        for (String[] c : List.of(
                new String[] {"enabled = yes", "enabled: must be true or false, got \"yes\""},
                new String[] {"socket = 5", "socket: must be a string (in quotes), got a number 5"},
                new String[] {"socket = \"\"", "socket: must be a file path, got an empty string"},
                new String[] {"socket = \"" + tooLong + "\"", "socket: " + tooLong + " is too long for a Unix socket (128 bytes, at most 107)"},
                new String[] {"path = \"/x\"", "path: unknown key"})) {
            List<String> problems = problems(conf("  control { " + c[0] + " }\n"));
            assertEquals(1, problems.size(), c[0] + ": " + problems);
            assertTrue(problems.getFirst().startsWith(p + "." + c[1]), problems.getFirst());
        }
    }

    @Test
    void relayErrors() {
        String p = "keymesh.relay";
        assertProblem(p + ": must be an object { enabled = ..., max-circuits = ..., bytes-per-second = ..., idle-timeout = ... }, "
                + "got a boolean (to turn relaying off: relay.enabled = false) (line 4)", conf("  relay = false\n"));
        for (String[] c : List.of(
                new String[] {"enabled = \"yes\"", "enabled: must be true or false, got \"yes\""},
                new String[] {"max-circuits = -1", "max-circuits: must be 0..1048576, got -1"},
                new String[] {"max-circuits = 1048577", "max-circuits: must be 0..1048576, got 1048577"},
                new String[] {"max-circuits = 1.5", "max-circuits: must be a whole number 0..1048576, got 1.5"},
                new String[] {"max-circuits = many", "max-circuits: must be a whole number 0..1048576, got \"many\""},
                new String[] {"max-circuits = [1]", "max-circuits: must be a whole number 0..1048576, got a list [1]"},
                new String[] {"bytes-per-second = -5", "bytes-per-second: must not be negative, got -5"},
                new String[] {"bytes-per-second = \"-1M\"", "bytes-per-second: must not be negative, got -1M"},
                new String[] {"bytes-per-second = fast", "bytes-per-second: not a size (e.g. 10M, 500kB, 1048576; 0: no limit): \"fast\""},
                new String[] {"bytes-per-second = 9G", "bytes-per-second: at most 8G (for no limit: 0), got 9G"},
                new String[] {"bytes-per-second = [1]", "bytes-per-second: must be a size such as 10M or 1048576 (0: no limit), got a list"},
                new String[] {"idle-timeout = 5s", "idle-timeout: at least 10s (paths not in use are probed every 4s, which keeps "
                        + "their circuits open), got 5s"},
                new String[] {"idle-timeout = -1m", "idle-timeout: at least 10s (paths not in use are probed every 4s, which keeps "
                        + "their circuits open), got -1m"},
                new String[] {"idle-timeout = 2d", "idle-timeout: at most 1d, got 2d"},
                new String[] {"idle-timeout = 120", "idle-timeout: a duration needs a unit, e.g. 120s (units: ms, s, m, h, d), got 120"},
                new String[] {"idle-timeout = soon", "idle-timeout: not a duration (e.g. 25s, 500ms, 2m): \"soon\""},
                new String[] {"idle-timeout = true", "idle-timeout: must be a duration such as 120s, got a boolean"})) {
            assertProblem(p + "." + c[1] + " (line 4)", conf("  relay { " + c[0] + " }\n"));
        }
        assertEquals(List.of(
                p + ".max-circuits: must be 0..1048576, got -1 (line 5)",
                p + ".idle-timeout: at most 1d, got 2d (line 6)"),
                problems(conf("  relay {\n    max-circuits = -1\n    idle-timeout = 2d\n  }\n")));
    }
}
