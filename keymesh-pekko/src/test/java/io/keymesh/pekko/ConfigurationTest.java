package io.keymesh.pekko;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Enabling the transport from configuration: errors that name the bad key, and nodes shared by several actor systems. */
class ConfigurationTest {
    private final List<ActorSystem> systems = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ActorSystem s : systems) {
            s.terminate();
            s.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    private ActorSystem start(String name, Config config) {
        ActorSystem s = ActorSystem.create(name, config);
        systems.add(s);
        return s;
    }

    private static String messages(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(c.getMessage()).append('\n');
        }
        return s.toString();
    }

    private static Config with(TestMesh mesh, String extra) {
        return ConfigFactory.parseString(extra).withFallback(ConfigFactory.parseString(mesh.config(0, "keymesh-remoting", 2552)))
                .withFallback(ConfigFactory.load()).resolve();
    }

    @Test
    void aBadKeyIsNamed() {
        TestMesh mesh = new TestMesh(2);
        Throwable e = assertThrows(Throwable.class, () -> start("bad", with(mesh, "keymesh.private-key = \"not a key\"")));
        String m = messages(e);
        assertTrue(m.contains("keymesh.private-key: a key is 44 characters of base64"), m);
    }

    @Test
    void aMissingNetworkKeyIsNamed() {
        TestMesh mesh = new TestMesh(2);
        Throwable e = assertThrows(Throwable.class, () -> start("bad", with(mesh, "keymesh.network-key = null")));
        assertTrue(messages(e).contains("keymesh.network-key: missing"), messages(e));
    }

    @Test
    void aBadTransportSettingIsNamed() {
        TestMesh mesh = new TestMesh(2);
        Throwable e = assertThrows(Throwable.class, () -> start("bad", with(mesh, "pekko.remote.classic.keymesh.port = 70000")));
        assertTrue(messages(e).contains("pekko.remote.classic.keymesh.port: 70000 out of range"), messages(e));
        e = assertThrows(Throwable.class, () -> start("bad", with(mesh, "pekko.remote.classic.keymesh.scheme-identifier = \"Mesh Net\"")));
        assertTrue(messages(e).contains("scheme-identifier: \"Mesh Net\" is not a URI scheme"), messages(e));
    }

    @Test
    void actorSystemsShareANodeOnDifferentVirtualPortsAndReachEachOther() throws Exception {
        TestMesh mesh = new TestMesh(2);
        ActorSystem x = start("x", mesh.load(0, "keymesh-remoting", 2552));
        ActorSystem y = start("y", mesh.load(0, "keymesh-remoting", 2553));
        x.actorOf(TestActors.Echo.props(), "echo");
        y.actorOf(TestActors.Echo.props(), "echo");
        ActorSystem z = start("z", mesh.load(1, "keymesh-remoting", 2552));
        String host = mesh.node(0).host();
        assertEquals("to x", Patterns.ask(z.actorSelection("pekko.mesh://x@" + host + ":2552/user/echo"), "to x",
                Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertEquals("to y", Patterns.ask(z.actorSelection("pekko.mesh://y@" + host + ":2553/user/echo"), "to y",
                Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS));

        // x and y share node 0: they reach each other in memory, by the same kind of address
        assertEquals("x to y", Patterns.ask(x.actorSelection("pekko.mesh://y@" + host + ":2553/user/echo"), "x to y",
                Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS));
        y.actorOf(TestActors.Sequence.props(), "seq");
        org.apache.pekko.actor.ActorRef seq = x.actorSelection("pekko.mesh://y@" + host + ":2553/user/seq")
                .resolveOne(Duration.ofSeconds(20)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 5000; i++) {
            seq.tell(i, org.apache.pekko.actor.ActorRef.noSender());
        }
        assertEquals("received 5000 in order", Patterns.ask(seq, "report", Duration.ofSeconds(20))
                .toCompletableFuture().get(30, TimeUnit.SECONDS));

        Throwable e = assertThrows(Throwable.class, () -> start("w", mesh.load(0, "keymesh-remoting", 2553)));
        assertTrue(messages(e).contains("virtual port 2553 of node " + host + " is taken"), messages(e));
    }
}
