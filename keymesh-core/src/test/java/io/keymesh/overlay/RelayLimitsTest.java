package io.keymesh.overlay;

import static io.keymesh.overlay.RecordingLinks.key;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PublicKey;
import io.keymesh.overlay.RecordingLinks.Sent;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.HandshakeResponse;
import io.keymesh.wire.RelayReason;
import io.keymesh.wire.TransportData;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relay service's bounds driven to the limit and one past it: {@link RelayConfig#maxCircuits()}
 * at its default (1,024) and {@link Relay#MAX_EARLY}, against recording links.
 */
class RelayLimitsTest {
    private static final long NOW = 1_000_000_000_000L;

    private final PublicKey self = key(0);
    private final PublicKey a = key(1);
    private final PublicKey b = key(2);
    private final PublicKey c = key(3);
    private final RecordingLinks links = new RecordingLinks();

    private Relay relay(RelayConfig config) {
        links.connected.addAll(List.of(a, b, c));
        return new Relay(self, config, links, new CircuitIds(self, 0));
    }

    private static byte[] message(int type, int length, int fill) {
        byte[] m = new byte[length];
        java.util.Arrays.fill(m, (byte) fill);
        m[0] = (byte) type;
        m[1] = 0;
        m[2] = 0;
        m[3] = 0;
        return m;
    }

    /**
     * One opener takes all 1,024 circuits of the default configuration: the limit is one for the
     * relay, with no share per opener, so a second opener is refused as well; the circuits joined
     * keep carrying, and one closed makes room for exactly one more.
     */
    @Test
    void theCircuitPastMaxCircuitsIsRefusedWithCapacityAndOneClosedMakesRoom() {
        Relay relay = relay(RelayConfig.DEFAULT);
        int max = RelayConfig.DEFAULT.maxCircuits();
        assertEquals(1024, max);
        for (int i = 0; i < max; i++) {
            relay.onOpen(NOW, a, 2 * i + 1, List.of(self, b));
        }
        assertEquals(max, relay.circuits());
        assertEquals(max, links.sent("open").size(), "every one of them was passed on to b");
        assertEquals(List.of(), links.sent("refused"));

        relay.onOpen(NOW, a, 2 * max + 1, List.of(self, b));
        assertEquals(List.of(new Sent("refused", a, 2 * max + 1, RelayReason.CAPACITY, null)).toString(),
                links.sent("refused").toString());
        assertEquals(1, relay.refused(RelayReason.CAPACITY));
        assertEquals(max, relay.circuits());
        assertEquals(max, links.sent("open").size(), "the refused one went nowhere");

        relay.onOpen(NOW, c, 1, List.of(self, b));
        assertEquals(2, relay.refused(RelayReason.CAPACITY), "another opener finds no room either: no share per opener");
        assertFalse(relay.splice(NOW, List.of(c), b, message(1, HandshakeInitiation.LENGTH, 9), 0),
                "a splice counts against the same limit");

        // a circuit joined before the limit keeps carrying
        Sent first = links.sent("open").getFirst();
        assertTrue(relay.onOpened(NOW, b, first.circuit(), 1400));
        byte[] data = message(4, TransportData.MIN_LENGTH + 16, 0x5a);
        assertTrue(relay.onData(NOW, a, 1, data, 0, data.length));
        assertEquals(1, relay.packetsForwarded());
        assertArrayEquals(data, links.sent("data").getFirst().data());
        assertEquals(first.circuit(), links.sent("data").getFirst().circuit());

        // one closed: room for exactly one
        assertTrue(relay.onClose(NOW, a, 3, RelayReason.IDLE));
        assertEquals(max - 1, relay.circuits());
        relay.onOpen(NOW, c, 3, List.of(self, b));
        assertEquals(max, relay.circuits());
        assertEquals(max + 1, links.sent("open").size());
        relay.onOpen(NOW, c, 5, List.of(self, b));
        assertEquals(3, relay.refused(RelayReason.CAPACITY));
        assertEquals(max, relay.circuits());
    }

    /**
     * A spliced circuit whose way back to the origin is not open yet holds the target's first
     * {@link Relay#MAX_EARLY} messages; a fifth and sixth are dropped and counted, and the four held
     * go to the origin in order once its side opens.
     */
    @Test
    void aFifthEarlyMessageIsDroppedAndCountedAndTheFourHeldArriveInOrder() {
        Relay relay = relay(RelayConfig.DEFAULT);
        byte[] init = message(1, HandshakeInitiation.LENGTH, 0x11);
        assertTrue(relay.splice(NOW, List.of(a), b, init, 0));
        long back = links.sent("open").get(0).circuit();
        long toTarget = links.sent("open").get(1).circuit();
        assertTrue(relay.onOpened(NOW, b, toTarget, 1400));
        assertArrayEquals(init, links.sent("data").getFirst().data(), "the initiation went to the target");
        links.sent.clear();

        byte[][] early = new byte[6][];
        early[0] = message(2, HandshakeResponse.LENGTH, 0x20);
        for (int i = 1; i < early.length; i++) {
            early[i] = message(4, TransportData.MIN_LENGTH, 0x20 + i);
        }
        for (int i = 0; i < early.length; i++) {
            assertTrue(relay.onData(NOW, b, toTarget, early[i], 0, early[i].length));
            assertEquals(Math.max(0, i + 1 - Relay.MAX_EARLY), relay.earlyDropped(), "after message " + i);
        }
        assertEquals(4, Relay.MAX_EARLY);
        assertEquals(2, relay.earlyDropped());
        assertEquals(List.of(), links.sent("data"), "nothing goes back before the origin's side is open");

        assertTrue(relay.onOpened(NOW, a, back, 1400));
        List<Sent> held = links.sent("data");
        assertEquals(Relay.MAX_EARLY, held.size());
        for (int i = 0; i < held.size(); i++) {
            assertEquals(a, held.get(i).link());
            assertEquals(back, held.get(i).circuit());
            assertArrayEquals(early[i], held.get(i).data(), "held message " + i);
        }
        byte[] later = message(4, TransportData.MIN_LENGTH, 0x77);
        assertTrue(relay.onData(NOW, b, toTarget, later, 0, later.length));
        assertArrayEquals(later, links.sent("data").getLast().data(), "once open, messages pass at once");
        assertEquals(2, relay.earlyDropped());
    }
}
