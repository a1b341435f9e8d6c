package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keymesh.cli.control.ControlClient;
import io.keymesh.cli.control.ControlServer;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.NodeListener;
import io.keymesh.node.PeerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code keymesh status}, {@code ping} and {@code peer} against real {@code keymesh up} daemons run
 * in this JVM, on loopback, each with its control socket in a temporary directory: what a person
 * sees, what a program parses, and what happens when things go wrong (no daemon, a malformed
 * request, a second daemon on the same socket).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlDaemonTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final String network = PresharedKey.generate(RANDOM).toBase64();
    private final List<Daemon> daemons = new ArrayList<>();
    private final List<AutoCloseable> closeAtEnd = new ArrayList<>();

    /** One {@code keymesh} command line with its own output and error text. */
    private static final class Run {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine();

        Run() {
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
        }

        int execute(String... args) {
            return cli.execute(args);
        }
    }

    /** A running {@code keymesh up}. */
    private record Daemon(PrivateKey key, Run run, UpCommand up, CompletableFuture<Integer> exit, MeshNode node, Path socket) {
        PublicKey publicKey() {
            return key.publicKey();
        }

        int port() {
            return node.localAddress().getPort();
        }

        int stop() throws Exception {
            up.stop("test over");
            return exit.get(30, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Daemon d : daemons) {
            d.up.stop("test over");
            assertEquals(0, d.exit.get(30, TimeUnit.SECONDS), "a clean stop: " + d.run.err);
            assertFalse(Files.exists(d.socket), "its socket is removed at exit");
        }
        for (AutoCloseable c : closeAtEnd) {
            c.close();
        }
    }

    /** Starts {@code keymesh up} with {@code key}, these peer objects (HOCON) and its control socket at {@code socket}. */
    private Daemon start(PrivateKey key, Path socket, String peers) throws Exception {
        return start(key, socket, peers, "");
    }

    /** {@link #start(PrivateKey, Path, String)} with more of the keymesh block ({@code extra}, HOCON). */
    private Daemon start(PrivateKey key, Path socket, String peers, String extra) throws Exception {
        Path conf = dir.resolve(key.publicKey().toBase64().substring(0, 6).replace('/', '_') + ".conf");
        Files.writeString(conf, """
                keymesh {
                  private-key = "%s"
                  network-key = "%s"
                  listen = "127.0.0.1:0"
                  control.socket = "%s"
                  peers = [ %s ]
                  %s
                }
                """.formatted(key.toBase64(), network, socket, peers, extra));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        Run run = new Run();
        UpCommand up = run.cli.getSubcommands().get("up").getCommand();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> run.execute("up", "--config", conf.toString(), "--status-interval", "0"), r -> Thread.ofPlatform().start(r));
        MeshNode node = up.started.get(20, TimeUnit.SECONDS);
        Daemon d = new Daemon(key, run, up, exit, node, socket);
        daemons.add(d);
        return d;
    }

    /** Two daemons: A lists B at its address, B lists A by key only; A's handshake brings both up. */
    private Daemon[] pair() throws Exception {
        PrivateKey a = PrivateKey.generate(RANDOM);
        PrivateKey b = PrivateKey.generate(RANDOM);
        Daemon db = start(b, dir.resolve("b.sock"), "{ public-key = \"%s\" }".formatted(a.publicKey()));
        Daemon da = start(a, dir.resolve("a.sock"), "{ public-key = \"%s\", endpoint = \"127.0.0.1:%d\" }"
                .formatted(b.publicKey(), db.port()));
        awaitStatus(da, s -> peer(s, db.publicKey()).path("state").asText().equals("up"), "b up at a");
        return new Daemon[] {da, db};
    }

    /** What a {@code keymesh} command line printed and how it ended. */
    private record Result(int exit, String out, String err) {}

    /** {@code keymesh ARGS} in this JVM. */
    private static Result keymesh(String... args) {
        Run run = new Run();
        int status = run.execute(args);
        return new Result(status, run.out.toString(), run.err.toString());
    }

    private static JsonNode statusJson(Daemon d) throws IOException {
        Result r = keymesh("status", "--json", "--socket", d.socket.toString());
        assertEquals(0, r.exit(), r.err());
        return JSON.readTree(r.out());
    }

    private static JsonNode peer(JsonNode status, PublicKey key) {
        for (JsonNode p : status.path("peers")) {
            if (p.path("publicKey").asText().equals(key.toBase64())) {
                return p;
            }
        }
        return JSON.createObjectNode();
    }

    private static JsonNode awaitStatus(Daemon d, Predicate<JsonNode> condition, String what) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 400; i++) {
            last = statusJson(d);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what + "; last status: " + last);
    }

    @Test
    void statusAsJsonSaysThePeerIsUpDirectAtItsAddressAndWasJustHeardFrom() throws Exception {
        Daemon[] p = pair();
        Daemon a = p[0];
        Daemon b = p[1];
        JsonNode s = statusJson(a);
        assertEquals(a.publicKey().toBase64(), s.path("node").path("publicKey").asText());
        assertEquals("127.0.0.1:" + a.port(), s.path("node").path("listen").asText());
        assertTrue(s.path("node").path("uptimeMs").asLong() >= 0);
        assertEquals(1, s.path("node").path("peers").asInt());
        assertEquals(1, s.path("node").path("peersUp").asInt());
        JsonNode peer = peer(s, b.publicKey());
        assertEquals(b.publicKey().toBase64().substring(0, 8) + "\u2026", peer.path("shortKey").asText());
        assertEquals("up", peer.path("state").asText());
        assertEquals("127.0.0.1:" + b.port(), peer.path("endpoint").asText());
        assertEquals("direct", peer.path("path").path("kind").asText());
        assertEquals("127.0.0.1:" + b.port(), peer.path("path").path("address").asText());
        assertTrue(peer.path("path").path("inUse").asBoolean());
        long heard = peer.path("lastHeardAgoMs").asLong(-1);
        assertTrue(peer.path("lastHeardAgoMs").isIntegralNumber() && heard >= 0 && heard < 10_000, "last heard " + heard + " ms ago");
        assertTrue(peer.path("lastHandshakeAgoMs").isIntegralNumber());
        assertTrue(peer.path("rxBytes").asLong() > 0 && peer.path("txBytes").asLong() > 0, peer.toString());
        assertEquals("endpoint", peer.path("found").path("how").asText());
        assertTrue(s.path("drops").isObject());
        assertTrue(s.path("relay").path("circuits").isIntegralNumber());
        assertTrue(s.path("discovery").path("dropped").isObject());
        // b knew a by key only: it learnt where a is from a's packets
        JsonNode atB = peer(statusJson(b), a.publicKey());
        assertEquals("up", atB.path("state").asText());
        assertEquals("127.0.0.1:" + a.port(), atB.path("path").path("address").asText());
        assertEquals("reached-us", atB.path("found").path("how").asText());
    }

    @Test
    void statusForAPersonIsAnAlignedTable() throws Exception {
        Daemon[] p = pair();
        Daemon a = p[0];
        Daemon b = p[1];
        Result r = keymesh("status", "--socket", a.socket.toString());
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("node " + a.publicKey(), lines.get(0), r.out());
        assertTrue(lines.get(1).matches("  listening on 127\\.0\\.0\\.1:" + a.port() + ", up \\d+ s, 1 peers, 1 up"), lines.get(1));
        assertEquals("", lines.get(2));
        String header = lines.get(3);
        assertTrue(header.matches("peer +state +path +rtt +heard +handshake +rx +tx"), header);
        String row = lines.get(4);
        assertTrue(row.matches("\\Q" + b.publicKey() + "\\E  up +direct 127\\.0\\.0\\.1:" + b.port()
                + " +- +\\d+ (ms|s) ago +\\d+ (ms|s) ago +\\d+(\\.\\d)? (B|KiB) +\\d+(\\.\\d)? (B|KiB)"), row);
        int at = 0;
        for (String column : List.of("state", "path", "rtt", "heard", "handshake", "rx", "tx")) {
            at = header.indexOf("  " + column, at) + 2;
            assertTrue(row.charAt(at - 1) == ' ' && row.charAt(at) != ' ', column + " is aligned:\n" + header + "\n" + row);
        }
        assertTrue(lines.contains("drops: none"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("relay service: 0 circuits now")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("discovery: 0 keys sought")), r.out());
        assertEquals("", r.err());
    }

    @Test
    void pingPrintsEachAnswerWithItsPathAndRoundTripThenASummary() throws Exception {
        Daemon[] p = pair();
        Daemon a = p[0];
        Daemon b = p[1];
        Result r = keymesh("ping", b.publicKey().toBase64(), "-c", "3", "--interval", "100ms", "--socket", a.socket.toString());
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        String who = b.publicKey().toBase64().substring(0, 8) + "\u2026";
        for (int i = 0; i < 3; i++) {
            assertTrue(lines.get(i).matches("pong from \\Q" + who + "\\E via direct 127\\.0\\.0\\.1:" + b.port()
                    + " in (<0\\.01|\\d+(\\.\\d+)?) ms"), lines.get(i));
        }
        assertTrue(lines.get(3).matches("\\Q" + b.publicKey() + "\\E: 3 probes, 3 answered, 0% lost; rtt min/avg/max "
                + "\\d+\\.\\d{3}/\\d+\\.\\d{3}/\\d+\\.\\d{3} ms"), lines.get(3));
        assertFalse(lines.get(3).contains("min/avg/max 0.000/"), "positive round-trip times: " + lines.get(3));
        assertEquals("", r.err());
        // base32 works as well
        Result r32 = keymesh("ping", b.publicKey().toBase32(), "-c", "1", "--socket", a.socket.toString());
        assertEquals(0, r32.exit(), r32.err());
    }

    /**
     * A peer added at run time: status lists it, the first ping makes the session (and says so),
     * remove takes it away; adding it twice, removing it twice, and a bad key are refused clearly.
     */
    @Test
    void aPeerAddedAtRunTimeIsPingedAndRemoved() throws Exception {
        PrivateKey aKey = PrivateKey.generate(RANDOM);
        Daemon a = start(aKey, dir.resolve("a.sock"), "");
        PrivateKey cKey = PrivateKey.generate(RANDOM);
        MeshNode c = MeshNode.start(NodeConfig.of(cKey, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                PresharedKey.fromBase64(network)).withPeers(List.of(PeerConfig.of(aKey.publicKey(), null))), new NodeListener() {});
        closeAtEnd.add(c);
        String cPub = cKey.publicKey().toBase64();
        String socket = a.socket.toString();

        Result add = keymesh("peer", "add", cPub, "--endpoint", "127.0.0.1:" + c.localAddress().getPort(), "--name", "db-eu",
                "--socket", socket);
        assertEquals(0, add.exit(), add.err());
        assertEquals("peer " + cPub + " added", add.out().strip());
        assertEquals(cPub, statusJson(a).path("peers").get(0).path("publicKey").asText());
        assertEquals("db-eu", statusJson(a).path("peers").get(0).path("name").asText());
        Result table = keymesh("status", "--socket", socket);
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("name ")), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("db-eu  " + cPub)), table.out());

        Result again = keymesh("peer", "add", cPub, "--socket", socket);
        assertEquals(1, again.exit());
        assertEquals("keymesh peer add: already a peer: " + cPub + " (remove it first to change it)\n", again.err());

        // the daemon connects a peer added with an address at once; a ping may still find no session
        Result ping = keymesh("ping", cPub, "-c", "2", "--interval", "0s", "--socket", socket);
        assertEquals(0, ping.exit(), ping.err());
        assertTrue(ping.out().lines().allMatch(l -> l.startsWith("pong from ") || l.contains("2 probes, 2 answered")), ping.out());

        Result remove = keymesh("peer", "remove", cPub, "--socket", socket);
        assertEquals(0, remove.exit(), remove.err());
        assertEquals("peer " + cPub + " removed", remove.out().strip());
        assertEquals(0, statusJson(a).path("peers").size(), "gone from the status");
        Result twice = keymesh("peer", "remove", cPub, "--socket", socket);
        assertEquals(1, twice.exit());
        assertEquals("keymesh peer remove: not a peer of this node: " + cPub + "\n", twice.err());

        Result bad = keymesh("peer", "add", "not-a-key", "--socket", socket);
        assertEquals(2, bad.exit());
        assertTrue(bad.err().startsWith("KEY: a public key is 44 characters of base64 or 52 of base32, got 9 characters"),
                bad.err());
        Result badEndpoint = keymesh("peer", "add", cPub, "--endpoint", "127.0.0.1", "--socket", socket);
        assertEquals(2, badEndpoint.exit());
        assertTrue(badEndpoint.err().startsWith("keymesh peer add: endpoint: expected \"HOST:PORT\""), badEndpoint.err());
        Result badRelay = keymesh("peer", "add", cPub, "--via", PrivateKey.generate(RANDOM).publicKey().toBase64(), "--socket", socket);
        assertEquals(2, badRelay.exit());
        assertTrue(badRelay.err().contains("is not a peer: add it first"), badRelay.err());
        Result badName = keymesh("peer", "add", cPub, "--name", "-x", "--socket", socket);
        assertEquals(2, badName.exit());
        assertTrue(badName.err().startsWith("keymesh peer add: name: must be 1..32 characters"), badName.err());
    }

    /**
     * A's handshake with C at start goes nowhere (C is not running yet); C then starts knowing A by
     * key only, so nothing makes the session but A's next handshake: the first ping starts it and
     * says so, the second finds it up.
     */
    @Test
    void theFirstPingOfAPeerWithoutASessionSaysItMadeOne() throws Exception {
        PrivateKey aKey = PrivateKey.generate(RANDOM);
        PrivateKey cKey = PrivateKey.generate(RANDOM);
        int port;
        Daemon a;
        try (DatagramSocket absent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = absent.getLocalPort();
            a = start(aKey, dir.resolve("a.sock"), "{ public-key = \"%s\", endpoint = \"127.0.0.1:%d\" }"
                    .formatted(cKey.publicKey(), port));
            Thread.sleep(1200); // a ping may start a handshake a second after the last one
        }
        MeshNode c = MeshNode.start(NodeConfig.of(cKey, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                PresharedKey.fromBase64(network)).withPeers(List.of(PeerConfig.of(aKey.publicKey(), null))), new NodeListener() {});
        closeAtEnd.add(c);
        Result ping = keymesh("ping", cKey.publicKey().toBase64(), "-c", "2", "--interval", "0s", "--socket", a.socket.toString());
        assertEquals(0, ping.exit(), ping.err() + ping.out());
        List<String> lines = ping.out().lines().toList();
        String pong = "pong from \\Q" + cKey.publicKey().toBase64().substring(0, 8) + "\u2026\\E via direct 127\\.0\\.0\\.1:" + port
                + " in [<0-9.]+ ms";
        assertTrue(lines.get(0).matches(pong + " \\(no session: a handshake first\\)"), lines.get(0));
        assertTrue(lines.get(1).matches(pong), lines.get(1));
    }

    @Test
    void aStockWireGuardPeerIsNotPingedAndTheMessageNamesWgping() throws Exception {
        PublicKey wg = PrivateKey.generate(RANDOM).publicKey();
        Daemon a = start(PrivateKey.generate(RANDOM), dir.resolve("a.sock"),
                "{ public-key = \"%s\", endpoint = \"127.0.0.1:9\", wireguard = true }".formatted(wg));
        Result r = keymesh("ping", wg.toBase64(), "--socket", a.socket.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("keymesh ping: peer " + wg + " is a stock WireGuard peer"), r.err());
        assertTrue(r.err().contains("keymesh wgping"), r.err());
    }

    @Test
    void aPeerThatNeverAnswersIsReportedLostWithExitStatus1() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            PublicKey quiet = PrivateKey.generate(RANDOM).publicKey();
            Daemon a = start(PrivateKey.generate(RANDOM), dir.resolve("a.sock"),
                    "{ public-key = \"%s\", endpoint = \"127.0.0.1:%d\" }".formatted(quiet, silent.getLocalPort()));
            Result r = keymesh("ping", quiet.toBase64(), "-c", "2", "--interval", "0s", "--timeout", "200ms", "--socket", a.socket.toString());
            assertEquals(1, r.exit(), r.err());
            List<String> lines = r.out().lines().toList();
            String who = quiet.toBase64().substring(0, 8) + "\u2026";
            assertEquals(3, lines.size(), r.out());
            assertTrue(lines.get(0).startsWith("no answer from " + who + ": no session within "), lines.get(0));
            assertTrue(lines.get(1).startsWith("no answer from " + who + ": "), lines.get(1));
            assertEquals(quiet + ": 2 probes, 0 answered, 100% lost", lines.get(2));
            JsonNode peer = peer(statusJson(a), quiet);
            assertEquals("down", peer.path("state").asText());
            assertTrue(peer.path("lastHeardAgoMs").isNull(), "never heard from: " + peer);
            assertTrue(peer.path("lastHandshakeAgoMs").isNull());
        }
    }

    /**
     * {@code keymesh forward LISTEN KEY/SERVICE} on A's daemon reaches B's "echo" service (a TCP
     * echo server on loopback): bytes go through and come back; the forward is listed, then removed
     * (nothing listens there any more); bad requests are refused clearly.
     */
    @Test
    void aForwardAddedAtRunTimeCarriesAConnectionAndIsListedAndRemoved() throws Exception {
        java.net.ServerSocket echo = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeAtEnd.add(echo);
        Thread.ofVirtual().start(() -> {
            try (java.net.Socket s = echo.accept()) {
                s.getInputStream().transferTo(s.getOutputStream());
            } catch (IOException e) {
                // the test failed elsewhere
            }
        });
        PrivateKey a = PrivateKey.generate(RANDOM);
        PrivateKey b = PrivateKey.generate(RANDOM);
        Daemon db = start(b, dir.resolve("b.sock"), "{ public-key = \"%s\" }".formatted(a.publicKey()),
                "services { echo = \"127.0.0.1:%d\" }".formatted(echo.getLocalPort()));
        Daemon da = start(a, dir.resolve("a.sock"), "{ public-key = \"%s\", endpoint = \"127.0.0.1:%d\" }"
                .formatted(b.publicKey(), db.port()));
        String socket = da.socket.toString();

        Result add = keymesh("forward", "127.0.0.1:0", b.publicKey().toBase64() + "/echo", "--socket", socket);
        assertEquals(0, add.exit(), add.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("forwarding 127\\.0\\.0\\.1:(\\d+) to "
                + java.util.regex.Pattern.quote(b.publicKey().toBase64() + "/echo")).matcher(add.out().strip());
        assertTrue(m.matches(), add.out());
        int port = Integer.parseInt(m.group(1));
        try (java.net.Socket c = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            c.getOutputStream().write("through the mesh".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            c.shutdownOutput();
            assertEquals("through the mesh", new String(c.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        Result list = keymesh("forward", "--socket", socket);
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("  127.0.0.1:" + port + " -> " + b.publicKey().toBase64() + "/echo"), list.out());
        Result exposed = keymesh("forward", "--list", "--socket", db.socket.toString());
        assertTrue(exposed.out().contains("  echo = 127.0.0.1:" + echo.getLocalPort() + "  (any member)"), exposed.out());
        assertTrue(exposed.out().contains("1 opened"), exposed.out());

        Result remove = keymesh("forward", "--remove", "127.0.0.1:" + port, "--socket", socket);
        assertEquals(0, remove.exit(), remove.err());
        assertEquals("stopped forwarding 127.0.0.1:" + port, remove.out().strip());
        assertThrows(java.net.ConnectException.class, () -> new java.net.Socket(InetAddress.getLoopbackAddress(), port).close());
        Result again = keymesh("forward", "--remove", "127.0.0.1:" + port, "--socket", socket);
        assertEquals(1, again.exit());
        assertEquals("keymesh forward: no forward listens on 127.0.0.1:" + port + "\n", again.err());
        Result badTo = keymesh("forward", "127.0.0.1:0", "nokey/echo", "--socket", socket);
        assertEquals(2, badTo.exit());
        assertTrue(badTo.err().startsWith("keymesh forward: to: a public key is 44 characters"), badTo.err());
        Result half = keymesh("forward", "127.0.0.1:0", "--socket", socket);
        assertEquals(2, half.exit());
    }

    @Test
    void noDaemonIsExitStatus1NamingTheSocket() throws Exception {
        Path none = dir.resolve("none.sock");
        Result r = keymesh("status", "--socket", none.toString());
        assertEquals(1, r.exit());
        assertEquals("keymesh status: " + none + ": no control socket there (is `keymesh up` running? it logs its socket's path)\n",
                r.err());
        assertEquals("", r.out());

        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(stale));
        } // closed, the file left behind: a daemon that died
        Result ping = keymesh("ping", PrivateKey.generate(RANDOM).publicKey().toBase64(), "--socket", stale.toString());
        assertEquals(1, ping.exit());
        assertEquals("keymesh ping: " + stale + ": no daemon answers there (a socket left by a daemon that stopped)\n", ping.err());
        Result remove = keymesh("peer", "remove", PrivateKey.generate(RANDOM).publicKey().toBase64(), "--socket", stale.toString());
        assertEquals(1, remove.exit());
    }

    @Test
    void badCommandLinesAreExitStatus2() {
        assertEquals(2, keymesh("ping").exit());
        Result badKey = keymesh("ping", "abc");
        assertEquals(2, badKey.exit());
        assertTrue(badKey.err().startsWith("KEY: a public key is 44 characters of base64 or 52 of base32, got 3 characters"),
                badKey.err());
        String key = PrivateKey.generate(RANDOM).publicKey().toBase64();
        assertEquals(2, keymesh("ping", key, "-c", "0").exit());
        assertEquals(2, keymesh("ping", key, "--timeout", "0s").exit());
        assertEquals(2, keymesh("ping", key, "--interval", "soon").exit());
        assertEquals(2, keymesh("status", "--bogus").exit());
        assertEquals(2, keymesh("peer").exit());
        assertEquals(2, keymesh("peer", "add", key, "--persistent-keepalive", "1500ms").exit());
    }

    /**
     * On one connection: garbage, a non-object, a missing version, another version, an unknown
     * operation — each answered with an error — and then a good request is answered. A request too
     * long is answered and its connection closed; the daemon answers the next connection.
     */
    @Test
    void malformedRequestsGetErrorsAndTheDaemonGoesOn() throws Exception {
        Daemon a = start(PrivateKey.generate(RANDOM), dir.resolve("a.sock"), "");
        Duration t = Duration.ofSeconds(10);
        try (ControlClient c = ControlClient.connect(a.socket)) {
            assertError(c.exchange("{not json", t), "bad-request", "not JSON: ");
            assertError(c.exchange("[1,2]", t), "bad-request", "a request is a JSON object");
            assertError(c.exchange("{\"v\":1,\"op\":\"status\"} trailing", t), "bad-request", "not JSON: ");
            assertError(c.exchange("{\"op\":\"status\"}", t), "bad-request", "v: missing");
            assertError(c.exchange("{\"v\":2,\"op\":\"status\",\"id\":7}", t), "unsupported-version",
                    "this daemon speaks version 1 of the protocol, got v 2");
            assertEquals(7, c.exchange("{\"v\":2,\"op\":\"status\",\"id\":7}", t).path("id").asInt(), "the id is echoed");
            assertError(c.exchange("{\"v\":1,\"op\":\"launch\"}", t), "unknown-op",
                    "no operation \"launch\"; this daemon offers hello, status, ping, peer.add, peer.remove, forward.add, forward.remove, forward.list");
            assertError(c.exchange("{\"v\":1,\"op\":\"ping\"}", t), "bad-request", "peer: missing");
            assertError(c.exchange("{\"v\":1,\"op\":\"ping\",\"peer\":5}", t), "bad-request", "peer: must be a string");
            assertError(c.exchange("{\"v\":1,\"op\":\"peer.add\",\"peer\":\"" + a.publicKey() + "\"}", t), "bad-request",
                    "peer: " + a.publicKey() + " is this node's own key");
            JsonNode ok = c.exchange("{\"v\":1,\"op\":\"status\",\"id\":\"s1\"}", t);
            assertTrue(ok.path("ok").asBoolean(), ok.toString());
            assertEquals("s1", ok.path("id").asText());
            assertEquals(a.publicKey().toBase64(), ok.path("result").path("node").path("publicKey").asText());
            JsonNode hello = c.exchange("{\"v\":1,\"op\":\"hello\"}", t);
            assertEquals("{\"version\":1,\"ops\":[\"hello\",\"status\",\"ping\",\"peer.add\",\"peer.remove\",\"forward.add\",\"forward.remove\",\"forward.list\"]}",
                    hello.path("result").toString());
        }
        try (ControlClient c = ControlClient.connect(a.socket)) {
            String huge = "{\"v\":1,\"op\":\"status\",\"pad\":\"" + "x".repeat(70_000) + "\"}";
            assertError(c.exchange(huge, t), "too-large", "a request is one line of at most 65536 bytes");
        }
        try (ControlClient c = ControlClient.connect(a.socket)) {
            assertTrue(c.exchange("{\"v\":1,\"op\":\"status\"}", t).path("ok").asBoolean(), "still answering");
        }
    }

    private static void assertError(JsonNode response, String code, String messageStart) {
        assertFalse(response.path("ok").asBoolean(true), response.toString());
        assertEquals(1, response.path("v").asInt());
        assertEquals(code, response.path("error").path("code").asText(), response.toString());
        assertTrue(response.path("error").path("message").asText().startsWith(messageStart), response.toString());
    }

    @Test
    void theSocketIsOwnerOnlyInAnOwnerOnlyDirectoryAndRemovedAtExit() throws Exception {
        Path socket = dir.resolve("run/keymesh/a.sock");
        Daemon a = start(PrivateKey.generate(RANDOM), socket, "");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent().getParent())),
                "every directory it created");
        assertEquals(0, a.stop());
        daemons.remove(a);
        assertFalse(Files.exists(socket), "removed at exit");
    }

    @Test
    void aSecondDaemonOnALiveSocketFailsToStartAndAStaleSocketIsReplaced() throws Exception {
        Path socket = dir.resolve("a.sock");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "a stale socket");
        Logger logger = (Logger) LoggerFactory.getLogger(ControlServer.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            Daemon first = start(PrivateKey.generate(RANDOM), socket, "");
            assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().equals(
                    "control socket " + socket + ": replaced a stale socket (no daemon answered)")), logs.list.toString());
            assertEquals(0, statusJson(first).path("peers").size());
        } finally {
            logger.detachAppender(logs);
        }
        Path conf = dir.resolve("second.conf");
        Files.writeString(conf, """
                keymesh {
                  private-key = "%s"
                  network-key = "%s"
                  listen = "127.0.0.1:0"
                  control.socket = "%s"
                }
                """.formatted(PrivateKey.generate(RANDOM).toBase64(), network, socket));
        Run second = new Run();
        assertEquals(1, second.execute("up", "--config", conf.toString()));
        assertEquals("keymesh up: " + conf + ": keymesh.control.socket: " + socket + ": another keymesh daemon is answering"
                + " there; stop it, or give this one another path (keymesh.control.socket)\n", second.err.toString());
        assertTrue(Files.exists(socket), "the first daemon's socket stays");
        assertEquals(0, statusJson(daemons.getFirst()).path("peers").size(), "and the first daemon still answers");
    }

    @Test
    void withoutControlEnabledThereIsNoSocket() throws Exception {
        Path conf = dir.resolve("off.conf");
        Path socket = dir.resolve("off.sock");
        Files.writeString(conf, """
                keymesh {
                  private-key = "%s"
                  network-key = "%s"
                  listen = "127.0.0.1:0"
                  control { enabled = false, socket = "%s" }
                }
                """.formatted(PrivateKey.generate(RANDOM).toBase64(), network, socket));
        Run run = new Run();
        UpCommand up = run.cli.getSubcommands().get("up").getCommand();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> run.execute("up", "--config", conf.toString(), "--status-interval", "0"), r -> Thread.ofPlatform().start(r));
        up.started.get(20, TimeUnit.SECONDS);
        assertFalse(Files.exists(socket));
        up.stop("test over");
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
    }
}
