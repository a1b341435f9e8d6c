package io.keymesh.testing;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.NodeListener;
import io.keymesh.node.PeerConfig;
import io.keymesh.node.PeerStats;
import io.keymesh.session.DropReason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Real {@link MeshNode}s on UDP 127.0.0.1, for tests and benchmarks: starts nodes with a
 * {@link RecordingListener} each (or a listener of the caller's), alone, as a pair or as a full
 * mesh; waits on conditions with a deadline (never on fixed sleeps), failing with an
 * {@link AssertionError}; and closes everything it opened, newest first.
 *
 * <p>Starting and closing are for one thread; the static helpers are thread-safe.
 */
public final class Loopback implements AutoCloseable {
    public static final InetAddress LOCALHOST;
    /** Generous, for a noisy CI machine; a passing wait returns as soon as its condition holds. */
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    static {
        try {
            LOCALHOST = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A started node, its key and what it reported. */
    public record Node(PrivateKey key, MeshNode mesh, RecordingListener events) {
        public PublicKey publicKey() {
            return key.publicKey();
        }

        public InetSocketAddress address() {
            return mesh.localAddress();
        }

        /** This node as a peer of another: its key at its address. */
        public PeerConfig asPeer() {
            return PeerConfig.of(publicKey(), address());
        }
    }

    /** Two started nodes; see {@link #pair}. */
    public record Pair(Node a, Node b) {}

    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    /** Starts a node on 127.0.0.1 on any free port. */
    public Node start(PrivateKey key, PresharedKey network, List<PeerConfig> peers) {
        return start(key, network, 0, peers);
    }

    /** Starts a node on 127.0.0.1:{@code port}. */
    public Node start(PrivateKey key, PresharedKey network, int port, List<PeerConfig> peers) {
        RecordingListener events = new RecordingListener();
        NodeConfig config = NodeConfig.of(key, new InetSocketAddress(LOCALHOST, port), network).withPeers(peers);
        return new Node(key, track(MeshNode.start(config, events)), events);
    }

    /** Starts a node with no peers on 127.0.0.1 on any free port, reporting to {@code listener}. */
    public MeshNode start(PrivateKey key, PresharedKey network, NodeListener listener) {
        return track(MeshNode.start(NodeConfig.of(key, new InetSocketAddress(LOCALHOST, 0), network), listener));
    }

    /** {@link #start(PrivateKey, PresharedKey, NodeListener)} with {@code channels} for its channel connections. */
    public MeshNode start(PrivateKey key, PresharedKey network, NodeListener listener, io.keymesh.channel.ChannelConfig channels) {
        return track(MeshNode.start(NodeConfig.of(key, new InetSocketAddress(LOCALHOST, 0), network).withChannels(channels), listener));
    }

    /**
     * Starts {@code n} nodes with new keys; node i has the nodes started before it in its
     * configuration and is given the later ones with {@link MeshNode#addPeer}, so both ways of
     * allowing a peer are used. No handshake has happened yet.
     */
    public List<Node> startMesh(PresharedKey network, int n) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(start(TestKeys.newKey(), network, nodes.stream().map(Node::asPeer).toList()));
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                get(nodes.get(i).mesh().addPeer(nodes.get(j).asPeer()));
            }
        }
        return nodes;
    }

    /** Two nodes that know each other's address ({@link #startMesh} of two); no handshake yet. */
    public Pair pair(PresharedKey network) {
        List<Node> n = startMesh(network, 2);
        return new Pair(n.get(0), n.get(1));
    }

    /** A {@link #pair} whose handshake a started and both have completed. */
    public Pair connectedPair(PresharedKey network) {
        Pair p = pair(network);
        get(p.a().mesh().connect(p.b().publicKey()));
        await("handshake", () -> !p.a().events().peersUp().isEmpty() && !p.b().events().peersUp().isEmpty());
        return p;
    }

    /** Closes {@code c} with the fixture (a second close must be harmless). */
    public <T extends AutoCloseable> T track(T c) {
        open.push(c);
        return c;
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@link #TIMEOUT}. */
    public static void await(String what, BooleanSupplier condition) {
        await(() -> what, condition);
    }

    public static void await(Supplier<String> what, BooleanSupplier condition) {
        if (!holdsWithin(TIMEOUT, condition)) {
            throw new AssertionError("timed out after " + TIMEOUT.toSeconds() + " s waiting for: " + what.get());
        }
    }

    /** True as soon as {@code condition} holds, false if it still does not after {@code within}. */
    public static boolean holdsWithin(Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(2_000_000);
        }
        return true;
    }

    /** The future's value, failing after {@link #TIMEOUT}. */
    public static <T> T get(CompletableFuture<T> f) {
        try {
            return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError("node call failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("node call did not complete within " + TIMEOUT.toSeconds() + " s", e);
        }
    }

    public static Map<DropReason, Long> drops(Node n) {
        return get(n.mesh().drops());
    }

    /** {@code n}'s statistics for {@code peer}. */
    public static PeerStats stats(Node n, PublicKey peer) {
        return get(n.mesh().peerStats()).stream()
                .filter(s -> s.publicKey().equals(peer))
                .findFirst()
                .orElseThrow(() -> new AssertionError(peer + " is not a peer of " + n.publicKey()));
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
