package io.keymesh.cli;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NAT part of {@code keymesh demo} over real network namespaces, when run as root with
 * {@code ip} and {@code nft} at hand: a public member p on a bridge (the "internet",
 * 198.51.100.0/24) and three nodes, a and b each behind a cone NAT router (nftables masquerade,
 * endpoint-independent and port-preserving; unsolicited inbound dropped) and c behind a symmetric
 * one ({@code masquerade fully-random}). Each is a {@code keymesh up} process of its own, in its own
 * namespace, configured with p's address only; a lists b and c by key and is started last, once b
 * and c are members of p. a finds them through p (discovery by key), relayed at first; a and b go
 * direct through their NATs, a and c stay relayed. The demo reads the nodes' logs and prints what
 * happened between them over time (from the timestamps in the logs, from the moment a listens),
 * then a summary; the namespaces and processes are removed at the end.
 *
 * <p>Nothing here is simulated: the NATs are the kernel's, the packets real UDP between namespaces.
 */
final class NetnsDemo {
    private static final int PORT = 51820;
    private static final long RUN_LIMIT_SECONDS = 90;
    /** How long the lookups have, from the moment every node listens, to connect and go direct. */
    private static final long WAIT_MS = 20_000;
    private static final Pattern LINE = Pattern.compile(
            "(?:peer ([A-Za-z0-9+/]{43}=)(?::| ) ?(up|down|seeking it|path now (.*)|unreachable.*))|(?:announce from ([A-Za-z0-9+/]{43}=))");

    private final PrintWriter out;
    private final String prefix = "kmdm" + ProcessHandle.current().pid();
    private final List<String> namespaces = new ArrayList<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, PublicKey> keys = new LinkedHashMap<>();
    private final Map<String, List<Event>> events = new ConcurrentHashMap<>();
    /** Milliseconds of the day at which a logged that it listens (lines' times are shown from it), or -1. */
    private volatile long zeroMsOfDay = -1;

    /** One line of a node's log that the demo follows; {@code atMs} since the lookups began. */
    record Event(long atMs, String node, String peer, String what) {}

    NetnsDemo(PrintWriter out) {
        this.out = out;
    }

    /** True when this process runs as root (effective uid 0) and {@code ip} and {@code nft} are at hand. */
    static boolean available() {
        return isRoot() && onPath("ip") && onPath("nft");
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).strip().split("\\s+")[1].equals("0"); // real, effective, ...
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: no namespaces either
        }
        return false;
    }

    private static boolean onPath(String command) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        return dirs.stream().anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, command)));
    }

    /** What the run gave; {@link #ok()} if every pair connected and a and b went direct. */
    record Outcome(int pairs, int connected, boolean abDirect) {
        boolean ok() {
            return connected == pairs && abDirect;
        }
    }

    /** Runs it; always removes what it made. */
    Outcome run() throws IOException, InterruptedException {
        Path work = Files.createTempDirectory(prefix, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            return runIn(work);
        } finally {
            for (Process p : processes.values()) {
                p.destroy();
            }
            for (Process p : processes.values()) {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            for (String ns : namespaces) {
                exec(false, "ip", "netns", "del", ns);
            }
            deleteTree(work);
        }
    }

    private Outcome runIn(Path work) throws IOException, InterruptedException {
        out.println("network namespaces (running as root): a public member p; a and b behind cone NATs, c behind a symmetric NAT;");
        out.println("each node a `keymesh up` process knowing only p's address; a lists b and c by key only");
        out.flush();
        String pub = ns("pub");
        exec(true, "ip", "-n", pub, "link", "add", "br0", "type", "bridge");
        exec(true, "ip", "-n", pub, "link", "set", "br0", "up");
        String p = ns("p");
        publicPort(pub, p, "eth0", "198.51.100.10");
        String[][] natted = {{"a", "cone", "20", "1"}, {"b", "cone", "21", "2"}, {"c", "symmetric", "22", "3"}};
        for (String[] n : natted) {
            String router = ns("n" + n[0]);
            String host = ns(n[0]);
            publicPort(pub, router, "wan", "198.51.100." + n[2]);
            veth(router, "lan", "10." + n[3] + ".0.1/24", host, "eth0", "10." + n[3] + ".0.2/24");
            exec(true, "ip", "-n", host, "route", "add", "default", "via", "10." + n[3] + ".0.1");
            natRouter(router, n[1].equals("symmetric"));
        }

        SecureRandom random = new SecureRandom();
        PresharedKey network = PresharedKey.generate(random);
        Files.writeString(work.resolve("network.key"), network.toBase64() + "\n");
        for (String name : List.of("p", "a", "b", "c")) {
            PrivateKey key = PrivateKey.generate(random);
            Files.writeString(work.resolve(name + ".key"), key.toBase64() + "\n");
            keys.put(name, key.publicKey());
        }
        Files.writeString(work.resolve("p.conf"), conf("p", List.of()));
        Files.writeString(work.resolve("a.conf"), conf("a", List.of("b", "c")));
        Files.writeString(work.resolve("b.conf"), conf("b", List.of()));
        Files.writeString(work.resolve("c.conf"), conf("c", List.of()));

        start("p", p, work);
        awaitListening("p", 60_000);
        start("b", ns("b"), work);
        start("c", ns("c"), work);
        awaitLogged("p", "up", "b", 60_000);
        awaitLogged("p", "up", "c", 60_000);
        start("a", ns("a"), work);
        awaitListening("a", 60_000);
        out.println("p, then b and c (members of p) run; a listens at 0 ms; from the nodes' logs:");
        out.flush();
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (announced("b", "a") && announced("a", "b") && announced("c", "a") && announced("a", "c")
                    && direct("a", "b") && direct("b", "a")) {
                Thread.sleep(1_000); // a moment more for a and c's checks
                break;
            }
            Thread.sleep(100);
        }
        String[][] pairs = {{"a", "b"}, {"a", "c"}};
        printTimeline();
        out.println();
        out.printf("%-5s %-12s %-12s %-40s %s%n", "pair", "seek", "first msg", "path at the end", "");
        int connected = 0;
        for (String[] pair : pairs) {
            String from = pair[0];
            String to = pair[1];
            boolean reached = announced(to, from);
            connected += reached ? 1 : 0;
            String path = lastPath(from, to);
            out.printf("%-5s %-12s %-12s %-40s %s%n", from + "-" + to, ms(firstAt(from, to, "seeking it")),
                    reached ? ms(firstAt(to, from, "announce")) : "never", path == null ? "-" : path,
                    to.equals("c") ? "(c's symmetric NAT: stays relayed)" : "");
        }
        out.flush();
        return new Outcome(pairs.length, connected, direct("a", "b") && direct("b", "a"));
    }

    private String conf(String name, List<String> byKey) {
        StringBuilder peers = new StringBuilder();
        if (!name.equals("p")) {
            peers.append("    { public-key = \"").append(keys.get("p").toBase64())
                    .append("\", endpoint = \"198.51.100.10:").append(PORT).append("\", persistent-keepalive = 10s }\n");
        }
        for (String other : byKey) {
            peers.append("    { public-key = \"").append(keys.get(other).toBase64()).append("\" }\n");
        }
        return "keymesh {\n"
                + "  private-key-file = \"" + name + ".key\"\n"
                + "  listen = \"0.0.0.0:" + PORT + "\"\n"
                + "  network-key-file = \"network.key\"\n"
                + "  accept-members = true\n"
                + "  peers = [\n" + peers + "  ]\n"
                + "}\n";
    }

    private void start(String name, String ns, Path work) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, java,
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m",
                // the command's own log format and levels (a test class path has its own), which this demo reads
                "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "up", "--config", work.resolve(name + ".conf").toString(), "--announce",
                "--status-interval", "0", "--exit-after", RUN_LIMIT_SECONDS + "s"));
        if (name.equals("p")) {
            cmd.remove("--announce");
        }
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().remove("KEYMESH_LOG_LEVEL"); // the lines this demo follows are logged at INFO
        Process process = builder.start();
        events.put(name, new CopyOnWriteArrayList<>());
        processes.put(name, process);
        Thread reader = new Thread(() -> follow(name, process), "demo-log-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Reader thread: turns the node's log lines into {@link Event}s. */
    private void follow(String name, Process process) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                long at = loggedAt(line);
                if (line.contains(" listening on ")) {
                    if (name.equals("a")) {
                        zeroMsOfDay = at;
                    }
                    events.get(name).add(new Event(at, name, null, "listening"));
                    continue;
                }
                Matcher m = LINE.matcher(line);
                if (!m.find()) {
                    continue;
                }
                if (m.group(4) != null) {
                    events.get(name).add(new Event(at, name, nameOf(m.group(4)), "announce"));
                } else {
                    String what = m.group(3) != null ? shortPath(m.group(3)) : m.group(2);
                    events.get(name).add(new Event(at, name, nameOf(m.group(1)), what));
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** The time at the start of a log line ("HH:mm:ss.SSS …") in milliseconds of the day, or -1. */
    static long loggedAt(String line) {
        if (line.length() < 12 || line.charAt(2) != ':' || line.charAt(5) != ':' || line.charAt(8) != '.') {
            return -1;
        }
        try {
            return java.time.LocalTime.parse(line.substring(0, 12)).toNanoOfDay() / 1_000_000;
        } catch (java.time.format.DateTimeParseException e) {
            return -1;
        }
    }

    /** {@code at} (ms of the day) from the moment a listened; across midnight too. */
    private long sinceZero(long at) {
        long d = at - zeroMsOfDay;
        return d < -43_200_000L ? d + 86_400_000L : d;
    }

    private String nameOf(String base64) {
        for (Map.Entry<String, PublicKey> e : keys.entrySet()) {
            if (e.getValue().toBase64().equals(base64)) {
                return e.getKey();
            }
        }
        return base64.substring(0, 8) + "…";
    }

    /** "relay p", "direct 198.51.100.21:51820", … from the node's own description of a path. */
    private String shortPath(String described) {
        String s = described.trim();
        for (Map.Entry<String, PublicKey> e : keys.entrySet()) {
            String prefix8 = e.getValue().toBase64().substring(0, 8);
            s = s.replace(e.getValue().toBase64(), e.getKey()).replace(prefix8 + "…", e.getKey());
        }
        return s;
    }

    private void printTimeline() {
        List<Event> all = new ArrayList<>();
        for (List<Event> list : events.values()) {
            for (Event e : list) {
                if (e.peer() != null && !e.peer().equals("p") && !(e.node().equals("p"))) {
                    all.add(e);
                }
            }
        }
        all.sort((x, y) -> Long.compare(x.atMs(), y.atMs()));
        for (Event e : all) {
            String what = switch (e.what()) {
                case "seeking it" -> "seeking " + e.peer() + " through p";
                case "up" -> "session with " + e.peer() + " up";
                case "announce" -> "first message from " + e.peer() + " arrived";
                case "down" -> e.peer() + " down";
                default -> e.what().startsWith("unreachable") ? e.peer() + " " + e.what() : "path to " + e.peer() + ": " + e.what();
            };
            out.printf("  %7d ms  %s: %s%n", sinceZero(e.atMs()), e.node(), what);
        }
    }

    private boolean announced(String at, String from) {
        return firstAt(at, from, "announce") >= 0;
    }

    private boolean direct(String from, String to) {
        String path = lastPath(from, to);
        return path != null && path.startsWith("direct");
    }

    private String lastPath(String from, String to) {
        String last = null;
        for (Event e : events.getOrDefault(from, List.of())) {
            if (to.equals(e.peer()) && (e.what().startsWith("direct") || e.what().startsWith("relay") || e.what().startsWith("candidate"))) {
                last = e.what();
            }
        }
        return last;
    }

    private long firstAt(String node, String peer, String what) {
        for (Event e : events.getOrDefault(node, List.of())) {
            if (peer.equals(e.peer()) && e.what().equals(what)) {
                return e.atMs();
            }
        }
        return -1;
    }

    private String ms(long at) {
        return at < 0 ? "-" : sinceZero(at) + " ms";
    }

    /** Waits until {@code name} logged {@code what} about {@code peer}; fails if it exits first or takes longer than the timeout. */
    private void awaitLogged(String name, String what, String peer, long timeoutMs) throws InterruptedException, IOException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (firstAt(name, peer, what) < 0) {
            if (!processes.get(name).isAlive()) {
                throw new IOException("node " + name + " exited with status " + processes.get(name).exitValue());
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("node " + name + " did not log " + peer + " " + what + " within " + timeoutMs / 1000 + " s");
            }
            Thread.sleep(50);
        }
    }

    /** Waits until {@code name} logged that it listens; fails if it exits first or takes longer than the timeout. */
    private void awaitListening(String name, long timeoutMs) throws InterruptedException, IOException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            for (Event e : events.get(name)) {
                if (e.what().equals("listening")) {
                    return;
                }
            }
            Process p = processes.get(name);
            if (!p.isAlive()) {
                throw new IOException("node " + name + " exited with status " + p.exitValue() + " before listening");
            }
            Thread.sleep(50);
        }
        throw new IOException("node " + name + " did not listen within " + timeoutMs / 1000 + " s");
    }

    private String ns(String name) throws IOException, InterruptedException {
        String ns = prefix + "-" + name;
        if (!namespaces.contains(ns)) {
            exec(true, "ip", "netns", "add", ns);
            namespaces.add(ns);
            exec(true, "ip", "-n", ns, "link", "set", "lo", "up");
        }
        return ns;
    }

    private void publicPort(String pub, String ns, String ifName, String address) throws IOException, InterruptedException {
        String port = "to" + ns.substring(ns.lastIndexOf('-') + 1);
        veth(pub, port, null, ns, ifName, address + "/24");
        exec(true, "ip", "-n", pub, "link", "set", port, "master", "br0");
    }

    private void veth(String ns1, String if1, String addr1, String ns2, String if2, String addr2) throws IOException, InterruptedException {
        exec(true, "ip", "-n", ns1, "link", "add", if1, "type", "veth", "peer", "name", if2, "netns", ns2);
        if (addr1 != null) {
            exec(true, "ip", "-n", ns1, "addr", "add", addr1, "dev", if1);
        }
        exec(true, "ip", "-n", ns2, "addr", "add", addr2, "dev", if2);
        exec(true, "ip", "-n", ns1, "link", "set", if1, "up");
        exec(true, "ip", "-n", ns2, "link", "set", if2, "up");
    }

    /** NS forwards from "lan" to "wan" and masquerades there; unsolicited inbound on "wan" is dropped. */
    private void natRouter(String ns, boolean symmetric) throws IOException, InterruptedException {
        exec(true, "ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        String rules = "table ip nat {\n"
                + "  chain postrouting { type nat hook postrouting priority 100; oifname \"wan\" masquerade" + (symmetric ? " fully-random" : "") + "; }\n"
                + "}\n"
                + "table inet filter {\n"
                + "  chain input { type filter hook input priority 0; iifname \"wan\" ct state new drop; }\n"
                + "  chain forward { type filter hook forward priority 0; iifname \"wan\" ct state new drop; }\n"
                + "}\n";
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "nft", "-f", "-").redirectErrorStream(true).start();
        p.getOutputStream().write(rules.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("nft in " + ns + " failed: " + output.trim());
        }
    }

    private static void exec(boolean mustSucceed, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 && mustSucceed) {
            throw new IOException(String.join(" ", cmd) + " failed: " + output.trim());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
