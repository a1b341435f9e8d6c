package io.keymesh.pekko;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.keymesh.compress.CompressionStats;
import io.keymesh.compress.DictionaryTrainer;
import io.keymesh.node.MeshNode;
import io.keymesh.testing.JsonRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remoting payloads compressed with a dictionary trained on payloads the transport captured:
 * capture-samples writes them, the trainer makes a dictionary of them, and actor systems configured
 * with it and {@code compression = "dictionary:pekko"} send every message, in order, in less than
 * half the bytes.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CompressionOverPekkoTest {
    @TempDir
    Path dir;
    private final List<ActorSystem> systems = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ActorSystem s : systems) {
            terminate(s);
        }
    }

    private static void terminate(ActorSystem s) throws Exception {
        s.terminate();
        s.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private ActorSystem start(String name, TestMesh mesh, int node, String extra) {
        Config c = ConfigFactory.parseString(extra).withFallback(ConfigFactory.parseString(mesh.config(node, "keymesh-remoting", 2552)))
                .withFallback(ConfigFactory.load()).resolve();
        ActorSystem s = ActorSystem.create(name, c);
        systems.add(s);
        return s;
    }

    /** Collects the strings it is sent, in order; answers "count" with how many. */
    static final class Collector extends AbstractActor {
        final List<String> got = new ArrayList<>();

        static Props props() {
            return Props.create(Collector.class, Collector::new);
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .matchEquals("count", m -> getSender().tell(got.size(), getSelf()))
                    .match(Integer.class, i -> getSender().tell(got.get(i), getSelf()))
                    .match(String.class, got::add)
                    .build();
        }
    }

    /** Sends {@code records} from {@code from} to y's collector and waits until all arrived; checks their order. */
    private static void sendRecords(ActorSystem from, TestMesh mesh, List<String> records) throws Exception {
        ActorRef collector = from.actorSelection("pekko.mesh://y@" + mesh.node(1).host() + ":2552/user/collector")
                .resolveOne(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        for (String r : records) {
            collector.tell(r, ActorRef.noSender());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int n = 0;
        while (n < records.size() && System.nanoTime() < deadline) {
            n = (Integer) Patterns.ask(collector, "count", Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        assertEquals(records.size(), n);
        for (int i : new int[] {0, records.size() / 2, records.size() - 1}) {
            assertEquals(records.get(i), Patterns.ask(collector, i, Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS));
        }
    }

    private static List<String> records(long seed, int n) {
        return JsonRecords.generate(seed, n).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aDictionaryTrainedOnCapturedPayloadsHalvesTheBytes() throws Exception {
        TestMesh mesh = new TestMesh(2);
        Path samples = dir.resolve("samples");
        ActorSystem x = start("x", mesh, 0, "pekko.remote.classic.keymesh.capture-samples { directory = \"" + samples
                + "\", count = 2000 }");
        ActorSystem y = start("y", mesh, 1, "");
        y.actorOf(Collector.props(), "collector");
        sendRecords(x, mesh, records(1, 2000));
        MeshTransport.of(x).orElseThrow().capturing().flush(10_000);
        List<byte[]> captured = new ArrayList<>();
        try (Stream<Path> files = Files.list(samples)) {
            for (Path f : files.sorted().toList()) {
                captured.add(Files.readAllBytes(f));
            }
        }
        assertEquals(2000, captured.size());
        Path dictionary = dir.resolve("pekko.zdict");
        Files.write(dictionary, DictionaryTrainer.train(captured, 32 << 10, 3));
        terminate(x);
        terminate(y);
        systems.clear();

        String compressed = "keymesh.compression.dictionaries = [ { name = pekko, file = \"" + dictionary + "\" } ]\n"
                + "pekko.remote.classic.keymesh.compression = \"dictionary:pekko\"\n";
        ActorSystem x2 = start("x", mesh, 0, compressed);
        ActorSystem y2 = start("y", mesh, 1, compressed);
        y2.actorOf(Collector.props(), "collector");
        sendRecords(x2, mesh, records(2, 2000)); // other records than the dictionary saw
        MeshNode node = MeshTransport.node(x2).orElseThrow();
        CompressionStats s = node.compressionStats();
        System.out.printf("Pekko payloads with a dictionary trained on captured ones: %d -> %d bytes (%.2fx), %s%n",
                s.sentPlainBytes(), s.sentCodedBytes(), (double) s.sentPlainBytes() / s.sentCodedBytes(), s);
        assertTrue(s.sentDictionary() >= 2000, s.toString());
        assertTrue(s.sentCodedBytes() * 2 < s.sentPlainBytes(), s.toString());
        assertEquals(0, MeshTransport.node(y2).orElseThrow().compressionStats().dropped());
    }

    @Test
    void aBadCompressionSettingIsNamed() {
        TestMesh mesh = new TestMesh(1);
        Throwable e = assertThrows(Throwable.class, () -> start("bad", mesh, 0, "pekko.remote.classic.keymesh.compression = gzip"));
        StringBuilder m = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) {
            m.append(c.getMessage()).append('\n');
        }
        assertTrue(m.toString().contains("pekko.remote.classic.keymesh.compression \"gzip\": none, zstd or dictionary:NAME"), m.toString());
    }
}
