package io.keymesh.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link UdpNodeIo}'s loop: tasks from many threads all run while it sleeps and wakes; tasks that
 * never stop coming do not keep it from receiving or from its timers; datagrams that come one at a
 * time and datagrams that queue up are all received; sends from other threads go out; a callback
 * that throws is counted, and one that throws a {@link VirtualMachineError} stops the loop, with
 * nothing it had taken left unreported.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpNodeIoTest {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** The I/O under test: this class runs the portable one; {@link BatchedUdpNodeIoTest} the batched one. */
    UdpIo open(InetSocketAddress bind) {
        return new UdpNodeIo(bind);
    }

    @Test
    void tasksFromManyThreadsAllRunWhetherTheLoopSleepsOrNot() throws Exception {
        try (UdpIo io = open(ANY_LOOPBACK)) {
            io.start((from, buf, off, len) -> { });
            int threads = 6;
            int perThread = 20_000;
            AtomicInteger ran = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        io.execute(ran::incrementAndGet);
                        if (i % (500 + thread) == 0) {
                            LockSupport.parkNanos(200_000); // let the loop fall asleep now and then
                        }
                    }
                    done.countDown();
                });
            }
            assertTrue(done.await(30, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ran.get() < threads * perThread && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            assertEquals(threads * perThread, ran.get());
            // a task submitted to a loop that has long been asleep still runs
            Thread.sleep(50);
            CountDownLatch late = new CountDownLatch(1);
            io.execute(late::countDown);
            assertTrue(late.await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void receivesSingleDatagramsAndBurstsSentFromOtherThreads() throws Exception {
        try (UdpIo rx = open(ANY_LOOPBACK); UdpIo tx = open(ANY_LOOPBACK)) {
            AtomicInteger received = new AtomicInteger();
            AtomicInteger sum = new AtomicInteger();
            rx.start((from, buf, off, len) -> {
                received.incrementAndGet();
                sum.addAndGet(ByteBuffer.wrap(buf, off, len).getInt());
            });
            tx.start((from, buf, off, len) -> { });
            assertTrue(tx.concurrentSends());
            InetSocketAddress to = rx.localAddress();
            byte[] d = new byte[100];
            int expectedSum = 0;
            for (int i = 0; i < 20; i++) { // one at a time: each waits for the previous
                ByteBuffer.wrap(d).putInt(i);
                expectedSum += i;
                tx.send(to, d, 0, d.length);
                int want = i + 1;
                awaitCount(received, want);
            }
            for (int i = 20; i < 1_020; i++) { // a burst: they queue up in the socket
                ByteBuffer.wrap(d).putInt(i);
                expectedSum += i;
                tx.send(to, d, 0, d.length);
            }
            awaitCount(received, 1_020);
            assertEquals(expectedSum, sum.get());
            assertEquals(0, tx.sendErrors());
        }
    }

    @Test
    void anInterruptedSendingThreadDoesNotCloseTheSocket() throws Exception {
        try (UdpIo rx = open(ANY_LOOPBACK); UdpIo tx = open(ANY_LOOPBACK)) {
            AtomicInteger received = new AtomicInteger();
            rx.start((from, buf, off, len) -> received.incrementAndGet());
            tx.start((from, buf, off, len) -> { });
            byte[] d = new byte[10];
            Thread t = Thread.ofPlatform().unstarted(() -> {
                Thread.currentThread().interrupt();
                tx.send(rx.localAddress(), d, 0, d.length); // the channel is non-blocking: no close on interrupt
            });
            t.start();
            t.join();
            awaitCount(received, 1);
            tx.send(rx.localAddress(), d, 0, d.length); // still open
            awaitCount(received, 2);
            assertEquals(0, tx.sendErrors());
        }
    }

    @Test
    void tasksThatKeepComingDoNotKeepTheLoopFromReceivingOrRunningTimers() throws Exception {
        try (UdpIo rx = open(ANY_LOOPBACK); UdpIo tx = open(ANY_LOOPBACK)) {
            AtomicInteger received = new AtomicInteger();
            rx.start((from, buf, off, len) -> received.incrementAndGet());
            tx.start((from, buf, off, len) -> { });
            AtomicBoolean stop = new AtomicBoolean();
            Runnable[] busy = new Runnable[1];
            busy[0] = () -> { // queues its successor: the task queue is never empty
                if (!stop.get()) {
                    rx.execute(busy[0]);
                }
            };
            try {
                rx.execute(busy[0]);
                CountDownLatch timerRan = new CountDownLatch(1);
                rx.execute(() -> rx.schedule(rx.nanoTime(), timerRan::countDown));
                byte[] d = new byte[10];
                for (int i = 0; i < 10; i++) {
                    tx.send(rx.localAddress(), d, 0, d.length);
                }
                awaitCount(received, 10);
                assertTrue(timerRan.await(20, TimeUnit.SECONDS), "a due timer ran");
            } finally {
                stop.set(true);
            }
        }
    }

    @Test
    void aCallbackThatThrowsIsCountedAndTheLoopGoesOn() throws Exception {
        try (UdpIo rx = open(ANY_LOOPBACK); UdpIo tx = open(ANY_LOOPBACK)) {
            AtomicInteger received = new AtomicInteger();
            rx.start((from, buf, off, len) -> {
                if (received.incrementAndGet() == 1) {
                    throw new AssertionError("a receiver's failed assertion");
                }
            });
            tx.start((from, buf, off, len) -> { });
            rx.execute(() -> {
                throw new AssertionError("a task's failed assertion");
            });
            rx.execute(() -> rx.schedule(rx.nanoTime(), () -> {
                throw new IllegalStateException("a timer's bug");
            }));
            byte[] d = new byte[10];
            tx.send(rx.localAddress(), d, 0, d.length);
            awaitCount(received, 1);
            tx.send(rx.localAddress(), d, 0, d.length);
            awaitCount(received, 2);
            CountDownLatch ran = new CountDownLatch(1);
            rx.execute(ran::countDown);
            assertTrue(ran.await(20, TimeUnit.SECONDS), "the loop goes on");
            assertEquals(3, rx.callbackErrors());
            assertTrue(rx.isRunning());
        }
    }

    @Test
    void aVirtualMachineErrorStopsTheLoopQueuedTasksAreAbandonedAndNewOnesRefused() throws Exception {
        try (UdpIo io = open(ANY_LOOPBACK)) {
            AtomicReference<Throwable> stopped = new AtomicReference<>();
            CountDownLatch stopReported = new CountDownLatch(1);
            io.start(new NodeIo.Receiver() {
                @Override
                public void receive(InetSocketAddress from, byte[] buf, int off, int len) { }

                @Override
                public void stopped(Throwable failure) {
                    stopped.set(failure);
                    stopReported.countDown();
                }
            });
            CountDownLatch inTask = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            InternalError error = new InternalError("the JVM gave up");
            io.execute(() -> {
                inTask.countDown();
                await(release);
                throw error;
            });
            assertTrue(inTask.await(20, TimeUnit.SECONDS));
            CompletableFuture<String> abandoned = new CompletableFuture<>();
            io.execute(new NodeIo.Task() {
                @Override
                public void run() {
                    abandoned.complete("ran");
                }

                @Override
                public void abandoned(IllegalStateException reason) {
                    abandoned.completeExceptionally(stopReported.getCount() == 0
                            ? reason : new AssertionError("abandoned before the stop was reported"));
                }
            });
            release.countDown();
            ExecutionException e = assertThrows(ExecutionException.class, () -> abandoned.get(20, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertSame(error, e.getCause().getCause(), "the reason names what stopped the loop");
            assertSame(error, stopped.get());
            assertFalse(io.isRunning());
            RejectedExecutionException refused = assertThrows(RejectedExecutionException.class, () -> io.execute(() -> { }));
            assertEquals("the UDP loop on " + io.localAddress() + " has stopped", refused.getMessage());
            assertEquals(0, io.callbackErrors(), "a VirtualMachineError is not a callback's error to count");
        }
    }

    @Test
    void afterCloseTasksAreRefusedAndTheReceiverIsTold() {
        UdpIo io = open(ANY_LOOPBACK);
        AtomicReference<String> stopped = new AtomicReference<>();
        io.start(new NodeIo.Receiver() {
            @Override
            public void receive(InetSocketAddress from, byte[] buf, int off, int len) { }

            @Override
            public void stopped(Throwable failure) {
                stopped.set("stopped, failure " + failure);
            }
        });
        io.close();
        assertEquals("stopped, failure null", stopped.get());
        assertThrows(RejectedExecutionException.class, () -> io.execute(() -> { }));
        io.close(); // idempotent
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitCount(AtomicInteger n, int want) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (n.get() < want) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("received " + n.get() + " of " + want);
            }
            LockSupport.parkNanos(100_000);
        }
    }
}
