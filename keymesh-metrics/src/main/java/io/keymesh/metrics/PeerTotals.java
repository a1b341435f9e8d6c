package io.keymesh.metrics;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.PeerStats;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Per-peer counters summed over every peer, and never decreasing: a peer that goes away (or whose
 * counters start again: removed and added back, a new reliable connection) leaves the last values
 * seen of it in the sum. What it counted after the last snapshot before it went is not seen.
 *
 * <p>Not thread-safe: {@link #update} from one thread at a time; {@link #get} from any thread
 * (it reads the array {@link #update} last published).
 */
final class PeerTotals {
    /** What is summed: indices into the totals. */
    enum Field {
        TX_PACKETS, RX_PACKETS, TX_BYTES, RX_BYTES, DATAGRAMS_SENT, DATAGRAMS_RECEIVED, HANDSHAKES, CHANNEL_LOST;

        long of(PeerStats p, ChannelConnection.Stats c) {
            return switch (this) {
                case TX_PACKETS -> p.txPackets();
                case RX_PACKETS -> p.rxPackets();
                case TX_BYTES -> p.txBytes();
                case RX_BYTES -> p.rxBytes();
                case DATAGRAMS_SENT -> p.datagramsSent();
                case DATAGRAMS_RECEIVED -> p.datagramsReceived();
                case HANDSHAKES -> p.handshakes();
                case CHANNEL_LOST -> c == null ? 0 : c.packetsLost();
            };
        }
    }

    private static final Field[] FIELDS = Field.values();

    /** The last values seen of each peer present. */
    private final Map<PublicKey, long[]> last = new HashMap<>();
    /** The last values of peers gone, and of counters that started again. */
    private final long[] departed = new long[FIELDS.length];
    private volatile long[] totals = new long[FIELDS.length];

    void update(NodeSnapshot s) {
        long[] sum = departed.clone();
        Set<PublicKey> seen = new HashSet<>();
        for (PeerStats p : s.peers()) {
            seen.add(p.publicKey());
            ChannelConnection.Stats c = s.channel(p.publicKey());
            long[] before = last.get(p.publicKey());
            long[] now = new long[FIELDS.length];
            for (Field f : FIELDS) {
                int i = f.ordinal();
                now[i] = f.of(p, c);
                if (before != null && now[i] < before[i]) {
                    departed[i] += before[i]; // started again: keep what it had counted
                    sum[i] += before[i];
                }
                sum[i] += now[i];
            }
            last.put(p.publicKey(), now);
        }
        last.entrySet().removeIf(e -> {
            if (seen.contains(e.getKey())) {
                return false;
            }
            for (int i = 0; i < FIELDS.length; i++) {
                departed[i] += e.getValue()[i];
                sum[i] += e.getValue()[i];
            }
            return true;
        });
        totals = sum;
    }

    long get(Field f) {
        return totals[f.ordinal()];
    }
}
