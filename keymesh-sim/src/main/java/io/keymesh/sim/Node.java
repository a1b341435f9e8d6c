package io.keymesh.sim;

import java.util.List;
import java.util.Objects;

/**
 * Something attached to networks: a {@link Host} or a {@link Nat}. Nodes are what
 * {@link Partition}s separate.
 *
 * <p>Not thread-safe: use it only from the simulation's thread.
 */
public abstract sealed class Node permits Host, Nat {
    private final Simulation sim;
    private final String name;
    private final TrafficCounters counters = new TrafficCounters();

    Node(Simulation sim, String name) {
        this.sim = Objects.requireNonNull(sim, "sim");
        this.name = Objects.requireNonNull(name, "name");
    }

    /** The node's name, for humans; need not be unique. */
    public String name() {
        return name;
    }

    /** The simulation this node belongs to. */
    public Simulation simulation() {
        return sim;
    }

    /**
     * The node's own counters: for a host, datagrams handed to its sockets and those dropped for want
     * of one; for a NAT, datagrams translated and sent on and those its rules dropped. Drops on its
     * links are counted on the links; {@link #dropped} adds them up.
     */
    public TrafficCounters counters() {
        return counters;
    }

    /** The node's current links. */
    public abstract List<Link> links();

    /** Datagrams dropped for {@code reason} by this node or on its current links (both directions). */
    public long dropped(DropReason reason) {
        long total = counters.dropped(reason);
        for (Link l : links()) {
            total += l.egress().counters().dropped(reason) + l.ingress().counters().dropped(reason);
        }
        return total;
    }

    /** A datagram arrived over {@code via}'s ingress. */
    abstract void receive(Datagram d, Link via);

    @Override
    public String toString() {
        return name;
    }
}
