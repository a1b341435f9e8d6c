package io.keymesh.pekko;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-member Pekko Cluster over keymesh (pekko.tcp://cluster@KEY:2552 addresses): one member in
 * this JVM, two in child JVMs. One member crashes (killed) and is downed, restarts on the same key
 * and rejoins; another leaves; the cluster goes on.
 */
class ClusterOverMeshTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    Path dir;
    private ActorSystem a;
    private ChildJvm b;
    private ChildJvm c;

    @AfterEach
    void stop() throws Exception {
        for (ChildJvm child : new ChildJvm[] {b, c}) {
            if (child != null) {
                child.close();
            }
        }
        if (a != null) {
            a.terminate();
            a.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private String config(TestMesh mesh, int i) {
        return mesh.config(i, "keymesh-cluster", 2552)
                + "pekko.cluster.seed-nodes = [\"pekko.tcp://cluster@" + mesh.node(0).host() + ":2552\"]\n"
                + "pekko.cluster.jmx.enabled = off\n"
                // a few seconds are enough: the restarted member is noticed within two round trips
                // of a packet reaching it, not after WireGuard's 15 s
                + "pekko.remote.classic.keymesh.connection-timeout = 3 s\n"
                // the cluster's own semantics: remote watch and deployment only among members
                + "pekko.remote.use-unsafe-remote-features-outside-cluster = off\n"
                // Three JVMs share two CPUs: a pause of more than 2 s now and then made a live member
                // unreachable, and the split brain resolver downed it for good (after the leave, one
                // of two). 5 s still notices the crash well within the waits.
                + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 5 s\n";
    }

    @Test
    void formsSurvivesACrashAndALeaveAndTakesBackARestartedMember() throws Exception {
        TestMesh mesh = new TestMesh(3);
        a = ActorSystem.create("cluster", com.typesafe.config.ConfigFactory.parseString(config(mesh, 0))
                .withFallback(com.typesafe.config.ConfigFactory.load()).resolve());
        Cluster cluster = Cluster.get(a);
        b = ChildJvm.start("cluster", config(mesh, 1), dir, "b");
        c = ChildJvm.start("cluster", config(mesh, 2), dir, "c");
        String hostB = mesh.node(1).host();
        String hostC = mesh.node(2).host();
        String hostA = mesh.node(0).host();
        assertEquals("pekko.tcp", cluster.selfAddress().protocol());
        var provider = ((ExtendedActorSystem) a).provider();
        assertInstanceOf(MeshClusterActorRefProvider.class, provider);
        assertTrue(((MeshClusterActorRefProvider) provider).hasClusterOrUseUnsafe(), "the provider knows the cluster is in use");

        await("three members up", () -> upHosts(cluster), Set.of(hostA, hostB, hostC));
        long firstUidOfC = uidOf(cluster, hostC);

        c.kill(); // crash: the split brain resolver (keep-majority) downs it, the leader removes it
        await("the crashed member removed", () -> hosts(cluster), Set.of(hostA, hostB));

        c = ChildJvm.start("cluster", config(mesh, 2), dir, "c-restarted"); // same key, same UDP port
        await("the restarted member up again", () -> upHosts(cluster), Set.of(hostA, hostB, hostC));
        assertNotEquals(firstUidOfC, uidOf(cluster, hostC), "a new incarnation");

        Address addressB = new Address("pekko.tcp", "cluster", hostB, 2552);
        assertEquals("leaving", Patterns.ask(a.actorSelection(addressB + "/user/control"), "leave", Duration.ofSeconds(20))
                .toCompletableFuture().get(30, TimeUnit.SECONDS));
        await("the member that left removed", () -> hosts(cluster), Set.of(hostA, hostC));
        // Up and reachable: a member the failure detector briefly lost while the machine was busy
        // (child JVMs on two CPUs) is reachable again within the wait, as Pekko marks it back.
        await("the two remaining members up", () -> upHosts(cluster), Set.of(hostA, hostC), () -> describe(cluster));

        // the cluster still carries messages to the restarted member
        Address addressC = new Address("pekko.tcp", "cluster", hostC, 2552);
        assertEquals("still here", Patterns.ask(a.actorSelection(addressC + "/user/echo"), "still here", Duration.ofSeconds(20))
                .toCompletableFuture().get(30, TimeUnit.SECONDS));
    }

    private static Set<String> hosts(Cluster cluster) {
        Set<String> out = new TreeSet<>();
        for (Member m : cluster.state().getMembers()) {
            out.add(m.address().host().get());
        }
        return out;
    }

    private static Set<String> upHosts(Cluster cluster) {
        Set<String> out = new TreeSet<>();
        for (Member m : cluster.state().getMembers()) {
            if (m.status() == MemberStatus.up() && !cluster.state().getUnreachable().contains(m)) {
                out.add(m.address().host().get());
            }
        }
        return out;
    }

    private static long uidOf(Cluster cluster, String host) {
        for (Member m : cluster.state().getMembers()) {
            if (m.address().host().get().equals(host)) {
                return m.uniqueAddress().longUid();
            }
        }
        throw new AssertionError("no member on " + host);
    }

    /** Every member with its status and whether it is unreachable, and who sees it so. */
    private static String describe(Cluster cluster) {
        StringBuilder out = new StringBuilder();
        for (Member m : cluster.state().getMembers()) {
            out.append(m.address().host().get()).append('#').append(m.uniqueAddress().longUid()).append(' ')
                    .append(m.status()).append(cluster.state().getUnreachable().contains(m) ? " unreachable" : "").append("; ");
        }
        return out.append("seen by ").append(cluster.state().getSeenBy()).toString();
    }

    private static <T> void await(String what, Supplier<T> actual, T expected) throws InterruptedException {
        await(what, actual, expected, () -> "");
    }

    private static <T> void await(String what, Supplier<T> actual, T expected, Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = actual.get();
        while (!last.equals(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": expected " + expected + " within " + WAIT.toSeconds() + " s, have " + last + " " + state.get());
            }
            Thread.sleep(100);
            last = actual.get();
        }
    }
}
