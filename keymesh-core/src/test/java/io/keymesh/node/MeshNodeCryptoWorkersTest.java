package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.io.BatchedUdpNodeIo;
import io.keymesh.session.DropReason;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.TestKeys;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Received packets opened by crypto workers, over the batched UDP I/O on 127.0.0.1: every datagram
 * arrives exactly once and in the order sent, with no packet refused; and a node closed while its
 * workers are busy closes cleanly (no callback failure, no thread left).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshNodeCryptoWorkersTest {
    private static final int DATAGRAMS = 20_000;
    private static final int SIZE = 1_200;
    /** Datagrams not yet delivered, at most: far below what the socket buffers hold. */
    private static final int IN_FLIGHT = 512;

    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();

    private record Started(MeshNode mesh, BatchedUdpNodeIo io, RecordingListener events, PrivateKey key) {}

    private Started start(PrivateKey key, int workers, List<PeerConfig> peers) {
        BatchedUdpNodeIo io = new BatchedUdpNodeIo(new InetSocketAddress(Loopback.LOCALHOST, 0));
        RecordingListener events = new RecordingListener();
        NodeConfig config = NodeConfig.of(key, io.localAddress(), network).withPeers(peers).withCryptoWorkers(workers);
        return new Started(net.track(MeshNode.start(config, events, io)), io, events, key);
    }

    private Started[] connected(int workers) {
        PrivateKey ka = TestKeys.newKey();
        PrivateKey kb = TestKeys.newKey();
        Started b = start(kb, workers, List.of());
        Started a = start(ka, workers, List.of(PeerConfig.of(kb.publicKey(), b.mesh().localAddress())));
        get(b.mesh().addPeer(PeerConfig.of(ka.publicKey(), a.mesh().localAddress())));
        get(a.mesh().connect(kb.publicKey()));
        await("handshake", () -> !a.events().peersUp().isEmpty() && !b.events().peersUp().isEmpty());
        return new Started[] {a, b};
    }

    @ParameterizedTest(name = "crypto workers {0}")
    @ValueSource(ints = {0, 2})
    void everyDatagramArrivesOnceInOrder(int workers) throws Exception {
        assumeTrue(BatchedUdpNodeIo.isAvailable(), "batched UDP I/O unavailable: " + BatchedUdpNodeIo.unavailableReason());
        Started[] pair = connected(workers);
        Started a = pair[0];
        Started b = pair[1];
        assertEquals(workers, b.mesh().cryptoWorkers());

        byte[] datagram = new byte[SIZE];
        for (int i = 0; i < DATAGRAMS; i++) {
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (i - b.events().datagramCount() >= IN_FLIGHT) {
                assertTrue(System.nanoTime() - waitUntil < 0, "no delivery for 20 s: a datagram was lost");
                LockSupport.parkNanos(20_000);
            }
            ByteBuffer.wrap(datagram).putInt(i);
            while (!a.mesh().send(b.key().publicKey(), datagram)) {
                Thread.onSpinWait();
            }
        }
        await("every datagram", () -> b.events().datagramCount() >= DATAGRAMS);

        int expected = 0;
        for (RecordingListener.Datagram d : b.events().datagrams) {
            assertEquals(SIZE, d.data().length);
            assertEquals(expected, ByteBuffer.wrap(d.data()).getInt(), "datagram " + expected + " in order, once");
            expected++;
        }
        assertEquals(DATAGRAMS, expected);
        assertEquals(0, get(b.mesh().drops()).getOrDefault(DropReason.BAD_TAG, 0L), "bad tags");
        assertEquals(0, get(b.mesh().drops()).getOrDefault(DropReason.REPLAY, 0L), "replays");
        assertEquals(0, b.io().callbackErrors());
        if (workers > 0) {
            assertTrue(b.mesh().parallelBatches() > 0, "some batches were opened by the workers too");
        } else {
            assertEquals(0, b.mesh().parallelBatches());
        }
    }

    @Test
    void closedWhileTheWorkersAreBusy() throws Exception {
        assumeTrue(BatchedUdpNodeIo.isAvailable(), "batched UDP I/O unavailable: " + BatchedUdpNodeIo.unavailableReason());
        Started[] pair = connected(2);
        Started a = pair[0];
        Started b = pair[1];
        String workerName = "keymesh-crypto-" + b.mesh().localAddress().getPort() + "-";
        assertTrue(threadsNamed(workerName) == 2, "two workers running");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread sender = Thread.ofPlatform().start(() -> {
            byte[] datagram = new byte[SIZE];
            try {
                while (!stop.get()) {
                    a.mesh().send(b.key().publicKey(), datagram);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        await("batches opened by the workers", () -> b.mesh().parallelBatches() > 20);
        b.mesh().close();
        stop.set(true);
        sender.join();
        if (failure.get() != null) {
            throw new AssertionError("the sender failed", failure.get());
        }
        assertEquals(0, b.io().callbackErrors(), "callback failures on the closed node");
        assertEquals(0, b.mesh().listenerErrors());
        await("worker threads ended", () -> threadsNamed(workerName) == 0);
    }

    private static int threadsNamed(String prefix) {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isAlive()) {
                n++;
            }
        }
        return n;
    }
}
