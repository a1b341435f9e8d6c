package io.keymesh.metrics;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.DiscoveryStats;
import io.keymesh.node.MeshNode;
import io.keymesh.node.PeerStats;
import io.keymesh.node.RelayStats;
import io.keymesh.session.DropReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest {@link NodeSnapshot} of one node, taken again when it is read and older than
 * {@code maxAge}: however many meters and pages read it, the node's loop thread answers one round
 * of calls per {@code maxAge} at most. A round that fails (the node closed) or takes longer than
 * {@link #CALL_TIMEOUT} keeps the last snapshot, and is not tried again before {@code maxAge}.
 *
 * <p>Thread-safe; one thread takes a snapshot at a time, and others reading meanwhile wait for it.
 * Not on the node's loop thread: a read there that needs a new snapshot would wait for itself.
 */
public final class NodeSnapshots {
    /** How old a snapshot may be before a read takes a new one, unless told otherwise. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(1);
    /** How long one round of calls may take before the last snapshot is kept instead. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(NodeSnapshots.class);

    /** The latest snapshot and the one before it (null until a second was taken). */
    public record Latest(NodeSnapshot current, NodeSnapshot previous) {}

    private final MeshNode node;
    private final java.net.InetSocketAddress localAddress;
    private final long maxAgeNanos;
    private final LongSupplier clock;
    private final ReentrantLock taking = new ReentrantLock();
    private final List<Consumer<NodeSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile Latest latest;
    /** When the last round was started, successful or not; guarded by {@link #taking}. */
    private long lastAttemptNanos;
    private boolean failedBefore;

    /** Snapshots of {@code node} at most {@link #DEFAULT_MAX_AGE} old. */
    public NodeSnapshots(MeshNode node) {
        this(node, DEFAULT_MAX_AGE);
    }

    /**
     * @throws IllegalArgumentException if {@code maxAge} is negative
     */
    public NodeSnapshots(MeshNode node, Duration maxAge) {
        this(node, maxAge, System::nanoTime);
    }

    NodeSnapshots(MeshNode node, Duration maxAge, LongSupplier clock) {
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative, got " + maxAge);
        }
        this.node = node;
        this.maxAgeNanos = maxAge.toNanos();
        this.clock = clock;
        this.localAddress = node.localAddress();
        long stale = clock.getAsLong() - maxAgeNanos - 1; // the first read takes a snapshot
        this.latest = new Latest(NodeSnapshot.empty(stale, node.publicKey(), localAddress), null);
        this.lastAttemptNanos = stale;
    }

    /** The node these are snapshots of. */
    public MeshNode node() {
        return node;
    }

    /** The latest snapshot, first taking a new one if it is older than the maximum age. */
    public NodeSnapshot current() {
        return latest().current();
    }

    /** {@link #current()} and the snapshot before it, for rates between the two. */
    public Latest latest() {
        Latest l = latest;
        if (clock.getAsLong() - l.current().takenAtNanos() <= maxAgeNanos) {
            return l;
        }
        take(false);
        return latest;
    }

    /** Takes a snapshot now, whatever the age of the last one, and returns the latest. */
    public NodeSnapshot refresh() {
        take(true);
        return latest.current();
    }

    /**
     * Calls {@code listener} with each new snapshot, on the thread that took it and before readers
     * see it; it must be quick and must not read these snapshots' {@link #refresh()}.
     */
    void addListener(Consumer<NodeSnapshot> listener) {
        listeners.add(listener);
    }

    void removeListener(Consumer<NodeSnapshot> listener) {
        listeners.remove(listener);
    }

    private void take(boolean force) {
        long asked = clock.getAsLong();
        taking.lock();
        try {
            if (latest.current().takenAtNanos() - asked >= 0) {
                return; // another thread took one while this one waited
            }
            if (!force && asked - lastAttemptNanos <= maxAgeNanos) {
                return; // the last round failed not long ago
            }
            lastAttemptNanos = asked;
            NodeSnapshot s;
            try {
                s = read();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (!failedBefore) {
                    log.debug("no snapshot of node {}: {}", node.publicKey(), e.toString());
                    failedBefore = true;
                }
                return;
            }
            failedBefore = false;
            for (Consumer<NodeSnapshot> l : listeners) {
                try {
                    l.accept(s);
                } catch (RuntimeException e) {
                    log.warn("a snapshot listener failed", e);
                }
            }
            latest = new Latest(s, latest.current());
        } finally {
            taking.unlock();
        }
    }

    /** One round: every call queued on the loop at once, then waited for. */
    private NodeSnapshot read() throws Exception {
        CompletableFuture<List<PeerStats>> peers = node.peerStats();
        CompletableFuture<Map<DropReason, Long>> drops = node.drops();
        CompletableFuture<RelayStats> relay = node.relayStats();
        CompletableFuture<DiscoveryStats> discovery = node.discoveryStats();
        CompletableFuture<Map<PublicKey, ChannelConnection.Stats>> channels = node.channelStats();
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        List<PeerStats> p = peers.get(left(deadline), TimeUnit.NANOSECONDS);
        Map<DropReason, Long> d = drops.get(left(deadline), TimeUnit.NANOSECONDS);
        RelayStats r = relay.get(left(deadline), TimeUnit.NANOSECONDS);
        DiscoveryStats ds = discovery.get(left(deadline), TimeUnit.NANOSECONDS);
        Map<PublicKey, ChannelConnection.Stats> c = channels.get(left(deadline), TimeUnit.NANOSECONDS);
        return new NodeSnapshot(clock.getAsLong(), System.currentTimeMillis(), node.publicKey(), localAddress, p, d,
                r, ds, c, node.sendsRefused());
    }

    private static long left(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }
}
