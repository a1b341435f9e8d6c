package io.keymesh.cli;

import com.typesafe.config.ConfigFactory;
import io.keymesh.config.NodeConfigRenderer;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.io.FreeUdpPort;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;

/**
 * The actor part of {@code keymesh demo}: one Pekko actor system per node, each on a keymesh node
 * of its own (key, UDP port on loopback), reached at {@code pekko.mesh://demo@KEY:2552}. Every
 * system asks every other system's greeter by that path and prints the answers.
 */
final class ActorDemo {
    private static final Duration ASK = Duration.ofSeconds(20);

    private ActorDemo() {}

    /** Answers "hello from X" with "hi X, this is Y". */
    static final class Greeter extends AbstractActor {
        private final String name;

        Greeter(String name) {
            this.name = name;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(String.class, m -> getSender().tell(
                    "hi " + m.substring(m.lastIndexOf(' ') + 1) + ", this is " + name, getSelf())).build();
        }
    }

    /** Runs the actor demo with {@code count} systems; true if every ask was answered correctly. */
    static boolean run(int count, PresharedKey networkKey, PrintWriter out) throws Exception {
        SecureRandom random = new SecureRandom();
        List<PrivateKey> keys = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        List<ActorSystem> systems = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                keys.add(PrivateKey.generate(random));
                addresses.add(FreeUdpPort.onLoopback());
            }
            for (int i = 0; i < count; i++) {
                ActorSystem s = ActorSystem.create("demo", ConfigFactory.parseString(config(i, keys, addresses, networkKey))
                        .withFallback(ConfigFactory.load()).resolve());
                systems.add(s);
                s.actorOf(Props.create(Greeter.class, "n" + i), "greeter");
            }
            out.println();
            out.println("actor systems, addressed by node key over the mesh:");
            for (int i = 0; i < count; i++) {
                out.printf("  n%d  %s%n", i, address(keys.get(i)));
            }
            boolean ok = true;
            for (int i = 0; i < count; i++) {
                for (int j = 0; j < count; j++) {
                    if (i == j) {
                        continue;
                    }
                    String path = address(keys.get(j)) + "/user/greeter";
                    String question = "hello from n" + i;
                    long start = System.nanoTime();
                    CompletableFuture<Object> answer = Patterns.ask(systems.get(i).actorSelection(path), question, ASK).toCompletableFuture();
                    Object reply;
                    try {
                        reply = answer.get(ASK.toSeconds() + 5, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        reply = "no answer: " + e;
                    }
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    boolean right = ("hi n" + i + ", this is n" + j).equals(reply);
                    ok &= right;
                    out.printf("  n%d asks n%d's /user/greeter \"%s\": \"%s\" (%d ms)%s%n", i, j, question, reply, ms,
                            right ? "" : "  WRONG");
                }
            }
            out.flush();
            return ok;
        } finally {
            for (ActorSystem s : systems) {
                s.terminate();
            }
            for (ActorSystem s : systems) {
                s.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
            }
            for (PrivateKey k : keys) {
                k.close();
            }
        }
    }

    private static String address(PrivateKey key) {
        return "pekko.mesh://demo@" + key.publicKey().toBase32() + ":2552";
    }

    /** Node {@code self}'s actor system: its keymesh block, with every other node as a peer at its address. */
    private static String config(int self, List<PrivateKey> keys, List<InetSocketAddress> addresses, PresharedKey networkKey) {
        List<PeerConfig> peers = new ArrayList<>();
        for (int j = 0; j < keys.size(); j++) {
            if (j != self) {
                peers.add(PeerConfig.of(keys.get(j).publicKey(), addresses.get(j)));
            }
        }
        NodeConfig node = NodeConfig.of(keys.get(self), addresses.get(self), networkKey).withPeers(peers);
        return "include \"keymesh-remoting\"\n"
                + NodeConfigRenderer.render(node)
                + "pekko.remote.classic.keymesh.port = 2552\n"
                + "pekko.remote.warn-about-direct-use = off\n"
                + "pekko.remote.use-unsafe-remote-features-outside-cluster = on\n"
                + "pekko.remote.classic.log-remote-lifecycle-events = off\n"
                + "pekko.loglevel = WARNING\n"
                + "pekko.stdout-loglevel = WARNING\n"
                + "pekko.log-dead-letters-during-shutdown = off\n"
                + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
                + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n"
                + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n";
    }
}
