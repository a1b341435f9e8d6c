package io.keymesh.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link UdpNodeIo}'s loop: tasks from many threads all run while it sleeps and wakes; tasks that
 * never stop coming do not keep it from receiving or from its timers; datagrams that come one at a
 * time and datagrams that queue up are all received; sends from other threads go out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpNodeIoTest {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void tasksFromManyThreadsAllRunWhetherTheLoopSleepsOrNot() throws Exception {
        try (UdpNodeIo io = new UdpNodeIo(ANY_LOOPBACK)) {
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
        try (UdpNodeIo rx = new UdpNodeIo(ANY_LOOPBACK); UdpNodeIo tx = new UdpNodeIo(ANY_LOOPBACK)) {
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
        try (UdpNodeIo rx = new UdpNodeIo(ANY_LOOPBACK); UdpNodeIo tx = new UdpNodeIo(ANY_LOOPBACK)) {
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
        try (UdpNodeIo rx = new UdpNodeIo(ANY_LOOPBACK); UdpNodeIo tx = new UdpNodeIo(ANY_LOOPBACK)) {
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
