package io.keymesh.bench;

import io.keymesh.bench.BenchNodes.Pair;
import io.keymesh.channel.ChannelConfig;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.MeshNode;
import io.keymesh.node.PathInfo;
import io.keymesh.node.RelayStats;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.RecordingListener;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The relayed-path comparisons of {@code bench/run} ({@code relay-bulk}, {@code relay-rtt},
 * {@code relay-failover}): MeshNodes A and B on 127.0.0.1 that reach each other only through relay
 * nodes in the same JVM ({@link Pair#startRelayed}), every node on its own loop thread. The
 * throughput and round-trip comparisons put the relayed pair (as "keymesh") against a direct pair
 * doing the same work (as "baseline"), alternating per round through {@link EndToEnd}'s drivers, so
 * the ratio line reads {@code NAME: keymesh=RELAYED baseline=DIRECT ratio=R}. The failover
 * measurement has no baseline: it times, on the real clock, how long traffic from A to B stops when
 * the relay in use closes and a standby relay takes over.
 */
final class RelayBench {
    static final List<String> NAMES = List.of("relay-bulk", "relay-rtt", "relay-failover", "discovery");
    /** Repetitions of {@code relay-failover} when {@code --rounds} is not given. */
    static final int FAILOVER_REPETITIONS = 5;

    private RelayBench() {}

    static String describe(String name) {
        return switch (name) {
            case "relay-bulk" -> "channel-bulk (256 MiB in 1 MiB messages on one channel, A to B) through relay R vs the"
                    + " same transfer between a directly connected pair (and relayed with maxUdpPayload 65,507); MB/s";
            case "relay-rtt" -> "64-byte datagram ping-pong answered in the nodes' callbacks (as rtt), A to B through relay R"
                    + " vs a direct pair; median/p99 us";
            case "relay-failover" -> "64-byte datagrams A to B every 1 ms through relay R1, R2 standing by; R1's node is"
                    + " closed; ms until B receives again and until A's path is on R2";
            case "discovery" -> DiscoveryBench.describe();
            default -> throw new IllegalArgumentException(name);
        };
    }

    static void run(String name, int rounds) throws Exception {
        System.out.printf("CPU: %s, %d CPUs available to the JVM%n", cpuModel(), Runtime.getRuntime().availableProcessors());
        switch (name) {
            case "relay-bulk" -> relayBulk(rounds);
            case "relay-rtt" -> {
                System.out.println("# keymesh = A and B through relay R (three nodes), baseline = A and B direct (two nodes);"
                        + " each node answers in its own callback");
                EndToEnd.latency(name, rounds, w -> roundTrips(w, true), w -> roundTrips(w, false));
            }
            case "relay-failover" -> failover(rounds);
            case "discovery" -> DiscoveryBench.run(rounds);
            default -> throw new IllegalArgumentException(name);
        }
    }

    /** The model name /proc/cpuinfo gives (what lscpu prints as "Model name"), with family and model numbers. */
    static String cpuModel() {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"));
            String model = field(lines, "model name");
            return model + " (family " + field(lines, "cpu family") + ", model " + field(lines, "model") + ")";
        } catch (java.io.IOException | RuntimeException e) {
            return System.getProperty("os.arch") + " (no /proc/cpuinfo)";
        }
    }

    private static String field(List<String> lines, String key) {
        for (String l : lines) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).trim().equals(key)) {
                return l.substring(colon + 1).trim();
            }
        }
        return "?";
    }

    // ------------------------------------------------------------------ relay-bulk, relay-rtt

    /** The largest UDP payload a relayed path may use when the channels are configured for it (as loopback allows). */
    private static final int LARGE_UDP_PAYLOAD = 65_507;

    /**
     * Three sides per round, in turn: relayed with the default channel settings (the connection's
     * packets stay within {@link ChannelConfig#DEFAULT}'s Ethernet-sized ceiling on a relayed path),
     * relayed with {@code maxUdpPayload} 65,507 on every node (the circuit's own limit, as large as a
     * loopback pair's packets), and direct (a loopback pair, whose packets grow to 64 KiB).
     */
    private static void relayBulk(int rounds) throws Exception {
        System.out.println("# keymesh = A to B through relay R (three nodes, default settings), baseline = A to B direct"
                + " (two nodes); also relayed with ChannelConfig maxUdpPayload " + LARGE_UDP_PAYLOAD + " on every node");
        List<Side> sides = sides();
        System.out.println("# warm-up (untimed)");
        for (Side side : sides) {
            bulk(true, side);
        }
        double[][] scores = new double[Side.values().length][rounds];
        double[][] cpuPerGb = new double[Side.values().length][rounds];
        for (int r = 0; r < rounds; r++) {
            System.out.printf("# round %d of %d%n", r + 1, rounds);
            for (Side side : sides) {
                double[] mbsAndCpu = bulk(false, side);
                scores[side.ordinal()][r] = mbsAndCpu[0];
                cpuPerGb[side.ordinal()][r] = mbsAndCpu[1];
            }
        }
        if (sides.size() < Side.values().length) {
            return; // a profiling run of some sides: no comparison
        }
        double[] relayed = scores[Side.RELAYED.ordinal()];
        double[] large = scores[Side.RELAYED_LARGE.ordinal()];
        double[] direct = scores[Side.DIRECT.ordinal()];
        System.out.printf(Locale.ROOT, "unit: MB/s; rounds: relayed %s, relayed with large packets %s, direct %s%n",
                fmt(relayed), fmt(large), fmt(direct));
        // Where the CPU is the limit, the throughput ratio is the inverse of the CPU cost ratio: a
        // relayed byte is sealed and opened three times (A-B inside A-R, then R-B), a direct one once.
        double relayedCpu = median(cpuPerGb[Side.RELAYED.ordinal()]);
        double directCpu = median(cpuPerGb[Side.DIRECT.ordinal()]);
        System.out.printf(Locale.ROOT, "relay-bulk CPU seconds per GB delivered (app and loop threads, medians): relayed %.2f,"
                        + " relayed with large packets %.2f, direct %.2f; direct / relayed = %.3f%n",
                relayedCpu, median(cpuPerGb[Side.RELAYED_LARGE.ordinal()]), directCpu, directCpu / relayedCpu);
        System.out.printf(Locale.ROOT, "relay-bulk with maxUdpPayload %d on the relayed path (medians): keymesh=%.0f baseline=%.0f"
                + " ratio=%.3f%n", LARGE_UDP_PAYLOAD, median(large), median(direct), median(large) / median(direct));
        System.out.printf(Locale.ROOT, "relay-bulk with maxUdpPayload %d on the relayed path: keymesh=%.0f baseline=%.0f"
                + " ratio=%.3f%n", LARGE_UDP_PAYLOAD, max(large), max(direct), max(large) / max(direct));
        System.out.printf(Locale.ROOT, "relay-bulk (medians): keymesh=%.0f baseline=%.0f ratio=%.3f%n",
                median(relayed), median(direct), median(relayed) / median(direct));
        System.out.printf(Locale.ROOT, "relay-bulk: keymesh=%.0f baseline=%.0f ratio=%.3f%n",
                max(relayed), max(direct), max(relayed) / max(direct));
    }

    private enum Side {
        RELAYED("relayed"),
        RELAYED_LARGE("relayed-large"),
        DIRECT("direct");

        final String label;

        Side(String label) {
            this.label = String.format(Locale.ROOT, "%-13s", label);
        }
    }

    /**
     * The sides {@code relay-bulk} runs: all three, or (for profiling one of them) those the system
     * property {@code bench.relaySides} names, e.g. {@code relayed} or {@code relayed-large,direct}.
     */
    private static List<Side> sides() {
        String only = System.getProperty("bench.relaySides");
        if (only == null || only.isBlank()) {
            return List.of(Side.values());
        }
        List<Side> out = new ArrayList<>();
        for (String n : only.split(",")) {
            out.add(Side.valueOf(n.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
        }
        return out;
    }

    /** One transfer on side {@code s}: MB/s, and CPU seconds (app and loop threads) per GB delivered. */
    private static double[] bulk(boolean warmup, Side s) throws Exception {
        boolean relayed = s != Side.DIRECT;
        try (Pair p = switch (s) {
            case RELAYED -> Pair.startRelayed(1);
            case RELAYED_LARGE -> Pair.startRelayed(1, ChannelConfig.DEFAULT.withMaxUdpPayload(LARGE_UDP_PAYLOAD));
            case DIRECT -> Pair.start();
        }) {
            String side = s.label;
            String path = "path " + BenchNodes.path(p.a(), p.b().publicKey());
            ThreadCpu cpu = ThreadCpu.of(p);
            double mbs = EndToEnd.bulk(side, warmup, p);
            String used = cpu.report();
            double cpuPerGb = cpu.cpus() / (mbs / 1000);
            if (relayed) {
                RelayStats r = Loopback.get(p.relays().getFirst().mesh().relayStats());
                System.out.printf(Locale.ROOT, "    %s; relay forwarded %,d messages, %,d bytes (mean %,.0f B),"
                                + " %d over rate; relayed packets dropped at A: %d%n    CPU %s%n", path,
                        r.packetsForwarded(), r.bytesForwarded(),
                        r.packetsForwarded() == 0 ? 0.0 : (double) r.bytesForwarded() / r.packetsForwarded(),
                        r.packetsOverRate(), Loopback.get(p.a().relayStats()).relayedDropped(), used);
            } else {
                System.out.printf(Locale.ROOT, "    %s%n    CPU %s%n", path, used);
            }
            System.out.printf(Locale.ROOT, "    %.2f CPU seconds per GB delivered%n", cpuPerGb);
            return new double[] {mbs, cpuPerGb};
        }
    }

    private static long[] roundTrips(boolean warmup, boolean relayed) throws Exception {
        try (Pair p = relayed ? Pair.startRelayed(1) : Pair.start()) {
            return RoundTrips.callbacks(relayed ? "relayed" : "direct", warmup, p);
        }
    }

    // ------------------------------------------------------------------ relay-failover

    private static final int FAILOVER_DATAGRAM = 64;
    private static final long FAILOVER_PERIOD_NANOS = 1_000_000;
    private static final Duration FAILOVER_WAIT = Duration.ofSeconds(15);

    /** One repetition's times, in nanoseconds after {@link MeshNode#close()} of the relay was called. */
    private record Failover(long closeTook, long lastOldArrival, long bAgain, long aSwitched, long lost) {}

    private static void failover(int repetitions) throws Exception {
        System.out.println("# each repetition: fresh A, B, R1, R2; A sends a 64-byte datagram to B every 1 ms for 1-2 s (at random)"
                + " through the relay A uses (R1), then R1's node is closed (MeshNode.close) and A keeps sending");
        System.out.println("# B again: the first datagram B receives of those A sent after close() returned (so through R2);"
                + " A on R2: A's onPathChanged to the path through R2; times from the call of close()");
        List<Failover> runs = new ArrayList<>();
        for (int r = 0; r < repetitions; r++) {
            Failover f = failoverOnce(r + 1, repetitions);
            if (f != null) {
                runs.add(f);
            }
        }
        if (runs.isEmpty()) {
            System.out.println("relay-failover: no repetition failed over within " + FAILOVER_WAIT.toSeconds() + " s");
            return;
        }
        long[] b = runs.stream().mapToLong(Failover::bAgain).sorted().toArray();
        long[] a = runs.stream().mapToLong(Failover::aSwitched).sorted().toArray();
        long[] lost = runs.stream().mapToLong(Failover::lost).sorted().toArray();
        System.out.printf(Locale.ROOT, "%d of %d repetitions failed over%n", runs.size(), repetitions);
        System.out.printf(Locale.ROOT, "relay-failover A on R2 (ms): min=%.1f median=%.1f max=%.1f%n",
                a[0] / 1e6, median(a) / 1e6, a[a.length - 1] / 1e6);
        System.out.printf(Locale.ROOT, "relay-failover datagrams lost: min=%d median=%.0f max=%d%n",
                lost[0], median(lost), lost[lost.length - 1]);
        System.out.printf(Locale.ROOT, "relay-failover (ms until B receives again): min=%.1f median=%.1f max=%.1f%n",
                b[0] / 1e6, median(b) / 1e6, b[b.length - 1] / 1e6);
    }

    private static Failover failoverOnce(int rep, int of) throws Exception {
        long setupStart = System.nanoTime();
        try (Pair p = Pair.startRelayed(2)) {
            PublicKey kb = p.b().publicKey();
            PathInfo first = BenchNodes.path(p.a(), kb);
            Loopback.Node dying = p.relays().stream().filter(n -> n.publicKey().equals(first.via())).findFirst().orElseThrow();
            Loopback.Node standby = p.relays().stream().filter(n -> n != dying).findFirst().orElseThrow();
            double setupMs = (System.nanoTime() - setupStart) / 1e6;

            AtomicLong received = new AtomicLong();
            long[] threshold = {Long.MAX_VALUE}; // seq of the last datagram sent before close() returned
            long[] lastOld = {0};
            long[] firstNew = {0};
            Object lock = new Object();
            p.atB().datagramSink = (from, d, o, l) -> {
                long now = System.nanoTime();
                long seq = ByteBuffer.wrap(d, o, l).getLong();
                received.incrementAndGet();
                synchronized (lock) {
                    if (seq > threshold[0]) {
                        if (firstNew[0] == 0) {
                            firstNew[0] = now;
                        }
                    } else {
                        lastOld[0] = now;
                    }
                }
            };
            AtomicLong sent = new AtomicLong();
            long[] refused = {0};
            AtomicBoolean stop = new AtomicBoolean();
            Thread sender = Thread.ofPlatform().name("failover-sender").start(() -> {
                byte[] m = new byte[FAILOVER_DATAGRAM];
                ByteBuffer bb = ByteBuffer.wrap(m);
                long next = System.nanoTime();
                while (!stop.get()) {
                    long seq = sent.get() + 1;
                    bb.putLong(0, seq);
                    if (p.a().send(kb, m)) {
                        sent.set(seq);
                    } else {
                        refused[0]++;
                    }
                    next += FAILOVER_PERIOD_NANOS;
                    long now = System.nanoTime();
                    if (now - next > 5 * FAILOVER_PERIOD_NANOS) {
                        next = now; // fell behind (a descheduled thread): no burst to catch up
                    }
                    LockSupport.parkNanos(next - now);
                }
            });
            try {
                // 1 to 2 s of traffic first, at random: the path in use is probed on a 500 ms cadence
                // that starts with the traffic, and a close always at the same point of it would
                // always measure the same part of the detection time.
                long sendingMillis = 1000 + ThreadLocalRandom.current().nextLong(1000);
                Thread.sleep(sendingMillis);
                long before = received.get();
                if (before == 0) {
                    throw new IllegalStateException("B received nothing in the first second");
                }
                long t0 = System.nanoTime();
                dying.mesh().close();
                long closeTook = System.nanoTime() - t0;
                synchronized (lock) {
                    threshold[0] = sent.get();
                }
                boolean again = Loopback.holdsWithin(FAILOVER_WAIT, () -> {
                    synchronized (lock) {
                        return firstNew[0] != 0;
                    }
                });
                boolean switched = Loopback.holdsWithin(FAILOVER_WAIT, () -> switchedAt(p.atA(), kb, standby, t0) != 0);
                Thread.sleep(100); // B counts what is in flight
                stop.set(true);
                sender.join();
                long lost = sent.get() - received.get();
                PathInfo now = BenchNodes.path(p.a(), kb);
                long aAt = switchedAt(p.atA(), kb, standby, t0);
                Failover f;
                synchronized (lock) {
                    f = new Failover(closeTook, lastOld[0] == 0 ? 0 : lastOld[0] - t0, again ? firstNew[0] - t0 : -1,
                            switched ? aAt - t0 : -1, lost);
                }
                System.out.printf(Locale.ROOT, "  repetition %d of %d: set-up %.0f ms; R1 closed after %d ms of traffic, close() took %.1f ms; last datagram"
                                + " through R1 at %+.1f ms; B again at +%s ms; A on R2 at +%s ms; %,d sent, %,d lost,"
                                + " %d refused; A's path now: %s%n", rep, of, setupMs, sendingMillis, f.closeTook / 1e6,
                        f.lastOldArrival / 1e6, ms(f.bAgain), ms(f.aSwitched), sent.get(), lost, refused[0], now);
                return again && switched ? f : null;
            } finally {
                stop.set(true);
                sender.join();
            }
        }
    }

    /** When A's listener heard its path to {@code peer} move to {@code relay} after {@code after}, or 0. */
    private static long switchedAt(RecordingListener atA, PublicKey peer, Loopback.Node relay, long after) {
        for (RecordingListener.PathChange c : atA.pathChanges) {
            if (c.peer().equals(peer) && c.atNanos() - after > 0 && c.path().relayed()
                    && c.path().via().equals(relay.publicKey())) {
                return c.atNanos();
            }
        }
        return 0;
    }

    private static String ms(long nanos) {
        return nanos < 0 ? "(not within " + FAILOVER_WAIT.toSeconds() + " s)" : String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElseThrow();
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f", v[i]));
        }
        return sb.append(']').toString();
    }

    private static double median(long[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
