package io.keymesh.node;

import io.keymesh.overlay.Seeks;
import java.util.Map;

/**
 * What discovery by key did on one node, since it started.
 *
 * @param started keys this node sought (one per key looked for, however often it was sent)
 * @param sent SEEK frames this node sent for its own seeks (one per connected member per try)
 * @param unreachable keys this node sought and no member knew in time
 * @param received SEEK frames that arrived from members
 * @param passedOn SEEK frames this node passed on for others
 * @param spliced seeks of others this node answered (it knew the key) with a circuit to it
 * @param dropped seeks of others dropped, by reason (every reason present, zeros included)
 * @param seen seeks remembered as seen now (bounded)
 * @param narrowed seeks sent only to the links whose reach filter may hold the target, not flooded
 * @param reachSent REACH frames (this node's reach filter) sent to members
 * @param reachReceived REACH frames taken from members
 */
public record DiscoveryStats(long started, long sent, long unreachable, long received, long passedOn, long spliced,
        Map<Seeks.Dropped, Long> dropped, int seen, long narrowed, long reachSent, long reachReceived) {
    public DiscoveryStats {
        dropped = Map.copyOf(dropped);
    }

    /** Seeks of others dropped for {@code why}. */
    public long dropped(Seeks.Dropped why) {
        return dropped.getOrDefault(why, 0L);
    }

    static DiscoveryStats of(Seeks s, io.keymesh.overlay.ReachSummaries r) {
        Map<Seeks.Dropped, Long> d = new java.util.EnumMap<>(Seeks.Dropped.class);
        for (Seeks.Dropped why : Seeks.Dropped.values()) {
            d.put(why, s.dropped(why));
        }
        return new DiscoveryStats(s.seeksStarted(), s.seeksSent(), s.unreachable(), s.received(), s.seeksPassedOn(),
                s.spliced(), d, s.seenSize(), s.narrowed(), r.framesSent(), r.framesReceived());
    }
}
