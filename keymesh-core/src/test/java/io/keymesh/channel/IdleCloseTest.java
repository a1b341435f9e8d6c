package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.channel.ConnectionPair.End;
import io.keymesh.wire.MeshFrame;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both ends of an idle connection with no channel agree to forget it ({@link IdleClose}), and no
 * message is lost to it: not when the peer opens a channel while the proposal travels, not when
 * proposals cross, not when the acceptance is lost.
 */
class IdleCloseTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long IDLE = 4 * SECOND;
    private static final ChannelConfig CONFIG = ChannelConfig.DEFAULT.withIdleTimeoutNanos(IDLE);

    /** A pair whose ends both enable idle close and act as nodes do after one (a new connection when needed). */
    private static ConnectionPair pair(long seed, long latencyNanos) {
        ConnectionPair p = new ConnectionPair(seed, CONFIG);
        p.latencyNanos = latencyNanos;
        for (End e : List.of(p.a, p.b)) {
            e.connection.setIdleClose(true);
            e.renewConfig = CONFIG;
            e.renewIds = new SplittableRandom(seed * 31 + e.name.hashCode());
        }
        return p;
    }

    /** Runs until {@code end}'s connection has a proposal pending (or {@code until}). */
    private static void runUntilProposing(ConnectionPair p, End end, long until) {
        p.runUntil(until, () -> end.connection.idleClosePending());
        assertTrue(end.connection.idleClosePending(), end.name + " proposed within the time");
    }

    /** Runs until one end proposes (within a minute); returns it. */
    private static End firstProposer(ConnectionPair p) {
        p.runUntil(p.now + 60 * SECOND, () -> p.a.connection.idleClosePending() || p.b.connection.idleClosePending());
        assertTrue(p.a.connection.idleClosePending() ^ p.b.connection.idleClosePending(), "one end proposed");
        return p.a.connection.idleClosePending() ? p.a : p.b;
    }

    private static boolean carries(byte[] payload, int frameType) {
        boolean[] found = new boolean[1];
        MeshFrame.forEach(payload, 0, payload.length, (type, b, off, len) -> found[0] |= type == frameType);
        return found[0];
    }

    /** One exchange on channel {@code id}, both sides closing it, run until it is retired on both. */
    private static void exchangeAndClose(ConnectionPair p, long id) {
        assertTrue(p.a.live().send(p.now, id, new byte[] {1}));
        p.runUntil(p.now + 10 * SECOND, () -> p.b.messages.size() == 1);
        assertTrue(p.b.live().send(p.now, id, new byte[] {2}));
        assertTrue(p.a.connection.closeChannel(p.now, id));
        assertTrue(p.b.connection.closeChannel(p.now, id));
        p.runUntil(p.now + 10 * SECOND, () -> !p.a.connection.hasChannels() && !p.b.connection.hasChannels());
        assertFalse(p.a.connection.hasChannels() || p.b.connection.hasChannels(), "the channel retired on both ends");
    }

    @Test
    void bothEndsForgetAConnectionIdleWithoutChannelsAndTheNextMessageStartsAnother() {
        ConnectionPair p = pair(1, 10_000_000L);
        exchangeAndClose(p, 5);
        ChannelConnection first = p.a.connection;
        long quietSince = p.now;
        p.runUntil(p.now + IDLE + SECOND, () -> p.a.closedIdle > 0 && p.b.closedIdle > 0);
        assertEquals(1, p.a.closedIdle);
        assertEquals(1, p.b.closedIdle);
        assertTrue(p.now - quietSince >= IDLE, "not before the idle timeout");
        assertTrue(p.a.lostReasons.isEmpty() && p.b.lostReasons.isEmpty(), "nothing reported lost: " + p.a.lostReasons + p.b.lostReasons);
        assertTrue(first.isLost());
        assertEquals(Long.MAX_VALUE, first.nextTimeout(), "a forgotten connection has no timer");

        long sentBefore = p.a.sentPackets + p.b.sentPackets;
        p.runUntil(p.now + 10 * IDLE, () -> false);
        assertEquals(sentBefore, p.a.sentPackets + p.b.sentPackets, "nothing sent while nothing is held");

        // Channel 5 was used and closed on the forgotten connection; the new one numbers afresh.
        assertTrue(p.a.live().send(p.now, 5, new byte[] {3}));
        assertNotSame(first, p.a.connection);
        p.runUntil(p.now + SECOND, () -> p.b.messages.size() == 2);
        assertArrayEquals(new byte[] {3}, p.b.messages.get(1));
        assertEquals(5L, p.b.messageChannels.get(1));
        assertTrue(p.a.lostReasons.isEmpty() && p.b.lostReasons.isEmpty(), "the peer saw no restart: " + p.b.lostReasons);
    }

    @Test
    void aConnectionWithAnOpenChannelIsNeverProposed() {
        ConnectionPair p = pair(2, 10_000_000L);
        assertTrue(p.a.live().send(p.now, 1, new byte[] {1}));
        p.runUntil(p.now + 20 * IDLE, () -> p.a.closedIdle + p.b.closedIdle > 0 || p.a.connection.idleClosePending()
                || p.b.connection.idleClosePending());
        assertEquals(0, p.a.closedIdle + p.b.closedIdle);
        assertFalse(p.a.connection.idleClosePending() || p.b.connection.idleClosePending());
        assertEquals(1, p.b.messages.size());
    }

    @Test
    void aPeerThatOpensAChannelWhileTheProposalTravelsRefusesAndNothingIsLost() {
        ConnectionPair p = pair(3, 50_000_000L);
        exchangeAndClose(p, 1);
        End proposer = firstProposer(p);
        End peer = proposer.other;
        // The peer opens a channel before the proposal reaches it; the proposer's own message waits for the answer.
        assertTrue(peer.live().send(p.now, 8, new byte[] {8}));
        assertFalse(proposer.connection.canSend(7, 1));
        assertFalse(proposer.connection.send(p.now, 7, new byte[] {7}), "held while the proposal is pending");
        p.runUntil(p.now + SECOND, () -> proposer.writable.contains(7L));
        assertTrue(proposer.writable.contains(7L), "told writable when the peer refused");
        assertFalse(proposer.connection.idleClosePending());
        assertTrue(proposer.connection.send(p.now, 7, new byte[] {7}));
        p.runUntil(p.now + SECOND, () -> peer.messages.size() == 2 && proposer.messages.size() == 2);
        assertArrayEquals(new byte[] {8}, proposer.messages.get(1), "the peer's message arrived");
        assertArrayEquals(new byte[] {7}, peer.messages.get(1), "the proposer's message arrived");
        assertEquals(0, p.a.closedIdle + p.b.closedIdle);
        assertTrue(p.a.lostReasons.isEmpty() && p.b.lostReasons.isEmpty());
    }

    @Test
    void messagesHeldDuringAnAcceptedProposalGoOnTheNextConnection() {
        ConnectionPair p = pair(4, 50_000_000L);
        exchangeAndClose(p, 1);
        End proposer = firstProposer(p);
        End peer = proposer.other;
        assertFalse(proposer.connection.send(p.now, 3, new byte[] {3}));
        int[] resent = new int[1];
        proposer.onSendable = () -> {
            if (proposer.closedIdle > 0 && resent[0] == 0) {
                resent[0]++;
                assertTrue(proposer.live().send(p.now, 3, new byte[] {3}));
            }
        };
        p.runUntil(p.now + SECOND, () -> peer.messages.size() == 2);
        assertEquals(1, p.a.closedIdle);
        assertEquals(1, p.b.closedIdle);
        assertArrayEquals(new byte[] {3}, peer.messages.get(1));
        assertTrue(p.a.lostReasons.isEmpty() && p.b.lostReasons.isEmpty());
    }

    @Test
    void crossingProposalsAreBothAccepted() {
        // A one-way latency longer than the gap between the two ends' idle timers: each proposes
        // before the other's proposal arrives.
        ConnectionPair p = pair(5, SECOND);
        exchangeAndClose(p, 1);
        End first = firstProposer(p);
        runUntilProposing(p, first.other, p.now + SECOND - 1);
        p.runUntil(p.now + 2 * SECOND, () -> p.a.closedIdle > 0 && p.b.closedIdle > 0);
        assertEquals(1, p.a.closedIdle);
        assertEquals(1, p.b.closedIdle);
        long sentBefore = p.a.sentPackets + p.b.sentPackets;
        p.runUntil(p.now + 5 * IDLE, () -> false);
        assertEquals(sentBefore, p.a.sentPackets + p.b.sentPackets, "the late answers brought no connection back");
        assertTrue(p.a.lostReasons.isEmpty() && p.b.lostReasons.isEmpty());
    }

    @Test
    void aLostAcceptanceEndsInANewConnectionNotALoss() {
        ConnectionPair p = pair(6, 20_000_000L);
        exchangeAndClose(p, 1);
        int[] dropped = new int[1];
        for (End e : List.of(p.a, p.b)) {
            e.dropIf = payload -> carries(payload, MeshFrame.IDLE_CLOSE_ANSWER) && dropped[0]++ == 0;
        }
        End proposer = firstProposer(p);
        End peer = proposer.other;
        assertFalse(proposer.connection.send(p.now, 3, new byte[] {3}));
        proposer.onSendable = () -> {
            if (proposer.connection.canSend(3, 1) || proposer.closedIdle > 0) {
                proposer.live().send(p.now, 3, new byte[] {3});
                proposer.onSendable = () -> { };
            }
        };
        p.runUntil(p.now + 3 * SECOND, () -> peer.messages.size() == 2);
        assertEquals(1, dropped[0], "the acceptance was dropped");
        assertEquals(1, peer.closedIdle, "the peer forgot");
        assertArrayEquals(new byte[] {3}, peer.messages.get(1), "the held message arrived on the connection that followed");
        assertTrue(p.a.lostReasons.isEmpty() && p.b.lostReasons.isEmpty(), p.a.lostReasons + " " + p.b.lostReasons);
    }

    @Test
    void aPeerThatDoesNotKnowIdleCloseAcknowledgesTheProposalAndTheProposerGoesOn() {
        ConnectionPair p = pair(9, 20_000_000L);
        // An older b: it skips the frames it does not know, so it never answers (here its
        // refusals lose their type on the way) and never proposes.
        p.b.connection.setIdleClose(false);
        p.b.rewrite = payload -> {
            MeshFrame.forEach(payload, 0, payload.length, (type, b, off, len) -> {
                if (type == MeshFrame.IDLE_CLOSE_ANSWER) {
                    b[off - 2] = 0x3f; // a type nobody knows
                }
            });
            return payload;
        };
        exchangeAndClose(p, 1);
        End proposer = firstProposer(p);
        assertEquals(p.a, proposer);
        assertFalse(proposer.connection.send(p.now, 7, new byte[] {7}));
        p.runUntil(p.now + SECOND, () -> proposer.writable.contains(7L));
        assertTrue(proposer.writable.contains(7L), "the acknowledgement without an answer counts as a refusal");
        assertFalse(proposer.connection.idleClosePending());
        assertTrue(proposer.connection.send(p.now, 7, new byte[] {7}));
        p.runUntil(p.now + SECOND, () -> proposer.other.messages.size() == 2);
        assertArrayEquals(new byte[] {7}, proposer.other.messages.get(1));
        assertEquals(0, p.a.closedIdle + p.b.closedIdle);
        assertTrue(p.a.lostReasons.isEmpty() && p.b.lostReasons.isEmpty());
        // and it is not asked again on this connection: the older peer would never answer
        p.runUntil(p.now + 10 * IDLE, () -> proposer.connection.idleClosePending());
        assertFalse(proposer.connection.idleClosePending());
    }

    @Test
    void aProposalUnansweredForTheIdleTimeoutEndsTheConnectionAndWhatWaitedTakesTheNext() {
        ConnectionPair p = pair(7, 10_000_000L);
        exchangeAndClose(p, 1);
        p.b.dropIf = payload -> true; // the link fails both ways
        p.a.dropIf = payload -> true;
        End proposer = firstProposer(p);
        long proposedAt = p.now;
        assertFalse(proposer.connection.send(p.now, 3, new byte[] {3}), "held while the proposal waits");
        p.runUntil(p.now + 2 * IDLE, () -> proposer.closedIdle > 0);
        assertEquals(1, proposer.closedIdle, "ended as agreed: the peer was silent the whole idle timeout");
        assertEquals(proposedAt + IDLE, p.now, "the idle timeout after the proposal");
        assertTrue(proposer.lostReasons.isEmpty(), "nothing to report: " + proposer.lostReasons);
        // The link comes back; the held message goes on a new connection, which the peer (that
        // forgot nothing, never having heard the proposal) takes as a new one: nothing of it was open.
        p.a.dropIf = null;
        p.b.dropIf = null;
        assertTrue(proposer.live().send(p.now, 3, new byte[] {3}));
        p.runUntil(p.now + 5 * SECOND, () -> proposer.other.messages.size() == 2);
        assertArrayEquals(new byte[] {3}, proposer.other.messages.get(1));
        assertTrue(p.a.lostReasons.isEmpty() && p.b.lostReasons.isEmpty(), p.a.lostReasons + " " + p.b.lostReasons);
    }

    /**
     * Conversations at random moments from both ends — each a new channel, a few messages, closed
     * by both — with pauses around the idle timeout, over a lossy, reordering link: every message
     * arrives once and in order, nothing is reported lost, and connections were forgotten on the way.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
    void conversationsAroundTheIdleTimeoutLoseNothing(long seed) {
        ConnectionPair p = pair(seed, 30_000_000L);
        p.loss = 0.05;
        p.jitterNanos = 10_000_000L;
        p.reordering = 0.05;
        p.duplication = 0.02;
        SplittableRandom r = new SplittableRandom(seed);
        Conversations atA = new Conversations(p, p.a, 1);
        Conversations atB = new Conversations(p, p.b, 2);
        for (int round = 0; round < 40; round++) {
            Conversations s = r.nextBoolean() ? atA : atB;
            s.converse(1 + r.nextInt(4));
            // a pause of 0.5 to 1.5 idle timeouts: many end around a proposal
            long pause = IDLE / 2 + r.nextLong(IDLE);
            p.runUntil(p.now + pause, () -> false);
        }
        p.runUntil(p.now + 10 * IDLE, () -> atA.delivered() && atB.delivered());
        p.runUntil(p.now + 3 * IDLE, () -> false);
        assertTrue(p.a.lostReasons.isEmpty() && p.b.lostReasons.isEmpty(), p.a.lostReasons + " " + p.b.lostReasons);
        atA.check();
        atB.check();
        assertTrue(p.a.closedIdle + p.b.closedIdle >= 10, "connections were forgotten: " + p.a.closedIdle + "/" + p.b.closedIdle);
    }
}
