package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.fail;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.keymesh.testing.RecordingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose loop thread always has datagrams queued for it by busy senders (sends made before
 * the handshake go through the loop, and every later one follows them so as not to overtake them)
 * still receives: the handshake's answer, the other node's datagrams, and calls are answered.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshNodeBusySenderTest {
    private static final int SENDERS = 2;
    private static final int DATAGRAM = 1_200;

    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();

    /** A node with no peers whose listener counts datagrams (a flood is not kept). */
    private Node start(PrivateKey key) {
        Node n = net.start(key, network, List.of());
        n.events().datagramSink = (from, data, off, len) -> { };
        return n;
    }

    @Test
    void sendersThatKeepTheLoopsQueueFullDoNotKeepItFromReceivingOrAnswering() throws Exception {
        PrivateKey keyA = newKey();
        PrivateKey keyB = newKey();
        Node nodeA = start(keyA);
        Node nodeB = start(keyB);
        MeshNode a = nodeA.mesh();
        MeshNode b = nodeB.mesh();
        RecordingListener atA = nodeA.events();
        RecordingListener atB = nodeB.events();
        get(a.addPeer(PeerConfig.of(keyB.publicKey(), b.localAddress())));
        get(b.addPeer(PeerConfig.of(keyA.publicKey(), a.localAddress())));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        byte[] big = new byte[DATAGRAM];
        for (int i = 0; i < SENDERS; i++) { // from before the handshake: through a's loop
            threads.add(Thread.ofPlatform().name("flood-" + i).start(() -> {
                try {
                    while (!stop.get()) {
                        if (!a.send(keyB.publicKey(), big)) { // the loop is the bottleneck: refusals are expected
                            LockSupport.parkNanos(20_000); // the queue stays full; the CPU is left to the nodes
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        threads.add(Thread.ofPlatform().name("pinger").start(() -> {
            try {
                while (!stop.get()) {
                    b.send(keyA.publicKey(), new byte[8]);
                    LockSupport.parkNanos(5_000_000);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }));
        try {
            await(() -> "b's datagrams received by a, whose loop is busy with queued sends: " + atA.datagramCount(),
                    () -> atA.datagramCount() >= 50);
            await("a's datagrams at b (a read the handshake's answer)", () -> atB.datagramCount() >= 1);
            for (int i = 0; i < 5; i++) { // a call waits behind at most MAX_PENDING_SEND_BYTES of queued sends
                try {
                    a.peerStats().get(2, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    fail("peerStats() took more than 2 s while the loop was busy");
                }
            }
            long before = atA.datagramCount();
            await("a goes on receiving b's datagrams", () -> atA.datagramCount() >= before + 20);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("a sender failed", failure.get());
        }
    }
}
