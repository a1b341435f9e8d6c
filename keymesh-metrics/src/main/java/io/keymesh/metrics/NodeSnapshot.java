package io.keymesh.metrics;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.DiscoveryStats;
import io.keymesh.node.PeerStats;
import io.keymesh.node.RelayStats;
import io.keymesh.session.DropReason;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a node reports at one moment, read in one round of calls on its loop thread: its
 * peers, drops, relay and discovery counters, every reliable connection's measurements and the
 * sends it refused. Immutable.
 */
public final class NodeSnapshot {
    private final long takenAtNanos;
    private final long takenAtMillis;
    private final PublicKey node;
    private final InetSocketAddress localAddress;
    private final Map<PublicKey, PeerStats> peers;
    private final Map<DropReason, Long> drops;
    private final RelayStats relay;
    private final DiscoveryStats discovery;
    private final Map<PublicKey, ChannelConnection.Stats> channels;
    private final long sendsRefused;

    /**
     * @param takenAtNanos when it was taken, on the {@link NodeSnapshots}'s clock (for ages and rates)
     * @param takenAtMillis when it was taken, in milliseconds since the epoch (for display)
     * @param peers in the node's order
     */
    public NodeSnapshot(long takenAtNanos, long takenAtMillis, PublicKey node, InetSocketAddress localAddress,
            List<PeerStats> peers, Map<DropReason, Long> drops, RelayStats relay, DiscoveryStats discovery,
            Map<PublicKey, ChannelConnection.Stats> channels, long sendsRefused) {
        this.takenAtNanos = takenAtNanos;
        this.takenAtMillis = takenAtMillis;
        this.node = node;
        this.localAddress = localAddress;
        Map<PublicKey, PeerStats> byKey = new LinkedHashMap<>();
        for (PeerStats p : peers) {
            byKey.put(p.publicKey(), p);
        }
        this.peers = java.util.Collections.unmodifiableMap(byKey);
        this.drops = Map.copyOf(drops);
        this.relay = relay;
        this.discovery = discovery;
        this.channels = Map.copyOf(channels);
        this.sendsRefused = sendsRefused;
    }

    /** A node's snapshot before anything could be read from it: no peers, every counter zero. */
    static NodeSnapshot empty(long nowNanos, PublicKey node, InetSocketAddress localAddress) {
        return new NodeSnapshot(nowNanos, System.currentTimeMillis(), node, localAddress, List.of(), Map.of(),
                new RelayStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                new DiscoveryStats(0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0, 0), Map.of(), 0);
    }

    public long takenAtNanos() {
        return takenAtNanos;
    }

    public long takenAtMillis() {
        return takenAtMillis;
    }

    /** The node's own public key. */
    public PublicKey node() {
        return node;
    }

    /** The node's bound UDP address. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Every peer, in the node's order. */
    public java.util.Collection<PeerStats> peers() {
        return peers.values();
    }

    /** {@code key}'s statistics, or null if it was not a peer. */
    public PeerStats peer(PublicKey key) {
        return peers.get(key);
    }

    /** Session-layer drops by reason; only reasons that occurred. */
    public Map<DropReason, Long> drops() {
        return drops;
    }

    /** Drops for {@code reason}, 0 if none. */
    public long drops(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }

    public RelayStats relay() {
        return relay;
    }

    public DiscoveryStats discovery() {
        return discovery;
    }

    /** {@code peer}'s reliable connection's measurements, or null if it has none. */
    public ChannelConnection.Stats channel(PublicKey peer) {
        return channels.get(peer);
    }

    public long sendsRefused() {
        return sendsRefused;
    }
}
