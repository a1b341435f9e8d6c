package io.keymesh.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.metrics.PeerTotals.Field;
import io.keymesh.node.PeerStats;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's totals: the sum over its peers, keeping what peers gone or started again had counted. */
class PeerTotalsTest {
    private static final PublicKey P1 = key(1);
    private static final PublicKey P2 = key(2);
    private static final InetSocketAddress HERE = new InetSocketAddress("127.0.0.1", 1);

    private static PublicKey key(int b) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        return PrivateKey.of(k).publicKey();
    }

    /** A peer whose every counter is {@code n}. */
    private static PeerStats peer(PublicKey k, long n) {
        return new PeerStats(k, null, true, -1, n, n, n, n, n, n, n, List.of());
    }

    private static ChannelConnection.Stats channel(long lost) {
        return new ChannelConnection.Stats(0, 0, lost, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                io.keymesh.channel.EcnValidation.State.DISABLED, 0, 0);
    }

    private static NodeSnapshot snapshot(Map<PublicKey, Long> counters) {
        Map<PublicKey, ChannelConnection.Stats> channels = new HashMap<>();
        counters.forEach((k, n) -> channels.put(k, channel(n)));
        return new NodeSnapshot(0, 0, P1, HERE, counters.entrySet().stream().map(e -> peer(e.getKey(), e.getValue())).toList(),
                Map.of(), null, null, channels, 0);
    }

    private static void assertEveryField(long expected, PeerTotals t) {
        for (Field f : Field.values()) {
            assertEquals(expected, t.get(f), f.name());
        }
    }

    @Test
    void theTotalIsTheSumAndKeepsWhatPeersGoneAndCountersStartedAgainHadCounted() {
        PeerTotals t = new PeerTotals();
        assertEveryField(0, t);
        t.update(snapshot(Map.of(P1, 10L, P2, 5L)));
        assertEveryField(15, t);
        t.update(snapshot(Map.of(P1, 12L, P2, 7L)));
        assertEveryField(19, t);
        t.update(snapshot(Map.of(P1, 13L))); // P2 gone: its 7 stay
        assertEveryField(20, t);
        t.update(snapshot(Map.of(P1, 13L, P2, 1L))); // P2 back, counting from 0
        assertEveryField(21, t);
        t.update(snapshot(Map.of(P1, 2L, P2, 1L))); // P1 started again between two snapshots: its 13 stay
        assertEveryField(23, t);
        assertEquals(13 + 7 + 2 + 1, t.get(Field.TX_BYTES));
        t.update(snapshot(Map.of()));
        assertEveryField(23, t);
    }
}
