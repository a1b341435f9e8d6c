package io.keymesh.cli.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keymesh.config.HostPort;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.MeshNode;
import io.keymesh.node.PeerConfig;
import io.keymesh.node.PeerStats;
import io.keymesh.node.PingResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The operations on a running {@link MeshNode}: {@value #STATUS}, {@value #PING}, {@value #PEER_ADD}
 * and {@value #PEER_REMOVE}. Each waits for the node's loop a bounded time
 * ({@value #NODE_WAIT_SECONDS} s, a ping its own timeout more). Thread-safe, as the node is.
 */
public final class NodeOperations {
    public static final String STATUS = "status";
    public static final String PING = "ping";
    public static final String PEER_ADD = "peer.add";
    public static final String PEER_REMOVE = "peer.remove";

    /** A request's peer key. */
    public static final String PEER = "peer";
    /** {@value #PING}: how long to wait for the answer (a handshake included), in milliseconds. */
    public static final String TIMEOUT_MS = "timeoutMs";
    /** {@value #PEER_ADD}: where to reach the peer first, "HOST:PORT". */
    public static final String ENDPOINT = "endpoint";
    /** {@value #PEER_ADD}: routes through relays, as {@code via} in the config file. */
    public static final String VIA = "via";
    /** {@value #PEER_ADD}: the peer's name ({@link PeerConfig#nameProblem}), unique among the node's peers. */
    public static final String NAME = "name";
    /** {@value #PEER_ADD}: persistent keepalive in whole seconds, 0 (off) to 65535. */
    public static final String PERSISTENT_KEEPALIVE_SECONDS = "persistentKeepaliveSeconds";

    /** A ping's timeout when the request gives none. */
    public static final long DEFAULT_PING_TIMEOUT_MS = 5_000;
    /** The longest a ping may wait. */
    public static final long MAX_PING_TIMEOUT_MS = 600_000;
    /** How long an operation waits for the node's loop. */
    static final long NODE_WAIT_SECONDS = 10;

    private final MeshNode node;
    private final long startedNanos;

    private NodeOperations(MeshNode node, long startedNanos) {
        this.node = node;
        this.startedNanos = startedNanos;
    }

    /** A registry with {@code node}'s operations (started at {@code startedNanos}, {@link System#nanoTime()}), to add more to. */
    public static ControlOperations of(MeshNode node, long startedNanos) {
        NodeOperations n = new NodeOperations(node, startedNanos);
        return new ControlOperations()
                .register(STATUS, r -> n.status())
                .register(PING, n::ping)
                .register(PEER_ADD, n::addPeer)
                .register(PEER_REMOVE, n::removePeer);
    }

    private JsonNode status() throws ControlError {
        return StatusReport.of(node.publicKey(), node.localAddress(), System.nanoTime() - startedNanos,
                await(node.peerStats()), await(node.drops()), await(node.relayStats()), await(node.discoveryStats()),
                await(node.channelStats()));
    }

    private JsonNode ping(ControlRequest r) throws ControlError {
        PublicKey key = r.key(PEER);
        long timeoutMs = r.integer(TIMEOUT_MS, DEFAULT_PING_TIMEOUT_MS, 1, MAX_PING_TIMEOUT_MS);
        if (key.equals(node.publicKey())) {
            throw new ControlError(ControlError.BAD_REQUEST, PEER + ": " + key + " is this node's own key");
        }
        if (!node.isPeer(key) && !await(node.reach(key))) {
            throw notAPeer(key);
        }
        CompletableFuture<PingResult> ping;
        try {
            ping = node.ping(key, Duration.ofMillis(timeoutMs));
        } catch (IllegalArgumentException e) {
            throw new ControlError(ControlError.BAD_REQUEST, e.getMessage());
        }
        PingResult p;
        try {
            p = ping.get(timeoutMs + NODE_WAIT_SECONDS * 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof TimeoutException) {
                throw new ControlError(ControlError.TIMEOUT, c.getMessage());
            }
            if (c instanceof IllegalArgumentException) {
                throw node.isPeer(key) ? new ControlError(ControlError.REFUSED, c.getMessage()) : notAPeer(key);
            }
            throw failed(c);
        } catch (TimeoutException e) {
            throw new ControlError(ControlError.TIMEOUT, "the node did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlError(ControlError.UNAVAILABLE, "interrupted");
        }
        ObjectNode n = ControlProtocol.JSON.createObjectNode();
        n.put(PEER, key.toBase64());
        ObjectNode path = n.putObject("path");
        path.put("kind", p.relayed() ? "relayed" : "direct");
        if (p.relayed()) {
            path.put("via", p.via().toBase64());
        } else {
            path.put("address", HostPort.format(p.address()));
        }
        n.put("rttMs", StatusReport.millis(p.rttNanos()));
        n.put("setup", p.setup().name().toLowerCase(Locale.ROOT));
        return n;
    }

    private JsonNode addPeer(ControlRequest r) throws ControlError {
        PublicKey key = r.key(PEER);
        InetSocketAddress endpoint = null;
        if (r.has(ENDPOINT)) {
            try {
                endpoint = HostPort.parse(r.string(ENDPOINT), false);
            } catch (IllegalArgumentException e) {
                throw new ControlError(ControlError.BAD_REQUEST, ENDPOINT + ": " + e.getMessage());
            }
        }
        List<List<PublicKey>> routes = r.routes(VIA);
        int keepalive = (int) r.integer(PERSISTENT_KEEPALIVE_SECONDS, 0, 0, 65535);
        String name = r.has(NAME) ? r.string(NAME) : null;
        if (name != null && PeerConfig.nameProblem(name) != null) {
            throw new ControlError(ControlError.BAD_REQUEST, NAME + ": " + PeerConfig.nameProblem(name));
        }
        if (name != null) {
            for (PeerStats p : await(node.peerStats())) {
                if (name.equals(p.name())) {
                    throw new ControlError(ControlError.BAD_REQUEST, NAME + ": " + p.publicKey() + " is called " + name + " already");
                }
            }
        }
        if (key.equals(node.publicKey())) {
            throw new ControlError(ControlError.BAD_REQUEST, PEER + ": " + key + " is this node's own key");
        }
        if (node.isPeer(key)) {
            throw new ControlError(ControlError.ALREADY_A_PEER, "already a peer: " + key + " (remove it first to change it)");
        }
        for (List<PublicKey> route : routes) {
            if (!node.isPeer(route.getFirst())) {
                throw new ControlError(ControlError.BAD_REQUEST, VIA + ": relay " + route.getFirst() + " is not a peer:"
                        + " add it first (this node reaches the first relay of a route over its own session with it)");
            }
        }
        PeerConfig peer;
        try {
            peer = new PeerConfig(key, endpoint, keepalive, false, routes, name);
        } catch (IllegalArgumentException e) {
            throw new ControlError(ControlError.BAD_REQUEST, e.getMessage());
        }
        try {
            await(node.addPeer(peer));
        } catch (ControlError e) {
            if (node.isPeer(key)) {
                throw new ControlError(ControlError.ALREADY_A_PEER, "already a peer: " + key);
            }
            throw e;
        }
        if (endpoint != null || routes.isEmpty()) {
            // as keymesh up does for the peers in its file: meet one with an address now, seek one
            // known by key only; one reached through relays is met once a circuit to it opens
            node.connect(key);
        }
        ObjectNode n = ControlProtocol.JSON.createObjectNode();
        n.put(PEER, key.toBase64());
        n.put("added", true);
        return n;
    }

    private JsonNode removePeer(ControlRequest r) throws ControlError {
        PublicKey key = r.key(PEER);
        if (!await(node.removePeer(key))) {
            throw notAPeer(key);
        }
        ObjectNode n = ControlProtocol.JSON.createObjectNode();
        n.put(PEER, key.toBase64());
        n.put("removed", true);
        return n;
    }

    private static ControlError notAPeer(PublicKey key) {
        return new ControlError(ControlError.NOT_A_PEER, "not a peer of this node: " + key);
    }

    /** The node's answer, or the error a client should see. */
    private static <T> T await(CompletableFuture<T> f) throws ControlError {
        try {
            return f.get(NODE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw failed(e.getCause());
        } catch (TimeoutException e) {
            throw new ControlError(ControlError.TIMEOUT, "the node did not answer within " + NODE_WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlError(ControlError.UNAVAILABLE, "interrupted");
        }
    }

    private static ControlError failed(Throwable cause) {
        if (cause instanceof IllegalStateException) {
            return new ControlError(ControlError.UNAVAILABLE, cause.getMessage());
        }
        if (cause instanceof IllegalArgumentException) {
            return new ControlError(ControlError.BAD_REQUEST, cause.getMessage());
        }
        return new ControlError(ControlError.INTERNAL, String.valueOf(cause));
    }
}
