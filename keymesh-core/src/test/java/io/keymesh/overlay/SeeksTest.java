package io.keymesh.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.RelayReason;
import io.keymesh.wire.SeekFrame;
import io.keymesh.wire.VarInt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeking and passing seeks on ({@link Seeks}), and the circuit a member that knows the target
 * splices ({@link Relay#splice}), against recording links: which frames go where, exactly.
 */
class SeeksTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private static PublicKey key(int n) {
        byte[] k = new byte[32];
        k[5] = (byte) n; // not in the bits X25519 clamps
        k[6] = 1;
        return PrivateKey.of(k).publicKey();
    }

    private static byte[] initiation(int fill) {
        byte[] m = new byte[HandshakeInitiation.LENGTH];
        Arrays.fill(m, (byte) fill);
        m[0] = 1;
        m[1] = 0;
        m[2] = 0;
        m[3] = 0;
        return m;
    }

    /** What went out, as text: "seek LINK id hops passed", "open LINK circuit route", "data LINK circuit len", ... */
    private static final class Links implements OverlayLinks {
        final Set<PublicKey> connected = new LinkedHashSet<>();
        final List<String> sent = new ArrayList<>();
        final List<SeekFrame> seeks = new ArrayList<>();
        final List<byte[]> data = new ArrayList<>();
        final List<PublicKey> names;

        Links(List<PublicKey> names) {
            this.names = names;
        }

        String name(PublicKey k) {
            int i = names.indexOf(k);
            return i < 0 ? "?" : "n" + i;
        }

        @Override
        public List<PublicKey> connectedMembers() {
            return List.copyOf(connected);
        }

        @Override
        public boolean isConnected(PublicKey key) {
            return connected.contains(key);
        }

        final List<byte[]> sentFrames = new ArrayList<>();

        @Override
        public void sendOverlayFrame(PublicKey link, byte[] frame, int off, int len) {
            sentFrames.add(Arrays.copyOfRange(frame, off, off + len));
            if (frame[off] == io.keymesh.wire.MeshFrame.REACH) {
                sent.add("reach " + name(link));
                return;
            }
            SeekFrame f = new SeekFrame();
            int body = off + 1 + VarInt.encodedLength(frame[off + 1]);
            assertTrue(f.decode(frame, body, off + len - body));
            seeks.add(f);
            StringBuilder passed = new StringBuilder();
            for (int i = 0; i < f.passedCount(); i++) {
                passed.append(i == 0 ? "" : ",").append(name(PublicKey.of(f.passed(i))));
            }
            sent.add("seek " + name(link) + " hops " + f.hopsLeft() + " passed [" + passed + "]");
        }

        @Override
        public int maxInnerMessage(PublicKey key) {
            return 1400;
        }

        @Override
        public void sendOpen(PublicKey link, long circuit, List<PublicKey> route) {
            sent.add("open " + name(link) + " " + circuit + " " + route.stream().map(this::name).toList());
        }

        @Override
        public void sendOpened(PublicKey link, long circuit, int maxMessage) {
            sent.add("opened " + name(link) + " " + circuit);
        }

        @Override
        public void sendRefused(PublicKey link, long circuit, int reason) {
            sent.add("refused " + name(link) + " " + circuit + " " + reason);
        }

        @Override
        public void sendData(PublicKey link, long circuit, byte[] buf, int off, int len) {
            sent.add("data " + name(link) + " " + circuit + " " + len);
            data.add(Arrays.copyOfRange(buf, off, off + len));
        }

        @Override
        public void sendClose(PublicKey link, long circuit, int reason) {
            sent.add("close " + name(link) + " " + circuit + " " + reason);
        }
    }

    /** One node's seeks and relay over recording links; n0 is this node. */
    private static final class Node {
        final List<PublicKey> keys = new ArrayList<>();
        final Links links;
        final Relay relay;
        final Seeks seeks;
        final ReachSummaries reach;
        final List<String> unreachable = new ArrayList<>();

        Node(DiscoveryConfig config, RelayConfig relayConfig) {
            for (int i = 0; i < 8; i++) {
                keys.add(key(i));
            }
            links = new Links(keys);
            CircuitIds ids = new CircuitIds(keys.getFirst(), 0);
            relay = new Relay(keys.getFirst(), relayConfig, links, ids);
            reach = new ReachSummaries(links);
            seeks = new Seeks(keys.getFirst(), config, links, relay, reach, (now, t) -> unreachable.add(links.name(t) + " at "
                    + now / MS), 100);
        }

        Node() {
            this(DiscoveryConfig.DEFAULT, RelayConfig.DEFAULT);
        }

        PublicKey k(int i) {
            return keys.get(i);
        }

        /** A SEEK body from n{@code from}, origin n{@code origin}, passed n{@code passed...}. */
        void seekFrom(long now, int from, long id, int hops, int origin, int target, int... passed) {
            byte[] p = new byte[passed.length * 32];
            for (int i = 0; i < passed.length; i++) {
                System.arraycopy(k(passed[i]).toBytes(), 0, p, 32 * i, 32);
            }
            byte[] f = new byte[SeekFrame.frameLength(passed.length)];
            int n = SeekFrame.write(f, 0, id, hops, k(origin).toBytes(), k(target).toBytes(), p, 0, passed.length,
                    initiation(0x77), 0);
            int body = 1 + VarInt.encodedLength(f[1]);
            seeks.onFrame(now, k(from), f, body, n - body);
        }
    }

    @Test
    void aSeekGoesToEveryConnectedMemberIsRetriedEverySecondAndIsUnreachableAtTheTimeout() {
        Node n = new Node();
        n.links.connected.addAll(List.of(n.k(1), n.k(2), n.k(3)));
        long t = 1000 * SECOND;
        n.seeks.seek(t, n.k(5), initiation(0x11), 0);
        assertEquals(List.of("seek n1 hops 3 passed []", "seek n2 hops 3 passed []", "seek n3 hops 3 passed []"),
                n.links.sent);
        assertArrayEquals(initiation(0x11), n.links.seeks.getFirst().initiation(), "it carries the initiation");
        assertArrayEquals(n.k(0).toBytes(), n.links.seeks.getFirst().origin());
        assertArrayEquals(n.k(5).toBytes(), n.links.seeks.getFirst().target());
        long firstId = n.links.seeks.getFirst().seekId();

        n.seeks.seek(t + 500 * MS, n.k(5), initiation(0x22), 0); // the engine's next initiation, early: waits
        assertEquals(3, n.links.sent.size());
        assertEquals(t + SECOND, n.seeks.nextTimeout());
        n.seeks.onTimeout(t + SECOND);
        assertEquals(6, n.links.sent.size(), "sent again after a second");
        assertEquals(firstId + 1, n.links.seeks.get(3).seekId(), "with a new id: members drop the old as seen");
        assertArrayEquals(initiation(0x22), n.links.seeks.get(3).initiation(), "and the newest initiation");
        n.seeks.onTimeout(t + 2 * SECOND);
        assertEquals(9, n.links.sent.size());
        assertEquals(t + 3 * SECOND, n.seeks.nextTimeout(), "the timeout comes before another retry");
        n.seeks.onTimeout(t + 3 * SECOND - 1);
        assertEquals(List.of(), n.unreachable);
        n.seeks.onTimeout(t + 3 * SECOND);
        assertEquals(List.of("n5 at " + (t + 3 * SECOND) / MS), n.unreachable);
        assertFalse(n.seeks.isSeeking(n.k(5)));
        assertEquals(Long.MAX_VALUE, n.seeks.nextTimeout());
        assertEquals(1, n.seeks.seeksStarted());
        assertEquals(9, n.seeks.seeksSent());
        assertEquals(1, n.seeks.unreachable());
    }

    @Test
    void aSeekAnsweredBeforeTheTimeoutIsNotReported() {
        Node n = new Node();
        n.links.connected.add(n.k(1));
        n.seeks.seek(0, n.k(5), initiation(1), 0);
        n.seeks.found(n.k(5));
        n.seeks.onTimeout(10 * SECOND);
        assertEquals(List.of(), n.unreachable);
        assertEquals(1, n.links.sent.size());
    }

    @Test
    void aMemberThatDoesNotKnowTheTargetPassesTheSeekOnWithItselfAppendedToMembersItHasNotBeenTo() {
        Node n = new Node();
        n.links.connected.addAll(List.of(n.k(1), n.k(2), n.k(3), n.k(4)));
        // from n2, origin n1, passed [n2]: not back to n1 or n2
        n.seekFrom(0, 2, 77, 2, 1, 6, 2);
        assertEquals(List.of("seek n3 hops 1 passed [n2,n0]", "seek n4 hops 1 passed [n2,n0]"), n.links.sent);
        assertEquals(77, n.links.seeks.getFirst().seekId(), "the origin's id is kept");
        assertArrayEquals(n.k(1).toBytes(), n.links.seeks.getFirst().origin());
        assertArrayEquals(initiation(0x77), n.links.seeks.getFirst().initiation());
        // with one hop left it goes no further
        n.links.sent.clear();
        n.seekFrom(0, 3, 78, 1, 1, 6, 2, 3);
        assertEquals(List.of(), n.links.sent);
        assertEquals(2, n.seeks.received());
        assertEquals(2, n.seeks.seeksPassedOn());
    }

    @Test
    void seeksThatLieAboutTheirWayOrComeAgainOrLoopAreDroppedAndCounted() {
        Node n = new Node();
        n.links.connected.addAll(List.of(n.k(1), n.k(2), n.k(3)));
        n.seekFrom(0, 2, 1, 3, 1, 6); // from n2, but no passed keys: it must come from its origin n1
        n.seekFrom(0, 2, 1, 3, 1, 6, 3); // names n3 as its last hop
        n.seekFrom(0, 2, 1, 3, 1, 6, 2, 3, 2); // 3 hops + 3 passed: more than a route holds
        assertEquals(3, n.seeks.dropped(Seeks.Dropped.MALFORMED));
        n.seekFrom(0, 1, 5, 3, 1, 6);
        int sent = n.links.sent.size();
        n.seekFrom(0, 1, 5, 3, 1, 6); // again
        n.seekFrom(0, 2, 5, 2, 1, 6, 2); // the same seek by another way
        n.seekFrom(0, 2, 9, 2, 0, 6, 2); // our own, back through n2
        n.seekFrom(0, 3, 9, 2, 1, 6, 3); // (n1, 9) via n3: new
        n.seekFrom(0, 2, 10, 1, 1, 6, 0, 2); // passed through us already
        assertEquals(sent + 1, n.links.sent.size(), "only (n1, 9) via n3 was passed on, to n2");
        assertEquals(4, n.seeks.dropped(Seeks.Dropped.DUPLICATE));
        n.seekFrom(0, 1, 11, 3, 1, 0);
        assertEquals(1, n.seeks.dropped(Seeks.Dropped.FOR_SELF));
        Node off = new Node(DiscoveryConfig.OFF, RelayConfig.DEFAULT);
        off.links.connected.addAll(List.of(off.k(1), off.k(2)));
        off.seekFrom(0, 1, 1, 3, 1, 6);
        assertEquals(List.of(), off.links.sent);
        assertEquals(1, off.seeks.dropped(Seeks.Dropped.DISABLED));
    }

    @Test
    void seeksOverTheRateOfALinkOrAnOriginAreDropped() {
        DiscoveryConfig config = new DiscoveryConfig(true, 3, 3 * SECOND, 5, 50);
        Node n = new Node(config, RelayConfig.DEFAULT);
        n.links.connected.addAll(List.of(n.k(1), n.k(2)));
        // one origin, n1, directly: its bucket holds two seconds' worth, 10 seeks
        for (int i = 0; i < 12; i++) {
            n.seekFrom(0, 1, 100 + i, 3, 1, 6);
        }
        assertEquals(2, n.seeks.dropped(Seeks.Dropped.RATE_LIMITED), "10 taken, 2 over");
        n.seekFrom(200 * MS, 1, 200, 3, 1, 6);
        assertEquals(2, n.seeks.dropped(Seeks.Dropped.RATE_LIMITED), "a fifth of a second later, one more fits");
        n.seekFrom(200 * MS, 1, 201, 3, 1, 6);
        assertEquals(3, n.seeks.dropped(Seeks.Dropped.RATE_LIMITED), "but not two");
        // many origins behind n2: the link's bucket, 100 seeks, binds
        Node m = new Node(config, RelayConfig.DEFAULT);
        m.links.connected.addAll(List.of(m.k(2)));
        for (int i = 0; i < 120; i++) {
            m.seekFrom(0, 2, i, 2, 3 + i % 5, 1, 2); // origins n3..n7, passed [n2]
        }
        // each origin has 10 tokens: 5 origins × 10 = 50 < 100, so origins bind first here
        assertEquals(120 - 50, m.seeks.dropped(Seeks.Dropped.RATE_LIMITED));
    }

    @Test
    void aMemberThatKnowsTheTargetSplicesACircuitAndHandsTheInitiationOnOnceTheTargetSideIsOpen() {
        Node n = new Node();
        n.links.connected.addAll(List.of(n.k(1), n.k(2), n.k(6)));
        // origin n1, passed [n2]: the way back is n2 then n1
        n.seekFrom(0, 2, 42, 2, 1, 6, 2);
        assertEquals(1, n.seeks.spliced());
        List<String> opens = n.links.sent;
        assertEquals(2, opens.size());
        assertTrue(opens.get(0).startsWith("open n2 ") && opens.get(0).endsWith(" [n2, n1]"), opens.get(0));
        assertTrue(opens.get(1).startsWith("open n6 ") && opens.get(1).endsWith(" [n6]"), opens.get(1));
        long back = Long.parseLong(opens.get(0).split(" ")[2]);
        long toTarget = Long.parseLong(opens.get(1).split(" ")[2]);
        assertEquals(1, n.relay.circuits());

        byte[] answer = new byte[92];
        answer[0] = 2; // a handshake response's type and length
        n.relay.onData(0, n.k(6), toTarget, answer, 0, answer.length); // before the target's side is open: dropped
        n.relay.onOpened(10 * MS, n.k(6), toTarget, 1400);
        assertEquals("data n6 " + toTarget + " 148", n.links.sent.get(2), "the initiation, once the target's end is open");
        assertArrayEquals(initiation(0x77), n.links.data.getFirst());
        n.relay.onData(20 * MS, n.k(6), toTarget, answer, 0, answer.length); // the response, early: held
        assertEquals(3, n.links.sent.size(), "nothing back before the way to the origin is open");
        n.relay.onOpened(30 * MS, n.k(2), back, 1400);
        assertEquals("data n2 " + back + " 92", n.links.sent.get(3), "the held response goes back");
        assertEquals(4, n.links.sent.size(), "no RELAY_OPENED to anyone: nobody asked");

        byte[] transport = new byte[48];
        transport[0] = 4;
        n.relay.onData(40 * MS, n.k(2), back, transport, 0, transport.length);
        n.relay.onData(40 * MS, n.k(6), toTarget, transport, 0, transport.length);
        assertEquals(List.of("data n6 " + toTarget + " 48", "data n2 " + back + " 48"), n.links.sent.subList(4, 6),
                "an open spliced circuit carries both ways");
        n.relay.onClose(50 * MS, n.k(6), toTarget, RelayReason.CLOSED_BY_PEER);
        assertEquals("close n2 " + back + " " + RelayReason.CLOSED_BY_PEER, n.links.sent.get(6));
        assertEquals(0, n.relay.circuits());
    }

    @Test
    void aSplicedCircuitRefusedOnEitherSideClosesTheOtherAndItIsBounded() {
        Node n = new Node();
        n.links.connected.addAll(List.of(n.k(1), n.k(6)));
        n.seekFrom(0, 1, 1, 3, 1, 6);
        long back = Long.parseLong(n.links.sent.get(0).split(" ")[2]);
        long toTarget = Long.parseLong(n.links.sent.get(1).split(" ")[2]);
        n.relay.onRefused(0, n.k(1), back, RelayReason.CAPACITY);
        assertEquals("close n6 " + toTarget + " " + RelayReason.CAPACITY, n.links.sent.get(2));
        assertEquals(0, n.relay.circuits());

        Node full = new Node(DiscoveryConfig.DEFAULT, RelayConfig.DEFAULT.withMaxCircuits(0));
        full.links.connected.addAll(List.of(full.k(1), full.k(6)));
        full.seekFrom(0, 1, 1, 3, 1, 6);
        assertEquals(List.of(), full.links.sent);
        assertEquals(1, full.seeks.dropped(Seeks.Dropped.NOT_SPLICED));
        Node off = new Node(DiscoveryConfig.DEFAULT, RelayConfig.OFF);
        off.links.connected.addAll(List.of(off.k(1), off.k(6)));
        off.seekFrom(0, 1, 1, 3, 1, 6);
        assertEquals(1, off.seeks.dropped(Seeks.Dropped.NOT_SPLICED), "a node that does not relay does not splice");

        Node late = new Node();
        late.links.connected.addAll(List.of(late.k(1), late.k(6)));
        late.seekFrom(0, 1, 1, 3, 1, 6);
        late.relay.onTimeout(Relay.OPEN_TIMEOUT_NANOS);
        assertEquals(0, late.relay.circuits(), "never answered: both sides closed");
        assertTrue(late.links.sent.get(2).startsWith("close n6 ") && late.links.sent.get(3).startsWith("close n1 "),
                late.links.sent.toString());
    }

    @Test
    void theMemoryOfSeeksSeenIsBounded() {
        Node n = new Node();
        n.links.connected.add(n.k(1));
        DiscoveryConfig fast = new DiscoveryConfig(true, 3, 3 * SECOND, 1_000_000, 1_000_000);
        n.seeks.setConfig(fast);
        for (int i = 0; i < Seeks.SEEN_CAPACITY + 500; i++) {
            n.seekFrom(i * MS, 1, i, 3, 1, 6);
        }
        assertEquals(Seeks.SEEN_CAPACITY, n.seeks.seenSize());
    }

    @Test
    void aSeekSeenIsForgottenAfterItsLifetimeSoTheMemoryFollowsTheSeeksInFlight() {
        Node n = new Node();
        n.links.connected.add(n.k(1));
        n.seekFrom(0, 1, 7, 3, 1, 6);
        n.seekFrom(Seeks.SEEN_LIFETIME_NANOS, 1, 7, 3, 1, 6); // the same seek again, at the end of its lifetime
        assertEquals(1, n.seeks.dropped(Seeks.Dropped.DUPLICATE), "still remembered");
        assertEquals(1, n.seeks.seenSize());
        n.seekFrom(Seeks.SEEN_LIFETIME_NANOS + 1, 1, 8, 3, 1, 6); // another seek a moment later
        assertEquals(1, n.seeks.seenSize(), "the first is forgotten, the new one remembered");
        n.seekFrom(Seeks.SEEN_LIFETIME_NANOS + 2, 1, 7, 3, 1, 6);
        assertEquals(1, n.seeks.dropped(Seeks.Dropped.DUPLICATE), "the first seek's id is new again");
        assertEquals(2, n.seeks.seenSize());
    }

    /** n{@code from} tells the node it reaches n{@code reached...} in one hop. */
    private static void reachFrom(Node n, int from, int... reached) {
        List<PublicKey> keys = new ArrayList<>();
        for (int r : reached) {
            keys.add(n.k(r));
        }
        ReachFilter f = ReachFilter.of(keys);
        byte[] frame = new byte[io.keymesh.wire.ReachFrame.frameLength(f.length())];
        int len = io.keymesh.wire.ReachFrame.write(frame, 0, f.hashes(), f.bits(), 0, f.length());
        int body = 1 + VarInt.encodedLength(frame[1]);
        n.reach.onFrame(n.k(from), frame, body, len - body);
    }

    @Test
    void aSeekGoesOnlyToTheLinksWhoseReachFilterMayHoldItsTargetWhenAnyDoes() {
        Node n = new Node();
        n.links.connected.addAll(List.of(n.k(1), n.k(2), n.k(3), n.k(4)));
        reachFrom(n, 2, 0, 5, 6);
        reachFrom(n, 3, 0, 7);
        n.seeks.seek(0, n.k(6), initiation(1), 0);
        assertEquals(List.of("seek n2 hops 3 passed []"), n.links.sent, "only n2 reaches n6");
        assertEquals(1, n.seeks.narrowed());
        n.links.sent.clear();
        n.seeks.seek(0, n.k(5), initiation(1), 0);
        assertEquals(List.of("seek n2 hops 3 passed []"), n.links.sent);
        n.links.sent.clear();
        // passing on: from n1, the filters say n3 reaches n7
        n.seekFrom(0, 1, 9, 3, 1, 7);
        assertEquals(List.of("seek n3 hops 2 passed [n0]"), n.links.sent);
        n.links.sent.clear();
        // n3's session ends: its filter goes with it, no link is known to reach n7, so all are asked
        n.links.connected.remove(n.k(3));
        n.seeks.linkDown(n.k(3));
        n.reach.linkDown(n.k(3));
        n.seekFrom(0, 1, 11, 3, 1, 7);
        assertEquals(List.of("seek n2 hops 2 passed [n0]", "seek n4 hops 2 passed [n0]"), n.links.sent);
    }

    @Test
    void theNodeTellsEachMemberWhichOtherMembersItReachesWhenThatChangesAndOnlyThen() {
        Node n = new Node();
        n.links.connected.add(n.k(1));
        n.reach.linkUp();
        n.reach.onTimeout(0);
        assertEquals(0, n.reach.framesSent(), "a single member is told nothing: it is all this node reaches");
        n.links.connected.add(n.k(2));
        n.reach.linkUp();
        assertEquals(ReachSummaries.MIN_INTERVAL_NANOS, n.reach.nextTimeout(), "a change waits for the least interval");
        n.reach.onTimeout(ReachSummaries.MIN_INTERVAL_NANOS);
        assertEquals(2, n.reach.framesSent(), "to each member");
        n.links.connected.add(n.k(3));
        n.reach.linkUp();
        n.reach.onTimeout(2 * ReachSummaries.MIN_INTERVAL_NANOS);
        assertEquals(2 + 3, n.reach.framesSent());
        n.reach.linkUp(); // a session renewed: the same members
        n.reach.onTimeout(3 * ReachSummaries.MIN_INTERVAL_NANOS);
        assertEquals(5, n.reach.framesSent(), "nothing changed: nothing sent");
        assertEquals(Long.MAX_VALUE, n.reach.nextTimeout(), "no periodic round: it would keep idle sessions alive");
        // the last round's frame to n3 holds n1 and n2
        Node m = new Node();
        byte[] last = n.links.sentFrames.getLast();
        int body = 1 + VarInt.encodedLength(last[1]);
        m.reach.onFrame(m.k(3), last, body, last.length - body);
        assertEquals(ReachSummaries.Answer.MAY_REACH, m.reach.reaches(m.k(3), m.k(1)));
        assertEquals(ReachSummaries.Answer.MAY_REACH, m.reach.reaches(m.k(3), m.k(2)));
        assertEquals(ReachSummaries.Answer.UNKNOWN, m.reach.reaches(m.k(2), m.k(1)), "no filter from n2");
    }

    @Test
    void aRetriedSeekAsksEveryMemberInCaseAFilterWasStale() {
        Node n = new Node();
        n.links.connected.addAll(List.of(n.k(1), n.k(2)));
        reachFrom(n, 2, 0, 6);
        n.seeks.seek(0, n.k(6), initiation(1), 0);
        assertEquals(List.of("seek n2 hops 3 passed []"), n.links.sent);
        n.links.sent.clear();
        n.seeks.onTimeout(Seeks.RETRY_NANOS);
        assertEquals(List.of("seek n1 hops 3 passed []", "seek n2 hops 3 passed []"), n.links.sent);
    }

    @Test
    void splicesAreBoundedPerOriginAndOnesTheTargetNeverAnswersAreClosed() {
        DiscoveryConfig fast = new DiscoveryConfig(true, 3, 3 * SECOND, 1000, 1000);
        Node n = new Node(fast, RelayConfig.DEFAULT);
        n.links.connected.addAll(List.of(n.k(1), n.k(6)));
        for (int i = 0; i < Relay.MAX_SPLICED_PER_ORIGIN + 5; i++) {
            n.seekFrom(0, 1, 1000 + i, 3, 1, 6);
        }
        assertEquals(Relay.MAX_SPLICED_PER_ORIGIN, n.relay.circuits(), "one origin's seeks fill at most its share");
        assertEquals(5, n.seeks.dropped(Seeks.Dropped.NOT_SPLICED));
        n.seekFrom(0, 1, 2000, 2, 2, 6, 1); // origin n2 behind n1: the same link back, another origin
        assertEquals(Relay.MAX_SPLICED_PER_ORIGIN + 1, n.relay.circuits(), "counted per origin, not per link");
        n.links.sent.subList(n.links.sent.size() - 2, n.links.sent.size()).clear();
        // answer one of them: its target side opens and the response comes back
        long back = Long.parseLong(n.links.sent.get(0).split(" ")[2]);
        long toTarget = Long.parseLong(n.links.sent.get(1).split(" ")[2]);
        n.relay.onOpened(MS, n.k(6), toTarget, 1400);
        n.relay.onOpened(MS, n.k(1), back, 1400);
        byte[] response = new byte[92];
        response[0] = 2;
        n.relay.onData(2 * MS, n.k(6), toTarget, response, 0, response.length);
        n.relay.onTimeout(Relay.SPLICE_ANSWER_TIMEOUT_NANOS + 3 * SECOND);
        assertEquals(1, n.relay.circuits(), "only the answered splice is left");
        n.seekFrom(Relay.SPLICE_ANSWER_TIMEOUT_NANOS + 3 * SECOND, 1, 5000, 3, 1, 6);
        assertEquals(2, n.relay.circuits(), "room again");
    }
}
