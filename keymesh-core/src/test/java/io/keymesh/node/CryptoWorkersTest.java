package io.keymesh.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class CryptoWorkersTest {
    /** Every item of every run runs exactly once, and what it wrote is visible when {@code run} returns. */
    @Test
    void everyItemRunsOnceAndIsVisibleAfterTheRun() throws Exception {
        for (int threads = 1; threads <= 3; threads++) {
            int max = 2000;
            AtomicIntegerArray runs = new AtomicIntegerArray(max);
            int[] written = new int[max];
            int[] ranOn = new int[threads + 1];
            int[] generation = {0};
            CryptoWorkers w = new CryptoWorkers(threads, "test-crypto", (item, thread) -> {
                runs.incrementAndGet(item);
                written[item] = generation[0];
                synchronized (ranOn) {
                    ranOn[thread]++;
                }
            });
            try {
                SplittableRandom r = new SplittableRandom(threads);
                for (int run = 1; run <= 3000; run++) {
                    int items = r.nextInt(max);
                    generation[0] = run;
                    w.run(items);
                    for (int i = 0; i < items; i++) {
                        assertEquals(1, runs.getAndSet(i, 0), "threads " + threads + ", run " + run + ": runs of item " + i);
                        assertEquals(run, written[i], "threads " + threads + ", run " + run + ": item " + i + " written");
                    }
                }
                assertEquals(0, w.errors());
                int onWorkers = 0;
                for (int t = 1; t <= threads; t++) {
                    onWorkers += ranOn[t];
                }
                assertTrue(ranOn[0] > 0, "the caller ran items");
                assertTrue(onWorkers > 0, "the workers ran items");
            } finally {
                w.close();
            }
            assertEnds(w);
        }
    }

    /**
     * Started, then used in order as each item is done, the caller taking items itself while the
     * one it needs is not taken yet (as the loop does with a batch): each item once, in order.
     */
    @Test
    void theCallerUsesEachItemInOrderAsSoonAsItIsDone() throws Exception {
        int max = 300;
        AtomicIntegerArray ranIn = new AtomicIntegerArray(max);
        int[] values = new int[max];
        int[] generation = {0};
        CryptoWorkers w = new CryptoWorkers(2, "test-crypto", (item, thread) -> {
            values[item] = item * 7 + generation[0];
            ranIn.set(item, generation[0]); // after the value: publishes it
        });
        try {
            SplittableRandom r = new SplittableRandom(5);
            for (int run = 1; run <= 3000; run++) {
                int items = r.nextInt(max);
                generation[0] = run;
                w.start(items);
                for (int i = 0; i < items; i++) {
                    while (ranIn.get(i) != run) {
                        if (!w.runOne()) {
                            Thread.onSpinWait();
                        }
                    }
                    assertEquals(i * 7 + run, values[i], "run " + run + ", item " + i);
                }
                w.finish();
            }
            assertEquals(0, w.errors());
        } finally {
            w.close();
        }
        assertEnds(w);
    }

    /** An item that throws is counted and left; the run completes and the workers go on. */
    @Test
    void anItemThatThrowsIsCountedAndTheRunCompletes() throws Exception {
        AtomicIntegerArray runs = new AtomicIntegerArray(100);
        CryptoWorkers w = new CryptoWorkers(2, "test-crypto", (item, thread) -> {
            runs.incrementAndGet(item);
            if (item % 10 == 3) {
                throw new IllegalStateException("item " + item);
            }
        });
        try {
            for (int run = 0; run < 50; run++) {
                w.run(100);
            }
            for (int i = 0; i < 100; i++) {
                assertEquals(50, runs.get(i), "item " + i);
            }
            assertEquals(50 * 10, w.errors());
        } finally {
            w.close();
        }
        assertEnds(w);
    }

    /** Closed while a run is busy: the run completes on its caller, nothing escapes, the threads end. */
    @Test
    void closedWhileBusyTheRunCompletesAndTheThreadsEnd() throws Exception {
        AtomicIntegerArray runs = new AtomicIntegerArray(400);
        CountDownLatch started = new CountDownLatch(1);
        CryptoWorkers w = new CryptoWorkers(3, "test-crypto", (item, thread) -> {
            started.countDown();
            runs.incrementAndGet(item);
            long until = System.nanoTime() + 200_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        Thread closer = new Thread(() -> {
            try {
                started.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            w.close();
        });
        closer.start();
        w.run(400);
        closer.join();
        for (int i = 0; i < 400; i++) {
            assertEquals(1, runs.get(i), "item " + i);
        }
        w.run(50); // after close: all on the caller
        for (int i = 0; i < 50; i++) {
            assertEquals(2, runs.get(i), "item " + i + " after close");
        }
        assertEquals(0, w.errors());
        assertEnds(w);
    }

    @Test
    void theDefaultLeavesTwoProcessorsToTheLoopAndTheApplication() {
        assertEquals(0, CryptoWorkers.defaultCount(1));
        assertEquals(0, CryptoWorkers.defaultCount(2));
        assertEquals(1, CryptoWorkers.defaultCount(3));
        assertEquals(2, CryptoWorkers.defaultCount(4));
        assertEquals(3, CryptoWorkers.defaultCount(5));
        assertEquals(3, CryptoWorkers.defaultCount(64));
    }

    private static void assertEnds(CryptoWorkers w) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (w.anyAlive() && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertFalse(w.anyAlive(), "a worker thread is still alive after close");
    }
}
