package io.keymesh.pekko;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two actor systems on two keymesh nodes in one JVM, over loopback UDP. */
class InProcessRemotingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private ActorSystem a;
    private ActorSystem b;

    @AfterEach
    void stop() throws Exception {
        for (ActorSystem s : new ActorSystem[] {a, b}) {
            if (s != null) {
                s.terminate();
                s.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void askByMeshPathAndDeliverInOrder() throws Exception {
        TestMesh mesh = new TestMesh(2);
        a = ActorSystem.create("alpha", mesh.load(0, "keymesh-remoting", 2552));
        b = ActorSystem.create("beta", mesh.load(1, "keymesh-remoting", 2553));
        b.actorOf(TestActors.Echo.props(), "echo");
        b.actorOf(TestActors.Sequence.props(), "seq");

        String path = "pekko.mesh://beta@" + mesh.node(1).host() + ":2553/user/echo";
        Object reply = Patterns.ask(a.actorSelection(path), "hello", TIMEOUT).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals("hello", reply);

        ActorRef seq = a.actorSelection("pekko.mesh://beta@" + mesh.node(1).host() + ":2553/user/seq")
                .resolveOne(TIMEOUT).toCompletableFuture().get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 20_000; i++) {
            seq.tell(i, ActorRef.noSender());
        }
        Object report = Patterns.ask(seq, "report", Duration.ofSeconds(60)).toCompletableFuture().get(90, TimeUnit.SECONDS);
        assertEquals("received 20000 in order", report);

        Address addressA = ((org.apache.pekko.actor.ExtendedActorSystem) a).provider().getDefaultAddress();
        assertEquals("pekko.mesh", addressA.protocol());
        assertEquals(mesh.node(0).host(), addressA.host().get());
        assertTrue(addressA.port().get().equals(2552));

        // the node under the actor system, for statistics and run-time peers
        io.keymesh.node.MeshNode nodeA = MeshTransport.node(a).orElseThrow();
        assertEquals(mesh.node(0).publicKey(), nodeA.publicKey());
        assertTrue(nodeA.channelStats(mesh.node(1).publicKey()).get().packetsSent() > 0);
        a.terminate();
        a.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertTrue(MeshTransport.node(a).isEmpty(), "gone with its actor system");
    }
}
