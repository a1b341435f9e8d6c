package io.keymesh.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Who gets which object from {@link PerThread}, and how many are made. */
class PerThreadTest {
    /** A scratch object that notices being used by two holders at once. */
    private static final class Scratch {
        final AtomicBoolean inUse = new AtomicBoolean();
    }

    @Test
    void aPlatformThreadKeepsItsOwnObject() throws Exception {
        AtomicInteger made = new AtomicInteger();
        PerThread<Scratch> p = new PerThread<>(() -> {
            made.incrementAndGet();
            return new Scratch();
        });
        Scratch first = p.acquire();
        p.release(first);
        assertSame(first, p.acquire(), "the same thread, the same object");
        AtomicReference<Scratch> other = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> other.set(p.acquire()));
        t.join();
        assertNotSame(first, other.get());
        assertEquals(2, made.get());
    }

    @Test
    void virtualThreadsOneAfterAnotherShareOneObject() throws Exception {
        AtomicInteger made = new AtomicInteger();
        PerThread<Scratch> p = new PerThread<>(() -> {
            made.incrementAndGet();
            return new Scratch();
        });
        for (int i = 0; i < 1_000; i++) {
            Thread t = Thread.ofVirtual().start(() -> p.release(p.acquire()));
            t.join();
        }
        assertEquals(1, made.get(), "each thread gave it back for the next");
    }

    @Test
    void noObjectIsHeldByTwoVirtualThreadsAtOnce() throws Exception {
        AtomicInteger made = new AtomicInteger();
        PerThread<Scratch> p = new PerThread<>(() -> {
            made.incrementAndGet();
            return new Scratch();
        });
        int threads = 2_000;
        CountDownLatch done = new CountDownLatch(threads);
        AtomicInteger overlaps = new AtomicInteger();
        for (int i = 0; i < threads; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    for (int j = 0; j < 50; j++) {
                        Scratch s = p.acquire();
                        if (!s.inUse.compareAndSet(false, true)) {
                            overlaps.incrementAndGet();
                        }
                        Thread.yield(); // let others run while this one holds it
                        s.inUse.set(false);
                        p.release(s);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        assertTrue(done.await(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, overlaps.get(), "an object was handed to a second thread while in use");
    }
}
