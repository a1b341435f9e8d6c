package io.keymesh.node;

import static org.junit.jupiter.api.Assertions.fail;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.DropReason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
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
 * Test fixture for real UDP on 127.0.0.1: starts {@link MeshNode}s with recording listeners, waits
 * on conditions with a deadline (never on fixed sleeps), and closes everything it opened, newest
 * first.
 */
final class Loopback implements AutoCloseable {
    static final InetAddress LOCALHOST;
    /** Generous, for a noisy CI machine; a passing wait returns as soon as its condition holds. */
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        try {
            LOCALHOST = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A started node, its key and what it reported. */
    record Node(PrivateKey key, MeshNode mesh, RecordingListener events) {
        PublicKey publicKey() {
            return key.publicKey();
        }

        InetSocketAddress address() {
            return mesh.localAddress();
        }

        /** This node as a peer of another: its key at its address. */
        PeerConfig asPeer() {
            return PeerConfig.of(publicKey(), address());
        }
    }

    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    static PrivateKey newKey() {
        return PrivateKey.generate(RANDOM);
    }

    static PresharedKey newNetworkKey() {
        return PresharedKey.generate(RANDOM);
    }

    /** Starts a node on 127.0.0.1 on any free port. */
    Node start(PrivateKey key, PresharedKey network, List<PeerConfig> peers) {
        return start(key, network, 0, peers);
    }

    /** Starts a node on 127.0.0.1:{@code port}. */
    Node start(PrivateKey key, PresharedKey network, int port, List<PeerConfig> peers) {
        RecordingListener events = new RecordingListener();
        NodeConfig config = NodeConfig.of(key, new InetSocketAddress(LOCALHOST, port), network).withPeers(peers);
        return new Node(key, track(MeshNode.start(config, events)), events);
    }

    /** Closes {@code c} with the fixture (a second close must be harmless). */
    <T extends AutoCloseable> T track(T c) {
        open.push(c);
        return c;
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@link #TIMEOUT}. */
    static void await(String what, BooleanSupplier condition) {
        await(() -> what, condition);
    }

    static void await(Supplier<String> what, BooleanSupplier condition) {
        if (!holdsWithin(TIMEOUT, condition)) {
            fail("timed out after " + TIMEOUT.toSeconds() + " s waiting for: " + what.get());
        }
    }

    /** True as soon as {@code condition} holds, false if it still does not after {@code within}. */
    static boolean holdsWithin(Duration within, BooleanSupplier condition) {
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
    static <T> T get(CompletableFuture<T> f) {
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

    static Map<DropReason, Long> drops(Node n) {
        return get(n.mesh().drops());
    }

    /** {@code n}'s statistics for {@code peer}. */
    static PeerStats stats(Node n, PublicKey peer) {
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
