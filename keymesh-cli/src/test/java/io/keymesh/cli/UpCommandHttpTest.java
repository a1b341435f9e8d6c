package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code keymesh up} with {@code keymesh.metrics.prometheus} and {@code keymesh.web}: nothing
 * served by default; a Prometheus scrape and the topology page over HTTP when enabled, on one
 * server or two; a non-loopback address refused; an address in use reported with exit status 1.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UpCommandHttpTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** {@code keymesh up} in a thread of its own, stopped by interrupting that thread (as SIGINT would stop it). */
    private static final class Daemon implements AutoCloseable {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine();
        final UpCommand up = cli.getSubcommands().get("up").getCommand();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();
        final Thread thread;

        Daemon(String... args) {
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            thread = Thread.ofPlatform().start(() -> exit.complete(cli.execute(args)));
        }

        /** Waits for the node to run; fails with what the command printed if it exits first. */
        HttpEndpoints started() throws Exception {
            CompletableFuture.anyOf(up.started, exit).get(30, TimeUnit.SECONDS);
            assertTrue(up.started.isDone() && !up.started.isCompletedExceptionally(), "exit " + exit.getNow(null) + ": " + err);
            return up.http;
        }

        @Override
        public void close() throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
            thread.interrupt();
            try {
                assertEquals(0, exit.get(30, TimeUnit.SECONDS), err.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for the daemon to stop", e);
            }
        }
    }

    private Path conf(String body) throws IOException {
        Path p = dir.resolve("node.conf");
        Files.writeString(p, """
                keymesh {
                  private-key = "%s"
                  network-key = "%s"
                  listen = "127.0.0.1:0"
                %s}
                """.formatted(PrivateKey.generate(RANDOM).toBase64(), PresharedKey.generate(RANDOM).toBase64(), body));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    private HttpResponse<String> get(InetSocketAddress server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> atHost(HttpClient c, InetSocketAddress server, String path) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create("http://" + server.getAddress().getHostAddress() + ":" + server.getPort()
                + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return true; // something answers or hangs there: not a clean "nothing listens"
        }
    }

    @Test
    void nothingIsServedByDefault() throws Exception {
        boolean prometheusPortFree = !listening(9464);
        boolean webPortFree = !listening(8480);
        try (Daemon d = new Daemon("up", "--config", conf("").toString(), "--status-interval", "0")) {
            HttpEndpoints e = d.started();
            assertNull(e.prometheusAddress());
            assertNull(e.webAddress());
            if (prometheusPortFree) {
                assertTrue(!listening(9464), "nothing listens on the default Prometheus port");
            }
            if (webPortFree) {
                assertTrue(!listening(8480), "nothing listens on the default page port");
            }
        }
    }

    @Test
    void bothOnOneAddressShareOneServerThatServesTheMetricsAndThePage() throws Exception {
        PublicKey peer = PrivateKey.generate(RANDOM).publicKey();
        Path conf = conf("""
                  peers = [ { public-key = "%s" } ]
                  metrics.prometheus { enabled = true, listen = "127.0.0.1:0" }
                  web { enabled = true, listen = "127.0.0.1:0" }
                """.formatted(peer));
        int port;
        try (Daemon d = new Daemon("up", "--config", conf.toString(), "--status-interval", "0")) {
            HttpEndpoints e = d.started();
            assertNotNull(e.prometheusAddress());
            port = e.prometheusAddress().getPort();
            assertEquals(e.prometheusAddress(), e.webAddress());
            HttpResponse<String> metrics = get(e.prometheusAddress(), "/metrics");
            assertEquals(200, metrics.statusCode());
            List<String> lines = metrics.body().lines().toList();
            assertTrue(lines.contains("keymesh_peers{state=\"down\"} 1.0"), metrics.body());
            assertTrue(lines.contains("keymesh_peer_up{peer=\"" + peer.toBase64() + "\"} 0.0"), metrics.body());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("jvm_memory_used_bytes{")), "the JVM's meters too");
            HttpResponse<String> topology = get(e.webAddress(), "/api/topology");
            assertEquals(200, topology.statusCode());
            assertTrue(topology.body().contains("\"key\":\"" + peer.toBase64() + "\""), topology.body());
            assertEquals(200, get(e.webAddress(), "/").statusCode());
        }
        assertTrue(!listening(port), "the server stopped with the daemon");
    }

    @Test
    void onTwoAddressesEachServesOnlyItsOwn() throws Exception {
        Path conf = conf("""
                  metrics { max-peers = 0, prometheus { enabled = true, listen = "127.0.0.1:0" } }
                  web { enabled = true, listen = "127.0.0.2:0" }
                """);
        try (Daemon d = new Daemon("up", "--config", conf.toString(), "--status-interval", "0")) {
            HttpEndpoints e = d.started();
            assertEquals(InetAddress.getByName("127.0.0.1"), e.prometheusAddress().getAddress());
            assertEquals(InetAddress.getByName("127.0.0.2"), e.webAddress().getAddress());
            assertEquals(200, atHost(http, e.prometheusAddress(), "/metrics").statusCode());
            assertEquals(404, atHost(http, e.prometheusAddress(), "/api/topology").statusCode());
            assertEquals(200, atHost(http, e.webAddress(), "/api/topology").statusCode());
            assertEquals(404, atHost(http, e.webAddress(), "/metrics").statusCode());
        }
    }

    @Test
    void aNonLoopbackAddressIsAConfigErrorUnlessAllowed() throws Exception {
        Path conf = conf("  web { enabled = true, listen = \"0.0.0.0:0\" }\n");
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute("up", "--config", conf.toString()));
        assertEquals("keymesh up: " + conf + ": keymesh.web.listen: 0.0.0.0:0 is not a loopback address: the topology page"
                + " shows this node's peers, their addresses and traffic to whoever reaches it, without authentication."
                + " Listen on \"127.0.0.1:PORT\" or \"[::1]:PORT\" (and reach it through an SSH tunnel or a proxy), or set"
                + " keymesh.web.allow-non-loopback = true (line 5)\n", err.toString());
    }

    @Test
    void anAddressInUseIsReportedWithExitStatus1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Path conf = conf("  metrics.prometheus { enabled = true, listen = \"127.0.0.1:%d\" }\n".formatted(port));
            StringWriter err = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            assertEquals(1, cli.execute("up", "--config", conf.toString(), "--exit-after", "30s"));
            assertEquals("keymesh up: " + conf + ": keymesh.metrics.prometheus.listen: cannot bind TCP 127.0.0.1:" + port
                    + ": Address already in use\n", err.toString());
        }
    }
}
