package io.keymesh.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchedUdpNodeIo}: everything {@link UdpNodeIoTest} asks of the portable loop, and what
 * batching adds — a pass's datagrams leave in one system call, runs of equal size cut by the
 * kernel (segmentation offload) and received as separate datagrams, byte for byte and in order,
 * mixed sizes and destinations, a datagram larger than a batch, IPv4 peers of a dual-stack socket.
 */
class BatchedUdpNodeIoTest extends UdpNodeIoTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @BeforeAll
    static void onLinux() {
        assumeTrue(BatchedUdpNodeIo.isAvailable(), () -> "batched UDP I/O: " + BatchedUdpNodeIo.unavailableReason());
    }

    @Override
    UdpIo open(InetSocketAddress bind) {
        return new BatchedUdpNodeIo(bind);
    }

    /** Collects what a socket receives: (from, bytes) in order. */
    private static final class Received {
        final List<InetSocketAddress> from = Collections.synchronizedList(new ArrayList<>());
        final List<byte[]> data = Collections.synchronizedList(new ArrayList<>());

        void add(InetSocketAddress f, byte[] buf, int off, int len) {
            from.add(f);
            data.add(java.util.Arrays.copyOfRange(buf, off, off + len));
        }

        void awaitCount(int n) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (data.size() < n && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            assertEquals(n, data.size());
        }
    }

    private static byte[] datagram(int index, int len) {
        byte[] d = new byte[len];
        for (int i = 0; i < len; i++) {
            d[i] = (byte) (index * 31 + i);
        }
        return d;
    }

    @Test
    void aPassSendsItsDatagramsInOneSystemCallAndTheyArriveSeparatelyInOrder() throws Exception {
        try (BatchedUdpNodeIo rx = new BatchedUdpNodeIo(LOOPBACK); BatchedUdpNodeIo tx = new BatchedUdpNodeIo(LOOPBACK)) {
            Received got = new Received();
            rx.start(got::add);
            tx.start((from, buf, off, len) -> { });
            int n = 200; // four offloaded runs of at most 64 in one sendmmsg
            long callsBefore = tx.sendSystemCalls();
            CompletableFuture<Void> sent = new CompletableFuture<>();
            tx.execute(() -> {
                for (int i = 0; i < n; i++) {
                    byte[] d = datagram(i, i == n - 1 ? 700 : 1200);
                    tx.send(rx.localAddress(), d, 0, d.length);
                }
                sent.complete(null);
            });
            sent.get(10, TimeUnit.SECONDS);
            got.awaitCount(n);
            for (int i = 0; i < n; i++) {
                assertArrayEquals(datagram(i, i == n - 1 ? 700 : 1200), got.data.get(i), "datagram " + i);
                assertEquals(tx.localAddress(), got.from.get(i));
            }
            // The count goes up after the system call returns: the datagrams may arrive first.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (tx.datagramsSent() < n && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertEquals(1, tx.sendSystemCalls() - callsBefore);
            assertEquals(n, tx.datagramsSent());
            assertEquals(0, tx.sendErrors());
            assertTrue(tx.offload(), "loopback takes segmentation offload");
        }
    }

    @Test
    void mixedSizesAndDestinationsInOneBatchEachArriveWhereTheyWereSent() throws Exception {
        try (BatchedUdpNodeIo a = new BatchedUdpNodeIo(LOOPBACK); BatchedUdpNodeIo b = new BatchedUdpNodeIo(LOOPBACK);
                BatchedUdpNodeIo tx = new BatchedUdpNodeIo(LOOPBACK)) {
            Received atA = new Received();
            Received atB = new Received();
            a.start(atA::add);
            b.start(atB::add);
            tx.start((from, buf, off, len) -> { });
            int n = 300;
            List<byte[]> forA = new ArrayList<>();
            List<byte[]> forB = new ArrayList<>();
            CompletableFuture<Void> sent = new CompletableFuture<>();
            java.util.Random random = new java.util.Random(7);
            tx.execute(() -> {
                for (int i = 0; i < n; i++) {
                    // runs of one size to one place, broken at random by another size or the other place
                    boolean toA = random.nextInt(5) != 0;
                    int len = random.nextInt(4) == 0 ? 1 + random.nextInt(1500) : 1000;
                    byte[] d = datagram(i, len);
                    (toA ? forA : forB).add(d);
                    tx.send((toA ? a : b).localAddress(), d, 0, d.length);
                }
                sent.complete(null);
            });
            sent.get(10, TimeUnit.SECONDS);
            atA.awaitCount(forA.size());
            atB.awaitCount(forB.size());
            for (int i = 0; i < forA.size(); i++) {
                assertArrayEquals(forA.get(i), atA.data.get(i), "to A, " + i);
            }
            for (int i = 0; i < forB.size(); i++) {
                assertArrayEquals(forB.get(i), atB.data.get(i), "to B, " + i);
            }
            assertEquals(0, tx.sendErrors());
        }
    }

    @Test
    void sendsFromAnotherThreadInQuickSuccessionAllArriveInOrder() throws Exception {
        try (BatchedUdpNodeIo rx = new BatchedUdpNodeIo(LOOPBACK); BatchedUdpNodeIo tx = new BatchedUdpNodeIo(LOOPBACK)) {
            Received got = new Received();
            rx.start(got::add);
            tx.start((from, buf, off, len) -> { });
            int n = 1000;
            for (int i = 0; i < n; i++) {
                byte[] d = datagram(i, 400);
                tx.send(rx.localAddress(), d, 0, d.length);
            }
            got.awaitCount(n);
            for (int i = 0; i < n; i++) {
                assertArrayEquals(datagram(i, 400), got.data.get(i), "datagram " + i);
            }
            assertEquals(n, tx.datagramsSent());
        }
    }

    @Test
    void anEmptyDatagramArrivesAsOneDatagram() throws Exception {
        try (BatchedUdpNodeIo rx = new BatchedUdpNodeIo(LOOPBACK); BatchedUdpNodeIo tx = new BatchedUdpNodeIo(LOOPBACK)) {
            Received got = new Received();
            rx.start(got::add);
            tx.start((from, buf, off, len) -> { });
            byte[] d = datagram(4, 30);
            tx.send(rx.localAddress(), d, 0, 0);
            tx.send(rx.localAddress(), d, 0, d.length);
            got.awaitCount(2);
            assertEquals(0, got.data.get(0).length);
            assertArrayEquals(d, got.data.get(1));
        }
    }

    @Test
    void theLargestDatagramIsSentAloneAndArrivesWhole() throws Exception {
        try (BatchedUdpNodeIo rx = new BatchedUdpNodeIo(LOOPBACK); BatchedUdpNodeIo tx = new BatchedUdpNodeIo(LOOPBACK)) {
            Received got = new Received();
            rx.start(got::add);
            tx.start((from, buf, off, len) -> { });
            byte[] small = datagram(1, 100);
            byte[] large = datagram(2, 65_507);
            CompletableFuture<Void> sent = new CompletableFuture<>();
            tx.execute(() -> {
                tx.send(rx.localAddress(), small, 0, small.length);
                tx.send(rx.localAddress(), large, 0, large.length);
                tx.send(rx.localAddress(), small, 0, small.length);
                sent.complete(null);
            });
            sent.get(10, TimeUnit.SECONDS);
            got.awaitCount(3);
            assertArrayEquals(small, got.data.get(0));
            assertArrayEquals(large, got.data.get(1));
            assertArrayEquals(small, got.data.get(2));
        }
    }

    @Test
    void aDualStackSocketReachesAndHearsIpv4PeersAsIpv4Addresses() throws Exception {
        try (BatchedUdpNodeIo dual = new BatchedUdpNodeIo(new InetSocketAddress(0));
                BatchedUdpNodeIo v4 = new BatchedUdpNodeIo(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))) {
            Received atDual = new Received();
            AtomicReference<InetSocketAddress> heardBy4 = new AtomicReference<>();
            dual.start(atDual::add);
            v4.start((from, buf, off, len) -> heardBy4.set(from));
            byte[] d = datagram(3, 50);
            v4.send(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), dual.localAddress().getPort()), d, 0, d.length);
            atDual.awaitCount(1);
            assertInstanceOf(Inet4Address.class, atDual.from.get(0).getAddress());
            assertEquals(v4.localAddress(), atDual.from.get(0));
            dual.send(atDual.from.get(0), d, 0, d.length);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (heardBy4.get() == null && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            assertEquals(dual.localAddress().getPort(), heardBy4.get().getPort());
            assertEquals(0, dual.sendErrors());
        }
    }
}
