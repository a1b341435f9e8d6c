package io.keymesh.pekko;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * An actor system in this JVM and one in a child JVM, each on its own keymesh node, over loopback
 * UDP: tell and ask by {@code pekko.mesh://} path, order of 100,000 messages, a 5 MiB message, and
 * death watch when the child JVM is killed (last).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoJvmRemotingTest {
    private static final Duration ASK = Duration.ofSeconds(30);
    @TempDir
    static Path dir;
    private TestMesh mesh;
    private ActorSystem local;
    private ChildJvm child;
    private String remoteRoot;

    @BeforeAll
    void start() throws Exception {
        mesh = new TestMesh(2);
        child = ChildJvm.start("remote", mesh.config(1, "keymesh-remoting", 2552), dir, "child");
        local = ActorSystem.create("local", mesh.load(0, "keymesh-remoting", 2552));
        remoteRoot = "pekko.mesh://remote@" + mesh.node(1).host() + ":2552/user/";
    }

    @AfterAll
    void stop() throws Exception {
        if (child != null) {
            child.close();
        }
        if (local != null) {
            local.terminate();
            local.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private ActorRef resolve(String name) throws Exception {
        return local.actorSelection(remoteRoot + name).resolveOne(ASK).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private Object ask(Object target, Object message) throws Exception {
        CompletableFuture<Object> f = target instanceof ActorRef r
                ? Patterns.ask(r, message, ASK).toCompletableFuture()
                : Patterns.ask(local.actorSelection((String) target), message, ASK).toCompletableFuture();
        return f.get(60, TimeUnit.SECONDS);
    }

    @Test
    @Order(1)
    void tellAndAskByMeshPath() throws Exception {
        assertEquals("ping", ask(remoteRoot + "echo", "ping"));
        ActorRef echo = resolve("echo");
        assertEquals("pekko.mesh", echo.path().address().protocol());
        assertEquals(mesh.node(1).host(), echo.path().address().host().get());
        // tell with a local sender: the reply comes back over the mesh to an actor here
        CompletableFuture<Object> replies = new CompletableFuture<>();
        ActorRef receiver = local.actorOf(Props.create(Catcher.class, () -> new Catcher(replies)));
        echo.tell(42, receiver);
        assertEquals(42, replies.get(60, TimeUnit.SECONDS));
    }

    @Test
    @Order(2)
    void hundredThousandMessagesArriveInOrder() throws Exception {
        ActorRef seq = resolve("seq");
        for (int i = 0; i < 100_000; i++) {
            seq.tell(i, ActorRef.noSender());
        }
        assertEquals("received 100000 in order", Patterns.ask(seq, "report", Duration.ofSeconds(120))
                .toCompletableFuture().get(150, TimeUnit.SECONDS));
    }

    @Test
    @Order(3)
    void fiveMebibyteMessage() throws Exception {
        byte[] big = new byte[5 << 20];
        new Random(5).nextBytes(big);
        assertEquals(TestActors.describe(big), ask(resolve("digest"), big));
    }

    @Test
    @Order(4)
    void deathWatchFiresWhenTheRemoteJvmIsKilled() throws Exception {
        ActorRef echo = resolve("echo");
        CompletableFuture<Object> terminated = new CompletableFuture<>();
        local.actorOf(Props.create(Watcher.class, () -> new Watcher(echo, terminated)));
        Thread.sleep(1000); // the watch is established (the heartbeats flow) before the crash
        assertFalse(terminated.isDone());
        child.kill();
        Object t = terminated.get(60, TimeUnit.SECONDS);
        assertEquals(echo, ((Terminated) t).getActor());
    }

    /** Completes a future with the first message it gets. */
    static final class Catcher extends AbstractActor {
        private final CompletableFuture<Object> first;

        Catcher(CompletableFuture<Object> first) {
            this.first = first;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(first::complete).build();
        }
    }

    /** Watches {@code target}; completes a future with its Terminated. */
    static final class Watcher extends AbstractActor {
        private final CompletableFuture<Object> terminated;

        Watcher(ActorRef target, CompletableFuture<Object> terminated) {
            this.terminated = terminated;
            getContext().watch(target);
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Terminated.class, terminated::complete).build();
        }
    }
}
