package io.keymesh.bench;

import io.keymesh.bench.BenchNodes.Pair;
import io.keymesh.node.MeshNode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time (user and system, as the JVM reports it per thread) of a set of threads between
 * {@link #of} and {@link #report}: where a transfer's work runs, and how much of the machine it
 * took. Where the CPU is the limit, throughput ratios follow the inverse of CPU-per-unit ratios,
 * which this lets a comparison print beside its rates.
 *
 * <p>With the system property {@code bench.threadNames} the report also names the loop threads
 * (keymesh-udp-PORT), to find each node in a profile.
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static {
        // Thread CPU time is on by default on HotSpot; make sure.
        if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
    }

    private final Map<String, Long> ids;
    private final Map<String, String> names;
    private final Map<String, Long> start = new LinkedHashMap<>();
    private final Map<String, Long> allocatedStart = new LinkedHashMap<>();
    private final long wallStart;

    private final long[] machineStart;
    private final Map<String, Long> allStart = new java.util.HashMap<>();

    private ThreadCpu(Map<String, Long> ids, Map<String, String> names) {
        this.ids = ids;
        this.names = names;
        ids.forEach((k, id) -> start.put(k, THREADS.getThreadCpuTime(id)));
        ids.forEach((k, id) -> allocatedStart.put(k, allocated(id)));
        this.machineStart = machineTicks();
        if (Boolean.getBoolean("bench.allThreads")) {
            allStart.putAll(osThreadTicks());
        }
        this.wallStart = System.nanoTime();
    }

    /**
     * The machine's CPU time so far from /proc/stat's "cpu" line, in clock ticks: user (with nice),
     * system, softirq and irq, idle (with iowait), steal; null where there is no /proc/stat. Work
     * the kernel does in softirq context (on loopback, delivering every datagram and segment) is
     * charged to no thread, so the threads' own times leave it out.
     */
    private static long[] machineTicks() {
        try {
            String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long user = Long.parseLong(f[1]) + Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]);
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            long irq = Long.parseLong(f[6]) + Long.parseLong(f[7]);
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            return new long[] {user, system, irq, idle, steal};
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Every thread of this process, JVM threads included (garbage collection, compilers), as
     * "name/tid" to user plus system clock ticks from /proc/self/task; empty without /proc.
     */
    private static Map<String, Long> osThreadTicks() {
        Map<String, Long> ticks = new java.util.HashMap<>();
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (var task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                try {
                    String stat = java.nio.file.Files.readString(task.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String[] f = stat.substring(close + 2).split(" ");
                    ticks.put(stat.substring(open + 1, close) + "/" + task.getFileName(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return Map.of();
        }
        return ticks;
    }

    /** "machine: b of n CPUs busy (user u, system s, softirq/irq q, steal t)" since {@link #of}, or "" without /proc/stat. */
    private String machine() {
        long[] now = machineTicks();
        if (now == null || machineStart == null) {
            return "";
        }
        long[] d = new long[now.length];
        long total = 0;
        for (int i = 0; i < now.length; i++) {
            d[i] = now[i] - machineStart[i];
            total += d[i];
        }
        if (total <= 0) {
            return "";
        }
        double cpus = Runtime.getRuntime().availableProcessors();
        return String.format(Locale.ROOT, "; machine: %.2f of %.0f CPUs busy (user %.2f, system %.2f, softirq/irq %.2f, steal %.2f)",
                cpus * (total - d[3]) / total, cpus, cpus * d[0] / total, cpus * d[1] / total, cpus * d[2] / total,
                cpus * d[4] / total);
    }

    /** The calling thread ("app") and the loop thread of each node of {@code p} (A, the relays, B), from now. */
    static ThreadCpu of(Pair p) {
        return of(p, Thread.currentThread());
    }

    /** Thread {@code app} and the loop thread of each node of {@code p} (A, the relays, B), from now. */
    static ThreadCpu of(Pair p, Thread app) {
        Map<String, Long> ids = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        ids.put("app", app.threadId());
        loopThread(ids, names, "A", p.a());
        for (int i = 0; i < p.relays().size(); i++) {
            loopThread(ids, names, p.relays().size() == 1 ? "R" : "R" + (i + 1), p.relays().get(i).mesh());
        }
        loopThread(ids, names, "B", p.b());
        return new ThreadCpu(ids, names);
    }

    /** The given threads, by label, from now. */
    static ThreadCpu of(Map<String, Thread> threads) {
        Map<String, Long> ids = new LinkedHashMap<>();
        threads.forEach((label, t) -> ids.put(label, t.threadId()));
        return new ThreadCpu(ids, Map.of());
    }

    private static void loopThread(Map<String, Long> ids, Map<String, String> names, String label, MeshNode node) {
        String name = "keymesh-udp-" + node.localAddress().getPort();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                ids.put(label + " loop", t.threadId());
                names.put(label, name);
            }
        }
    }

    /** Bytes thread {@code id} has allocated on the heap so far (HotSpot's count), or -1 where unknown. */
    private static long allocated(long id) {
        return THREADS instanceof com.sun.management.ThreadMXBean hotspot ? hotspot.getThreadAllocatedBytes(id) : -1;
    }

    /**
     * "allocated: app x B, A loop y B, ...": heap bytes each measured thread allocated since
     * {@link #of}, each divided by {@code per} (units of work, e.g. messages), or "" where the JVM
     * does not count them.
     */
    String allocatedPer(double per, String unit) {
        StringBuilder sb = new StringBuilder("allocated per " + unit + ":");
        for (var e : ids.entrySet()) {
            long now = allocated(e.getValue());
            long then = allocatedStart.get(e.getKey());
            if (now < 0 || then < 0) {
                return "";
            }
            sb.append(String.format(Locale.ROOT, " %s %.1f B,", e.getKey(), (now - then) / per));
        }
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    /** CPU seconds the measured threads used since {@link #of}, together (a thread that ended counts as nothing). */
    double seconds() {
        double total = 0;
        for (var e : ids.entrySet()) {
            total += used(e.getKey());
        }
        return total / 1e9;
    }

    /** CPUs the measured threads kept busy on average since {@link #of}. */
    double cpus() {
        return seconds() * 1e9 / (System.nanoTime() - wallStart);
    }

    private long used(String label) {
        long now = THREADS.getThreadCpuTime(ids.get(label));
        return now < 0 ? 0 : now - start.get(label);
    }

    /** "over x s: app y s (z %), A loop ..., together n CPUs": seconds of CPU and share of the wall time. */
    String report() {
        double wall = (System.nanoTime() - wallStart) / 1e9;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "over %.2f s:", wall));
        double total = 0;
        for (String label : ids.keySet()) {
            double s = used(label) / 1e9;
            total += s;
            sb.append(String.format(Locale.ROOT, " %s %.2f s (%.0f %%),", label, s, 100 * s / wall));
        }
        sb.append(String.format(Locale.ROOT, " together %.2f CPUs", total / wall)).append(machine());
        if (!allStart.isEmpty()) {
            sb.append("; busiest threads of the process (/proc, 10 ms ticks):");
            osThreadTicks().entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue() - allStart.getOrDefault(e.getKey(), 0L)))
                    .sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(8)
                    .forEach(e -> sb.append(String.format(Locale.ROOT, " %s %.2f s,", e.getKey(), e.getValue() / 100.0)));
        }
        if (Boolean.getBoolean("bench.threadNames") && !names.isEmpty()) {
            sb.append("; threads ").append(names);
        }
        return sb.toString();
    }
}
