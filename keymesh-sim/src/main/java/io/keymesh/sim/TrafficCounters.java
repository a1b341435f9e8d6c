package io.keymesh.sim;

/**
 * Counts of datagrams passed on and dropped (by {@link DropReason}) at one place in the simulation.
 * What "delivered" means depends on the owner: for a {@link LinkDirection} the datagrams that left
 * it, for a {@link Host} those handed to its sockets, for a {@link Nat} those it translated and sent
 * on, for the {@link Simulation} those handed to any socket.
 *
 * <p>Read-only to users; updated by the simulator. Not thread-safe.
 */
public final class TrafficCounters {
    private long packets;
    private long bytes;
    private final long[] drops = new long[DropReason.VALUES.length];

    TrafficCounters() {}

    /** Datagrams delivered (see the class comment for what that means here). */
    public long delivered() {
        return packets;
    }

    /** UDP payload bytes of the delivered datagrams. */
    public long deliveredBytes() {
        return bytes;
    }

    /** Datagrams dropped for {@code reason}. */
    public long dropped(DropReason reason) {
        return drops[reason.ordinal()];
    }

    /** Datagrams dropped for any reason. */
    public long droppedTotal() {
        long total = 0;
        for (long d : drops) {
            total += d;
        }
        return total;
    }

    void countDelivered(int payloadBytes) {
        packets++;
        bytes += payloadBytes;
    }

    void countDrop(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("delivered=").append(packets).append(" (").append(bytes).append(" B)");
        for (DropReason r : DropReason.VALUES) {
            if (drops[r.ordinal()] != 0) {
                sb.append(' ').append(r).append('=').append(drops[r.ordinal()]);
            }
        }
        return sb.toString();
    }
}
