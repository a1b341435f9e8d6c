package io.keymesh.bench;

import io.keymesh.bench.BenchNodes.Pair;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * End-to-end comparisons run by {@code bench/run} outside JMH: two {@link MeshNode}s on 127.0.0.1
 * in this JVM (each on its own loop thread, the application on further threads) against plain JDK
 * UDP / TCP sockets doing the same work, alternating keymesh and baseline for {@code --rounds}
 * rounds after one untimed warm-up of each. Throughputs: X and Y are each side's best round (the
 * median of rounds on the line before). Latencies: all rounds' samples pooled; X and Y are medians
 * in microseconds (lower is better, so ratio above 1 means keymesh is slower).
 */
final class EndToEnd {
    static final List<String> NAMES = List.of("udp", "rtt", "channel-bulk", "channel-small", "channel-latency",
            "relay-bulk", "relay-rtt", "relay-failover", "discovery");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private EndToEnd() {}

    static String describe(String name) {
        return switch (name) {
            case "udp" -> "1400-byte datagrams between two MeshNodes on loopback (encrypted, window of 256 in flight)"
                    + " vs two plain DatagramChannels; packets/s delivered, loss";
            case "rtt" -> "ping-pong of 64-byte datagrams (one outstanding) via MeshNode, answered in the node's callbacks, vs raw UDP; "
                    + "median/p99 us (printed after the same with an application thread waiting for each answer)";
            case "channel-bulk" -> "one reliable channel, 1 GiB in 1 MiB messages with back-pressure vs a JDK TCP socket; MB/s";
            case "channel-small" -> "64-byte messages on one channel vs TCP with a 4-byte length prefix and BufferedOutputStream; messages/s";
            case "channel-latency" -> "64-byte ping-pong on channel 2 while channel 1 of the same connection carries bulk"
                    + " vs 64-byte ping on a TCP connection while bulk runs on a second one; median/p99 us";
            default -> RelayBench.describe(name);
        };
    }

    /** Rounds when {@code --rounds} is not given. */
    static int defaultRounds(String name) {
        return name.equals("relay-failover") || name.equals("discovery") ? RelayBench.FAILOVER_REPETITIONS : 2;
    }

    static void run(String name, int rounds) throws Exception {
        System.out.printf("bench/run %s: %s%n", name, describe(name));
        switch (name) {
            case "udp" -> throughput(name, "packets/s", rounds, EndToEnd::udpKeymesh, EndToEnd::udpBaseline);
            case "rtt" -> {
                System.out.println("# with an application thread that sends each ping and waits for the answer (one more thread hand-off per round trip)");
                latency("rtt-app-thread", rounds, RoundTrips::keymeshAppThread, RoundTrips::baseline);
                System.out.println();
                System.out.println("# each node answers in its own callback, as raw UDP's threads answer from their receive loop");
                latency(name, rounds, RoundTrips::keymeshCallbacks, RoundTrips::baseline);
            }
            case "channel-bulk" -> throughput(name, "MB/s", rounds, EndToEnd::bulkKeymesh, EndToEnd::bulkBaseline);
            case "channel-small" -> throughput(name, "messages/s", rounds, EndToEnd::smallKeymesh, EndToEnd::smallBaseline);
            case "channel-latency" -> latency(name, rounds, EndToEnd::loadedLatencyKeymesh, EndToEnd::loadedLatencyBaseline);
            default -> RelayBench.run(name, rounds);
        }
    }

    // ------------------------------------------------------------------ drivers

    interface Trial {
        /** Runs once; returns the score (throughput) and prints details. */
        double run(boolean warmup) throws Exception;
    }

    interface LatencyTrial {
        /** Runs once and returns round-trip samples in nanoseconds. */
        long[] run(boolean warmup) throws Exception;
    }

    /** Untimed runs of one side at most, however busy the compilers still are (-Dbench.maxWarmups). */
    static final int MAX_WARMUPS = Integer.getInteger("bench.maxWarmups", 8);
    /**
     * A side is warm once the JIT compilers were busy for less than this share of a warm-up run's
     * wall time: until then a measured round runs partly on code not yet compiled by C2 and shares
     * the two CPUs with the compiler (a C2 thread took 1.9 of a 2.1-second channel-bulk round after
     * one 512 MiB warm-up, as every per-packet method was still below the C2 thresholds with
     * 64 KB packets).
     */
    static final double WARM_JIT_SHARE = 0.02;
    private static final java.lang.management.CompilationMXBean JIT = java.lang.management.ManagementFactory.getCompilationMXBean();

    /** Milliseconds the JIT compilers have worked so far, summed over their threads (0 if the JVM does not say). */
    static long jitMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }

    /** Untimed runs of {@code run} until the JIT compilers settle ({@link #WARM_JIT_SHARE}), at most {@link #MAX_WARMUPS}. */
    static void warmUp(String side, Callable<?> run) throws Exception {
        for (int i = 1; ; i++) {
            long jit = jitMillis();
            long start = System.nanoTime();
            run.call();
            double wallMillis = (System.nanoTime() - start) / 1e6;
            jit = jitMillis() - jit;
            System.out.printf(Locale.ROOT, "  (%s warm-up %d: compilers busy %,d ms of %,.0f ms)%n", side, i, jit, wallMillis);
            if (jit < WARM_JIT_SHARE * wallMillis || i >= MAX_WARMUPS) {
                return;
            }
        }
    }

    /** {@code run}'s result, with the compilers' work during it printed (warm code: near 0). */
    static <T> T measured(String side, Callable<T> run) throws Exception {
        long jit = jitMillis();
        T result = run.call();
        System.out.printf(Locale.ROOT, "    (compilers busy %,d ms during the %s run)%n", jitMillis() - jit, side);
        return result;
    }

    static void throughput(String name, String unit, int rounds, Trial keymesh, Trial baseline) throws Exception {
        System.out.println("# warm-up (untimed), until the compilers settle");
        warmUp("keymesh", () -> keymesh.run(true));
        warmUp("baseline", () -> baseline.run(true));
        double[] k = new double[rounds];
        double[] b = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            System.out.printf("# round %d of %d%n", r + 1, rounds);
            k[r] = measured("keymesh", () -> keymesh.run(false));
            b[r] = measured("baseline", () -> baseline.run(false));
        }
        double km = median(k);
        double bm = median(b);
        double kb = Arrays.stream(k).max().orElseThrow();
        double bb = Arrays.stream(b).max().orElseThrow();
        System.out.printf(Locale.ROOT, "unit: %s; rounds: keymesh %s, baseline %s%n", unit, fmt(k), fmt(b));
        System.out.printf(Locale.ROOT, "%s (medians): keymesh=%.0f baseline=%.0f ratio=%.3f%n", name, km, bm, km / bm);
        System.out.printf(Locale.ROOT, "%s: keymesh=%.0f baseline=%.0f ratio=%.3f%n", name, kb, bb, kb / bb);
    }

    static void latency(String name, int rounds, LatencyTrial keymesh, LatencyTrial baseline) throws Exception {
        System.out.println("# warm-up (untimed), until the compilers settle");
        warmUp("keymesh", () -> keymesh.run(true));
        warmUp("baseline", () -> baseline.run(true));
        List<long[]> k = new ArrayList<>();
        List<long[]> b = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            System.out.printf("# round %d of %d%n", r + 1, rounds);
            long[] ks = measured("keymesh", () -> keymesh.run(false));
            long[] bs = measured("baseline", () -> baseline.run(false));
            System.out.printf(Locale.ROOT, "  keymesh  %s%n  baseline %s%n", summary(ks), summary(bs));
            k.add(ks);
            b.add(bs);
        }
        long[] ka = concat(k);
        long[] ba = concat(b);
        Arrays.sort(ka);
        Arrays.sort(ba);
        double kMed = pct(ka, 0.5) / 1e3;
        double bMed = pct(ba, 0.5) / 1e3;
        System.out.printf(Locale.ROOT, "all rounds: keymesh %s%n            baseline %s%n", summary(ka), summary(ba));
        System.out.printf(Locale.ROOT, "%s p99 (us): keymesh=%.1f baseline=%.1f ratio=%.3f%n", name,
                pct(ka, 0.99) / 1e3, pct(ba, 0.99) / 1e3, pct(ka, 0.99) / (double) pct(ba, 0.99));
        System.out.printf(Locale.ROOT, "%s added at the median: %.1f us%n", name, kMed - bMed);
        System.out.printf(Locale.ROOT, "%s: keymesh=%.1f baseline=%.1f ratio=%.3f%n", name, kMed, bMed, kMed / bMed);
    }

    // ------------------------------------------------------------------ udp

    private static final int UDP_PAYLOAD = 1400;
    private static final int UDP_WINDOW = 256;
    private static final long UDP_SECONDS = 5;

    /**
     * The window logic shared by both sides: send while fewer than {@link #UDP_WINDOW} packets are
     * neither delivered nor given up on; after 5 ms without a delivery the outstanding ones count as lost.
     */
    interface Sender {
        boolean send() throws IOException;
    }

    private static double udpRun(String side, boolean warmup, Sender sender, AtomicLong delivered) throws Exception {
        long seconds = warmup ? 4 : UDP_SECONDS;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long sent = 0;
        long forgiven = 0;
        long refused = 0;
        long lastDelivered = 0;
        long lastProgress = start;
        while (true) {
            long now = System.nanoTime();
            if (now - end > 0) {
                break;
            }
            long d = delivered.get();
            if (d != lastDelivered) {
                lastDelivered = d;
                lastProgress = now;
            }
            if (sent - d - forgiven < UDP_WINDOW) {
                if (sender.send()) {
                    sent++;
                } else {
                    refused++;
                    Thread.onSpinWait();
                }
            } else if (now - lastProgress > 5_000_000) {
                forgiven = sent - d;
                lastProgress = now;
            } else {
                LockSupport.parkNanos(20_000); // window full: leave the CPU to the receiving side (2 vCPUs)
            }
        }
        long deliveredAtEnd = delivered.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        Thread.sleep(200); // stragglers
        long total = delivered.get();
        double pps = deliveredAtEnd / elapsed;
        System.out.printf(Locale.ROOT, "  %-8s %s: %,.0f packets/s delivered (%,d sent, %,d delivered, loss %.3f %%,"
                        + " %,d sends refused)%n", side, warmup ? "warm-up" : "", pps, sent, total,
                sent == 0 ? 0.0 : 100.0 * (sent - total) / sent, refused);
        return pps;
    }

    private static double udpKeymesh(boolean warmup) throws Exception {
        try (Pair p = Pair.start()) {
            AtomicLong delivered = new AtomicLong();
            p.atB().datagramSink = (from, d, o, l) -> {
                if (l == UDP_PAYLOAD) {
                    delivered.incrementAndGet();
                }
            };
            byte[] payload = new byte[UDP_PAYLOAD];
            PublicKey to = p.b().publicKey();
            double r = udpRun("keymesh", warmup, () -> p.a().send(to, payload), delivered);
            if (!warmup) {
                System.out.println("           drops at the receiver: " + p.b().drops().get(2, TimeUnit.SECONDS)
                        + ", at the sender: " + p.a().drops().get(2, TimeUnit.SECONDS));
            }
            return r;
        }
    }

    private static double udpBaseline(boolean warmup) throws Exception {
        try (DatagramChannel rx = DatagramChannel.open(); DatagramChannel tx = DatagramChannel.open()) {
            for (DatagramChannel c : List.of(rx, tx)) {
                c.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                c.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
                c.bind(new InetSocketAddress(LOOPBACK, 0));
            }
            InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
            AtomicLong delivered = new AtomicLong();
            Thread receiver = Thread.ofPlatform().name("udp-baseline-rx").start(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(65535);
                try {
                    while (true) {
                        buf.clear();
                        rx.receive(buf);
                        if (buf.position() == UDP_PAYLOAD) {
                            delivered.incrementAndGet();
                        }
                    }
                } catch (IOException closed) {
                    // done
                }
            });
            ByteBuffer out = ByteBuffer.allocateDirect(UDP_PAYLOAD);
            double r = udpRun("baseline", warmup, () -> {
                out.clear();
                tx.send(out, to);
                return true;
            }, delivered);
            rx.close();
            receiver.join(2000);
            return r;
        }
    }

    // ------------------------------------------------------------------ channel-bulk

    private static final int BULK_MESSAGE = Integer.getInteger("bench.bulkMessage", 1 << 20);
    private static final long BULK_BYTES = 1L << 30;
    /**
     * A warm-up long enough for the JIT to finish with the data path (the cipher's intrinsics, the
     * channel code): with 64 MiB the compiler threads still took most of a CPU in the measured
     * rounds, which then got faster one after another.
     */
    private static final long BULK_WARMUP_BYTES = 512L << 20;
    private static final long BULK_CAP_NANOS = 25_000_000_000L;

    private static double bulkKeymesh(boolean warmup) throws Exception {
        try (Pair p = Pair.start()) {
            ThreadCpu cpu = ThreadCpu.of(p);
            double mbs = bulk("keymesh ", warmup, p);
            printCpuPerGb(cpu, mbs);
            return mbs;
        }
    }

    /** The CPU the measured threads used during a transfer at {@code mbs}, and per GB delivered. */
    private static void printCpuPerGb(ThreadCpu cpu, double mbs) {
        System.out.printf(Locale.ROOT, "    CPU %s%n    %.2f CPU seconds per GB delivered%n", cpu.report(), cpu.cpus() / (mbs / 1000));
    }

    /**
     * The keymesh side of {@code channel-bulk} on {@code p}: 1 GiB (512 MiB in a warm-up) A→B on
     * channel 1, MB/s as B's {@code onMessage} counts them; prints the side's result as {@code side}.
     */
    static double bulk(String side, boolean warmup, Pair p) throws Exception {
        long total = warmup ? BULK_WARMUP_BYTES : BULK_BYTES;
        AtomicLong received = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        p.atB().messageSink = (from, ch, m) -> {
            if (received.addAndGet(m.length) >= total) {
                done.countDown();
            }
        };
        Channel c = p.a().channel(p.b().publicKey(), 1);
        Semaphore writable = p.atA().writableSignal(p.b().publicKey(), 1);
        byte[] m = new byte[BULK_MESSAGE];
        Arrays.fill(m, (byte) 0x5a);
        long start = System.nanoTime();
        long deadline = start + BULK_CAP_NANOS;
        for (long sent = 0; sent < total; sent += BULK_MESSAGE) {
            if (!BenchNodes.sendBlocking(c, writable, m, deadline)) {
                break;
            }
        }
        boolean complete = done.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        double secs = (System.nanoTime() - start) / 1e9;
        double mbs = received.get() / secs / 1e6;
        var stats = p.a().channelStats(p.b().publicKey()).get(2, TimeUnit.SECONDS);
        System.out.printf(Locale.ROOT, "  %s %s: %,.1f MB/s (%,d bytes in %.2f s%s, %d writable signals)%n    %s%n",
                side, warmup ? "warm-up" : "", mbs, received.get(), secs,
                complete ? "" : ", INCOMPLETE: stopped at the " + BULK_CAP_NANOS / 1_000_000_000L + " s cap",
                p.atA().writableCount(), stats);
        return mbs;
    }

    private static double bulkBaseline(boolean warmup) throws Exception {
        long total = warmup ? BULK_WARMUP_BYTES : BULK_BYTES;
        try (ServerSocket ss = new ServerSocket(0, 1, LOOPBACK)) {
            AtomicLong received = new AtomicLong();
            // The reader stays alive until its CPU time is read (a thread that ended has none).
            CountDownLatch readAll = new CountDownLatch(1);
            CountDownLatch measuredCpu = new CountDownLatch(1);
            Thread reader = Thread.ofPlatform().name("bulk-baseline-rx").start(() -> {
                try (Socket s = ss.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[BULK_MESSAGE];
                    long got = 0;
                    int n;
                    while (got < total && (n = in.read(buf)) > 0) {
                        got += n;
                    }
                    received.set(got);
                    readAll.countDown();
                    measuredCpu.await();
                } catch (IOException | InterruptedException e) {
                    throw new RuntimeException(e);
                } finally {
                    readAll.countDown();
                }
            });
            byte[] m = new byte[BULK_MESSAGE];
            Arrays.fill(m, (byte) 0x5a);
            ThreadCpu cpu = ThreadCpu.of(Map.of("app", Thread.currentThread(), "reader", reader));
            long start = System.nanoTime();
            try (Socket s = new Socket(LOOPBACK, ss.getLocalPort()); OutputStream out = s.getOutputStream()) {
                for (long sent = 0; sent < total; sent += BULK_MESSAGE) {
                    out.write(m);
                }
                readAll.await();
            }
            double secs = (System.nanoTime() - start) / 1e9;
            double mbs = received.get() / secs / 1e6;
            System.out.printf(Locale.ROOT, "  baseline %s: %,.1f MB/s (%,d bytes in %.2f s)%n",
                    warmup ? "warm-up" : "", mbs, received.get(), secs);
            printCpuPerGb(cpu, mbs);
            measuredCpu.countDown();
            reader.join();
            return mbs;
        }
    }

    // ------------------------------------------------------------------ channel-small

    private static final int SMALL = 64;
    private static final long SMALL_SECONDS = 5;

    /**
     * Messages/s the receiver counted between 1 s and the end of the run (the first second is
     * ramp-up), and the CPU that {@code threads} (taken at 1 s) used meanwhile, per message.
     */
    private static double smallRate(String side, boolean warmup, AtomicLong received, Supplier<ThreadCpu> threads,
            Runnable sendFor) throws Exception {
        long start = System.nanoTime();
        long[] at1 = new long[2];
        ThreadCpu[] cpu = new ThreadCpu[1];
        Thread sampler = Thread.ofPlatform().start(() -> {
            LockSupport.parkNanos(1_000_000_000L);
            cpu[0] = threads.get();
            at1[0] = received.get();
            at1[1] = System.nanoTime();
        });
        sendFor.run();
        long endCount = received.get();
        long end = System.nanoTime();
        sampler.join();
        String used = cpu[0].report();
        String allocated = cpu[0].allocatedPer(endCount - at1[0], "message");
        double nanosPerMessage = cpu[0].seconds() * 1e9 / (endCount - at1[0]);
        double rate = (endCount - at1[0]) / ((end - at1[1]) / 1e9);
        System.out.printf(Locale.ROOT, "  %-8s %s: %,.0f messages/s (%,d received in %.2f s)%n    CPU %s%n"
                        + "    %.0f CPU ns per message%n    %s%n", side, warmup ? "warm-up" : "", rate, endCount,
                (end - start) / 1e9, used, nanosPerMessage, allocated);
        return rate;
    }

    private static double smallKeymesh(boolean warmup) throws Exception {
        long seconds = warmup ? 2 : SMALL_SECONDS;
        try (Pair p = Pair.start()) {
            AtomicLong received = new AtomicLong();
            p.atB().messageSink = (from, ch, m) -> received.incrementAndGet();
            Channel c = p.a().channel(p.b().publicKey(), 1);
            Semaphore writable = p.atA().writableSignal(p.b().publicKey(), 1);
            byte[] m = new byte[SMALL];
            Thread app = Thread.currentThread();
            double rate = smallRate("keymesh", warmup, received, () -> ThreadCpu.of(p, app), () -> {
                long deadline = System.nanoTime() + seconds * 1_000_000_000L;
                long i = 0;
                while (true) {
                    if ((++i & 63) == 0 && System.nanoTime() - deadline > 0) {
                        break;
                    }
                    if (!BenchNodes.sendBlocking(c, writable, m, deadline)) {
                        break;
                    }
                }
            });
            var stats = p.a().channelStats(p.b().publicKey()).get(2, TimeUnit.SECONDS);
            System.out.printf(Locale.ROOT, "    %d writable signals%n    %s%n", p.atA().writableCount(), stats);
            return rate;
        }
    }

    private static double smallBaseline(boolean warmup) throws Exception {
        long seconds = warmup ? 2 : SMALL_SECONDS;
        try (ServerSocket ss = new ServerSocket(0, 1, LOOPBACK)) {
            AtomicLong received = new AtomicLong();
            Thread reader = Thread.ofPlatform().name("small-baseline-rx").start(() -> {
                try (Socket s = ss.accept(); DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()))) {
                    byte[] buf = new byte[SMALL];
                    while (true) {
                        int len = in.readInt();
                        in.readFully(buf, 0, len);
                        received.incrementAndGet();
                    }
                } catch (IOException eof) {
                    // sender closed
                }
            });
            Socket s = new Socket(LOOPBACK, ss.getLocalPort());
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            byte[] m = new byte[SMALL];
            Thread app = Thread.currentThread();
            double r = smallRate("baseline", warmup, received,
                    () -> ThreadCpu.of(Map.of("app", app, "reader", reader)), () -> {
                long deadline = System.nanoTime() + seconds * 1_000_000_000L;
                long i = 0;
                try {
                    while ((++i & 63) != 0 || System.nanoTime() - deadline < 0) {
                        out.writeInt(SMALL);
                        out.write(m);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            s.close();
            reader.join(2000);
            return r;
        }
    }

    // ------------------------------------------------------------------ channel-latency

    private static long[] loadedLatencyKeymesh(boolean warmup) throws Exception {
        try (Pair p = Pair.start()) {
            PublicKey ka = p.a().publicKey();
            PublicKey kb = p.b().publicKey();
            AtomicLong bulkBytes = new AtomicLong();
            AtomicLong answers = new AtomicLong();
            Thread client = Thread.currentThread();
            p.atB().messageSink = (from, ch, m) -> {
                if (ch == 2) {
                    p.b().channel(ka, 2).send(m);
                } else {
                    bulkBytes.addAndGet(m.length);
                }
            };
            p.atA().messageSink = (from, ch, m) -> {
                answers.incrementAndGet();
                LockSupport.unpark(client);
            };
            Channel bulk = p.a().channel(kb, 1);
            Channel ping = p.a().channel(kb, 2);
            long seconds = warmup ? 2 : RoundTrips.LATENCY_SECONDS;
            long stopAt = System.nanoTime() + (seconds + 2) * 1_000_000_000L;
            Thread bulker = Thread.ofPlatform().name("latency-bulk").start(() -> {
                byte[] m = new byte[BULK_MESSAGE];
                while (System.nanoTime() - stopAt < 0) {
                    while (!bulk.send(m)) {
                        LockSupport.parkNanos(200_000);
                        if (System.nanoTime() - stopAt > 0 || bulk.lostReason() != null) {
                            return;
                        }
                    }
                }
            });
            Thread.sleep(500); // the bulk transfer gets going
            long bulkStart = bulkBytes.get();
            long t0 = System.nanoTime();
            long[] expected = {0};
            long[] s = RoundTrips.pingLoop("keymesh", warmup, () -> {
                long want = ++expected[0];
                ping.send(new byte[RoundTrips.PING]);
                return RoundTrips.awaitAnswer(answers, want, expected);
            });
            double mbs = (bulkBytes.get() - bulkStart) / ((System.nanoTime() - t0) / 1e9) / 1e6;
            System.out.printf(Locale.ROOT, "  keymesh  bulk alongside: %,.1f MB/s%n    %s%n", mbs,
                    p.a().channelStats(kb).get(2, TimeUnit.SECONDS));
            bulker.join();
            return s;
        }
    }

    private static long[] loadedLatencyBaseline(boolean warmup) throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 2, LOOPBACK)) {
            AtomicLong bulkBytes = new AtomicLong();
            long seconds = warmup ? 2 : RoundTrips.LATENCY_SECONDS;
            long stopAt = System.nanoTime() + (seconds + 2) * 1_000_000_000L;
            Socket bulkOut = new Socket(LOOPBACK, ss.getLocalPort());
            Socket bulkIn = ss.accept();
            Socket pingOut = new Socket(LOOPBACK, ss.getLocalPort());
            Socket pingIn = ss.accept();
            pingOut.setTcpNoDelay(true);
            pingIn.setTcpNoDelay(true);
            Thread writer = Thread.ofPlatform().name("latency-baseline-bulk-tx").start(() -> {
                byte[] m = new byte[BULK_MESSAGE];
                try (OutputStream out = bulkOut.getOutputStream()) {
                    while (System.nanoTime() - stopAt < 0) {
                        out.write(m);
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            Thread reader = Thread.ofPlatform().name("latency-baseline-bulk-rx").start(() -> {
                byte[] buf = new byte[BULK_MESSAGE];
                try (InputStream in = bulkIn.getInputStream()) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        bulkBytes.addAndGet(n);
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            Thread echo = Thread.ofPlatform().name("latency-baseline-echo").start(() -> {
                byte[] buf = new byte[RoundTrips.PING];
                try (InputStream in = pingIn.getInputStream(); OutputStream out = pingIn.getOutputStream()) {
                    while (true) {
                        new DataInputStream(in).readFully(buf);
                        out.write(buf);
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            Thread.sleep(500);
            long bulkStart = bulkBytes.get();
            long t0 = System.nanoTime();
            OutputStream out = pingOut.getOutputStream();
            DataInputStream in = new DataInputStream(pingOut.getInputStream());
            byte[] ping = new byte[RoundTrips.PING];
            long[] s = RoundTrips.pingLoop("baseline", warmup, () -> {
                out.write(ping);
                in.readFully(ping);
                return true;
            });
            double mbs = (bulkBytes.get() - bulkStart) / ((System.nanoTime() - t0) / 1e9) / 1e6;
            System.out.printf(Locale.ROOT, "  baseline bulk alongside: %,.1f MB/s%n", mbs);
            writer.join();
            pingOut.close();
            bulkIn.close();
            reader.join(2000);
            echo.join(2000);
            bulkOut.close();
            pingIn.close();
            return s;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }

    private static String summary(long[] s) {
        long[] c = s.clone();
        Arrays.sort(c);
        return String.format(Locale.ROOT, "%,d round trips: median %.1f us, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f",
                c.length, pct(c, 0.5) / 1e3, pct(c, 0.9) / 1e3, pct(c, 0.99) / 1e3, pct(c, 0.999) / 1e3,
                c.length == 0 ? 0 : c[c.length - 1] / 1e3);
    }

    private static long[] concat(List<long[]> parts) {
        long[] out = new long[parts.stream().mapToInt(a -> a.length).sum()];
        int i = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f", v[i]));
        }
        return sb.append(']').toString();
    }
}
