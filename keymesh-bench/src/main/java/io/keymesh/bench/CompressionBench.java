package io.keymesh.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.keymesh.compress.Compression;
import io.keymesh.compress.CompressionConfig;
import io.keymesh.compress.CompressionCounters;
import io.keymesh.compress.DictionarySource;
import io.keymesh.compress.DictionaryStore;
import io.keymesh.compress.DictionaryTrainer;
import io.keymesh.compress.MessageDecoder;
import io.keymesh.compress.MessageEncoder;
import io.keymesh.config.NodeConfigRenderer;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.io.FreeUdpPort;
import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import io.keymesh.node.PeerStats;
import io.keymesh.pekko.MeshTransport;
import io.keymesh.testing.JsonRecords;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.TestKeys;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;

/**
 * {@code bench/run compression}: channel compression on JSON-like records of 200 B to 2 KB (about
 * 900 B; {@link JsonRecords}, seeded), with a 64 KiB dictionary trained on other records of the same
 * kind. Three parts: the codec alone on one thread (ratio, and microseconds to code and decode a
 * message); one channel between two MeshNodes on 127.0.0.1 sending records for a few seconds with
 * back-pressure, for none, zstd and zstd with the dictionary (messages/s delivered, and bytes on the
 * wire per message: UDP payloads both ways, acknowledgements included); and Pekko remoting between
 * two actor systems on two nodes sending 20,000 records as String messages, without compression
 * (capturing payload samples) and then with a dictionary trained on those samples (bytes on the
 * wire). Ends with ratio lines against no compression.
 */
final class CompressionBench {
    static final String NAME = "compression";
    private static final int CORPUS = 50_000;
    private static final int DICTIONARY_SIZE = 64 << 10;
    private static final long SECONDS = 5;
    private static final int PEKKO_MESSAGES = 20_000;

    private CompressionBench() {}

    static String describe() {
        return "JSON-like records (200 B-2 KB, ~900 B): codec ratio and speed; one channel on loopback with none / zstd /"
                + " zstd+dictionary (messages/s, wire bytes per message); Pekko remoting wire bytes without and with a"
                + " dictionary trained on captured payloads";
    }

    static void run(int rounds) throws Exception {
        System.out.println("bench/run " + NAME + ": " + describe());
        List<byte[]> corpus = JsonRecords.generate(2, CORPUS);
        long plainBytes = corpus.stream().mapToLong(m -> m.length).sum();
        System.out.printf(Locale.ROOT, "corpus: %,d records, %,d bytes, %.0f bytes on average (seed 2)%n", corpus.size(), plainBytes,
                (double) plainBytes / corpus.size());
        long t = System.nanoTime();
        byte[] dictionary = DictionaryTrainer.train(JsonRecords.generate(1, 10_000), DICTIONARY_SIZE, CompressionConfig.DEFAULT_LEVEL);
        System.out.printf(Locale.ROOT, "dictionary: %,d bytes, trained on 10,000 other records (seed 1) in %,d ms%n",
                dictionary.length, (System.nanoTime() - t) / 1_000_000);
        Path dictFile = Files.createTempFile("keymesh-bench", ".zdict");
        dictFile.toFile().deleteOnExit();
        Files.write(dictFile, dictionary);
        CompressionConfig config = CompressionConfig.DEFAULT.withDictionaries(List.of(DictionarySource.file("json", dictFile)));

        System.out.println();
        System.out.println("# the codec alone, one thread (each message coded as a channel sends it, header included)");
        double[] codecRatio = codec(corpus, config);

        System.out.println();
        System.out.println("# one channel, two MeshNodes on 127.0.0.1, one sending thread, " + SECONDS + " s per run");
        Compression[] modes = {Compression.NONE, Compression.ZSTD, Compression.dictionary("json")};
        double[][] rate = new double[modes.length][rounds];
        double[][] wire = new double[modes.length][rounds];
        for (Compression m : modes) {
            channel(corpus, config, m, 2, new double[2]); // warm-up
        }
        for (int r = 0; r < rounds; r++) {
            System.out.printf("# round %d of %d%n", r + 1, rounds);
            for (int i = 0; i < modes.length; i++) {
                double[] out = new double[2];
                rate[i][r] = channel(corpus, config, modes[i], SECONDS, out);
                wire[i][r] = out[0];
            }
        }

        System.out.println();
        System.out.println("# Pekko remoting: " + PEKKO_MESSAGES + " String messages of records between two actor systems on two nodes");
        double[] pekko = pekko(corpus);

        System.out.println();
        System.out.printf(Locale.ROOT, "compression-ratio (message bytes, codec alone): zstd=%.2fx zstd+dictionary=%.2fx%n", codecRatio[0], codecRatio[1]);
        double none = best(rate[0]);
        double zstd = best(rate[1]);
        double dict = best(rate[2]);
        System.out.printf(Locale.ROOT, "compression-wire-bytes-per-message: none=%.0f zstd=%.0f zstd+dictionary=%.0f%n",
                median(wire[0]), median(wire[1]), median(wire[2]));
        System.out.printf(Locale.ROOT, "compression-zstd messages/s: keymesh=%.0f baseline=%.0f ratio=%.3f%n", zstd, none, zstd / none);
        System.out.printf(Locale.ROOT, "compression-zstd wire bytes: keymesh=%.0f baseline=%.0f ratio=%.3f%n",
                median(wire[1]), median(wire[0]), median(wire[1]) / median(wire[0]));
        System.out.printf(Locale.ROOT, "compression-pekko wire bytes: keymesh=%.0f baseline=%.0f ratio=%.3f%n", pekko[1], pekko[0],
                pekko[1] / pekko[0]);
        System.out.printf(Locale.ROOT, "compression-dictionary wire bytes: keymesh=%.0f baseline=%.0f ratio=%.3f%n",
                median(wire[2]), median(wire[0]), median(wire[2]) / median(wire[0]));
        System.out.printf(Locale.ROOT, "compression-dictionary messages/s: keymesh=%.0f baseline=%.0f ratio=%.3f%n", dict, none, dict / none);
    }

    /** Ratio and speed of the codec; returns {zstd ratio, dictionary ratio}. */
    private static double[] codec(List<byte[]> corpus, CompressionConfig config) {
        DictionaryStore store = DictionaryStore.open(config);
        CompressionCounters counters = new CompressionCounters();
        double[] ratios = new double[2];
        try (MessageEncoder e = new MessageEncoder(config.level()); MessageDecoder d = new MessageDecoder(store, 1 << 20, counters)) {
            for (int k = 0; k < 2; k++) {
                io.keymesh.compress.Dictionary dict = k == 0 ? null : store.dictionaries().getFirst();
                long coded = 0;
                long plain = 0;
                long encodeNanos = 0;
                long decodeNanos = 0;
                for (int pass = 0; pass < 3; pass++) { // the first two warm up
                    coded = 0;
                    plain = 0;
                    long t0 = System.nanoTime();
                    List<byte[]> out = new ArrayList<>(corpus.size());
                    for (byte[] m : corpus) {
                        out.add(e.encode(m, true, dict, counters));
                    }
                    long t1 = System.nanoTime();
                    for (byte[] c : out) {
                        byte[] p = d.decode(c);
                        plain += p.length;
                        coded += c.length;
                    }
                    long t2 = System.nanoTime();
                    encodeNanos = t1 - t0;
                    decodeNanos = t2 - t1;
                }
                ratios[k] = (double) plain / coded;
                System.out.printf(Locale.ROOT, "  %-16s ratio %.2fx (%,d -> %,d bytes), encode %.2f us/message (%.0f MB/s), decode %.2f us/message (%.0f MB/s)%n",
                        k == 0 ? "zstd" : "zstd+dictionary", ratios[k], plain, coded, encodeNanos / 1e3 / corpus.size(),
                        plain / (encodeNanos / 1e3), decodeNanos / 1e3 / corpus.size(), plain / (decodeNanos / 1e3));
            }
        }
        return ratios;
    }

    /** Sends records on one channel for {@code seconds}; returns messages/s delivered; {@code wirePerMessage[0]} gets wire bytes per message. */
    private static double channel(List<byte[]> corpus, CompressionConfig config, Compression mode, long seconds, double[] wirePerMessage)
            throws Exception {
        PresharedKey network = TestKeys.newNetworkKey();
        RecordingListener atA = new RecordingListener();
        RecordingListener atB = new RecordingListener();
        try (PrivateKey ka = TestKeys.newKey(); PrivateKey kb = TestKeys.newKey();
                MeshNode a = MeshNode.start(NodeConfig.of(ka, new InetSocketAddress("127.0.0.1", 0), network).withCompression(config), atA);
                MeshNode b = MeshNode.start(NodeConfig.of(kb, new InetSocketAddress("127.0.0.1", 0), network).withCompression(config), atB)) {
            a.addPeer(PeerConfig.of(kb.publicKey(), b.localAddress())).join();
            b.addPeer(PeerConfig.of(ka.publicKey(), a.localAddress())).join();
            a.connect(kb.publicKey()).join();
            AtomicLong received = new AtomicLong();
            atB.messageSink = (from, ch, m) -> received.incrementAndGet();
            Channel c = a.channel(kb.publicKey(), 1, mode);
            Semaphore writable = atA.writableSignal(kb.publicKey(), 1);
            // one message first: the connection's offers are exchanged before the timed part
            c.send(corpus.getFirst());
            long until = System.nanoTime() + 5_000_000_000L;
            while (received.get() == 0 && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            Thread.sleep(50);
            long wire0 = wire(a, kb.publicKey());
            long got0 = received.get();
            long sent = 0;
            long start = System.nanoTime();
            long deadline = start + seconds * 1_000_000_000L;
            int i = 0;
            while (System.nanoTime() - deadline < 0) {
                if (!BenchNodes.sendBlocking(c, writable, corpus.get(i), deadline)) {
                    break;
                }
                sent++;
                i = i + 1 == corpus.size() ? 0 : i + 1;
            }
            long end = System.nanoTime();
            long drain = System.nanoTime() + 10_000_000_000L;
            while (received.get() - got0 < sent && System.nanoTime() < drain) {
                Thread.sleep(1);
            }
            long delivered = received.get() - got0;
            double elapsed = (System.nanoTime() - start) / 1e9;
            double rate = delivered / elapsed;
            wirePerMessage[0] = (double) (wire(a, kb.publicKey()) - wire0) / Math.max(1, delivered);
            System.out.printf(Locale.ROOT, "  %-16s %,10.0f messages/s (%,d in %.2f s; sending took %.2f s), %,.0f wire bytes per message, %s%n",
                    mode, rate, delivered, elapsed, (end - start) / 1e9, wirePerMessage[0], a.compressionStats());
            return rate;
        }
    }

    /** UDP payload bytes between {@code a} and {@code peer}, both ways. */
    private static long wire(MeshNode a, PublicKey peer) {
        for (PeerStats s : a.peerStats().join()) {
            if (s.publicKey().equals(peer)) {
                return s.txBytes() + s.rxBytes();
            }
        }
        throw new IllegalStateException("no stats for " + peer);
    }

    // ------------------------------------------------------------------ Pekko

    /** Counts the Strings it is sent; answers "count". */
    static final class Counter extends AbstractActor {
        long n;

        @Override
        public Receive createReceive() {
            return receiveBuilder().matchEquals("count", m -> getSender().tell(n, getSelf())).match(String.class, s -> n++).build();
        }
    }

    /** Wire bytes for the Pekko workload: {without compression (capturing samples), with a dictionary trained on them}. */
    private static double[] pekko(List<byte[]> corpus) throws Exception {
        PresharedKey network = TestKeys.newNetworkKey();
        InetSocketAddress ua = FreeUdpPort.onLoopback();
        InetSocketAddress ub = FreeUdpPort.onLoopback();
        String ka;
        String kb;
        PublicKey pa;
        PublicKey pb;
        try (PrivateKey a = TestKeys.newKey(); PrivateKey b = TestKeys.newKey()) {
            ka = a.toBase64();
            kb = b.toBase64();
            pa = a.publicKey();
            pb = b.publicKey();
        }
        Path samples = Files.createTempDirectory("keymesh-bench-samples");
        List<String> records = corpus.subList(0, PEKKO_MESSAGES).stream().map(m -> new String(m, StandardCharsets.UTF_8)).toList();
        String capture = "pekko.remote.classic.keymesh.capture-samples { directory = \"" + samples + "\", count = 5000 }\n";
        double none = pekkoRun(network, ka, ua, pb, ub, kb, pa, capture, "", records, "none (capturing 5,000 payload samples)");
        List<byte[]> captured = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Stream<Path> files = Files.list(samples)) {
                if (files.count() >= 5000) {
                    break;
                }
            }
            Thread.sleep(10);
        }
        try (Stream<Path> files = Files.list(samples)) {
            for (Path f : files.sorted().toList()) {
                captured.add(Files.readAllBytes(f));
            }
        }
        byte[] dictionary = DictionaryTrainer.train(captured, DICTIONARY_SIZE, CompressionConfig.DEFAULT_LEVEL);
        Path dictFile = Files.createTempFile("keymesh-bench-pekko", ".zdict");
        dictFile.toFile().deleteOnExit();
        Files.write(dictFile, dictionary);
        System.out.printf(Locale.ROOT, "  dictionary: %,d bytes trained on %,d captured payloads%n", dictionary.length, captured.size());
        String compressed = "keymesh.compression.dictionaries = [ { name = pekko, file = \"" + dictFile + "\" } ]\n"
                + "pekko.remote.classic.keymesh.compression = \"dictionary:pekko\"\n";
        List<String> other = JsonRecords.generate(3, PEKKO_MESSAGES).stream().map(m -> new String(m, StandardCharsets.UTF_8)).toList();
        double dict = pekkoRun(network, ka, ua, pb, ub, kb, pa, compressed, compressed, other, "dictionary:pekko");
        for (Path f : captured.isEmpty() ? List.<Path>of() : Files.list(samples).toList()) {
            Files.deleteIfExists(f);
        }
        Files.deleteIfExists(samples);
        return new double[] {none, dict};
    }

    private static double pekkoRun(PresharedKey network, String ka, InetSocketAddress ua, PublicKey pb, InetSocketAddress ub,
            String kb, PublicKey pa, String extraA, String extraB, List<String> records, String label) throws Exception {
        ActorSystem x = ActorSystem.create("x", pekkoConfig(ka, ua, network, pb, ub, extraA));
        ActorSystem y = ActorSystem.create("y", pekkoConfig(kb, ub, network, pa, ua, extraB));
        try {
            y.actorOf(Props.create(Counter.class, Counter::new), "counter");
            ActorRef counter = x.actorSelection("pekko.mesh://y@" + pb.toBase32() + ":2552/user/counter")
                    .resolveOne(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            MeshNode node = MeshTransport.node(x).orElseThrow();
            long wire0 = wire(node, pb);
            long start = System.nanoTime();
            for (String r : records) {
                counter.tell(r, ActorRef.noSender());
            }
            long n = 0;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (n < records.size() && System.nanoTime() < deadline) {
                n = (Long) Patterns.ask(counter, "count", Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long bytes = wire(node, pb) - wire0;
            System.out.printf(Locale.ROOT, "  %-40s %,d messages in %.2f s, %,d wire bytes (%.0f per message), %s%n", label, n, seconds,
                    bytes, (double) bytes / n, node.compressionStats());
            return bytes;
        } finally {
            x.terminate();
            y.terminate();
            x.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
            y.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    private static Config pekkoConfig(String key, InetSocketAddress udp, PresharedKey network, PublicKey peer, InetSocketAddress peerUdp,
            String extra) {
        String block;
        try (PrivateKey k = PrivateKey.fromBase64(key)) {
            block = NodeConfigRenderer.render(NodeConfig.of(k, udp, network).withPeers(List.of(PeerConfig.of(peer, peerUdp))));
        }
        return ConfigFactory.parseString(extra + "include \"keymesh-remoting\"\n" + block
                        + "pekko.remote.classic.keymesh.port = 2552\npekko.loglevel = WARNING\n"
                        + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\npekko.coordinated-shutdown.exit-jvm = off\n")
                .withFallback(ConfigFactory.load()).resolve();
    }

    private static double best(double[] v) {
        return Arrays.stream(v).max().orElseThrow();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
