package io.keymesh.bench;

import io.keymesh.bench.BenchNodes.Pair;
import io.keymesh.crypto.PublicKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The round-trip trials of the end-to-end comparisons ({@code bench/run rtt}, and the ping of
 * {@code channel-latency}): 64-byte pings, one outstanding, for a fixed time; each trial returns
 * its round-trip times in nanoseconds.
 */
final class RoundTrips {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private RoundTrips() {}

    static final int PING = 64;
    static final long LATENCY_SECONDS = 5;

    static long[] pingLoop(String side, boolean warmup, Pinger pinger) throws Exception {
        long seconds = warmup ? 2 : LATENCY_SECONDS;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long[] samples = new long[1 << 16];
        int n = 0;
        long timeouts = 0;
        while (System.nanoTime() - end < 0) {
            long t0 = System.nanoTime();
            if (!pinger.ping()) {
                timeouts++;
                continue;
            }
            long t = System.nanoTime() - t0;
            if (n == samples.length) {
                samples = Arrays.copyOf(samples, n * 2);
            }
            samples[n++] = t;
        }
        long[] s = Arrays.copyOf(samples, n);
        if (warmup || timeouts > 0) {
            System.out.printf(Locale.ROOT, "  %-8s %s: %,d round trips, %d timed out (100 ms)%n", side,
                    warmup ? "warm-up" : "", n, timeouts);
        }
        return s;
    }

    /**
     * Parks until {@code answers} reaches {@code want}; false after 100 ms without it, and then
     * {@code expected[0]} catches up with the answers so far (the lost ping is not waited for again).
     */
    static boolean awaitAnswer(AtomicLong answers, long want, long[] expected) {
        long deadline = System.nanoTime() + 100_000_000L;
        while (answers.get() < want) {
            LockSupport.parkNanos(1_000_000);
            if (System.nanoTime() - deadline > 0) {
                expected[0] = answers.get();
                return false;
            }
        }
        return true;
    }

    interface Pinger {
        /** One round trip; false if no answer within 100 ms. */
        boolean ping() throws Exception;
    }

    static long[] keymeshAppThread(boolean warmup) throws Exception {
        try (Pair p = Pair.start()) {
            PublicKey ka = p.a().publicKey();
            PublicKey kb = p.b().publicKey();
            p.atB().datagramSink = (from, d, o, l) -> p.b().send(ka, d, o, l);
            AtomicLong answers = new AtomicLong();
            Thread client = Thread.currentThread();
            p.atA().datagramSink = (from, d, o, l) -> {
                answers.incrementAndGet();
                LockSupport.unpark(client);
            };
            byte[] ping = new byte[PING];
            long[] expected = {0};
            return pingLoop("keymesh", warmup, () -> {
                long want = ++expected[0];
                p.a().send(kb, ping);
                return awaitAnswer(answers, want, expected);
            });
        }
    }

    /**
     * Ping-pong driven by the nodes' callbacks: B echoes from {@code onDatagram}; A, in its
     * {@code onDatagram}, records the round trip and sends the next ping. The thread layout is raw
     * UDP's (one thread per side that receives and answers); the caller only waits for the end.
     */
    static long[] keymeshCallbacks(boolean warmup) throws Exception {
        try (Pair p = Pair.start()) {
            return callbacks("keymesh", warmup, p);
        }
    }

    /** {@link #keymeshCallbacks} on the nodes of {@code p}, reported as {@code side}. */
    static long[] callbacks(String side, boolean warmup, Pair p) throws Exception {
        PublicKey ka = p.a().publicKey();
        PublicKey kb = p.b().publicKey();
        p.atB().datagramSink = (from, d, o, l) -> p.b().send(ka, d, o, l);
        long seconds = warmup ? 2 : LATENCY_SECONDS;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long[][] samples = {new long[1 << 16]};
        int[] n = {0};
        long[] sentAt = {0};
        byte[] ping = new byte[PING];
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        p.atA().datagramSink = (from, d, o, l) -> {
            long now = System.nanoTime();
            if (n[0] == samples[0].length) {
                samples[0] = Arrays.copyOf(samples[0], n[0] * 2);
            }
            samples[0][n[0]++] = now - sentAt[0];
            if (now - end < 0) {
                sentAt[0] = System.nanoTime();
                p.a().send(kb, ping);
            } else {
                done.countDown();
            }
        };
        p.a().withEngine((engine, now) -> { // the first ping from A's loop thread too
            sentAt[0] = System.nanoTime();
            p.a().send(kb, ping);
            return null;
        }).get();
        if (!done.await(seconds + 10, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("callback ping-pong stalled after " + n[0] + " round trips (a datagram lost?)");
        }
        if (warmup) {
            System.out.printf(Locale.ROOT, "  %-8s warm-up: %,d round trips%n", side, n[0]);
        }
        return Arrays.copyOf(samples[0], n[0]);
    }

    static long[] baseline(boolean warmup) throws Exception {
        try (DatagramChannel server = DatagramChannel.open(); DatagramChannel client = DatagramChannel.open()) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            client.bind(new InetSocketAddress(LOOPBACK, 0));
            client.connect(server.getLocalAddress());
            Thread echo = Thread.ofPlatform().name("rtt-baseline-echo").start(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(65535);
                try {
                    while (true) {
                        buf.clear();
                        var from = server.receive(buf);
                        buf.flip();
                        server.send(buf, from);
                    }
                } catch (IOException closed) {
                    // done
                }
            });
            ByteBuffer out = ByteBuffer.allocateDirect(PING);
            ByteBuffer in = ByteBuffer.allocateDirect(65535);
            long[] s = pingLoop("baseline", warmup, () -> {
                out.clear();
                client.write(out);
                in.clear();
                client.read(in); // blocking; loopback does not lose here
                return true;
            });
            server.close();
            echo.join(2000);
            return s;
        }
    }
}
