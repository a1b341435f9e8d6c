package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static io.keymesh.sim.node.SimMesh.SECOND;
import static io.keymesh.sim.node.SimMesh.seq;
import static io.keymesh.testing.RecordingListener.PeerEvent.Kind.DOWN;
import static io.keymesh.testing.RecordingListener.PeerEvent.Kind.UP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.session.ProtocolConstants;
import io.keymesh.sim.DropReason;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Network;
import io.keymesh.sim.Partition;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.testing.RecordingListener.Datagram;
import io.keymesh.testing.RecordingListener.PeerEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Two nodes are cut apart and joined again. While cut, nothing crosses and the handshake is retried
 * every REKEY_TIMEOUT; after REKEY_ATTEMPT_TIME (90 s) of unanswered retries the peer is reported down.
 * After {@link Partition#heal()} the session is re-established, the peer is reported up and datagrams
 * flow again.
 */
class MeshNodePartitionTest {
    private static final long CUT = 30 * SECOND;

    private record Pair(SimMesh mesh, Member a, Member b) {}

    private static Pair pair(long seed) {
        SimMesh mesh = new SimMesh(seed);
        Network net = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        net.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10))
                .withJitter(Duration.ofMillis(2)));
        Member a = mesh.member("a", net.newHost("a"));
        Member b = mesh.member("b", net.newHost("b"));
        a.start(List.of(b.asPeer()));
        b.start(List.of(a.asPeer()));
        return new Pair(mesh, a, b);
    }

    /** Each side sends one datagram a second at {@code [from, to)}; sequence numbers are the second. */
    private static void traffic(Pair p, long fromNanos, long toNanos) {
        for (long t = fromNanos; t < toNanos; t += SECOND) {
            int seq = (int) (t / SECOND);
            p.mesh().sim.schedule(t, () -> {
                p.a().send(p.b(), seq, 200);
                p.b().send(p.a(), seq, 200);
            });
        }
    }

    private static long deliveredBetween(Member at, long fromNanos, long toNanos) {
        return at.events.datagrams.stream().filter(r -> r.atNanos() >= fromNanos && r.atNanos() < toNanos).count();
    }

    private static void assertEachAtMostOnce(Member at) {
        Set<Integer> seen = new HashSet<>();
        for (Datagram r : at.events.datagrams) {
            assertTrue(SimMesh.check(r.data()));
            assertTrue(seen.add(seq(r)), "datagram " + seq(r) + " twice at " + at);
        }
    }

    @Test
    void quietPeersGiveUpAfterNinetySecondsAndComeBackUpAfterTheHeal() {
        Pair p = pair(51);
        SimMesh mesh = p.mesh();
        long heal = CUT + 150 * SECOND;
        traffic(p, 0, CUT);
        traffic(p, CUT + SECOND, CUT + 2 * SECOND); // one datagram each way into the cut, then quiet
        traffic(p, heal, heal + 60 * SECOND);
        Partition[] cut = new Partition[1];
        mesh.sim.schedule(CUT, () -> cut[0] = mesh.sim.partition(List.of(p.a().host)));
        mesh.sim.schedule(heal, () -> cut[0].heal());

        mesh.sim.runUntil(CUT);
        long initiationsAtCut = p.a().initiationsSent() + p.b().initiationsSent();
        mesh.sim.runUntil(heal);
        for (Member[] m : new Member[][] {{p.a(), p.b()}, {p.b(), p.a()}}) {
            Member self = m[0];
            Member peer = m[1];
            assertEquals(30, deliveredBetween(self, 0, CUT), "before the cut, every second's datagram");
            assertEquals(0, deliveredBetween(self, CUT + 100 * MS, heal), "nothing crosses the cut");
            List<PeerEvent> down = self.events(DOWN, peer);
            assertEquals(1, down.size(), self + " reports " + peer + " down once");
            // Data sent without an answer starts a handshake after KEEPALIVE + REKEY_TIMEOUT (15 s); its
            // retries are given up after REKEY_ATTEMPT_TIME.
            long at = down.getFirst().atNanos();
            assertTrue(at >= CUT + SECOND + 15 * SECOND + ProtocolConstants.REKEY_ATTEMPT_TIME && at < heal,
                    self + " down at " + at);
            assertTrue(down.getFirst().detail().contains("90 s"), down.getFirst().detail());
        }
        long retries = p.a().initiationsSent() + p.b().initiationsSent() - initiationsAtCut;
        assertTrue(retries >= 2 * ProtocolConstants.MAX_TIMER_HANDSHAKES, "handshake retries in the cut: " + retries);
        assertTrue(mesh.sim.counters().dropped(DropReason.PARTITIONED) >= retries);

        mesh.sim.runUntil(heal + 60 * SECOND);
        for (Member[] m : new Member[][] {{p.a(), p.b()}, {p.b(), p.a()}}) {
            Member self = m[0];
            Member peer = m[1];
            List<PeerEvent> up = self.events(UP, peer);
            assertEquals(2, up.size(), self + ": up, then up again after the heal");
            assertTrue(up.get(1).atNanos() >= heal && up.get(1).atNanos() < heal + SECOND, "up again at " + up.get(1));
            // Sending resumes at the heal: the first datagram waits for the new handshake, none is lost.
            assertEquals(60, deliveredBetween(self, heal, heal + 60 * SECOND));
            assertEachAtMostOnce(self);
        }
    }

    @Test
    void busyPeersRetryThroughTheCutAndResumeWithinOneRetryOfTheHeal() {
        Pair p = pair(52);
        SimMesh mesh = p.mesh();
        long heal = CUT + 60 * SECOND;
        long end = heal + 60 * SECOND;
        traffic(p, 0, end);
        Partition[] cut = new Partition[1];
        mesh.sim.schedule(CUT, () -> cut[0] = mesh.sim.partition(List.of(p.a().host), List.of(p.b().host)));
        mesh.sim.schedule(heal, () -> cut[0].heal());

        mesh.sim.runUntil(CUT);
        long initiationsAtCut = p.a().initiationsSent() + p.b().initiationsSent();
        mesh.sim.runUntil(heal);
        assertEquals(0, deliveredBetween(p.a(), CUT + 100 * MS, heal) + deliveredBetween(p.b(), CUT + 100 * MS, heal));
        long retries = p.a().initiationsSent() + p.b().initiationsSent() - initiationsAtCut;
        // Unanswered data starts a handshake after 15 s; then one every REKEY_TIMEOUT (5 s + jitter), on each side.
        assertTrue(retries >= 2 * 8, "handshakes tried during the 60 s cut: " + retries);

        mesh.sim.runUntil(end);
        // Within one retry of the heal (REKEY_TIMEOUT + jitter, plus a round trip) the session is back, and
        // from then on every datagram arrives.
        long resumed = heal + ProtocolConstants.REKEY_TIMEOUT + ProtocolConstants.REKEY_TIMEOUT_JITTER_MAX + 100 * MS;
        for (Member[] m : new Member[][] {{p.a(), p.b()}, {p.b(), p.a()}}) {
            Member self = m[0];
            Set<Integer> after = new HashSet<>();
            for (Datagram r : self.events.datagrams) {
                if (r.atNanos() >= heal) {
                    after.add(seq(r));
                }
            }
            for (long t = (resumed / SECOND) + 1; t < end / SECOND; t++) {
                assertTrue(after.contains((int) t), self + " lacks the datagram of second " + t);
            }
            assertEachAtMostOnce(self);
            assertTrue(self.events(DOWN, m[1]).isEmpty(), "sending keeps the handshake going: no give-up");
        }
    }
}
