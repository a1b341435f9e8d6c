package io.keymesh.bench;

import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.pekko.actor.ActorSystem;

/**
 * The receiving JVM of {@code bench/run pekko}: {@code PekkoBenchReceiver CONFIG-FILE} starts actor
 * system "bench" with the actors sink and pong, prints READY, and runs until standard input closes.
 */
public final class PekkoBenchReceiver {
    private PekkoBenchReceiver() {}

    public static void main(String[] args) throws Exception {
        ActorSystem system = ActorSystem.create("bench",
                ConfigFactory.parseFile(Path.of(args[0]).toFile()).withFallback(ConfigFactory.load()).resolve());
        system.actorOf(PekkoBenchActors.Sink.props(), "sink");
        system.actorOf(PekkoBenchActors.Pong.props(), "pong");
        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // until the harness closes our input
        }
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get();
        System.exit(0);
    }
}
