package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static io.keymesh.sim.node.SimMesh.SECOND;
import static io.keymesh.sim.node.SimMesh.sender;
import static io.keymesh.sim.node.SimMesh.seq;
import static io.keymesh.testing.RecordingListener.PeerEvent.Kind.DOWN;
import static io.keymesh.testing.RecordingListener.PeerEvent.Kind.UP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.session.DropReason;
import io.keymesh.sim.Host;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.testing.RecordingListener.Datagram;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two nodes over links that lose, delay, reorder and duplicate datagrams. Datagrams are unreliable, so
 * the test asserts what WireGuard guarantees: the session is established despite loss (handshake
 * retries), nothing is delivered twice (the replay window) or corrupted, reordered packets are still
 * accepted, and the delivered fraction matches the link's loss.
 */
class MeshNodeUnreliableLinkTest {
    private static final int DATAGRAMS = 2000;
    private static final long INTERVAL = 10 * MS;

    /** Each host's egress carries the faults (ingress is clean), so every hop crosses exactly one faulty direction. */
    private static void faulty(Host h, LinkConditions c) {
        h.link().egress().setConditions(c);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.01, 0.05, 0.10})
    void datagramsAreUniqueIntactAndDeliveredAtTheLinksRate(double loss) {
        SimMesh mesh = new SimMesh(1000 + Math.round(loss * 100));
        Network net = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        Member a = mesh.member("a", net.newHost("a"));
        Member b = mesh.member("b", net.newHost("b"));
        LinkConditions c = LinkConditions.DEFAULT.withLatency(Duration.ofMillis(20)).withJitter(Duration.ofMillis(10))
                .withLoss(loss).withDuplication(0.05).withReordering(0.05, Duration.ofMillis(35));
        faulty(a.host, c);
        faulty(b.host, c);
        a.start(List.of(b.asPeer()));
        b.start(List.of(a.asPeer()));

        // Warm up until both sides have a session (the handshake and its confirmation may be lost too).
        int warm = 0;
        while (a.events(UP, b).isEmpty() || b.events(UP, a).isEmpty()) {
            assertTrue(mesh.sim.now() < 90 * SECOND, "no session within 90 s");
            a.send(b, -1 - warm++, 64);
            mesh.sim.runFor(200 * MS);
        }
        a.events.datagrams.clear();
        b.events.datagrams.clear();
        long replaysBefore = a.drops(DropReason.REPLAY) + b.drops(DropReason.REPLAY);

        for (int i = 0; i < DATAGRAMS; i++) {
            int seq = i;
            mesh.sim.scheduleAfter(i * INTERVAL, () -> {
                a.send(b, seq, 100 + seq % 900);
                b.send(a, seq, 100 + (seq * 7) % 900);
            });
        }
        mesh.sim.runFor(DATAGRAMS * INTERVAL + 2 * SECOND);

        int outOfOrder = 0;
        for (Member[] pair : new Member[][] {{a, b}, {b, a}}) {
            Member from = pair[0];
            Member to = pair[1];
            List<Datagram> got = to.receivedFrom(from);
            Set<Integer> seen = new HashSet<>();
            int highest = -1;
            for (Datagram r : got) {
                assertTrue(SimMesh.check(r.data()), "corrupted datagram at " + to);
                assertEquals(from.number, sender(r), "misattributed datagram");
                assertTrue(seen.add(seq(r)), "datagram " + seq(r) + " delivered twice to " + to);
                if (seq(r) < highest) {
                    outOfOrder++;
                }
                highest = Math.max(highest, seq(r));
            }
            // Binomial(n, 1 - loss): allow five standard deviations.
            double expected = DATAGRAMS * (1 - loss);
            double sigma = Math.sqrt(DATAGRAMS * loss * (1 - loss));
            assertTrue(Math.abs(got.size() - expected) <= 5 * sigma + 1,
                    from + "->" + to + ": delivered " + got.size() + ", expected " + expected + " ± " + 5 * sigma);
            assertEquals(0L, to.drops(DropReason.BAD_TAG), "no packet failed authentication");
            assertEquals(0L, to.drops(DropReason.STAGED_QUEUE_FULL));
        }
        // The faults really happened: duplicates reached the nodes and were refused, packets overtook others.
        long duplicated = a.host.link().egress().duplicated() + b.host.link().egress().duplicated();
        long replays = a.drops(DropReason.REPLAY) + b.drops(DropReason.REPLAY)
                - replaysBefore;
        System.out.printf("unreliable link, loss %.2f: delivered a->b %d, b->a %d of %d; %d duplicates, %d refused as replays,"
                + " %d out of order; handshake initiations %d%n", loss, b.receivedFrom(a).size(), a.receivedFrom(b).size(),
                DATAGRAMS, duplicated, replays, outOfOrder, a.initiationsSent() + b.initiationsSent());
        assertTrue(duplicated > 50, "duplicated " + duplicated);
        assertTrue(replays > 0 && replays <= duplicated, "replays " + replays + " of " + duplicated + " duplicates");
        assertTrue(outOfOrder > 20, "reordered deliveries " + outOfOrder);
    }

    @Test
    void everyDuplicateIsRefusedOnALosslessLink() {
        SimMesh mesh = new SimMesh(77);
        Network net = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        Member a = mesh.member("a", net.newHost("a"));
        Member b = mesh.member("b", net.newHost("b"));
        faulty(a.host, LinkConditions.DEFAULT.withLatency(Duration.ofMillis(5)).withDuplication(0.3));
        a.start(List.of(b.asPeer()));
        b.start(List.of(a.asPeer()));
        for (int i = 0; i < 1000; i++) {
            int seq = i;
            mesh.sim.scheduleAfter(i * INTERVAL, () -> a.send(b, seq, 200));
        }
        mesh.sim.runFor(1000 * INTERVAL + SECOND);

        List<Datagram> got = b.receivedFrom(a);
        assertEquals(1000, got.size(), "each datagram exactly once");
        for (int i = 0; i < got.size(); i++) {
            assertEquals(i, seq(got.get(i)));
            assertTrue(SimMesh.check(got.get(i).data()));
        }
        // Every duplicate that reached b as a transport packet was refused by the replay window; the
        // duplicates of a's handshake initiation were refused as stale or a flood (their timestamp is not newer).
        long duplicated = a.host.link().egress().duplicated();
        long refused = b.drops(DropReason.REPLAY) + b.drops(DropReason.STALE_TIMESTAMP)
                + b.drops(DropReason.INITIATION_FLOOD);
        assertTrue(duplicated > 250, "duplicated " + duplicated);
        assertEquals(duplicated, refused, "every duplicate refused");
    }

    @Test
    void sessionIsEstablishedDespiteLossByRetryingTheHandshake() {
        int pairs = 8;
        long totalInitiations = 0;
        boolean someRetried = false;
        for (int s = 0; s < pairs; s++) {
            SimMesh mesh = new SimMesh(500 + s);
            Network net = mesh.sim.newNetwork("internet", "198.18.0.0/15");
            Member a = mesh.member("a", net.newHost("a"));
            Member b = mesh.member("b", net.newHost("b"));
            // 40 % loss each way: a handshake round trip succeeds with probability 0.36.
            LinkConditions c = LinkConditions.DEFAULT.withLatency(Duration.ofMillis(30)).withLoss(0.4);
            faulty(a.host, c);
            faulty(b.host, c);
            a.start(List.of(b.asPeer()));
            b.start(List.of(a.asPeer()));
            a.send(b, 0, 64);
            mesh.sim.runFor(90 * SECOND);

            assertEquals(1, a.events(UP, b).size(), "seed " + mesh.sim.seed() + ": a session with b");
            long initiations = a.initiationsSent();
            totalInitiations += initiations;
            someRetried |= initiations > 1;
            // Retries come REKEY_TIMEOUT (5 s, + up to 334 ms jitter) apart.
            long up = a.events(UP, b).getFirst().atNanos();
            assertTrue(up <= (initiations - 1) * 5_334 * MS + SECOND, "up at " + up + " after " + initiations + " initiations");
            assertTrue(a.events(DOWN, b).isEmpty());
        }
        System.out.printf("40 %% loss: %d sessions established with %d initiations%n", pairs, totalInitiations);
        assertTrue(someRetried, "some handshakes needed retries");
        assertTrue(totalInitiations > pairs, "initiations " + totalInitiations);
        assertFalse(totalInitiations > pairs * 10, "initiations " + totalInitiations);
    }
}
