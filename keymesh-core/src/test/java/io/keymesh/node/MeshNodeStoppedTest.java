package io.keymesh.node;

import static io.keymesh.testing.Loopback.TIMEOUT;
import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.keymesh.testing.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a node does once it is closed, or once its loop thread has stopped on a failure: it takes
 * no more work (a clear exception, or a failed future), and work it had taken but not done fails
 * instead of waiting for ever. A listener that throws does not stop it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshNodeStoppedTest {
    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();

    // ------------------------------------------------------------ closed

    @Test
    void aChannelRefusesMessagesOnceTheNodeIsClosed() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        Channel c = a.mesh().channel(b.publicKey(), 0);
        assertTrue(c.send(new byte[] {1}));
        await("b receives the message", () -> b.events().messageCount() == 1);
        a.mesh().close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.send(new byte[] {2}),
                "a closed node's channel accepts nothing it would lose");
        assertEquals("node is closed", e.getMessage());
        assertFalse(c.isWritable(1));
        c.close(); // harmless
    }

    @Test
    void callsOnAClosedNodeReturnFuturesThatHaveFailed() {
        PublicKey peer = newKey().publicKey();
        Node a = net.start(newKey(), network, List.of(PeerConfig.of(peer, null)));
        a.mesh().close();
        Map<String, CompletableFuture<?>> calls = Map.of(
                "addPeer", a.mesh().addPeer(PeerConfig.of(newKey().publicKey(), null)),
                "removePeer", a.mesh().removePeer(peer),
                "connect", a.mesh().connect(peer),
                "peerStats", a.mesh().peerStats(),
                "drops", a.mesh().drops(),
                "channelStats", a.mesh().channelStats(peer),
                "frameCounters", a.mesh().frameCounters(),
                "withEngine", a.mesh().withEngine((engine, now) -> 1));
        calls.forEach((name, f) -> {
            assertTrue(f.isCompletedExceptionally(), name + " on a closed node has failed at once");
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, cause(f), name);
            assertEquals("node is closed", e.getMessage(), name);
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.mesh().channel(peer, 0));
        assertEquals("node is closed", e.getMessage());
    }

    // ------------------------------------------------------------ a listener that throws

    @Test
    void aListenerThatThrowsDoesNotStopTheNode() {
        AtomicInteger delivered = new AtomicInteger();
        MeshNode a = net.start(newKey(), network, new NodeListener() {
            @Override
            public void onDatagram(PublicKey from, byte[] data, int off, int len) {
                int n = delivered.incrementAndGet();
                if (n == 1) {
                    throw new IllegalArgumentException("a listener's bug");
                }
                if (n == 2) {
                    throw new AssertionError("a listener's failed assertion");
                }
            }
        });
        PrivateKey keyB = newKey();
        MeshNode b = net.start(keyB, network, new NodeListener() {});
        get(a.addPeer(PeerConfig.of(keyB.publicKey(), b.localAddress())));
        get(b.addPeer(PeerConfig.of(a.publicKey(), a.localAddress())));
        for (int i = 1; i <= 3; i++) {
            int want = i;
            b.send(a.publicKey(), new byte[] {(byte) i});
            await(() -> "datagram " + want + " delivered to a, got " + delivered.get(), () -> delivered.get() >= want);
        }
        assertEquals(1, get(a.peerStats()).size(), "a still answers");
        assertTrue(a.send(keyB.publicKey(), new byte[1]));
        assertEquals(2, a.listenerErrors());
    }

    @Test
    void aListenerThatThrowsWhenThePeerComesUpDoesNotStrandTheDatagramsWaitingForTheHandshake() {
        Node nodeA = net.start(newKey(), network, List.of());
        MeshNode a = nodeA.mesh();
        RecordingListener atA = nodeA.events();
        PrivateKey keyB = newKey();
        MeshNode b = net.start(keyB, network, new NodeListener() {
            @Override
            public void onPeerUp(PublicKey peer) {
                throw new IllegalStateException("a listener's bug, in the middle of b's handshake");
            }
        });
        get(a.addPeer(PeerConfig.of(keyB.publicKey(), b.localAddress())));
        get(b.addPeer(PeerConfig.of(a.publicKey(), a.localAddress())));
        for (int i = 0; i < 3; i++) {
            assertTrue(b.send(a.publicKey(), new byte[] {(byte) i})); // before any session: staged until b's handshake completes
        }
        await(() -> "the 3 staged datagrams delivered, got " + atA.datagramCount(), () -> atA.datagramCount() == 3);
        assertEquals(1, b.listenerErrors());
    }

    // ------------------------------------------------------------ a loop that failed

    @Test
    void aLoopStoppedByAVirtualMachineErrorFailsWhatWasQueuedAndTheNodeRefusesWork() throws Exception {
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MeshNode a = net.start(newKey(), network, new NodeListener() {
            @Override
            public void onDatagram(PublicKey from, byte[] data, int off, int len) {
                inCallback.countDown();
                try {
                    release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new StackOverflowError("a listener recursed too deep");
            }
        });
        PrivateKey keyB = newKey();
        MeshNode b = net.start(keyB, network, new NodeListener() {});
        get(a.addPeer(PeerConfig.of(keyB.publicKey(), b.localAddress())));
        get(b.addPeer(PeerConfig.of(a.publicKey(), a.localAddress())));
        Channel channel = a.channel(keyB.publicKey(), 0);
        b.send(a.publicKey(), new byte[1]);
        assertTrue(inCallback.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS));

        CompletableFuture<?> queued = a.peerStats(); // queued while the loop is in the callback
        release.countDown();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> queued.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "a call queued when the loop stopped fails");
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(causedBy(e, StackOverflowError.class), "the failure names the error: " + e.getCause());

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> a.send(keyB.publicKey(), new byte[1]));
        assertTrue(refused.getMessage().startsWith("node failed: its loop thread stopped on java.lang.StackOverflowError"),
                refused.getMessage());
        assertThrows(IllegalStateException.class, () -> channel.send(new byte[1]));
        assertThrows(IllegalStateException.class, () -> a.channel(keyB.publicKey(), 2));
        CompletableFuture<?> later = a.drops();
        assertTrue(later.isCompletedExceptionally(), "a call on a failed node has failed at once");
        assertInstanceOf(IllegalStateException.class, cause(later));
        long t0 = System.nanoTime();
        a.close();
        a.close();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "closing a failed node does not wait");
    }

    // ------------------------------------------------------------ close(Duration) on the loop thread

    @Test
    void closeWithADrainTimeoutOnTheLoopThreadIsRefusedAtOnce() {
        AtomicReference<MeshNode> self = new AtomicReference<>();
        AtomicReference<Object> outcome = new AtomicReference<>();
        MeshNode a = net.start(newKey(), network, new NodeListener() {
            @Override
            public void onDatagram(PublicKey from, byte[] data, int off, int len) {
                long t0 = System.nanoTime();
                try {
                    outcome.set(self.get().close(Duration.ofSeconds(10)));
                } catch (RuntimeException e) {
                    outcome.set(e);
                }
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(1)) {
                    outcome.set("close(Duration) waited on the loop thread");
                }
            }
        });
        self.set(a);
        PrivateKey keyB = newKey();
        MeshNode b = net.start(keyB, network, new NodeListener() {});
        get(a.addPeer(PeerConfig.of(keyB.publicKey(), b.localAddress())));
        get(b.addPeer(PeerConfig.of(a.publicKey(), a.localAddress())));
        b.send(a.publicKey(), new byte[1]);
        await("the callback called close(Duration)", () -> outcome.get() != null);
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, outcome.get());
        assertTrue(e.getMessage().contains("loop thread"), e.getMessage());
        assertTrue(a.send(keyB.publicKey(), new byte[1]), "the node is still open");
        assertEquals(1, get(a.peerStats()).size());
    }

    private static Throwable cause(CompletableFuture<?> f) {
        try {
            f.get(1, TimeUnit.SECONDS);
            throw new AssertionError("completed normally");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return fail("did not complete");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
