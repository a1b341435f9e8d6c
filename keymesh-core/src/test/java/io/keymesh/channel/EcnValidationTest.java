package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.wire.AckFrame;
import org.junit.jupiter.api.Test;

/** {@link EcnValidation}'s rules, one ACK frame at a time. */
class EcnValidationTest {
    private static AckFrame ack(long ect0, long ect1, long ce) {
        AckFrame f = new AckFrame();
        f.addRange(0, 100);
        f.setEcnCounts(ect0, ect1, ce);
        return f;
    }

    private static AckFrame plainAck() {
        AckFrame f = new AckFrame();
        f.addRange(0, 100);
        return f;
    }

    private static void acked(EcnValidation v, int marked, long sentAt) {
        for (int i = 0; i < marked; i++) {
            v.onAcked(true, sentAt + i);
        }
    }

    @Test
    void countsThatAccountForTheMarkedPacketsValidateThePath() {
        EcnValidation v = new EcnValidation(true);
        assertEquals(EcnValidation.State.TESTING, v.state());
        assertTrue(v.marking());
        acked(v, 3, 100);
        assertEquals(-1, v.onAckFrame(ack(3, 0, 0)));
        assertEquals(EcnValidation.State.CAPABLE, v.state());
        assertTrue(v.marking());
    }

    @Test
    void aRiseInCeOnAValidatedPathIsACongestionEventAtTheNewestAckedPacket() {
        EcnValidation v = new EcnValidation(true);
        acked(v, 2, 100);
        v.onAckFrame(ack(2, 0, 0));
        acked(v, 4, 200); // sent at 200..203
        assertEquals(203, v.onAckFrame(ack(4, 0, 2)));
        assertEquals(2, v.ceMarks());
        acked(v, 1, 300);
        assertEquals(-1, v.onAckFrame(ack(5, 0, 2)), "no new CE: no event");
    }

    @Test
    void markedPacketsAcknowledgedWithoutCountsFailThePath() {
        EcnValidation v = new EcnValidation(true);
        acked(v, 1, 100);
        v.onAckFrame(plainAck());
        assertEquals(EcnValidation.State.FAILED, v.state());
        assertFalse(v.marking());
        assertEquals("marked packets acknowledged without ECN counts", v.failure());
    }

    @Test
    void countsRisingByLessThanTheMarkedPacketsFailThePath() {
        EcnValidation v = new EcnValidation(true);
        acked(v, 2, 100);
        v.onAckFrame(ack(2, 0, 0));
        acked(v, 5, 200);
        v.onAckFrame(ack(4, 0, 2)); // 5 newly acknowledged, counts rose by 2 + 2
        assertEquals(EcnValidation.State.FAILED, v.state());
        assertEquals("5 marked packets acknowledged but the ECT(0) and CE counts rose by 4", v.failure());
        acked(v, 3, 300);
        assertEquals(-1, v.onAckFrame(ack(4, 0, 9)), "a failed path's counts are ignored");
    }

    @Test
    void anOlderAckFrameWithLowerCountsIsIgnored() {
        EcnValidation v = new EcnValidation(true);
        acked(v, 5, 100);
        v.onAckFrame(ack(5, 0, 0));
        v.onAckFrame(ack(3, 0, 0)); // reordered behind the newer one: nothing newly acknowledged
        assertEquals(EcnValidation.State.CAPABLE, v.state());
    }

    @Test
    void markedPacketsLostBeforeAnyIsAcknowledgedFailTheTest() {
        EcnValidation v = new EcnValidation(true);
        for (int i = 0; i < EcnValidation.TESTING_LOSS_LIMIT - 1; i++) {
            v.onLost(true);
            v.onLost(false);
        }
        assertEquals(EcnValidation.State.TESTING, v.state());
        v.onLost(true);
        assertEquals(EcnValidation.State.FAILED, v.state());
        assertEquals(EcnValidation.TESTING_LOSS_LIMIT + " marked packets lost and none acknowledged", v.failure());
    }

    @Test
    void lossesAfterAValidationDoNotFailThePath() {
        EcnValidation v = new EcnValidation(true);
        acked(v, 1, 100);
        v.onAckFrame(ack(1, 0, 0));
        for (int i = 0; i < 2 * EcnValidation.TESTING_LOSS_LIMIT; i++) {
            v.onLost(true);
        }
        assertEquals(EcnValidation.State.CAPABLE, v.state());
    }

    @Test
    void aDisabledPathNeverMarksAndIgnoresCounts() {
        EcnValidation v = new EcnValidation(false);
        assertFalse(v.marking());
        acked(v, 3, 100);
        assertEquals(-1, v.onAckFrame(ack(0, 0, 3)));
        assertEquals(EcnValidation.State.DISABLED, v.state());
        assertEquals(0, v.ceMarks());
    }
}
