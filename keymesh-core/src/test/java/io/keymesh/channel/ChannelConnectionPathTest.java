package io.keymesh.channel;

import static io.keymesh.channel.ChannelConnectionTest.assertDelivered;
import static io.keymesh.channel.ChannelConnectionTest.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link ChannelConnection#onPathChanged}: what carries over to the new path (RFC 9000 section 9.4) and what starts afresh. */
class ChannelConnectionPathTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    /** A relayed path: another WireGuard header and tag, and an 8-byte relay frame (padded to 16). */
    private static final PathOverhead RELAYED = new PathOverhead(16 + 8 + 16, 31 + 31, 32 + 16 + 32);
    /** The UDP payload of a full packet once the default ceiling is confirmed: (1452 - 32) & -16, plus 32. */
    private static final int FULL_DIRECT = 1440;

    /** a's connection made again, with its {@code {off, len, buf.length}} of every packet recorded. */
    private static List<int[]> recordA(ConnectionPair w, ChannelConfig config) {
        List<int[]> sent = new ArrayList<>();
        ConnectionPair.End a = w.a;
        a.connection = new ChannelConnection(config, new SplittableRandom(99), w.now, (buf, off, len) -> {
            sent.add(new int[] {off, len, buf.length});
            a.transmit(buf, off, len);
        }, a);
        return sent;
    }

    /** A pair with 10 ms one way that has moved data, so that the RTT, window and path MTU are measured. */
    private static ConnectionPair warmedUp(long seed, List<byte[]> first) {
        ConnectionPair w = new ConnectionPair(seed, ChannelConfig.DEFAULT);
        w.latencyNanos = 10 * MS;
        w.transfer(1, first, w.now + 60 * SECOND);
        ChannelConnection.Stats s = w.a.connection.stats();
        assertNotEquals(RttEstimator.INITIAL_RTT_NANOS, s.smoothedRttNanos());
        assertTrue(s.congestionWindow() > CongestionController.initialWindow(1408), "the window grew: " + s);
        assertEquals(FULL_DIRECT, s.udpPayloadSize());
        return w;
    }

    @Test
    void aPortOnlyChangeKeepsTheRttEstimateTheWindowAndThePathMtu() {
        List<byte[]> first = messages(51, 200, 20_000);
        ConnectionPair w = warmedUp(50, first);
        ChannelConnection.Stats before = w.a.connection.stats();

        w.a.connection.onPathChanged(PathChange.PORT_ONLY, 1452, PathOverhead.WIREGUARD);
        ChannelConnection.Stats after = w.a.connection.stats();
        assertEquals(before.smoothedRttNanos(), after.smoothedRttNanos());
        assertEquals(before.minRttNanos(), after.minRttNanos());
        assertEquals(before.congestionWindow(), after.congestionWindow());
        assertEquals(FULL_DIRECT, after.udpPayloadSize(), "no search from the base");

        List<byte[]> second = messages(52, 200, 20_000);
        w.transfer(1, second, w.now + 60 * SECOND);
        List<byte[]> all = new ArrayList<>(first);
        all.addAll(second);
        assertDelivered(all, w.b.messages);
    }

    @Test
    void aPortOnlyChangeToALowerCeilingSearchesAgainButKeepsTheRttEstimateAndTheWindow() {
        ConnectionPair w = warmedUp(53, messages(54, 200, 20_000));
        ChannelConnection.Stats before = w.a.connection.stats();

        w.a.connection.onPathChanged(PathChange.PORT_ONLY, 1300, PathOverhead.WIREGUARD);
        ChannelConnection.Stats after = w.a.connection.stats();
        assertEquals(before.smoothedRttNanos(), after.smoothedRttNanos());
        assertEquals(before.congestionWindow(), after.congestionWindow());
        assertEquals(PmtuDiscovery.BASE_UDP_PAYLOAD, after.udpPayloadSize(), "from the base");
    }

    @Test
    void aNewAddressStartsFromInitialValuesWhileDataIsInFlightAndLosesNothing() {
        ConnectionPair w = new ConnectionPair(55, ChannelConfig.DEFAULT);
        List<int[]> sent = recordA(w, ChannelConfig.DEFAULT);
        w.latencyNanos = 10 * MS;
        List<byte[]> first = messages(56, 100, 20_000);
        w.transfer(1, first, w.now + 60 * SECOND);
        assertEquals(FULL_DIRECT, w.a.connection.stats().udpPayloadSize());

        ChannelConnection.Stats[] around = new ChannelConnection.Stats[2];
        int[] firstAfter = new int[1];
        w.at(w.now + 30 * MS, () -> {
            around[0] = w.a.connection.stats();
            w.a.connection.onPathChanged(PathChange.NEW_ADDRESS, 1452, PathOverhead.WIREGUARD);
            around[1] = w.a.connection.stats();
            firstAfter[0] = sent.size();
            w.latencyNanos = 30 * MS; // the new path is longer
        });
        List<byte[]> second = messages(57, 300, 20_000);
        w.transfer(1, second, w.now + 120 * SECOND);

        assertTrue(around[0].bytesInFlight() > 0, "the change came with data in flight");
        ChannelConnection.Stats reset = around[1];
        assertEquals(RttEstimator.INITIAL_RTT_NANOS, reset.smoothedRttNanos(), "kInitialRtt");
        assertEquals(0, reset.minRttNanos(), "nothing measured on the new path");
        assertEquals(CongestionController.initialWindow(1200), reset.congestionWindow(), "the initial window");
        assertEquals(0, reset.bytesInFlight(), "what went on the old path is not the new path's");
        assertEquals(PmtuDiscovery.BASE_UDP_PAYLOAD, reset.udpPayloadSize(), "path-MTU discovery from the base");
        assertEquals((1452 - 32) & -16, sent.get(firstAfter[0])[1], "the first packet on the new path probes the ceiling");

        List<byte[]> all = new ArrayList<>(first);
        all.addAll(second);
        assertDelivered(all, w.b.messages);
        ChannelConnection.Stats end = w.a.connection.stats();
        assertEquals(FULL_DIRECT, end.udpPayloadSize(), "the ceiling found again");
        assertTrue(end.minRttNanos() >= 60 * MS, "the new path's RTT, not the old one's: " + end);
    }

    @Test
    void theOverheadSetsTheFrameBudgetTheHeadroomAndTheTailroom() {
        ConnectionPair w = new ConnectionPair(58, ChannelConfig.DEFAULT);
        List<int[]> sent = recordA(w, ChannelConfig.DEFAULT);
        w.a.connection.onPathChanged(PathChange.NEW_ADDRESS, 1452, RELAYED);
        // The link counts WireGuard's 32 bytes: the relay's 48 more must fit in a 1452-byte path.
        w.mtuUdpPayload = 1452 - 48;
        List<byte[]> m = messages(59, 300, 20_000);
        w.transfer(1, m, w.now + 60 * SECOND);

        assertDelivered(m, w.b.messages);
        assertEquals(0, w.a.mtuDrops, "no packet too large for the relayed path");
        int largest = 0;
        for (int[] p : sent) {
            assertEquals(RELAYED.headroom(), p[0], "the relayed path's headroom before every payload");
            assertTrue(p[2] - p[0] - p[1] >= RELAYED.tailroom(), "and its tailroom after it");
            largest = Math.max(largest, p[1]);
        }
        assertEquals(1360, largest, "(1452 - 80) & -16, where a direct path carries 1408");
        assertEquals(1360 + 80, w.a.connection.stats().udpPayloadSize());
    }

    @Test
    void aPeerRestartKeepsTheNewPathsCeilingAndOverhead() {
        ConnectionPair w = new ConnectionPair(60, ChannelConfig.DEFAULT);
        List<int[]> sent = recordA(w, ChannelConfig.DEFAULT);
        w.transfer(1, messages(61, 20, 5_000), w.now + 10 * SECOND);
        w.a.connection.onPathChanged(PathChange.NEW_ADDRESS, 1300, RELAYED);

        ConnectionPair.End b = w.b;
        b.connection = new ChannelConnection(ChannelConfig.DEFAULT, new SplittableRandom(97), w.now, b::transmit, b);
        b.messages.clear();
        b.connection.send(w.now, 4, new byte[] {1});
        int before = w.a.messages.size();
        w.runUntil(w.now + 10 * SECOND, () -> w.a.messages.size() > before);
        assertEquals(1, w.a.connection.stats().connectionResets());
        int mark = sent.size();
        List<byte[]> again = messages(62, 100, 20_000);
        w.transfer(5, again, w.now + 60 * SECOND);

        assertDelivered(again, b.messages);
        for (int[] p : sent.subList(mark, sent.size())) {
            assertEquals(RELAYED.headroom(), p[0]);
            assertTrue(RELAYED.udpSize(p[1]) <= 1300, "within the ceiling: " + p[1]);
        }
        assertTrue(w.a.connection.stats().udpPayloadSize() <= 1300);
    }

    @Test
    void aCeilingAboveTheConfiguredOneIsRefused() {
        ConnectionPair w = new ConnectionPair(63, ChannelConfig.DEFAULT);
        assertThrows(IllegalArgumentException.class,
                () -> w.a.connection.onPathChanged(PathChange.NEW_ADDRESS, 1453, PathOverhead.WIREGUARD));
    }
}
