package io.keymesh.sim;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One direction of a {@link Link}: egress (from the node into the network) or ingress (from the
 * network to the node). It applies its {@link LinkConditions} — MTU, a bandwidth-limited queue,
 * loss, delay, reordering, duplication, in that order — and counts what passes and what drops.
 *
 * <p>Each direction draws from its own random stream, split from the simulation's seed when the link
 * was made, so traffic elsewhere does not change what happens here.
 *
 * <p>Not thread-safe: use it only from the simulation's thread.
 */
public final class LinkDirection {
    private final Simulation sim;
    private final Link link;
    private final boolean egress;
    private final RandomGenerator random;
    private final TrafficCounters counters = new TrafficCounters();
    private LinkConditions conditions;
    /** When the transmitter finishes serialising everything queued so far (bandwidth-limited only). */
    private long busyUntilNanos;
    /** When the last in-order packet leaves: no later in-order packet leaves before it. */
    private long lastExitNanos;
    private long offered;
    private long duplicated;
    private long reordered;

    LinkDirection(Simulation sim, Link link, boolean egress, LinkConditions conditions) {
        this.sim = sim;
        this.link = link;
        this.egress = egress;
        this.conditions = conditions;
        this.random = sim.newRandomStream();
    }

    /** The link this is a direction of. */
    public Link link() {
        return link;
    }

    /** True for the node-to-network direction, false for network-to-node. */
    public boolean isEgress() {
        return egress;
    }

    /** The conditions applied to datagrams entering now. */
    public LinkConditions conditions() {
        return conditions;
    }

    /**
     * Applies {@code conditions} to datagrams entering from now on. Datagrams already inside keep the
     * fate they were given; the bandwidth queue keeps its backlog.
     */
    public void setConditions(LinkConditions conditions) {
        this.conditions = Objects.requireNonNull(conditions, "conditions");
    }

    /** Datagrams that left this direction (delivered onwards, duplicates included) and those dropped here. */
    public TrafficCounters counters() {
        return counters;
    }

    /** Datagrams that entered this direction. */
    public long offered() {
        return offered;
    }

    /** Extra copies made by duplication. */
    public long duplicated() {
        return duplicated;
    }

    /** Datagrams held back for reordering. */
    public long reordered() {
        return reordered;
    }

    /** Bytes of IP packets waiting in or being sent from the queue now (0 without a bandwidth limit). */
    public long queuedBytes() {
        return queuedBytes(sim.now());
    }

    private long queuedBytes(long now) {
        long bps = conditions.bandwidthBitsPerSecond();
        long backlog = busyUntilNanos - now;
        if (bps == 0 || backlog <= 0) {
            return 0;
        }
        // Rounded up, with a tolerance for the double's rounding error.
        return (long) Math.ceil(backlog * (bps / 8e9) - 1e-6);
    }

    /** Takes in a datagram; schedules its exit, or drops it. Never calls onwards synchronously. */
    void offer(Datagram d) {
        offered++;
        LinkConditions c = conditions;
        long now = sim.now();
        int size = d.wireSize();
        if (size > c.mtu()) {
            sim.drop(link.node(), counters, DropReason.MTU_EXCEEDED, d);
            return;
        }
        long departure = now;
        long bps = c.bandwidthBitsPerSecond();
        if (bps > 0) {
            if (queuedBytes(now) + size > c.queueCapacityBytes()) {
                sim.drop(link.node(), counters, DropReason.QUEUE_FULL, d);
                return;
            }
            long serialisation = ceilDiv(size * 8_000_000_000L, bps);
            busyUntilNanos = Math.max(now, busyUntilNanos) + serialisation;
            departure = busyUntilNanos;
        }
        if (c.lossProbability() > 0 && random.nextDouble() < c.lossProbability()) {
            sim.drop(link.node(), counters, DropReason.LOSS, d);
            return;
        }
        long exit = departure + c.latencyNanos();
        if (c.jitterNanos() > 0) {
            exit += random.nextLong(c.jitterNanos() + 1);
        }
        if (c.reorderProbability() > 0 && random.nextDouble() < c.reorderProbability()) {
            exit += c.reorderDelayNanos();
            reordered++;
        } else {
            exit = Math.max(exit, lastExitNanos);
            lastExitNanos = exit;
        }
        sim.schedule(exit, () -> exit(d));
        if (c.duplicateProbability() > 0 && random.nextDouble() < c.duplicateProbability()) {
            duplicated++;
            Datagram copy = d.copy();
            sim.schedule(exit, () -> exit(copy));
        }
    }

    private void exit(Datagram d) {
        if (egress) {
            int length = d.data.length;
            DropReason refused = link.network().cross(link, d);
            if (refused != null) {
                sim.drop(link.node(), counters, refused, d);
            } else {
                counters.countDelivered(length);
            }
        } else if (!link.isAttached()) {
            sim.drop(link.node(), counters, DropReason.NO_ROUTE, d);
        } else {
            counters.countDelivered(d.data.length);
            link.node().receive(d, link);
        }
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    @Override
    public String toString() {
        return link + (egress ? " egress" : " ingress");
    }
}
