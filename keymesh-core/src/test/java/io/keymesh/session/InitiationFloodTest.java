package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.HANDSHAKE_INITIATION_RATE;
import static io.keymesh.session.ProtocolConstants.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The responder's replay and flood checks on handshake initiations (whitepaper section 5.1): an
 * initiation is consumed only if its TAI64N timestamp is newer than the last one consumed from that
 * peer, and no sooner than {@link ProtocolConstants#HANDSHAKE_INITIATION_RATE} after it.
 */
class InitiationFloodTest {

    /** An initiation from a to b created at {@code now}, taken off the wire. */
    private static byte[] initiation(EnginePair w, long now) {
        int before = w.a.transmitted.size();
        assertTrue(w.a.engine.initiateHandshakeSooner(now, w.a.peer, 0));
        assertEquals(before + 1, w.a.transmitted.size());
        w.inFlight.clear();
        return w.a.transmitted.getLast();
    }

    private static void deliver(EnginePair w, byte[] init, long now) {
        w.b.engine.receive(now, init.clone(), 0, init.length, EnginePair.ADDR_A);
    }

    @Test
    void anInitiationIsConsumedNoSoonerThanTheRateAfterTheLast() {
        EnginePair w = new EnginePair(61);
        long t = w.now;
        byte[] first = initiation(w, t);
        byte[] second = initiation(w, t + HANDSHAKE_INITIATION_RATE);
        deliver(w, first, t);
        assertEquals(1, w.b.engine.responsesSent());

        deliver(w, second, t + HANDSHAKE_INITIATION_RATE - 1);
        assertEquals(1, w.b.engine.dropped(DropReason.INITIATION_FLOOD), "a nanosecond too soon");
        assertEquals(1, w.b.engine.responsesSent());

        deliver(w, second, t + HANDSHAKE_INITIATION_RATE);
        assertEquals(2, w.b.engine.responsesSent(), "the refused one, on time: its timestamp is still newer");
        assertEquals(1, w.b.engine.droppedTotal());
    }

    @Test
    void aTimestampNotNewerThanTheLastConsumedIsStaleWhateverTheTime() {
        EnginePair w = new EnginePair(62);
        long t = w.now;
        byte[] older = initiation(w, t);
        byte[] newer = initiation(w, t + SECOND);
        deliver(w, newer, t + SECOND);
        assertEquals(1, w.b.engine.responsesSent());
        deliver(w, older, t + 10 * SECOND);
        assertEquals(1, w.b.engine.dropped(DropReason.STALE_TIMESTAMP), "older");
        deliver(w, newer, t + 20 * SECOND);
        assertEquals(2, w.b.engine.dropped(DropReason.STALE_TIMESTAMP), "the same again");
        assertEquals(1, w.b.engine.responsesSent());
        assertEquals(0, w.b.engine.dropped(DropReason.INITIATION_FLOOD));
    }

    @Test
    void refusedInitiationsLeaveTheLastTimestampAlone() {
        EnginePair w = new EnginePair(63);
        long t = w.now;
        byte[] a = initiation(w, t);
        byte[] b = initiation(w, t + SECOND);
        byte[] c = initiation(w, t + 2 * SECOND);
        deliver(w, a, t);
        deliver(w, c, t + 1); // a flood: not consumed, so its timestamp is not remembered
        assertEquals(1, w.b.engine.dropped(DropReason.INITIATION_FLOOD));
        deliver(w, b, t + SECOND);
        assertEquals(2, w.b.engine.responsesSent(), "b is newer than a, the last consumed");
        deliver(w, c, t + 2 * SECOND);
        assertEquals(3, w.b.engine.responsesSent());
    }
}
