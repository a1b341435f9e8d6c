package io.keymesh.metrics.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.keymesh.crypto.PublicKey;
import io.keymesh.metrics.NodeSnapshots;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server on the JDK's {@link HttpServer}, one thread, serving what it was built
 * with: the topology page ({@code GET /}, its script and style, and {@code GET /api/topology},
 * {@link TopologyJson}) and a Prometheus scrape ({@code GET /metrics}). Other paths get 404, other
 * methods than GET and HEAD 405. Nothing is cached by the browser.
 *
 * <p>Bound to a loopback address, it answers only requests whose {@code Host} header names a
 * loopback host ({@code localhost}, {@code 127.x.x.x}, {@code [::1]}) and 403 to others, so that a
 * web page elsewhere cannot read it through a DNS name rebound to 127.0.0.1. It has no
 * authentication: bind it elsewhere only on a network whose hosts may read it.
 *
 * <p>Thread-safe; {@link #close} stops it at once and is idempotent.
 */
public final class MeshHttpServer implements AutoCloseable {
    /** The content type of Prometheus's text format 0.0.4, which {@code PrometheusMeterRegistry.scrape()} writes. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** Where the page's files are on the class path. */
    static final String RESOURCES = "/io/keymesh/metrics/web/";

    private static final Logger log = LoggerFactory.getLogger(MeshHttpServer.class);

    private record Static(byte[] body, String type) {}

    private final HttpServer server;
    private final ExecutorService executor;
    private final boolean loopback;
    private final Map<String, Static> files = new HashMap<>();
    private final NodeSnapshots snapshots;
    private final Function<PublicKey, String> names;
    private final Supplier<String> scrape;

    private MeshHttpServer(Builder b) throws IOException {
        this.snapshots = b.snapshots;
        this.names = b.names;
        this.scrape = b.scrape;
        if (snapshots != null) {
            files.put("/", resource("index.html", "text/html; charset=utf-8"));
            files.put("/index.html", files.get("/"));
            files.put("/topology.js", resource("topology.js", "text/javascript; charset=utf-8"));
            files.put("/topology.css", resource("topology.css", "text/css; charset=utf-8"));
        }
        this.loopback = b.address.getAddress() != null && b.address.getAddress().isLoopbackAddress();
        this.server = HttpServer.create(b.address, 16);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "keymesh-http-" + b.address.getPort());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A server to bind to {@code address} (port 0: any free port). */
    public static Builder on(InetSocketAddress address) {
        return new Builder(Objects.requireNonNull(address, "address"));
    }

    /** What a server serves; build with {@link #start}. Not thread-safe. */
    public static final class Builder {
        private final InetSocketAddress address;
        private NodeSnapshots snapshots;
        private Function<PublicKey, String> names = key -> null;
        private Supplier<String> scrape;

        private Builder(InetSocketAddress address) {
            this.address = address;
        }

        /** Serves the topology page of the node of {@code snapshots}, peers without names. */
        public Builder topology(NodeSnapshots s) {
            return topology(s, key -> null);
        }

        /** Serves the topology page; {@code peerNames} gives a peer's name, or null for none. */
        public Builder topology(NodeSnapshots s, Function<PublicKey, String> peerNames) {
            this.snapshots = Objects.requireNonNull(s, "snapshots");
            this.names = Objects.requireNonNull(peerNames, "peerNames");
            return this;
        }

        /** Serves {@code GET /metrics}: the text {@code prometheusText} returns, in Prometheus's text format 0.0.4. */
        public Builder prometheus(Supplier<String> prometheusText) {
            this.scrape = Objects.requireNonNull(prometheusText, "prometheusText");
            return this;
        }

        /**
         * Binds and starts the server.
         *
         * @throws IOException if the address cannot be bound (in use, not this host's)
         * @throws IllegalStateException if it was given nothing to serve
         */
        public MeshHttpServer start() throws IOException {
            if (snapshots == null && scrape == null) {
                throw new IllegalStateException("nothing to serve: give topology(...) or prometheus(...)");
            }
            return new MeshHttpServer(this);
        }
    }

    /** The bound address (with the port chosen, if 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getRawPath();
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (loopback && !loopbackHost(ex.getRequestHeaders().getFirst("Host"))) {
                send(ex, 403, "text/plain; charset=utf-8",
                        "forbidden: this server answers requests for localhost only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            Supplier<Static> route = route(path);
            if (route == null) {
                send(ex, 404, "text/plain; charset=utf-8", ("not found: " + path + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            Static body;
            try {
                body = route.get();
            } catch (RuntimeException e) {
                log.warn("{} {} failed", method, path, e);
                send(ex, 500, "text/plain; charset=utf-8", ("failed: " + e + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (body.type().startsWith("text/html")) {
                ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
                ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            }
            if (method.equals("HEAD")) {
                ex.getResponseHeaders().set("Content-Type", body.type());
                ex.sendResponseHeaders(200, -1);
            } else {
                send(ex, 200, body.type(), body.body());
            }
        }
    }

    /** What answers {@code path}, or null for none. */
    private Supplier<Static> route(String path) {
        Static file = files.get(path);
        if (file != null) {
            return () -> file;
        }
        if (snapshots != null && path.equals("/api/topology")) {
            return () -> new Static(TopologyJson.of(snapshots.latest(), names).getBytes(StandardCharsets.UTF_8),
                    "application/json");
        }
        if (scrape != null && path.equals("/metrics")) {
            return () -> new Static(scrape.get().getBytes(StandardCharsets.UTF_8), PROMETHEUS_TEXT);
        }
        return null;
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * True for a Host header naming a loopback host, with or without a port, or for none (HTTP/1.0):
     * {@code localhost}, an IPv4 address in 127.0.0.0/8, {@code [::1]}.
     */
    static boolean loopbackHost(String host) {
        if (host == null) {
            return true;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 && h.substring(1, end).equals("::1") && (end == h.length() - 1 || port(h.substring(end + 1)));
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (!port(h.substring(colon))) {
                return false;
            }
            h = h.substring(0, colon);
        }
        if (h.equals("localhost") || h.equals("localhost.")) {
            return true;
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** ":PORT". */
    private static boolean port(String s) {
        return s.length() >= 2 && s.length() <= 6 && s.charAt(0) == ':' && s.substring(1).chars().allMatch(Character::isDigit);
    }

    private static Static resource(String name, String type) {
        try (InputStream in = MeshHttpServer.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("missing class-path resource " + RESOURCES + name);
            }
            return new Static(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
