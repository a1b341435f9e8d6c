package io.keymesh.metrics.web;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.metrics.KeymeshMetrics;
import io.keymesh.metrics.NodeSnapshots;
import io.keymesh.node.PeerStats;
import io.keymesh.session.DropReason;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP server: a Prometheus scrape of a real node's meters over HTTP, parsed, equal to the
 * node's counters; the topology page's files and JSON; 404, 405, and 403 for a Host that is not
 * loopback on a loopback-bound server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshHttpServerTest {
    @AutoClose
    private final Loopback net = new Loopback();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> request(MeshHttpServer server, String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aScrapeOverHttpHasEveryMeterWithTheNodesValues() throws Exception {
        Loopback.Pair pair = net.connectedPair(newNetworkKey());
        Node a = pair.a();
        Node b = pair.b();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        KeymeshMetrics m = net.track(KeymeshMetrics.bindTo(a.mesh(), registry));
        MeshHttpServer server = net.track(MeshHttpServer.on(new InetSocketAddress(Loopback.LOCALHOST, 0))
                .prometheus(() -> {
                    m.refresh(); // the meters read this snapshot during the scrape
                    return registry.scrape();
                }).start());
        for (int i = 0; i < 7; i++) {
            assertTrue(a.mesh().send(b.publicKey(), new byte[64]));
        }
        try (DatagramChannel stranger = DatagramChannel.open()) {
            stranger.send(ByteBuffer.wrap(new byte[] {1}), a.address());
            stranger.send(ByteBuffer.wrap(new byte[] {2}), a.address());
        }
        await("datagrams at b, drops at a", () -> b.events().datagramCount() == 7
                && get(a.mesh().drops()).getOrDefault(DropReason.MALFORMED, 0L) == 2);

        Map<String, String> toB = Map.of("peer", b.publicKey().toBase64());
        for (int i = 0; ; i++) {
            PeerStats before = Loopback.stats(a, b.publicKey());
            HttpResponse<String> r = request(server, "GET", "/metrics");
            PeerStats after = Loopback.stats(a, b.publicKey());
            assertEquals(200, r.statusCode());
            assertEquals(MeshHttpServer.PROMETHEUS_TEXT, r.headers().firstValue("Content-Type").orElseThrow());
            if (!before.equals(after) && i < 100) {
                continue; // a keepalive between: read again
            }
            PrometheusText p = PrometheusText.parse(r.body());
            assertEquals("counter", p.types.get("keymesh_peer_bytes_total"), p.types.toString());
            assertEquals("gauge", p.types.get("keymesh_peer_up"));
            assertEquals(after.txBytes(), p.get("keymesh_peer_bytes_total", with(toB, "direction", "tx")));
            assertEquals(after.rxBytes(), p.get("keymesh_peer_bytes_total", with(toB, "direction", "rx")));
            assertEquals(after.txPackets(), p.get("keymesh_peer_packets_total", with(toB, "direction", "tx")));
            assertEquals(after.rxPackets(), p.get("keymesh_peer_packets_total", with(toB, "direction", "rx")));
            assertEquals(7, p.get("keymesh_peer_datagrams_total", with(toB, "direction", "tx")));
            assertEquals(after.handshakes(), p.get("keymesh_peer_handshakes_total", toB));
            assertEquals(1, p.get("keymesh_peer_up", toB));
            assertEquals(1, p.get("keymesh_peers", Map.of("state", "up")));
            assertEquals(0, p.get("keymesh_peers", Map.of("state", "down")));
            assertEquals(after.txBytes(), p.get("keymesh_bytes_total", Map.of("direction", "tx")));
            assertEquals(2, p.get("keymesh_drops_total", Map.of("reason", "MALFORMED")));
            assertEquals(0, p.get("keymesh_relay_circuits", Map.of()));
            assertEquals(0, p.get("keymesh_discovery_seeks_started_total", Map.of()));
            assertTrue(p.get("keymesh_peer_handshake_age_seconds", toB) >= 0);
            assertTrue(p.samples.containsKey(PrometheusText.key("keymesh_peer_rtt_seconds", toB)));
            return;
        }
    }

    private static Map<String, String> with(Map<String, String> m, String k, String v) {
        java.util.HashMap<String, String> out = new java.util.HashMap<>(m);
        out.put(k, v);
        return out;
    }

    @Test
    void theTopologyPageItsFilesAndItsJsonAreServedAndNothingElse() throws Exception {
        Node a = net.start(io.keymesh.testing.TestKeys.newKey(), newNetworkKey(), List.of());
        MeshHttpServer server = net.track(MeshHttpServer.on(new InetSocketAddress(Loopback.LOCALHOST, 0))
                .topology(new NodeSnapshots(a.mesh())).start());
        HttpResponse<String> page = request(server, "GET", "/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(page.body().contains("<script src=\"topology.js\"></script>"), page.body());
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("default-src 'self'"));
        assertEquals(200, request(server, "GET", "/topology.js").statusCode());
        assertEquals(200, request(server, "GET", "/topology.css").statusCode());
        HttpResponse<String> json = request(server, "GET", "/api/topology");
        assertEquals("application/json", json.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(json.body().startsWith("{\"node\":{\"key\":\"" + a.publicKey().toBase64() + "\""), json.body());
        assertTrue(json.body().contains("\"peers\":[]"), json.body());
        HttpResponse<String> head = request(server, "HEAD", "/api/topology");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());

        assertEquals(404, request(server, "GET", "/metrics").statusCode(), "no Prometheus scrape asked for");
        assertEquals(404, request(server, "GET", "/api/topology/x").statusCode());
        assertEquals(404, request(server, "GET", "/../etc/passwd").statusCode());
        HttpResponse<String> post = request(server, "POST", "/api/topology");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void aLoopbackServerRefusesAHostHeaderThatIsNotLoopback() throws Exception {
        Node a = net.start(io.keymesh.testing.TestKeys.newKey(), newNetworkKey(), List.of());
        MeshHttpServer server = net.track(MeshHttpServer.on(new InetSocketAddress(Loopback.LOCALHOST, 0))
                .topology(new NodeSnapshots(a.mesh())).start());
        int port = server.address().getPort();
        assertEquals(403, rawStatus(port, "rebound.example:" + port));
        assertEquals(403, rawStatus(port, "10.0.0.1:" + port));
        assertEquals(200, rawStatus(port, "localhost:" + port));
        assertEquals(200, rawStatus(port, "127.0.0.1:" + port));
        assertEquals(200, rawStatus(port, "[::1]:" + port));
    }

    /** The status of {@code GET /api/topology} sent with {@code Host: host} (which the JDK's client does not let one set). */
    private static int rawStatus(int port, String host) throws IOException {
        try (Socket s = new Socket(Loopback.LOCALHOST, port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/topology HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return Integer.parseInt(response.substring(9, 12));
        }
    }

    @Test
    void loopbackHostsAreLocalhostThe127NetworkAndIpv6Loopback() {
        for (String ok : List.of("localhost", "LOCALHOST:80", "localhost.", "127.0.0.1", "127.1.2.3:9464", "[::1]", "[::1]:8480")) {
            assertTrue(MeshHttpServer.loopbackHost(ok), ok);
        }
        assertTrue(MeshHttpServer.loopbackHost(null), "HTTP/1.0 without Host");
        for (String bad : List.of("", "evil.example", "localhost.evil.example", "127.0.0.1.evil.example", "128.0.0.1",
                "127.0.0.256", "127.0.0", "[::2]", "[::1]x", "localhost:x", "0.0.0.0", "[::ffff:127.0.0.1]")) {
            assertFalse(MeshHttpServer.loopbackHost(bad), bad);
        }
    }

    @Test
    void aServerWithNothingToServeOrAnAddressInUseDoesNotStart() throws Exception {
        assertThrows(IllegalStateException.class, () -> MeshHttpServer.on(new InetSocketAddress(Loopback.LOCALHOST, 0)).start());
        try (ServerSocket taken = new ServerSocket(0, 1, Loopback.LOCALHOST)) {
            assertThrows(java.net.BindException.class, () -> MeshHttpServer.on(
                    new InetSocketAddress(Loopback.LOCALHOST, taken.getLocalPort())).prometheus(() -> "").start());
        }
    }
}
