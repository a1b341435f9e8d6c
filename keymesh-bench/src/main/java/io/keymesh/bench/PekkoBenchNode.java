package io.keymesh.bench;

import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;

/**
 * One JVM of {@code bench/run pekko}. {@code PekkoBenchNode receiver CONFIG-FILE} starts actor
 * system "bench" with the actors sink and pong, prints READY and runs until standard input closes.
 * {@code PekkoBenchNode sender CONFIG-FILE RECEIVER-ADDRESS} starts actor system "sender", floods
 * the receiver's sink and then plays ping-pong with its pong, and prints {@code RESULT flood X} and
 * {@code RESULT pingpong Y} (messages per second).
 */
public final class PekkoBenchNode {
    static final int WINDOW = 1000;
    private static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("bench.pekko.warmupSeconds", 15));
    private static final Duration MEASURE = Duration.ofSeconds(5);

    private PekkoBenchNode() {}

    public static void main(String[] args) throws Exception {
        boolean sender = args[0].equals("sender");
        ActorSystem system = ActorSystem.create(sender ? "sender" : "bench",
                ConfigFactory.parseFile(Path.of(args[1]).toFile()).withFallback(ConfigFactory.load()).resolve());
        try {
            if (sender) {
                send(system, args[2]);
            } else {
                system.actorOf(PekkoBenchActors.Sink.props(), "sink");
                system.actorOf(PekkoBenchActors.Pong.props(), "pong");
                System.out.println("READY");
                System.out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                while (in.readLine() != null) {
                    // until the harness closes our input
                }
            }
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        System.exit(0);
    }

    private static void send(ActorSystem system, String receiver) throws Exception {
        ActorRef sink = resolve(system, receiver + "/user/sink");
        ActorRef pong = resolve(system, receiver + "/user/pong");

        AtomicLong acked = new AtomicLong();
        ActorRef flood = system.actorOf(PekkoBenchActors.Flood.props(sink, WINDOW, acked), "flood");
        double floodRate = measure(acked);
        describeMesh(system, "flood");
        system.stop(flood);
        Thread.sleep(500);

        AtomicLong pongs = new AtomicLong();
        ActorRef ping = system.actorOf(PekkoBenchActors.Ping.props(pong, WINDOW, pongs), "ping");
        double pingRate = measure(pongs);
        describeMesh(system, "ping-pong");
        system.stop(ping);
        System.out.printf(Locale.ROOT, "RESULT flood %.1f%nRESULT pingpong %.1f%n", floodRate, pingRate);
        System.out.flush();
    }

    /** Counts per second of {@code counter} over {@link #MEASURE}, after the first count and {@link #WARMUP}. */
    private static double measure(AtomicLong counter) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counter.get() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no message came back within 60 s");
            }
            Thread.sleep(10);
        }
        Thread.sleep(WARMUP.toMillis());
        long c0 = counter.get();
        long t0 = System.nanoTime();
        Thread.sleep(MEASURE.toMillis());
        long c1 = counter.get();
        long t1 = System.nanoTime();
        return (c1 - c0) * 1e9 / (t1 - t0);
    }

    /** For keymesh: the sending side's refused writes and its connection's measurements. */
    private static void describeMesh(ActorSystem system, String phase) throws Exception {
        var transport = io.keymesh.pekko.MeshTransport.of(system);
        var node = io.keymesh.pekko.MeshTransport.node(system);
        if (transport.isPresent() && node.isPresent()) {
            for (var peer : node.get().peerStats().get()) {
                System.out.printf(Locale.ROOT, "  keymesh after %s: %d writes refused (full channel); %s%n", phase,
                        transport.get().refusedWrites(), node.get().channelStats(peer.publicKey()).get());
            }
        }
    }

    private static ActorRef resolve(ActorSystem system, String path) throws Exception {
        return system.actorSelection(path).resolveOne(Duration.ofSeconds(30)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
