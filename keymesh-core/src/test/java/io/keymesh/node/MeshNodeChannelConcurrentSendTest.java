package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several threads send on one channel at once over real UDP on 127.0.0.1, mixing messages small
 * enough to be framed into batches on the sending thread ({@link ChannelQueue#SMALL_MESSAGE}) with
 * larger ones kept as they are, and filling the channel's queue so that sends are refused and
 * retried: every message arrives exactly once, whole, and each thread's messages in the order it
 * sent them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshNodeChannelConcurrentSendTest {
    private static final int THREADS = 6;
    private static final int PER_THREAD = 20_000;

    @AutoClose
    private final Loopback net = new Loopback();

    /** Thread {@code t}'s message {@code i}: its tag (thread, index), then bytes derived from it. */
    private static byte[] message(int t, int i) {
        SplittableRandom r = new SplittableRandom((long) t << 32 | i);
        int size = r.nextInt(100) < 90 ? 8 + r.nextInt(ChannelQueue.SMALL_MESSAGE - 7)
                : ChannelQueue.SMALL_MESSAGE + 1 + r.nextInt(20_000);
        byte[] m = new byte[size];
        r.nextBytes(m);
        ByteBuffer.wrap(m).putInt(t).putInt(i);
        return m;
    }

    @Test
    void threadsSendingOnOneChannelKeepTheirOrderAndLoseNothing() throws Exception {
        Loopback.Pair pair = net.connectedPair(newNetworkKey());
        Node a = pair.a();
        Node b = pair.b();
        ConcurrentLinkedQueue<byte[]> received = new ConcurrentLinkedQueue<>();
        b.events().messageSink = (from, ch, m) -> received.add(m);
        Channel c = a.mesh().channel(b.publicKey(), 5);
        Semaphore writable = a.events().writableSignal(b.publicKey(), 5);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            senders.add(Thread.ofPlatform().name("sender-" + t).start(() -> {
                try {
                    for (int i = 0; i < PER_THREAD; i++) {
                        byte[] m = message(thread, i);
                        while (!c.send(m)) {
                            writable.tryAcquire(1, TimeUnit.MILLISECONDS); // full: refused, try again
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread s : senders) {
            s.join(Loopback.TIMEOUT.toMillis() * 4);
        }
        assertNull(failure.get());
        await("every message", () -> received.size() >= THREADS * PER_THREAD);
        int[] next = new int[THREADS];
        for (byte[] m : received) {
            ByteBuffer tag = ByteBuffer.wrap(m);
            int t = tag.getInt();
            int i = tag.getInt();
            assertEquals(next[t], i, "thread " + t + "'s messages in order");
            assertArrayEquals(message(t, i), m, "message " + i + " of thread " + t + " whole");
            next[t]++;
        }
        assertEquals(THREADS * PER_THREAD, received.size(), "none twice");
    }
}
