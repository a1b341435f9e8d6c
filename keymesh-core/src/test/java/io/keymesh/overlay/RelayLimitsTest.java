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
 * at its default (1,024), a link's share of it ({@link RelayConfig#circuitsPerLink()}) and {@link Relay#MAX_EARLY}, against recording links.
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
     * The default configuration: 1,024 circuits, of which the openings of one link take at most
     * half. One opener takes its 512 and is refused past them while the relay has room; a second
     * fills the rest; then the relay refuses everyone, a splice included. The circuits joined keep
     * carrying, and one closed makes room for exactly one more, for the link that closed it.
     */
    @Test
    void theCircuitPastMaxCircuitsOrPastALinksShareIsRefusedWithCapacityAndOneClosedMakesRoom() {
        Relay relay = relay(RelayConfig.DEFAULT);
        int max = RelayConfig.DEFAULT.maxCircuits();
        int share = RelayConfig.DEFAULT.circuitsPerLink();
        assertEquals(1024, max);
        assertEquals(512, share);
        for (int i = 0; i < share; i++) {
            relay.onOpen(NOW, a, 2 * i + 1, List.of(self, b));
        }
        assertEquals(share, relay.circuits());
        assertEquals(share, links.sent("open").size(), "every one of them was passed on to b");
        assertEquals(List.of(), links.sent("refused"));

        relay.onOpen(NOW, a, 2 * share + 1, List.of(self, b));
        assertEquals(List.of(new Sent("refused", a, 2 * share + 1, RelayReason.CAPACITY, null)).toString(),
                links.sent("refused").toString(), "a's share is taken, though the relay has room");
        assertEquals(share, relay.circuits());

        for (int i = 0; i < max - share; i++) {
            relay.onOpen(NOW, c, 2 * i + 1, List.of(self, b));
        }
        assertEquals(max, relay.circuits(), "another opener has the rest");
        assertEquals(1, relay.refused(RelayReason.CAPACITY));

        relay.onOpen(NOW, b, 1, List.of(self, a));
        assertEquals(2, relay.refused(RelayReason.CAPACITY), "the relay is full: a third opener finds no room");
        assertFalse(relay.splice(NOW, List.of(b), c, message(1, HandshakeInitiation.LENGTH, 9), 0),
                "a splice counts against the relay's limit");
        assertEquals(max, relay.circuits());
        assertEquals(max, links.sent("open").size(), "the refused ones went nowhere");

        // a circuit joined before the limit keeps carrying
        Sent first = links.sent("open").getFirst();
        assertTrue(relay.onOpened(NOW, b, first.circuit(), 1400));
        byte[] data = message(4, TransportData.MIN_LENGTH + 16, 0x5a);
        assertTrue(relay.onData(NOW, a, 1, data, 0, data.length));
        assertEquals(1, relay.packetsForwarded());
        assertArrayEquals(data, links.sent("data").getFirst().data());
        assertEquals(first.circuit(), links.sent("data").getFirst().circuit());

        // one of a's closed: room for exactly one, and c's share is still taken
        assertTrue(relay.onClose(NOW, a, 3, RelayReason.IDLE));
        assertEquals(max - 1, relay.circuits());
        relay.onOpen(NOW, c, 2 * max + 1, List.of(self, b));
        assertEquals(3, relay.refused(RelayReason.CAPACITY), "c holds its share");
        relay.onOpen(NOW, a, 2 * share + 3, List.of(self, b));
        assertEquals(max, relay.circuits());
        assertEquals(max + 1, links.sent("open").size());
        relay.onOpen(NOW, a, 2 * share + 5, List.of(self, b));
        assertEquals(4, relay.refused(RelayReason.CAPACITY));
        assertEquals(max, relay.circuits());
    }

    /** A share per link as large as the relay lets one opener take every circuit; a small one holds it to that many. */
    @Test
    void theShareOfALinkIsASetting() {
        Relay whole = relay(new RelayConfig(true, 8, 0, 120_000_000_000L, 8));
        for (int i = 0; i < 8; i++) {
            whole.onOpen(NOW, a, 2 * i + 1, List.of(self, b));
        }
        assertEquals(8, whole.circuits());
        assertEquals(0, whole.refused(RelayReason.CAPACITY));

        Relay three = new Relay(self, new RelayConfig(true, 8, 0, 120_000_000_000L, 3), links, new CircuitIds(self, 0));
        for (int i = 0; i < 4; i++) {
            three.onOpen(NOW, a, 2 * i + 1, List.of(self, b));
        }
        assertEquals(3, three.circuits());
        assertEquals(1, three.refused(RelayReason.CAPACITY));
        three.onOpen(NOW, c, 1, List.of(self, b));
        assertEquals(4, three.circuits(), "another link has its own share");
        assertEquals(5, new RelayConfig(true, 9, 0, 120_000_000_000L).circuitsPerLink(), "half, rounded up");
        assertEquals(1, new RelayConfig(true, 1, 0, 120_000_000_000L).circuitsPerLink());
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
