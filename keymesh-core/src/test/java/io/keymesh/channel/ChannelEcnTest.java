package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ECN on a channel connection (RFC 9000 section 13.4, RFC 9002 section 7.1), over the simulated
 * path of {@link ConnectionPair}: a path that carries the marks is validated and stays marked; one
 * that clears or changes them is found out and no longer marked; CE marks from a router's queue
 * slow the sender without a single packet lost; ECN is not tried unless allowed.
 */
class ChannelEcnTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int ECT_1 = 1;
    private static final int CE = 3;

    private static ConnectionPair pair(long seed) {
        ConnectionPair w = new ConnectionPair(seed, ChannelConfig.DEFAULT.withMaxUdpPayload(1452));
        w.a.connection.setEcnAllowed(true);
        w.b.connection.setEcnAllowed(true);
        return w;
    }

    private static void assertDelivered(List<byte[]> sent, ConnectionPair w) {
        assertEquals(sent.size(), w.b.messages.size());
        for (int i = 0; i < sent.size(); i++) {
            assertTrue(java.util.Arrays.equals(sent.get(i), w.b.messages.get(i)), "message " + i);
        }
    }

    @Test
    void aPathThatCarriesTheMarksIsValidatedAndStaysMarked() {
        ConnectionPair w = pair(1);
        List<byte[]> m = ChannelConnectionTest.messages(1, 200, 10_000);
        w.transfer(1, m, w.now + 60 * SECOND);
        assertDelivered(m, w);
        assertEquals(EcnValidation.State.CAPABLE, w.a.connection.stats().ecn());
        assertTrue(w.a.connection.ecnMarking());
        assertNull(w.a.connection.ecn().failure());
        assertEquals(0, w.a.connection.stats().ceMarks());
    }

    @Test
    void aPathThatClearsTheMarksFailsValidationAndStopsMarking() {
        ConnectionPair w = pair(2);
        w.a.ecnPath = (sent, queued) -> 0; // bleached
        List<byte[]> m = ChannelConnectionTest.messages(2, 200, 10_000);
        w.transfer(1, m, w.now + 60 * SECOND);
        assertDelivered(m, w);
        assertEquals(EcnValidation.State.FAILED, w.a.connection.stats().ecn());
        assertFalse(w.a.connection.ecnMarking());
        assertEquals("marked packets acknowledged without ECN counts", w.a.connection.ecn().failure());
        // the other direction carried b's marks: it stays validated
        assertEquals(EcnValidation.State.CAPABLE, w.b.connection.stats().ecn());
    }

    @Test
    void aPathThatChangesTheMarksFailsValidation() {
        ConnectionPair w = pair(3);
        w.a.ecnPath = (sent, queued) -> sent == 2 ? ECT_1 : sent; // ECT(0) rewritten as ECT(1)
        List<byte[]> m = ChannelConnectionTest.messages(3, 100, 10_000);
        w.transfer(1, m, w.now + 60 * SECOND);
        assertDelivered(m, w);
        assertEquals(EcnValidation.State.FAILED, w.a.connection.stats().ecn());
        assertTrue(w.a.connection.ecn().failure().contains("counts rose by 0"), w.a.connection.ecn().failure());
    }

    @Test
    void congestionExperiencedMarksSlowTheSenderWithoutALoss() {
        ConnectionPair w = pair(4);
        w.bandwidthBitsPerSecond = 100_000_000L; // a 100 Mbit/s bottleneck, 10 ms of latency
        w.latencyNanos = 10_000_000L;
        w.maxQueuedPackets = 2_000; // deep enough that nothing is dropped if the sender listens
        // an AQM that marks instead of dropping once 20 packets wait
        w.a.ecnPath = (sent, queued) -> sent != 0 && queued >= 20 ? CE : sent;
        List<byte[]> m = ChannelConnectionTest.messages(4, 400, 60_000);
        w.transfer(1, m, w.now + 120 * SECOND);
        assertDelivered(m, w);
        ChannelConnection.Stats s = w.a.connection.stats();
        assertEquals(EcnValidation.State.CAPABLE, s.ecn());
        assertTrue(s.ceMarks() > 0, "CE marks were reported: " + s);
        assertEquals(0, s.packetsLost(), "the sender slowed down before the queue overflowed");
        assertEquals(0, w.a.droppedPackets);
    }

    @Test
    void withoutPermissionNothingIsMarkedAndCountsAreIgnored() {
        ConnectionPair w = new ConnectionPair(5, ChannelConfig.DEFAULT.withMaxUdpPayload(1452));
        w.b.connection.setEcnAllowed(true); // b marks; a may not
        w.a.ecnPath = (sent, queued) -> {
            assertEquals(0, sent, "a marks nothing");
            return CE; // and a router's marks on a's unmarked packets count for nothing
        };
        List<byte[]> m = ChannelConnectionTest.messages(5, 100, 10_000);
        w.transfer(1, m, w.now + 60 * SECOND);
        assertDelivered(m, w);
        assertEquals(EcnValidation.State.DISABLED, w.a.connection.stats().ecn());
        assertEquals(0, w.a.connection.stats().ceMarks());
    }
}
