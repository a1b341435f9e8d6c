package io.keymesh.sim.node;

/**
 * Running totals of a soak run, read at each sample (the differences give each interval's share).
 * Simulation thread only.
 */
final class SoakCounters {
    long delivered;
    long connectionsLost;
    long peersUp;
    long peersDown;
    long unreachable;
    long restarts;
    /** Graceful stops whose node reported everything acknowledged before it closed, and those that waited in vain. */
    long drainedStops;
    long undrainedStops;
    long moves;
    long rebinds;
    long relayDepartures;
    long relayReturns;
}
