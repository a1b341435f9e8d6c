package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The limit on channels a peer may open (RFC 9000 section 4.6), held and respected, over a simulated link. */
class ChannelLimitsTest {
    private static final long SECOND = 1_000_000_000L;

    /** b lets the peer open 4 channels; a peer that ignores that and opens a fifth loses the connection. */
    @Test
    void aPeerOpeningMoreChannelsThanTheLimitIsAViolation() {
        ConnectionPair w = new ConnectionPair(70, ChannelConfig.DEFAULT.withMaxChannels(100), ChannelConfig.DEFAULT.withMaxChannels(4));
        for (int i = 0; i < 4; i++) {
            assertTrue(w.a.connection.send(w.now, 10 + 2 * i, new byte[] {(byte) i}));
        }
        w.runUntil(w.now + SECOND, () -> w.b.messages.size() == 4);
        assertEquals(4, w.b.messages.size());
        assertEquals(4, w.b.connection.channelsOpenedByPeer());
        assertEquals(0, w.b.connection.protocolViolations());

        assertTrue(w.a.connection.send(w.now, 99, new byte[] {9}));
        w.runUntil(w.now + SECOND, () -> !w.a.lostReasons.isEmpty());
        assertEquals(List.of("protocol violation by the peer: channel 99: more channels than the limit of 4 opened (STREAM_LIMIT_ERROR)"),
                w.b.lostReasons);
        assertEquals(1, w.b.connection.protocolViolations());
        assertEquals(List.of(10L, 12L, 14L, 16L), w.b.opened, "the fifth channel was never opened");
        assertEquals(4, w.b.messages.size());
        assertTrue(w.a.lostReasons.getFirst().startsWith("the peer closed the connection: channel 99: more channels"),
                w.a.lostReasons.toString());
    }

    /**
     * With a limit of 2, a opens six channels at once: two go, the others wait (their messages
     * queued, nothing sent on them) until b's MAX_STREAMS follows channels retiring; all arrive,
     * never more than two open on b at a time, and no violation.
     */
    @Test
    void openingBeyondThePeersLimitWaitsForMaxStreams() {
        ConnectionPair w = new ConnectionPair(71, ChannelConfig.DEFAULT.withMaxChannels(2));
        for (int i = 0; i < 6; i++) {
            long id = 2L * i;
            assertTrue(w.a.connection.send(w.now, id, new byte[] {(byte) i}));
            assertTrue(w.a.connection.closeChannel(w.now, id));
        }
        w.runUntil(w.now + SECOND, () -> false);
        assertEquals(2, w.b.messages.size(), "two channels opened, four wait");
        assertEquals(List.of(0L, 2L), w.b.opened);
        assertEquals(2, w.a.connection.channelsOpened());
        assertEquals(2, w.a.connection.peerChannelLimit());

        long maxOpenOnB = 0;
        List<Long> closedByB = new ArrayList<>();
        long deadline = w.now + 10 * SECOND;
        while (true) {
            for (long[] c : w.b.closed) {
                if (!closedByB.contains(c[0])) {
                    closedByB.add(c[0]);
                    w.b.connection.closeChannel(w.now, c[0]); // b ends its side: the channel retires
                }
            }
            maxOpenOnB = Math.max(maxOpenOnB, w.b.connection.channelsOpenedByPeer());
            if (closedByB.size() == 6) {
                break;
            }
            int seen = w.b.closed.size();
            w.runUntil(deadline, () -> w.b.closed.size() > seen);
            assertTrue(w.now < deadline, "stuck: " + w.b.messages.size() + " messages, closed by b " + closedByB);
        }
        w.runUntil(w.now + SECOND, () -> false);
        assertEquals(6, w.b.messages.size());
        assertEquals(List.of(0, 1, 2, 3, 4, 5), w.b.messages.stream().map(m -> (int) m[0]).sorted().toList());
        assertTrue(maxOpenOnB <= 2, "open on b at once: " + maxOpenOnB);
        assertEquals(6, w.a.connection.channelsOpened());
        assertEquals(0, w.a.connection.protocolViolations() + w.b.connection.protocolViolations());
        assertFalse(w.a.connection.isLost() || w.b.connection.isLost());
        assertEquals(0, w.b.connection.channelsOpenedByPeer(), "all retired");
    }

    private static final ChannelConfig SMALL_INCOMPLETE = ChannelConfig.DEFAULT.withMaxMessage(100_000, 150_000);

    /**
     * Four channels each send three 100,000-byte messages at once over a lossy link, with at most
     * 150,000 bytes of incomplete messages on the connection: the sender starts a message only
     * while that bound has room, so the receiver never holds more, and everything arrives.
     */
    @Test
    void theSenderKeepsIncompleteMessagesWithinTheBound() {
        ConnectionPair w = new ConnectionPair(72, SMALL_INCOMPLETE);
        w.loss = 0.02;
        long[] most = new long[2];
        w.a.onTransmit = () -> most[0] = Math.max(most[0], w.a.connection.incompleteBytesReserved());
        w.b.onTransmit = () -> most[1] = Math.max(most[1], w.b.connection.incompleteBytesHeld());
        List<byte[]> sent = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int ch = 0; ch < 4; ch++) {
                byte[] m = new byte[100_000];
                java.util.Arrays.fill(m, (byte) (round * 4 + ch));
                sent.add(m);
                assertTrue(w.a.connection.send(w.now, ch, m));
            }
        }
        w.runUntil(w.now + 60 * SECOND, () -> w.b.messages.size() == 12);
        assertEquals(12, w.b.messages.size());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
                w.b.messages.stream().map(m -> (int) m[0]).sorted().toList());
        assertEquals(0, w.a.connection.protocolViolations() + w.b.connection.protocolViolations());
        assertTrue(most[0] <= 150_000 && most[0] >= 100_000, "most reserved by the sender: " + most[0]);
        assertTrue(most[1] <= 150_000 && most[1] > 0, "most held by the receiver: " + most[1]);
        w.runUntil(w.now + SECOND, () -> false);
        assertEquals(0, w.a.connection.incompleteBytesReserved(), "all acknowledged");
        assertEquals(0, w.b.connection.incompleteBytesHeld());
    }

    /** A sender that ignores the bound (its own is larger) makes the receiver close the connection. */
    @Test
    void aPeerSendingMoreIncompleteMessagesThanTheBoundIsAViolation() {
        ConnectionPair w = new ConnectionPair(73, ChannelConfig.DEFAULT.withMaxMessage(100_000, 10_000_000), SMALL_INCOMPLETE);
        for (int ch = 0; ch < 3; ch++) {
            assertTrue(w.a.connection.send(w.now, ch, new byte[100_000]));
        }
        w.runUntil(w.now + 10 * SECOND, () -> !w.b.lostReasons.isEmpty());
        assertEquals(1, w.b.lostReasons.size());
        String reason = w.b.lostReasons.getFirst();
        assertTrue(reason.startsWith("protocol violation by the peer: channel ") && reason.endsWith(": INCOMPLETE_MESSAGES"), reason);
        assertEquals(1, w.b.connection.protocolViolations());
        assertEquals(0, w.b.messages.size());
    }
}
