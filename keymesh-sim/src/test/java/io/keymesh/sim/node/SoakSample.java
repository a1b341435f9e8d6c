package io.keymesh.sim.node;

import io.keymesh.node.TableSizes;

/**
 * One sample of a soak run: the heap, every running node's tables (sums and the largest one node
 * holds), the simulator's own state, and what happened since the previous sample.
 *
 * @param atNanos virtual time of the sample
 * @param heapBytes heap in use after {@link System#gc()} (noisy: read, not asserted)
 * @param running nodes running
 * @param sum each {@link TableSizes} component ({@link #NAMES} order) summed over the running nodes
 * @param max the same, the largest on one node
 * @param natMappings NAT mappings active, over all NATs
 * @param pendingEvents events queued in the simulator (every node's timers, the packets in flight)
 * @param delivered messages delivered since the previous sample
 * @param reconnections flows that carried traffic again after a churn event, since the previous sample
 * @param connectionsLost connections reported lost since the previous sample (by either end)
 * @param churn churn events since the previous sample: restarts, moves, rebinds, relay departures
 */
record SoakSample(long atNanos, long heapBytes, int running, long[] sum, int[] max, long natMappings, int pendingEvents,
        long delivered, long reconnections, long connectionsLost, int[] churn) {
    /** The {@link TableSizes} components, in the order of {@link #values}. */
    static final String[] NAMES = {"peers", "admitted", "indices", "staged", "handles", "connections", "channels",
        "overlayPeers", "paths", "relayCircuits", "ownCircuits", "splicedOrigins", "seeksPending", "seeksSeen",
        "seekOrigins", "seekLinks", "reachFilters", "outbox", "pings"};

    static int[] values(TableSizes t) {
        return new int[] {t.peers(), t.admittedMembers(), t.indices(), t.stagedPackets(), t.channelHandles(),
            t.connections(), t.channels(), t.overlayPeers(), t.paths(), t.relayCircuits(), t.ownCircuits(),
            t.splicedOrigins(), t.seeksPending(), t.seeksSeen(), t.seekOrigins(), t.seekLinks(), t.reachFilters(),
            t.relayedOutbox(), t.pings()};
    }

    static int index(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    long sum(String name) {
        return sum[index(name)];
    }

    int max(String name) {
        return max[index(name)];
    }

    /** The table's header, for {@link #row}. */
    static String header() {
        return "| virtual time | heap MiB | nodes up | peers sum / max | indices sum / max | paths sum / max"
                + " | relay circuits sum / max | own circuit ends sum / max | channel handles | connections | channels"
                + " | seeks seen max | seek origins max | staged | outbox | sim events queued | NAT mappings"
                + " | messages delivered | reconnections | connections lost | churn: restarts / moves / rebinds / relays |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
    }

    String row() {
        long minutes = atNanos / 60_000_000_000L;
        return String.format("| %d:%02d | %.1f | %d | %d / %d | %d / %d | %d / %d | %d / %d | %d / %d | %d | %d | %d | %d"
                + " | %d | %d | %d | %d | %d | %d | %d | %d | %d / %d / %d / %d |", minutes / 60, minutes % 60,
                heapBytes / 1048576.0, running, sum("peers"), max("peers"), sum("indices"), max("indices"), sum("paths"),
                max("paths"), sum("relayCircuits"), max("relayCircuits"), sum("ownCircuits"), max("ownCircuits"),
                sum("handles"), sum("connections"), sum("channels"), max("seeksSeen"), max("seekOrigins"),
                sum("staged"), sum("outbox"), pendingEvents, natMappings, delivered, reconnections, connectionsLost,
                churn[0], churn[1], churn[2], churn[3]);
    }
}
