package io.keymesh.metrics;

import static io.keymesh.metrics.MeterNames.DIRECTION;
import static io.keymesh.metrics.MeterNames.REASON;
import static io.keymesh.metrics.MeterNames.RX;
import static io.keymesh.metrics.MeterNames.STATE;
import static io.keymesh.metrics.MeterNames.TX;

import io.keymesh.crypto.PublicKey;
import io.keymesh.metrics.PeerTotals.Field;
import io.keymesh.node.MeshNode;
import io.keymesh.node.PeerStats;
import io.keymesh.overlay.Seeks;
import io.keymesh.session.DropReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * A node's meters in a Micrometer {@link MeterRegistry}: per peer (tag {@code peer}, for at most
 * {@link MetricsOptions#maxPeers()} peers) and for the whole node; {@link MeterNames} names them.
 * Every meter reads one {@link NodeSnapshot}, taken again when a meter is read and the snapshot is
 * older than its {@link NodeSnapshots}' maximum age (1 s unless told otherwise): a scrape of
 * hundreds of meters costs the node's loop one round of calls. Each new snapshot brings the
 * per-peer meters up to date: a peer that appeared gets meters, a peer that went away has its
 * meters removed.
 *
 * <p>Keep the binding referenced while its meters are wanted: the registry holds the meters' state
 * weakly, as Micrometer does for function-based meters. {@link #close} removes every meter it
 * registered. Thread-safe. Meters must not be read on the node's loop thread.
 */
public final class KeymeshMetrics implements AutoCloseable {
    private final NodeSnapshots snapshots;
    private final MeterRegistry registry;
    private final MetricsOptions options;
    private final Consumer<NodeSnapshot> listener = this::sync;
    private final List<Meter> nodeMeters = new ArrayList<>();
    /** The peers with meters, in the order they got them; guarded by this. */
    private final Map<PublicKey, PeerMeters> peers = new LinkedHashMap<>();
    private final PeerTotals totals = new PeerTotals();
    private final Runnable freshen;
    private volatile NodeSnapshot snapshot;
    private volatile int peersUp;
    private volatile int peersDown;
    private volatile int unmetered;
    /** Guarded by this. */
    private boolean closed;

    private KeymeshMetrics(NodeSnapshots snapshots, MeterRegistry registry, MetricsOptions options) {
        this.snapshots = snapshots;
        this.registry = registry;
        this.options = options;
        this.snapshot = snapshots.current();
        this.freshen = snapshots::current;
    }

    /** {@link #bindTo(MeshNode, MeterRegistry, MetricsOptions)} with {@link MetricsOptions#DEFAULT}. */
    public static KeymeshMetrics bindTo(MeshNode node, MeterRegistry registry) {
        return bindTo(node, registry, MetricsOptions.DEFAULT);
    }

    /** Registers {@code node}'s meters in {@code registry}, read from snapshots at most a second old. */
    public static KeymeshMetrics bindTo(MeshNode node, MeterRegistry registry, MetricsOptions options) {
        return bindTo(new NodeSnapshots(node), registry, options);
    }

    /**
     * Registers the meters of the node of {@code snapshots} in {@code registry}, reading those
     * snapshots (share them with other readers, such as the topology page). Takes a snapshot at
     * once, so that the peers known now have their meters on return.
     */
    public static KeymeshMetrics bindTo(NodeSnapshots snapshots, MeterRegistry registry, MetricsOptions options) {
        KeymeshMetrics m = new KeymeshMetrics(snapshots, registry, options);
        m.registerNodeMeters();
        snapshots.addListener(m.listener);
        m.sync(m.snapshot); // the peers already known, should the refresh below fail
        snapshots.refresh();
        return m;
    }

    /** The snapshots the meters read. */
    public NodeSnapshots snapshots() {
        return snapshots;
    }

    /** Takes a snapshot now and brings every meter up to date with it; returns it. */
    public NodeSnapshot refresh() {
        return snapshots.refresh();
    }

    /** The peers that have meters of their own now. */
    public synchronized Set<PublicKey> meteredPeers() {
        return Set.copyOf(peers.keySet());
    }

    /** Removes every meter this binding registered; the meters read nothing more. Idempotent. */
    @Override
    public void close() {
        snapshots.removeListener(listener);
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Meter m : nodeMeters) {
                registry.remove(m);
            }
            nodeMeters.clear();
            for (PeerMeters p : peers.values()) {
                p.remove(registry);
            }
            peers.clear();
        }
    }

    /** A new snapshot: totals, counts, and the per-peer meters added, updated and removed. */
    private synchronized void sync(NodeSnapshot s) {
        if (closed) {
            return;
        }
        snapshot = s;
        totals.update(s);
        int up = 0;
        for (PeerStats p : s.peers()) {
            if (p.up()) {
                up++;
            }
        }
        peersUp = up;
        peersDown = s.peers().size() - up;
        for (Iterator<Map.Entry<PublicKey, PeerMeters>> it = peers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<PublicKey, PeerMeters> e = it.next();
            if (s.peer(e.getKey()) == null) {
                e.getValue().remove(registry);
                it.remove();
            }
        }
        Set<PublicKey> seen = new HashSet<>();
        for (PeerStats p : s.peers()) {
            seen.add(p.publicKey());
            PeerMeters m = peers.get(p.publicKey());
            if (m != null) {
                m.update(p, s.channel(p.publicKey()));
            } else if (peers.size() < options.maxPeers()) {
                peers.put(p.publicKey(), new PeerMeters(p.publicKey(), p, s.channel(p.publicKey()), registry, options.tags(),
                        freshen));
            }
        }
        unmetered = seen.size() - peers.size();
    }

    private NodeSnapshot read() {
        snapshots.current(); // a new one, if stale, is set by sync before this returns
        return snapshot;
    }

    private void registerNodeMeters() {
        Tags t = options.tags();
        nodeMeters.add(Gauge.builder(MeterNames.PEERS, this, m -> {
            m.read();
            return m.peersUp;
        }).tags(t.and(STATE, "up")).description("peers whose session is up").register(registry));
        nodeMeters.add(Gauge.builder(MeterNames.PEERS, this, m -> {
            m.read();
            return m.peersDown;
        }).tags(t.and(STATE, "down")).description("peers whose session is down").register(registry));
        nodeMeters.add(Gauge.builder(MeterNames.PEERS_UNMETERED, this, m -> {
            m.read();
            return m.unmetered;
        }).tags(t).description("peers without meters of their own").register(registry));
        total(MeterNames.PACKETS, t.and(DIRECTION, TX), null, "WireGuard packets sent, all peers", Field.TX_PACKETS);
        total(MeterNames.PACKETS, t.and(DIRECTION, RX), null, "WireGuard packets received, all peers", Field.RX_PACKETS);
        total(MeterNames.BYTES, t.and(DIRECTION, TX), "bytes", "UDP payload bytes sent, all peers", Field.TX_BYTES);
        total(MeterNames.BYTES, t.and(DIRECTION, RX), "bytes", "UDP payload bytes received, all peers", Field.RX_BYTES);
        total(MeterNames.DATAGRAMS, t.and(DIRECTION, TX), null, "datagrams sent, all peers", Field.DATAGRAMS_SENT);
        total(MeterNames.DATAGRAMS, t.and(DIRECTION, RX), null, "datagrams received, all peers", Field.DATAGRAMS_RECEIVED);
        total(MeterNames.HANDSHAKES, t, null, "handshakes completed, all peers", Field.HANDSHAKES);
        total(MeterNames.CHANNEL_LOST, t, null, "reliable connection packets declared lost, all peers", Field.CHANNEL_LOST);
        for (DropReason r : DropReason.values()) {
            counter(MeterNames.DROPS, t.and(REASON, r.name()), null, "packets the session layer dropped", s -> s.drops(r));
        }
        counter(MeterNames.SENDS_REFUSED, t, null, "datagram sends refused (too much queued for the loop)",
                NodeSnapshot::sendsRefused);
        gauge(MeterNames.RELAY_CIRCUITS, t, "circuits through this node", s -> s.relay().circuits());
        counter(MeterNames.RELAY_PACKETS, t, null, "messages passed along circuits", s -> s.relay().packetsForwarded());
        counter(MeterNames.RELAY_BYTES, t, "bytes", "bytes passed along circuits", s -> s.relay().bytesForwarded());
        counter(MeterNames.RELAY_REFUSED, t, null, "circuit openings refused", s -> s.relay().refused());
        counter(MeterNames.RELAY_OVER_RATE, t, null, "messages dropped over their circuit's rate", s -> s.relay().packetsOverRate());
        gauge(MeterNames.RELAY_OWN_CIRCUITS, t, "circuit ends of this node's own", s -> s.relay().ownCircuits());
        counter(MeterNames.RELAY_OWN_REFUSED, t, null, "own circuits refused or unanswered", s -> s.relay().ownRefused());
        counter(MeterNames.DISCOVERY_SEEKS_STARTED, t, null, "keys this node sought", s -> s.discovery().started());
        counter(MeterNames.DISCOVERY_SEEKS_SENT, t, null, "SEEK frames sent for own seeks", s -> s.discovery().sent());
        counter(MeterNames.DISCOVERY_SEEKS_UNREACHABLE, t, null, "keys sought that no member knew in time",
                s -> s.discovery().unreachable());
        counter(MeterNames.DISCOVERY_SEEKS_RECEIVED, t, null, "SEEK frames received", s -> s.discovery().received());
        counter(MeterNames.DISCOVERY_SEEKS_PASSED_ON, t, null, "SEEK frames passed on", s -> s.discovery().passedOn());
        counter(MeterNames.DISCOVERY_SEEKS_SPLICED, t, null, "seeks of others answered with a circuit", s -> s.discovery().spliced());
        for (Seeks.Dropped why : Seeks.Dropped.values()) {
            counter(MeterNames.DISCOVERY_SEEKS_DROPPED, t.and(REASON, why.name()), null, "seeks of others dropped",
                    s -> s.discovery().dropped(why));
        }
    }

    private void total(String name, Tags tags, String unit, String help, Field f) {
        nodeMeters.add(FunctionCounter.builder(name, this, m -> {
            m.read();
            return m.totals.get(f);
        }).tags(tags).baseUnit(unit).description(help).register(registry));
    }

    private void counter(String name, Tags tags, String unit, String help, ToDoubleFunction<NodeSnapshot> f) {
        nodeMeters.add(FunctionCounter.builder(name, this, m -> f.applyAsDouble(m.read())).tags(tags).baseUnit(unit)
                .description(help).register(registry));
    }

    private void gauge(String name, Tags tags, String help, ToDoubleFunction<NodeSnapshot> f) {
        nodeMeters.add(Gauge.builder(name, this, m -> f.applyAsDouble(m.read())).tags(tags).description(help).register(registry));
    }
}
