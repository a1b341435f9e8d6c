package io.keymesh.session;

import static io.keymesh.session.EnginePair.msg;
import static io.keymesh.session.ProtocolConstants.SECOND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two ends that start a handshake at the same moment, each before the other's initiation arrives
 * (both ends' probe timeouts firing after a common stall do this): both initiations are answered and
 * both handshakes complete, and each end, completing its own after answering the other's, takes the
 * keypair in use before out of the rotation. What the other end sealed with it before it moved
 * still opens ({@link KeyRotation#retireSoon}); past the grace, or at the next rotation, it is gone.
 */
class CrossingHandshakesTest {
    private static final long[] SEEDS = {40, 41, 42, 43};

    /** The texts of delivered payloads ({@link EnginePair#text}). */
    private static List<String> texts(List<byte[]> delivered) {
        return delivered.stream().map(EnginePair::text).toList();
    }

    /**
     * A session on a first keypair, one packet each way sealed with it and held back, then both
     * ends initiate at once and the exchange runs; returns the held packets (A's, then B's).
     */
    private static byte[][] crossingWithPacketsOnTheirWay(EnginePair w) {
        w.handshake();
        assertTrue(w.a.send(msg("late from a")));
        byte[] lateA = (byte[]) w.inFlight.pollLast()[1];
        assertTrue(w.b.send(msg("late from b")));
        byte[] lateB = (byte[]) w.inFlight.pollLast()[1];
        w.advance(6 * SECOND); // past REKEY_TIMEOUT: A may initiate again
        assertTrue(w.a.engine.initiateHandshake(w.now, w.a.peer));
        assertTrue(w.b.engine.initiateHandshake(w.now, w.b.peer));
        w.flush();
        assertEquals(3, w.a.engine.responsesSent() + w.b.engine.responsesSent(), "the first handshake's and both crossing ones");
        assertTrue(w.a.send(msg("new from a")) && w.b.send(msg("new from b")));
        w.flush();
        return new byte[][] {lateA, lateB};
    }

    @Test
    void whatWasSealedWithTheKeypairInUseBeforeStillOpensAfterTheCrossing() {
        for (long seed : SEEDS) {
            EnginePair w = new EnginePair(seed);
            byte[][] late = crossingWithPacketsOnTheirWay(w);
            w.b.engine.receive(w.now, late[0], 0, late[0].length, EnginePair.ADDR_A);
            w.a.engine.receive(w.now, late[1], 0, late[1].length, EnginePair.ADDR_B);
            assertTrue(texts(w.b.delivered).containsAll(List.of("new from a", "late from a")), "seed " + seed + ": " + texts(w.b.delivered));
            assertTrue(texts(w.a.delivered).containsAll(List.of("new from b", "late from b")), "seed " + seed + ": " + texts(w.a.delivered));
            assertEquals(0, w.a.engine.dropped(DropReason.UNKNOWN_INDEX) + w.b.engine.dropped(DropReason.UNKNOWN_INDEX), "seed " + seed);
        }
    }

    @Test
    void pastTheGraceTheKeypairThatLeftTheRotationIsGone() {
        for (long seed : SEEDS) {
            EnginePair w = new EnginePair(seed);
            byte[][] late = crossingWithPacketsOnTheirWay(w);
            Keypair leaving = w.b.peer.retiring;
            assertFalse(leaving == null || leaving.isRetired(), "seed " + seed + ": b's keypair in use before still opens");
            w.now += KeyRotation.RETIRING_GRACE;
            w.b.engine.receive(w.now, late[0], 0, late[0].length, EnginePair.ADDR_A);
            assertFalse(texts(w.b.delivered).contains("late from a"), "seed " + seed);
            assertEquals(1, w.b.engine.dropped(DropReason.UNKNOWN_INDEX), "seed " + seed);
            assertTrue(leaving.isRetired(), "seed " + seed);
            assertArrayEquals(new byte[32], leaving.receiveKey, "seed " + seed + ": its keys zeroed");
            assertNull(w.b.peer.retiring);
            assertEquals(2, w.b.engine.indicesInUse(), "seed " + seed + ": previous and current left");
        }
    }

    @Test
    void theNextRotationRetiresTheKeypairThatLeftTheOneBefore() {
        EnginePair w = new EnginePair(SEEDS[0]);
        crossingWithPacketsOnTheirWay(w);
        Keypair leavingA = w.a.peer.retiring;
        Keypair leavingB = w.b.peer.retiring;
        assertFalse(leavingA == null || leavingA.isRetired() || leavingB == null || leavingB.isRetired());
        w.advance(6 * SECOND);
        w.handshake(); // a initiates, b answers: a rotation on each side
        assertTrue(leavingA.isRetired(), "retired by the initiator's rotation after the one that took it out");
        assertTrue(leavingB.isRetired(), "retired by the responder's rotation after the one that took it out");
        assertArrayEquals(new byte[32], leavingA.sendKey);
        assertArrayEquals(new byte[32], leavingB.receiveKey);
    }

    @Test
    void zeroingThePeersKeysRetiresTheKeypairThatLeftTheRotationToo() {
        EnginePair w = new EnginePair(SEEDS[1]);
        crossingWithPacketsOnTheirWay(w);
        Keypair leaving = w.b.peer.retiring;
        assertFalse(leaving == null || leaving.isRetired());
        w.advance(3 * ProtocolConstants.REJECT_AFTER_TIME + SECOND); // nothing sent: WireGuard zeroes every key
        assertNull(w.b.peer.current);
        assertTrue(leaving.isRetired());
        assertArrayEquals(new byte[32], leaving.receiveKey);
        assertNull(w.b.peer.retiring);
        assertEquals(0, w.b.engine.indicesInUse());
    }
}
