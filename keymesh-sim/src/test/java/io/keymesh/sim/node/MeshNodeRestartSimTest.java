package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.node.Channel;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.testing.RecordingListener;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A peer that restarted (new process, same key, same address) is noticed within three round trips
 * of traffic going unanswered — not after WireGuard's 15 s: the restarted side starts a handshake
 * when packets for its lost session come from a listed peer's address, the sender resends what is
 * unacknowledged on the renewed session at once, and the restarted side answers the old
 * connection's packets with its new connection id, so the sender reports its channels lost and
 * starts afresh.
 */
class MeshNodeRestartSimTest {
    @Test
    void aRestartedPeerIsNoticedWithinAFewRoundTripsAndTheNextChannelWorks() {
        SimMesh mesh = new SimMesh(61);
        Network net = mesh.sim.newNetwork("wan", "10.3.0.0/24");
        net.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Member a = mesh.member("a", net.newHost("a"));
        Member b = mesh.member("b", net.newHost("b"));
        b.start(List.of(a.asPeer()));
        a.start(List.of(b.asPeer()));
        Channel ch = a.node.channel(b.publicKey(), 2);
        for (int i = 0; i < 10; i++) {
            assertTrue(ch.send(new byte[] {(byte) i}));
        }
        mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(10, b.events.messageCount());

        b.io.close(); // a crash: the process is gone, nothing is sent
        mesh.sim.runFor(Duration.ofMillis(100));
        b.start(List.of(a.asPeer())); // the same key and address, nothing remembered
        mesh.sim.runFor(Duration.ofSeconds(1));
        long sentAt = mesh.sim.now();
        assertTrue(ch.send(new byte[] {42}));
        mesh.sim.runFor(Duration.ofSeconds(3));

        RecordingListener.ChannelsLost lost = a.events.channelsLost.peek();
        assertTrue(lost != null && lost.reason().contains("restarted"), "a heard that b restarted: " + lost);
        long noticedAt = a.events.channelsLostTimes.peek();
        long rtt = 40 * MS;
        System.out.printf("restart noticed %d ms after the first unanswered message, a round trip being %d ms (informational)%n",
                (noticedAt - sentAt) / MS, rtt / MS);
        // The message reaches the restarted b (half a round trip), which starts a handshake at once;
        // a's response reaches b a round trip later, and b's first packet on the new session carries
        // its new connection id: two round trips, where WireGuard's timers alone would take 15 s.
        assertTrue(noticedAt - sentAt <= 2 * rtt, "noticed " + (noticedAt - sentAt) / MS
                + " ms after the first unanswered message (a round trip is " + rtt / MS + " ms)");

        Channel again = a.node.channel(b.publicKey(), 2);
        assertTrue(again.send(new byte[] {7, 7}));
        mesh.sim.runFor(Duration.ofSeconds(1));
        List<byte[]> got = b.events.messages(a.publicKey(), 2);
        assertArrayEquals(new byte[] {7, 7}, got.getLast(), "the new channel reaches the restarted b");
    }

    @Test
    void aStoppedNodeBehindANatThatKeptItsPathOpenIsReportedDownWithinThreeKeepaliveIntervals() {
        SimMesh mesh = new SimMesh(62);
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        io.keymesh.sim.Nat nat = internet.newNat("home", io.keymesh.sim.NatConfig.of(io.keymesh.sim.NatType.PORT_RESTRICTED_CONE),
                "192.168.1.0/24");
        Member p = mesh.member("p", internet.newHost("p"));
        Member a = mesh.member("a", nat.inside().newHost("a"));
        p.start(List.of(a.asPeerWithoutEndpoint()));
        a.start(List.of(p.asPeer().withPersistentKeepalive(25)));
        a.node.connect(p.publicKey());
        mesh.sim.runFor(Duration.ofMinutes(3)); // keepalives only: p learns a's interval
        assertTrue(p.events(RecordingListener.PeerEvent.Kind.DOWN, a).isEmpty(), "keepalives hold it up");

        long stoppedAt = mesh.sim.now();
        a.io.close(); // stopped without a word
        mesh.sim.runFor(Duration.ofMinutes(3));
        List<RecordingListener.PeerEvent> down = p.events(RecordingListener.PeerEvent.Kind.DOWN, a);
        assertEquals(1, down.size(), "reported down once");
        long after = down.getFirst().atNanos() - stoppedAt;
        assertTrue(after <= (3 * 25 + 5) * 1_000_000_000L, "down " + after / MS + " ms after it stopped");
        assertTrue(down.getFirst().detail().contains("silent for 80 s"), down.getFirst().detail());
        io.keymesh.node.PeerStats gone = p.stats(a);
        assertFalse(gone.up());
        assertTrue(gone.silent(), "reported as silent, not merely down");
        assertTrue(gone.lastReceivedAgoNanos() >= 80 * 1_000_000_000L && gone.lastReceivedAgoNanos() <= (3 * 60 + 25) * 1_000_000_000L,
                "at most a keepalive interval before it stopped, 3 min ago; last heard " + gone.lastReceivedAgoNanos() / MS + " ms ago");

        a.start(List.of(p.asPeer().withPersistentKeepalive(25)));
        a.node.connect(p.publicKey());
        mesh.sim.runFor(Duration.ofSeconds(2));
        assertEquals(2, p.events(RecordingListener.PeerEvent.Kind.UP, a).size(), "up again when it is back");
        io.keymesh.node.PeerStats back = p.stats(a);
        assertTrue(back.up());
        assertFalse(back.silent());
        assertTrue(back.lastReceivedAgoNanos() >= 0 && back.lastReceivedAgoNanos() < 2 * 1_000_000_000L,
                "last heard " + back.lastReceivedAgoNanos() / MS + " ms ago");
    }

    /**
     * A peer that sends no keepalives of its own still answers our data with WireGuard's passive
     * keepalives, 10 s after it last heard from us — regularly, while we keep sending. Those are no
     * interval at which it keeps its path open: when our data stops, so do they, and the peer is idle,
     * not gone. (The soak, MeshSoakTest, found members taking their relays for silent this way, and
     * closing every circuit through them.) At any pace of our data: every 5 s the keepalives come in
     * 10-s pairs, every 15 or 18 s one comes after each datagram, as regularly as a persistent one.
     */
    @ParameterizedTest(name = "a datagram every {0} s")
    @ValueSource(ints = {5, 15, 18})
    void aPeerWhoseOnlyKeepalivesAnswerOurDataIsNotReportedSilentWhenOurDataStops(int every) {
        SimMesh mesh = new SimMesh(63);
        Network net = mesh.sim.newNetwork("wan", "10.3.1.0/24");
        net.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Member a = mesh.member("a", net.newHost("a"));
        Member b = mesh.member("b", net.newHost("b"));
        b.start(List.of(a.asPeer()));
        a.start(List.of(b.asPeer()));
        int datagrams = 180 / every; // three minutes of data from a; b answers only with keepalives
        for (int i = 0; i < datagrams; i++) {
            a.send(b, i, 100);
            mesh.sim.runFor(Duration.ofSeconds(every));
        }
        assertEquals(datagrams, b.receivedFrom(a).size());
        assertTrue(a.stats(b).rxPackets() >= datagrams / 2, "b answered with keepalives: " + a.stats(b).rxPackets());
        mesh.sim.runFor(Duration.ofMinutes(2)); // a sends nothing more: neither does b
        assertEquals(List.of(), a.events(RecordingListener.PeerEvent.Kind.DOWN, b), "b is idle, not gone");
        assertFalse(a.stats(b).silent());
    }

    /**
     * A peer that keeps its path open every 6 s while we send it data every 2 s: its keepalives come
     * 6 s apart, not a passive keepalive's 10 s, so they are its interval whether or not we send; when
     * it stops, it is reported down within three of them and 5 s (plus a second of our own data's
     * spacing), not only when a handshake gives up.
     */
    @Test
    void aPeerThatKeepsItsPathOpenWhileWeSendItDataIsStillReportedDownWhenItStops() {
        SimMesh mesh = new SimMesh(64);
        Network net = mesh.sim.newNetwork("wan", "10.3.2.0/24");
        net.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Member a = mesh.member("a", net.newHost("a"));
        Member b = mesh.member("b", net.newHost("b"));
        a.start(List.of(b.asPeer()));
        b.start(List.of(a.asPeer().withPersistentKeepalive(6)));
        b.node.connect(a.publicKey());
        for (int i = 0; i < 30; i++) { // a minute of a datagram every 2 s from a; b answers with its keepalives
            a.send(b, i, 100);
            mesh.sim.runFor(Duration.ofSeconds(2));
        }
        assertEquals(30, b.receivedFrom(a).size());
        assertTrue(a.events(RecordingListener.PeerEvent.Kind.DOWN, b).isEmpty());

        long stoppedAt = mesh.sim.now();
        b.io.close(); // stopped without a word, while a goes on sending
        for (int i = 0; i < 15; i++) {
            a.send(b, 100 + i, 100);
            mesh.sim.runFor(Duration.ofSeconds(2));
        }
        List<RecordingListener.PeerEvent> down = a.events(RecordingListener.PeerEvent.Kind.DOWN, b);
        assertEquals(1, down.size(), "reported down once");
        long after = down.getFirst().atNanos() - stoppedAt;
        assertTrue(after <= (3 * 6 + 5 + 1) * 1_000_000_000L, "down " + after / MS + " ms after it stopped");
        assertTrue(a.stats(b).silent(), "reported as silent");
    }

}
