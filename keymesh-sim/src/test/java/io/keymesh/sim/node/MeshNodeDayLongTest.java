package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static io.keymesh.sim.node.SimMesh.SECOND;
import static io.keymesh.sim.node.SimMesh.seq;
import static io.keymesh.testing.RecordingListener.PeerEvent.Kind.DOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.node.PeerStats;
import io.keymesh.session.ProtocolConstants;
import io.keymesh.sim.Host;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Network;
import io.keymesh.sim.PacketTracer;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.testing.RecordingListener.Datagram;
import io.keymesh.wire.HandshakeInitiation;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * 24 virtual hours of traffic between two nodes on a lossless link: a datagram each way every 5 s. The
 * initiator renews the session every REKEY_AFTER_TIME (at its first send after 120 s), every datagram
 * arrives exactly once and in order, and the state stays flat: receiver indices (one per live keypair or
 * handshake), pending timers and staged packets stay bounded for the whole day. Heap use is printed, not
 * asserted.
 */
class MeshNodeDayLongTest {
    private static final long DAY = 24 * 3600 * SECOND;
    private static final long INTERVAL = 5 * SECOND;

    @Test
    void aDayOfTrafficRekeysEveryTwoMinutesDeliversEverythingAndStaysFlat() {
        long wallStart = System.nanoTime();

        SimMesh mesh = new SimMesh(24);
        Network net = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        net.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Member a = mesh.member("a", net.newHost("a"));
        Member b = mesh.member("b", net.newHost("b"));
        // Handshake initiations, by the time they reach their responder.
        List<Long> initiationsAtB = new ArrayList<>();
        List<Long> initiationsAtA = new ArrayList<>();
        mesh.sim.setTracer(new PacketTracer() {
            @Override
            public void delivered(long now, Host host, InetSocketAddress from, InetSocketAddress to, int length) {
                if (length == HandshakeInitiation.LENGTH) {
                    (host == b.host ? initiationsAtB : initiationsAtA).add(now);
                }
            }
        });
        a.start(List.of(b.asPeer()));
        b.start(List.of(a.asPeer()));

        // a sends at 0, 5, 10 ... s and b 2.5 s later, so the two do not start handshakes in lock-step.
        int count = (int) (DAY / INTERVAL);
        tick(mesh, a, b, 0, count, 0);
        tick(mesh, b, a, 0, count, INTERVAL / 2);

        // Received datagrams are checked and forgotten every virtual minute, so the heap shows the nodes' use.
        int[] next = new int[2];
        int maxIndices = 0;
        int maxPending = 0;
        int maxStaged = 0;
        long heapAtOneHour = 0;
        for (long t = 0; t < DAY + 10 * SECOND; t += 60 * SECOND) {
            if (t == 3600 * SECOND) {
                heapAtOneHour = heapUsed();
            }
            mesh.sim.runFor(60 * SECOND);
            for (Member m : List.of(a, b)) {
                Member peer = m == a ? b : a;
                maxIndices = Math.max(maxIndices, m.engine((e, now) -> e.indicesInUse()));
                maxStaged = Math.max(maxStaged, m.engine((e, now) -> e.peer(peer.publicKey()).stagedPackets()));
            }
            maxPending = Math.max(maxPending, mesh.sim.pendingEvents());
            checkAndForget(a, b, next, 0);
            checkAndForget(b, a, next, 1);
        }
        long wallNanos = System.nanoTime() - wallStart;

        // Every datagram, exactly once, in order, intact.
        assertEquals(count, next[0], "a->b");
        assertEquals(count, next[1], "b->a");
        for (Member[] pair : new Member[][] {{a, b}, {b, a}}) {
            long dropped = pair[1].engine((e, now) -> e.droppedTotal());
            assertEquals(0, dropped, pair[1] + " dropped packets");
        }

        // Rekeys: a, the initiator, renews at its first send after REKEY_AFTER_TIME, i.e. every 125 s here;
        // b, whose current keypair is always the responder's, never needs to.
        PeerStats stats = a.stats(b);
        long expected = DAY / ProtocolConstants.REKEY_AFTER_TIME;
        assertTrue(stats.handshakes() >= DAY / (ProtocolConstants.REKEY_AFTER_TIME + INTERVAL) && stats.handshakes() <= expected + 1,
                "handshakes " + stats.handshakes() + ", about " + expected);
        assertEquals(stats.handshakes(), initiationsAtB.size(), "one initiation per handshake: none lost or retried");
        assertEquals(List.of(), initiationsAtA);
        for (int i = 1; i < initiationsAtB.size(); i++) {
            long gap = initiationsAtB.get(i) - initiationsAtB.get(i - 1);
            assertTrue(gap > ProtocolConstants.REKEY_AFTER_TIME && gap <= ProtocolConstants.REKEY_AFTER_TIME + INTERVAL + 100 * MS,
                    "rekey gap " + gap / 1e9 + " s");
        }
        assertEquals(stats.handshakes(), b.stats(a).handshakes());
        assertTrue(a.events(DOWN, b).isEmpty() && b.events(DOWN, a).isEmpty());

        // Flat state: at most previous, current and next keypair plus a handshake per peer; two ticks, a
        // timer per node and the packets in flight; nothing waiting for a session.
        assertTrue(maxIndices <= 4, "receiver indices in use: " + maxIndices);
        assertTrue(maxPending <= 16, "pending simulation events: " + maxPending);
        assertEquals(0, maxStaged);

        long heapAtEnd = heapUsed();
        System.out.printf("24 virtual hours: %d datagrams each way, %d handshakes, max %d indices, max %d pending events;"
                + " %d events in %.2f s wall; heap used after GC %.1f MiB at 1 h, %.1f MiB at 24 h (informational)%n",
                count, stats.handshakes(), maxIndices, maxPending, mesh.sim.eventsProcessed(), wallNanos / 1e9,
                heapAtOneHour / 1048576.0, heapAtEnd / 1048576.0);
    }

    private static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Checks that {@code to} got {@code from}'s datagrams in order from {@code next[i]} on, and forgets them. */
    private static void checkAndForget(Member from, Member to, int[] next, int i) {
        for (Datagram r : to.events.datagrams) {
            assertEquals(from.publicKey(), r.from());
            assertEquals(next[i]++, seq(r), from + "->" + to);
            assertTrue(SimMesh.check(r.data()));
        }
        to.events.datagrams.clear();
    }

    /** {@code from} sends datagram {@code seq} to {@code to} at {@code offset + seq * INTERVAL}, then schedules the next. */
    private static void tick(SimMesh mesh, Member from, Member to, int seq, int count, long offset) {
        mesh.sim.schedule(offset + seq * INTERVAL, () -> {
            from.send(to, seq, 64 + (seq * 37) % 1300);
            if (seq + 1 < count) {
                tick(mesh, from, to, seq + 1, count, offset);
            }
        });
    }
}
