package io.keymesh.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The entry point of {@code bench/run}: runs one {@link Comparison} with JMH and its GC profiler and
 * ends with the line {@code NAME: keymesh=X baseline=Y ratio=Z}.
 *
 * <p>Usage: {@code Compare [NAME [--rounds N] [JMH options...]]}; without a name it lists the
 * comparisons. Each round runs every benchmark of the comparison once, in turn (keymesh, baseline,
 * extras), so with {@code --rounds 3} the two sides alternate and share the machine's slow and fast
 * phases. X and Y are the best (fastest) one-second measurement iteration of all rounds: on a shared
 * machine other work only ever slows an iteration down, so the fastest is the closest to what the
 * code does alone, while a median moves with however busy the machine happened to be. Medians are
 * printed too, on their own line. B/op is the mean of the rounds' {@code gc.alloc.rate.norm}.
 */
public final class Compare {
    private static final String PACKAGE = "io.keymesh.bench.";
    private static final String ALLOC_NORM = "gc.alloc.rate.norm";

    private Compare() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            list();
            return;
        }
        if (EndToEnd.NAMES.contains(args[0])) {
            endToEnd(args);
            return;
        }
        if (ForwardBench.NAMES.contains(args[0])) {
            ForwardBench.run(roundsOnly(args, 2));
            System.exit(0);
        }
        if (CompressionBench.NAME.equals(args[0])) {
            CompressionBench.run(roundsOnly(args, 2));
            System.exit(0);
        }
        if (PekkoBench.NAMES.contains(args[0])) {
            PekkoBench.run(roundsOnly(args, 1));
            return;
        }
        Comparison c = Comparison.byId(args[0]);
        if (c == null) {
            System.err.println("bench/run: unknown comparison '" + args[0] + "'");
            list();
            System.exit(2);
        }
        int rounds = 1;
        List<String> jmhArgs = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        int r = jmhArgs.indexOf("--rounds");
        if (r >= 0) {
            if (r + 1 >= jmhArgs.size()) {
                usageError("--rounds needs a number");
            }
            try {
                rounds = Integer.parseInt(jmhArgs.get(r + 1));
            } catch (NumberFormatException e) {
                usageError("--rounds needs a number, got " + jmhArgs.get(r + 1));
            }
            if (rounds < 1) {
                usageError("--rounds must be at least 1");
            }
            jmhArgs.subList(r, r + 2).clear();
        }
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        } catch (CommandLineOptionException e) {
            usageError("bad JMH option: " + e.getMessage());
            return;
        }

        List<String> benchmarks = new ArrayList<>();
        benchmarks.add(c.keymesh);
        benchmarks.add(c.baseline);
        benchmarks.addAll(c.extras);
        Map<String, Stats> stats = new LinkedHashMap<>();
        for (String b : benchmarks) {
            stats.put(b, new Stats());
        }
        for (int round = 1; round <= rounds; round++) {
            for (String b : benchmarks) {
                if (rounds > 1) {
                    System.out.printf("%n# bench/run %s: round %d of %d, %s%n", c.id, round, rounds, b);
                }
                var options = new OptionsBuilder()
                        .parent(cmd)
                        .include("^" + (PACKAGE + b).replace(".", "\\.") + "$")
                        .addProfiler(GCProfiler.class)
                        .shouldFailOnError(true)
                        .build();
                Collection<RunResult> results = new Runner(options).run();
                if (results.size() != 1) {
                    throw new IllegalStateException(results.size() + " results for " + b
                            + ": expected one (give at most one value per -p parameter)");
                }
                for (RunResult rr : results) {
                    stats.get(b).add(rr);
                }
            }
        }

        System.out.println();
        System.out.println("bench/run " + c.id + ": " + c.description);
        System.out.println("unit: " + c.unit + "; best and median of the measurement iterations; allocation from -prof gc");
        for (String b : benchmarks) {
            System.out.println("  " + stats.get(b).describe(b));
        }
        double xm = stats.get(c.keymesh).median();
        double ym = stats.get(c.baseline).median();
        double x = stats.get(c.keymesh).best();
        double y = stats.get(c.baseline).best();
        if (c == Comparison.HANDSHAKE) {
            double keygen = stats.get(c.extras.get(0)).median();
            System.out.printf(Locale.ROOT,
                    "one handshake takes as long as %.1f agreements; its DH alone costs %.1f (8 agreements + 2 key"
                            + " generations at %.2f agreements each)%n",
                    y / x, 8 + 2 * y / keygen, y / keygen);
        }
        for (String e : c.extras) {
            if (e.endsWith("Portable")) {
                double p = stats.get(e).best();
                System.out.printf(Locale.ROOT, "%s with Aead.portable(): keymesh=%.0f baseline=%.0f ratio=%.3f%n",
                        c.id, p, y, p / y);
            }
        }
        System.out.printf(Locale.ROOT, "%s (medians): keymesh=%.0f baseline=%.0f ratio=%.3f%n", c.id, xm, ym, xm / ym);
        System.out.printf(Locale.ROOT, "%s: keymesh=%.0f baseline=%.0f ratio=%.3f%n", c.id, x, y, x / y);
    }

    /** {@code NAME [--rounds N]} for the end-to-end comparisons (default 2 rounds, relay-failover 5; no JMH options). */
    private static void endToEnd(String[] args) throws Exception {
        EndToEnd.run(args[0], roundsOnly(args, EndToEnd.defaultRounds(args[0])));
        System.exit(0);
    }

    private static void list() {
        System.out.println("usage: bench/run NAME [--rounds N] [JMH options...]");
        System.out.println();
        System.out.println("comparisons (keymesh vs baseline in one run; the last line is NAME: keymesh=X baseline=Y ratio=X/Y):");
        for (Comparison c : Comparison.values()) {
            System.out.printf("  %-10s %s%n", c.id, c.description);
            System.out.printf("  %-10s unit: %s; %s vs %s%s%n", "", c.unit, c.keymesh, c.baseline,
                    c.extras.isEmpty() ? "" : ", with " + String.join(", ", c.extras));
        }
        System.out.println();
        System.out.println("end-to-end (two MeshNodes on 127.0.0.1 in one JVM vs JDK sockets; --rounds N, default 2; not JMH):");
        for (String n : EndToEnd.NAMES) {
            if (!RelayBench.NAMES.contains(n)) {
                System.out.printf("  %-15s %s%n", n, EndToEnd.describe(n));
            }
        }
        System.out.println();
        System.out.println("relayed paths (MeshNodes A and B on 127.0.0.1 through relay nodes, in one JVM; relayed vs direct,"
                + " --rounds N, default 2; relay-failover: N repetitions, default " + RelayBench.FAILOVER_REPETITIONS + "):");
        for (String n : RelayBench.NAMES) {
            System.out.printf("  %-15s %s%n", n, EndToEnd.describe(n));
        }
        System.out.println();
        System.out.println("service forwarding (two MeshNodes with forwarders on 127.0.0.1 in one JVM vs socat; --rounds N, default 2):");
        System.out.printf("  %-15s %s%n", "forward", ForwardBench.describe());
        System.out.println("channel compression (two MeshNodes and two actor systems on 127.0.0.1 in one JVM; --rounds N, default 2):");
        System.out.printf("  %-15s %s%n", CompressionBench.NAME, CompressionBench.describe());
        System.out.println();
        System.out.println("Pekko remoting (two JVMs on 127.0.0.1; --rounds N, default 1):");
        System.out.printf("  %-15s %s%n", "pekko", "flood (window 1,000) and ping-pong (1,000 outstanding) of Long messages over keymesh vs classic "
                + "Netty TCP vs Artery TCP; ends with pekko-flood-vs-classic|artery and pekko-pingpong-vs-classic|artery");
    }

    /** The {@code --rounds N} of a comparison that takes no other option. */
    private static int roundsOnly(String[] args, int rounds) {
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--rounds") && i + 1 < args.length) {
                try {
                    rounds = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    usageError("--rounds needs a number, got " + args[i]);
                }
            } else {
                usageError(args[0] + " is not a JMH comparison: it takes only --rounds N, got " + args[i]);
            }
        }
        if (rounds < 1) {
            usageError("--rounds must be at least 1");
        }
        return rounds;
    }

    private static void usageError(String message) {
        System.err.println("bench/run: " + message);
        System.exit(2);
    }

    /** Iteration scores and allocation of one benchmark over all rounds. */
    private static final class Stats {
        final List<Double> scores = new ArrayList<>();
        final List<Double> bytesPerOp = new ArrayList<>();
        String unit = "";

        void add(RunResult rr) {
            for (BenchmarkResult br : rr.getBenchmarkResults()) {
                for (IterationResult ir : br.getIterationResults()) {
                    scores.add(ir.getPrimaryResult().getScore());
                }
            }
            unit = rr.getPrimaryResult().getScoreUnit();
            Result<?> alloc = rr.getSecondaryResults().get(ALLOC_NORM);
            if (alloc != null) {
                bytesPerOp.add(alloc.getScore());
            }
        }

        double best() {
            return scores.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        }

        double median() {
            double[] s = scores.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        String describe(String name) {
            double[] s = scores.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double mean = Arrays.stream(s).average().orElse(Double.NaN);
            String alloc = bytesPerOp.isEmpty()
                    ? "allocation not measured"
                    : String.format(Locale.ROOT, "%.0f B/op", bytesPerOp.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
            return String.format(Locale.ROOT, "%-42s best %,10.0f  median %,10.0f %s (mean %,.0f, min %,.0f, %d iterations), %s",
                    name, best(), median(), unit, mean, s[0], s.length, alloc);
        }
    }
}
