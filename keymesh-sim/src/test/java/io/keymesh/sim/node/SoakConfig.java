package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.SECOND;

/**
 * The size and pace of a soak run ({@link Soak}): how many nodes, how long, how often each flow
 * sends, and how much churn per virtual hour. All times in virtual nanoseconds.
 *
 * @param nodes members in all, relays included
 * @param relays public members that relay and that every other member lists (two each) as its way in
 * @param durationNanos virtual time the run lasts
 * @param sampleNanos how often the tables, the heap and the counters are sampled
 * @param messageIntervalNanos how often each flow (one direction of a pair) sends a message
 * @param restartsPerHour node restarts (half crashes, half graceful stops) per virtual hour
 * @param movesPerHour hosts moved to another network (another NAT, or a new public address) per hour
 * @param rebindsPerHour NATs that forget every mapping at once (new external ports) per hour
 * @param relayOutages relay departures over the run, one at a time, each followed by its return
 * @param relayDownMinNanos shortest relay absence
 * @param relayDownMaxNanos longest relay absence
 * @param quietNanos time at the end with no churn, before the final checks
 * @param reconnectBoundNanos how soon after a churn event (or a restarted node's return) every
 *     affected flow must deliver a message sent after it
 * @param seed the seed of everything: keys, topology, schedule, and the simulation
 */
record SoakConfig(int nodes, int relays, long durationNanos, long sampleNanos, long messageIntervalNanos,
        int restartsPerHour, int movesPerHour, int rebindsPerHour, int relayOutages, long relayDownMinNanos,
        long relayDownMaxNanos, long quietNanos, long reconnectBoundNanos, long seed) {
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;

    /** The normal build's soak: 20 nodes, 2 virtual hours, every kind of churn, sampled every 10 minutes. */
    static SoakConfig small() {
        return new SoakConfig(20, 3, 2 * HOUR, 10 * MINUTE, 10 * SECOND, 6, 4, 4, 2, 3 * MINUTE, 8 * MINUTE,
                10 * MINUTE, 60 * SECOND, 20260101L);
    }

    /** The full soak: 200 nodes, 24 virtual hours, sampled every hour. */
    static SoakConfig full() {
        return new SoakConfig(200, 5, 24 * HOUR, HOUR, 10 * SECOND, 10, 6, 4, 8, 5 * MINUTE, 30 * MINUTE,
                20 * MINUTE, 60 * SECOND, 20260101L);
    }

    /** The same with {@code n} nodes for {@code durationNanos} of virtual time (the churn rates per hour stay). */
    SoakConfig withSize(int n, long durationNanos) {
        return new SoakConfig(n, relays, durationNanos, sampleNanos, messageIntervalNanos, restartsPerHour,
                movesPerHour, rebindsPerHour, relayOutages, relayDownMinNanos, relayDownMaxNanos, quietNanos,
                reconnectBoundNanos, seed);
    }
}
