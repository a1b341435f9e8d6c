package io.keymesh.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link PendingSends}: both bounds hold, each on its own, also with many threads at once. */
class PendingSendsTest {
    @Test
    void theCountBoundsManySmallDatagrams() {
        PendingSends p = new PendingSends(3, 1_000);
        assertTrue(p.tryAdd(0));
        assertTrue(p.tryAdd(1));
        assertTrue(p.tryAdd(2));
        assertFalse(p.tryAdd(0), "a fourth datagram");
        assertEquals(3, p.count());
        assertEquals(3, p.bytes());
        p.remove(1);
        assertTrue(p.tryAdd(0));
    }

    @Test
    void theBytesBoundFewLargeDatagrams() {
        PendingSends p = new PendingSends(1_000, 200_000);
        assertTrue(p.tryAdd(65_600));
        assertTrue(p.tryAdd(65_600));
        assertTrue(p.tryAdd(65_600));
        assertFalse(p.tryAdd(65_600), "past 200,000 bytes");
        assertTrue(p.tryAdd(3_200), "up to the bound exactly");
        assertFalse(p.tryAdd(1));
        assertEquals(4, p.count());
        assertEquals(200_000, p.bytes());
        p.remove(65_600);
        assertTrue(p.tryAdd(65_600));
    }

    @Test
    void boundsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PendingSends(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new PendingSends(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new PendingSends(1, 1 << 30));
    }

    @Test
    void manyThreadsNeverTakeMoreThanTheBoundsAndGiveEverythingBack() throws InterruptedException {
        PendingSends p = new PendingSends(50, 64 * 1_000);
        int threads = 8;
        AtomicInteger overBound = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int size = 500 + t * 700;
            Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 100_000; i++) {
                    if (p.tryAdd(size)) {
                        if (p.count() > 50 + threads || p.bytes() > 64 * 1_000 + threads * 6_000) {
                            overBound.incrementAndGet(); // beyond what refused attempts backing out explain
                        }
                        p.remove(size);
                    }
                }
                done.countDown();
            });
        }
        done.await();
        assertEquals(0, overBound.get());
        assertEquals(0, p.count());
        assertEquals(0, p.bytes());
    }
}
