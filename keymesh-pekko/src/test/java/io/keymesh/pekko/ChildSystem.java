package io.keymesh.pekko;

import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;

/**
 * An actor system in a JVM of its own, for the tests: {@code ChildSystem CONFIG-FILE SYSTEM-NAME}.
 * It starts the actors echo, seq, digest and control, prints {@code READY} on standard output, and
 * runs until its standard input closes (the test ended) or it is killed.
 */
public final class ChildSystem {
    private ChildSystem() {}

    /** Commands: "leave" (leave the cluster; replies "leaving"), "members" (the cluster's up members' ports). */
    static final class Control extends AbstractActor {
        static Props props() {
            return Props.create(Control.class, Control::new);
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .matchEquals("leave", m -> {
                        Cluster c = Cluster.get(getContext().getSystem());
                        c.leave(c.selfAddress());
                        getSender().tell("leaving", getSelf());
                    })
                    .build();
        }
    }

    public static void main(String[] args) throws Exception {
        ActorSystem system = ActorSystem.create(args[1], ConfigFactory.parseFile(Path.of(args[0]).toFile())
                .withFallback(ConfigFactory.load()).resolve());
        system.actorOf(TestActors.Echo.props(), "echo");
        system.actorOf(TestActors.Sequence.props(), "seq");
        system.actorOf(TestActors.Digest.props(), "digest");
        system.actorOf(Control.props(), "control");
        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // wait for the end of input
        }
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get();
        System.exit(0);
    }
}
