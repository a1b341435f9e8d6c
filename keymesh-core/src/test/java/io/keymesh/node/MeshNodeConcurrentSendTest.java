package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.drops;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.Loopback.stats;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.keymesh.testing.RecordingListener;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MeshNode#send} from many threads at once over real UDP on 127.0.0.1, while handshakes
 * replace the keypair under the senders: every datagram arrives exactly once (none lost, none
 * replayed or rejected, so no nonce was used twice) and every send is counted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshNodeConcurrentSendTest {
    private static final int THREADS = 8;
    private static final int PER_THREAD = 1_500;
    /** Datagrams not yet delivered, at most: far below what the 4 MiB socket buffers hold. */
    private static final int IN_FLIGHT = 256;

    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();

    @Test
    void manyThreadsSendWhileKeypairsChangeAndEveryDatagramArrivesOnce() throws Exception {
        Loopback.Pair pair = net.connectedPair(network);
        Node a = pair.a();
        Node b = pair.b();

        AtomicInteger accepted = new AtomicInteger();
        RecordingListener rx = b.events();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch halfway = new CountDownLatch(THREADS);
        Thread[] senders = new Thread[THREADS];
        PublicKey to = b.publicKey();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            senders[t] = Thread.ofPlatform().name("sender-" + t).start(() -> {
                byte[] datagram = new byte[64];
                try {
                    for (int i = 0; i < PER_THREAD; i++) {
                        if (i == PER_THREAD / 2) {
                            halfway.countDown();
                        }
                        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (accepted.get() - rx.datagramCount() >= IN_FLIGHT) {
                            if (System.nanoTime() - waitUntil > 0) {
                                throw new AssertionError("no delivery for 20 s: a datagram was lost");
                            }
                            LockSupport.parkNanos(50_000);
                        }
                        ByteBuffer.wrap(datagram).putLong((long) thread << 32 | i);
                        while (!a.mesh().send(to, datagram)) {
                            Thread.onSpinWait(); // refused: too many queued for the loop
                        }
                        accepted.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
        halfway.await(60, TimeUnit.SECONDS);
        // New keypairs while the senders run: B initiates (A's next becomes current when used) ...
        get(b.mesh().connect(a.publicKey()));
        for (Thread s : senders) {
            s.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a sender failed", failure.get());
        }
        int total = THREADS * PER_THREAD;
        await(() -> "all " + total + " datagrams, got " + rx.datagramCount(), () -> rx.datagramCount() >= total);
        assertEachDeliveredOnce(total, rx, b);
        assertEquals(total, stats(a, to).datagramsSent());
        assertEquals(total, stats(b, a.publicKey()).datagramsReceived());
        assertTrue(stats(a, to).txPackets() >= total);
        assertTrue(stats(a, to).handshakes() >= 2, "the keypair changed under the senders");
    }

    @Test
    void thousandsOfVirtualThreadsEachSendingAFewDatagramsAllArriveOnce() throws Exception {
        Loopback.Pair pair = net.connectedPair(network);
        Node a = pair.a();
        Node b = pair.b();

        int threads = 3_000;
        int each = 2;
        PublicKey to = b.publicKey();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] senders = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            senders[t] = Thread.ofVirtual().start(() -> { // a thread per request: each sends and ends
                try {
                    for (int i = 0; i < each; i++) {
                        byte[] datagram = ByteBuffer.allocate(64).putLong((long) thread << 32 | i).array();
                        while (!a.mesh().send(to, datagram)) {
                            Thread.yield();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            if (t % 200 == 199) {
                Thread.sleep(5); // a few at a time, well within the socket buffers
            }
        }
        for (Thread s : senders) {
            s.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a sender failed", failure.get());
        }
        int total = threads * each;
        RecordingListener rx = b.events();
        await(() -> "all " + total + " datagrams, got " + rx.datagramCount(), () -> rx.datagramCount() >= total);
        assertEachDeliveredOnce(total, rx, b);
    }

    /**
     * {@code total} distinct datagrams (numbered by their first 8 bytes) reached {@code rx}, none
     * twice, and receiver {@code b} dropped nothing: no nonce used twice, no bad tag.
     */
    private static void assertEachDeliveredOnce(int total, RecordingListener rx, Node b) {
        Map<Long, Integer> seen = new HashMap<>();
        for (RecordingListener.Datagram d : rx.datagrams) {
            seen.merge(ByteBuffer.wrap(d.data()).getLong(), 1, Integer::sum);
        }
        assertEquals(total, seen.size(), "distinct datagrams delivered");
        assertTrue(seen.values().stream().allMatch(n -> n == 1), "a datagram was delivered twice");
        assertEquals(Map.of(), drops(b), "the receiver dropped nothing: no replayed nonce, no bad tag");
    }
}
