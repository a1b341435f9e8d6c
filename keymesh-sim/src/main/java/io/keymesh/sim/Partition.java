package io.keymesh.sim;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A cut between two sets of {@link Node}s, active until {@link #heal()}ed: a datagram about to cross a
 * network between a node on one side and a node on the other is dropped
 * ({@link DropReason#PARTITIONED}). Cutting off a NAT cuts off everything behind it from beyond it.
 *
 * <p>Made by {@link Simulation#partition}. Not thread-safe.
 */
public final class Partition {
    private final Simulation sim;
    private final Set<Node> side;
    /** The other side; null means every node not in {@link #side}. */
    private final Set<Node> other;
    private boolean active = true;

    Partition(Simulation sim, Collection<? extends Node> side, Collection<? extends Node> other) {
        this.sim = sim;
        this.side = identitySet(side);
        this.other = other == null ? null : identitySet(other);
        if (this.other != null) {
            for (Node n : this.other) {
                if (this.side.contains(n)) {
                    throw new IllegalArgumentException(n + " is on both sides of the partition");
                }
            }
        }
    }

    private static Set<Node> identitySet(Collection<? extends Node> nodes) {
        Set<Node> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(nodes);
        return set;
    }

    /** Whether the cut is in force. */
    public boolean isActive() {
        return active;
    }

    /** Ends the cut; datagrams sent or still in flight cross again. Idempotent. */
    public void heal() {
        if (active) {
            active = false;
            sim.healed(this);
        }
    }

    boolean separates(Node a, Node b) {
        return (side.contains(a) && onOtherSide(b)) || (side.contains(b) && onOtherSide(a));
    }

    private boolean onOtherSide(Node n) {
        return other == null ? !side.contains(n) : other.contains(n);
    }

    @Override
    public String toString() {
        return "Partition[" + side.size() + " nodes | " + (other == null ? "the rest" : other.size() + " nodes")
                + (active ? "" : ", healed") + "]";
    }
}
