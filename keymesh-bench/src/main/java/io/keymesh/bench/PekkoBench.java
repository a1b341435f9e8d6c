package io.keymesh.bench;

import io.keymesh.config.NodeConfigRenderer;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.io.FreeUdpPort;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import io.keymesh.testing.TestKeys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run pekko}: Pekko remoting between two JVMs on 127.0.0.1 over (a) keymesh, (b)
 * classic remoting on Netty TCP, (c) Artery TCP, in one run and with the same message type
 * ({@code Long}): a one-way flood with a window of 1,000 unacknowledged messages (acknowledged per
 * 100) and ping-pong with 1,000 pings outstanding. Each transport gets two fresh JVMs (a sender and
 * a receiver, {@link PekkoBenchNode}), so no transport inherits another's warmed-up code; with
 * {@code --rounds N} the transports take turns N times and each keeps its best round. JVM options
 * for both (for profiling) come from the system property {@code bench.pekko.jvmOptions}; {@code
 * bench.pekko.kinds} (e.g. "keymesh,classic") runs only those transports and prints no comparison. Ends with the lines
 * {@code pekko-flood-vs-classic|artery} and {@code pekko-pingpong-vs-classic|artery}.
 */
final class PekkoBench {

    /** The transports compared. */
    enum Kind {
        KEYMESH("keymesh"), CLASSIC("classic Netty TCP"), ARTERY("Artery TCP"),
        /** Classic Netty TCP with keymesh's actor-ref provider: how much of keymesh's lead is its resolve cache. */
        CLASSIC_CACHED("classic Netty TCP + keymesh's resolve cache");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private PekkoBench() {}

    /** Runs the comparison. */
    static void run(int rounds) throws Exception {
        Map<Kind, Double> flood = new EnumMap<>(Kind.class);
        Map<Kind, Double> pingpong = new EnumMap<>(Kind.class);
        Path dir = Files.createTempDirectory("keymesh-pekko-bench");
        List<Kind> kinds = kinds();
        for (int round = 1; round <= rounds; round++) {
            for (Kind kind : kinds) {
                double[] r = once(kind, dir);
                System.out.printf(Locale.ROOT, "round %d, %-45s flood %,10.0f msgs/s   ping-pong %,10.0f msgs/s%n",
                        round, kind.label + ":", r[0], r[1]);
                flood.merge(kind, r[0], Math::max);
                pingpong.merge(kind, r[1], Math::max);
            }
        }
        if (kinds.size() < Kind.values().length) {
            return; // a partial run (for profiling) has no comparison to print
        }
        System.out.printf(Locale.ROOT, "best of %d round(s), messages per second (Long messages, 2 JVMs on 127.0.0.1, %d CPUs)%n",
                rounds, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "(with the resolve cache, classic Netty TCP does flood %.0f, ping-pong %.0f: keymesh's ratios to that are %.3f and %.3f)%n",
                flood.get(Kind.CLASSIC_CACHED), pingpong.get(Kind.CLASSIC_CACHED),
                flood.get(Kind.KEYMESH) / flood.get(Kind.CLASSIC_CACHED), pingpong.get(Kind.KEYMESH) / pingpong.get(Kind.CLASSIC_CACHED));
        line("pekko-flood-vs-classic", flood.get(Kind.KEYMESH), flood.get(Kind.CLASSIC));
        line("pekko-flood-vs-artery", flood.get(Kind.KEYMESH), flood.get(Kind.ARTERY));
        line("pekko-pingpong-vs-classic", pingpong.get(Kind.KEYMESH), pingpong.get(Kind.CLASSIC));
        line("pekko-pingpong-vs-artery", pingpong.get(Kind.KEYMESH), pingpong.get(Kind.ARTERY));
    }

    /** The transports to run: all, or those named in the system property {@code bench.pekko.kinds} (e.g. "keymesh,classic"). */
    private static List<Kind> kinds() {
        String names = System.getProperty("bench.pekko.kinds", "").strip();
        if (names.isEmpty()) {
            return List.of(Kind.values());
        }
        List<Kind> kinds = new java.util.ArrayList<>();
        for (String name : names.split(",")) {
            kinds.add(Kind.valueOf(name.strip().toUpperCase(Locale.ROOT)));
        }
        return kinds;
    }

    private static void line(String name, double keymesh, double baseline) {
        System.out.printf(Locale.ROOT, "%s: keymesh=%.0f baseline=%.0f ratio=%.3f%n", name, keymesh, baseline, keymesh / baseline);
    }

    /** One transport, both sides in fresh JVMs: {flood msgs/s, ping-pong msgs/s}. */
    private static double[] once(Kind kind, Path dir) throws Exception {
        Configs c = Configs.of(kind);
        String name = kind.name().toLowerCase(Locale.ROOT);
        Path receiverConfig = Files.createTempFile(dir, name + "-receiver", ".conf");
        Files.writeString(receiverConfig, c.receiver);
        Path senderConfig = Files.createTempFile(dir, name + "-sender", ".conf");
        Files.writeString(senderConfig, c.sender);
        Process receiver = jvm(kind, "receiver", receiverConfig.toString());
        try {
            awaitLine(receiver, "READY", 90);
            Process sender = jvm(kind, "sender", senderConfig.toString(), c.receiverAddress);
            double flood = Double.NaN;
            double pingpong = Double.NaN;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(sender.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("RESULT flood ")) {
                        flood = Double.parseDouble(line.substring(13));
                    } else if (line.startsWith("RESULT pingpong ")) {
                        pingpong = Double.parseDouble(line.substring(16));
                    } else if (line.startsWith("  keymesh")) {
                        System.out.println(line);
                    }
                }
            }
            if (!sender.waitFor(60, TimeUnit.SECONDS)) {
                sender.destroyForcibly();
            }
            if (Double.isNaN(flood) || Double.isNaN(pingpong)) {
                throw new IllegalStateException("the sending JVM for " + kind.label + " gave no result (exit " + sender.exitValue() + ")");
            }
            return new double[] {flood, pingpong};
        } finally {
            receiver.getOutputStream().close();
            if (!receiver.waitFor(20, TimeUnit.SECONDS)) {
                receiver.destroyForcibly();
            }
        }
    }

    /** A benchmark JVM; options from the system property {@code bench.pekko.jvmOptions} ({role} and {kind} replaced). */
    private static Process jvm(Kind kind, String role, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xms1g", "-Xmx1g", "--sun-misc-unsafe-memory-access=allow"));
        String extra = System.getProperty("bench.pekko.jvmOptions", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.replace("{kind}", kind.name().toLowerCase(Locale.ROOT)).replace("{role}", role).split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PekkoBenchNode.class.getName(), role));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void awaitLine(Process p, String expected, int seconds) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.equals(expected)) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        if (!ready.get(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the receiving JVM exited before it was ready");
        }
    }

    /** Both JVMs' configurations for one transport, and the receiver's address. */
    private record Configs(String sender, String receiver, String receiverAddress) {
        private static final String COMMON = String.join("\n",
                "pekko.remote.warn-about-direct-use = off",
                "pekko.loglevel = WARNING",
                "pekko.log-dead-letters = off",
                "pekko.remote.classic.log-remote-lifecycle-events = off",
                "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
                "");

        static Configs of(Kind kind) throws IOException {
            return switch (kind) {
                case KEYMESH -> keymesh();
                case CLASSIC, CLASSIC_CACHED -> {
                    int s = freeTcpPort();
                    int r = freeTcpPort();
                    String provider = kind == Kind.CLASSIC ? "remote" : "\"io.keymesh.pekko.MeshRemoteActorRefProvider\"";
                    yield new Configs(classic(s, provider), classic(r, provider), "pekko.tcp://bench@127.0.0.1:" + r);
                }
                case ARTERY -> {
                    int s = freeTcpPort();
                    int r = freeTcpPort();
                    yield new Configs(artery(s), artery(r), "pekko://bench@127.0.0.1:" + r);
                }
            };
        }

        private static String classic(int port, String provider) {
            return COMMON + String.join("\n",
                    "pekko.actor.provider = " + provider,
                    "pekko.remote.artery.enabled = off",
                    "pekko.remote.classic.enabled-transports = [\"pekko.remote.classic.netty.tcp\"]",
                    "pekko.remote.classic.netty.tcp.hostname = \"127.0.0.1\"",
                    "pekko.remote.classic.netty.tcp.port = " + port, "");
        }

        private static String artery(int port) {
            return COMMON + String.join("\n",
                    "pekko.actor.provider = remote",
                    "pekko.remote.artery.enabled = on",
                    "pekko.remote.artery.transport = tcp",
                    "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
                    "pekko.remote.artery.canonical.port = " + port, "");
        }

        private static Configs keymesh() {
            PresharedKey network = TestKeys.newNetworkKey();
            try (PrivateKey s = TestKeys.newKey(); PrivateKey r = TestKeys.newKey()) {
                InetSocketAddress sa = FreeUdpPort.onLoopback();
                InetSocketAddress ra = FreeUdpPort.onLoopback();
                return new Configs(mesh(s, sa, r, ra, network), mesh(r, ra, s, sa, network),
                        "pekko.mesh://bench@" + r.publicKey().toBase32() + ":2552");
            }
        }

        /** {@code self} on {@code at}, with {@code peer} at {@code peerAt} as its only peer. */
        private static String mesh(PrivateKey self, InetSocketAddress at, PrivateKey peer, InetSocketAddress peerAt,
                PresharedKey network) {
            NodeConfig node = NodeConfig.of(self, at, network).withPeers(List.of(PeerConfig.of(peer.publicKey(), peerAt)));
            return COMMON + "include \"keymesh-remoting\"\n"
                    + NodeConfigRenderer.render(node)
                    + "pekko.remote.classic.keymesh.port = 2552\n";
        }

        private static int freeTcpPort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
    }

    /** Names this comparison answers to in {@code bench/run}. */
    static final List<String> NAMES = List.of("pekko");
}
