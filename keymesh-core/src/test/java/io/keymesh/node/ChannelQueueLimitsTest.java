package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.compress.Compression;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MeshNode#CHANNEL_QUEUE_BYTES} driven to the limit: with the node's loop held (so nothing
 * drains), a channel takes messages up to exactly 1 MiB queued and refuses one byte more; a single
 * message larger than the bound is taken when the queue is empty. Once the loop drains it the
 * listener hears the channel is writable and every message taken arrives.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelQueueLimitsTest {
    private static final int CHUNK = 64 * 1024;

    @AutoClose
    private final Loopback net = new Loopback();

    /** Holds {@code node}'s loop until the returned latch is counted down. */
    private static CountDownLatch holdLoop(MeshNode node) throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> held = node.withEngine((engine, now) -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        assertFalse(held.isDone());
        return release;
    }

    @Test
    void aChannelRefusesTheBytePastOneMebibyteQueued() throws Exception {
        assertEquals(1 << 20, MeshNode.CHANNEL_QUEUE_BYTES);
        Loopback.Pair p = net.connectedPair(newNetworkKey());
        Node a = p.a();
        Node b = p.b();
        Channel ch = a.mesh().channel(b.publicKey(), 1, Compression.NONE);

        CountDownLatch release = holdLoop(a.mesh());
        int count = MeshNode.CHANNEL_QUEUE_BYTES / CHUNK;
        for (int i = 0; i < count; i++) {
            byte[] m = new byte[CHUNK];
            m[0] = (byte) i;
            assertTrue(ch.send(m), "message " + i);
        }
        assertEquals(MeshNode.CHANNEL_QUEUE_BYTES, ch.queue.bytes());
        assertFalse(ch.isWritable(0), "full: even an empty message takes a byte (its length)");
        assertFalse(ch.isWritable(1));
        assertFalse(ch.send(new byte[1]), "one byte past 1 MiB is refused");
        assertEquals(MeshNode.CHANNEL_QUEUE_BYTES, ch.queue.bytes());
        int writableBefore = a.events().writableCount();
        release.countDown();

        await("the channel is writable again", () -> a.events().writableCount() > writableBefore);
        await("every message taken arrives", () -> b.events().messageCount() == count);
        for (int i = 0; i < count; i++) {
            assertEquals((byte) i, b.events().messages.stream().skip(i).findFirst().orElseThrow().data()[0]);
        }

        release = holdLoop(a.mesh());
        assertEquals(0, ch.queue.bytes());
        assertTrue(ch.send(new byte[MeshNode.CHANNEL_QUEUE_BYTES + 1]), "an empty queue takes one message, however large");
        assertFalse(ch.send(new byte[1]));
        release.countDown();
        await("the large message arrives", () -> b.events().messageCount() == count + 1);
        assertTrue(ch.send(new byte[1]));
    }
}
