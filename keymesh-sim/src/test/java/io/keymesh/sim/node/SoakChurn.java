package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.SECOND;
import static io.keymesh.sim.node.SoakConfig.HOUR;
import static io.keymesh.sim.node.SoakConfig.MINUTE;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One churn event of a soak run's schedule, and the schedule's making ({@link #plan}).
 *
 * @param atNanos virtual time it happens
 * @param kind what happens
 * @param target the member (for {@link Kind#REBIND}: the NAT) it happens to, an index into the run's list
 * @param downNanos how long a restarted member or a departed relay stays away
 * @param graceful a stop that lets the channels drain first (at most {@link #DRAIN_NANOS}), not a crash
 * @param choice a draw for the run to choose with when it happens (where a moved host goes)
 */
record SoakChurn(long atNanos, Kind kind, int target, long downNanos, boolean graceful, int choice) {
    enum Kind { RESTART, MOVE, REBIND, RELAY_LEAVE }

    /** How long a graceful stop waits at most for its channels to drain. */
    static final long DRAIN_NANOS = 10 * SECOND;
    /** No churn in the first minutes: the mesh forms. */
    static final long WARM_UP_NANOS = 5 * MINUTE;
    /** A member is not touched again within this long of an event of its (or its return). */
    static final long SPACING_NANOS = 3 * MINUTE;

    /**
     * The schedule of a run: {@code config}'s rates of restarts and moves over the members
     * {@code others} (indices), of rebinds over {@code nats} NATs, and its relay outages over the
     * relays {@code relays} (indices), one at a time, each ending before the next starts; nothing
     * in the first {@link #WARM_UP_NANOS} or the last {@link SoakConfig#quietNanos}. In time order;
     * the same seed gives the same schedule.
     */
    static List<SoakChurn> plan(SoakConfig config, List<Integer> relays, List<Integer> others, int nats) {
        SplittableRandom r = new SplittableRandom(config.seed() ^ 0x636875726eL);
        long end = config.durationNanos() - config.quietNanos();
        double hours = (double) config.durationNanos() / HOUR;
        List<SoakChurn> events = new ArrayList<>();
        Map<Integer, List<long[]>> busy = new HashMap<>();
        int restarts = (int) Math.round(config.restartsPerHour() * hours);
        int moves = (int) Math.round(config.movesPerHour() * hours);
        int rebinds = (int) Math.round(config.rebindsPerHour() * hours);
        for (int i = 0; i < restarts + moves; i++) {
            boolean restart = i < restarts;
            for (int attempt = 0; attempt < 100; attempt++) {
                long at = WARM_UP_NANOS + r.nextLong(end - WARM_UP_NANOS - 2 * MINUTE);
                int target = others.get(r.nextInt(others.size()));
                long down = restart ? 2 * SECOND + r.nextLong(58 * SECOND) : 0;
                long until = at + DRAIN_NANOS + down + SPACING_NANOS;
                if (free(busy, target, at - SPACING_NANOS, until)) {
                    busy.computeIfAbsent(target, k -> new ArrayList<>()).add(new long[] {at - SPACING_NANOS, until});
                    events.add(new SoakChurn(at, restart ? Kind.RESTART : Kind.MOVE, target, down, r.nextBoolean(),
                            r.nextInt(1 << 20)));
                    break;
                }
            }
        }
        for (int i = 0; i < rebinds; i++) {
            long at = WARM_UP_NANOS + r.nextLong(end - WARM_UP_NANOS - MINUTE);
            events.add(new SoakChurn(at, Kind.REBIND, r.nextInt(nats), 0, false, 0));
        }
        long window = (end - WARM_UP_NANOS) / Math.max(1, config.relayOutages());
        for (int i = 0; i < config.relayOutages(); i++) {
            long windowStart = WARM_UP_NANOS + i * window;
            long down = config.relayDownMinNanos() + r.nextLong(config.relayDownMaxNanos() - config.relayDownMinNanos() + 1);
            down = Math.min(down, window - 2 * MINUTE);
            long at = windowStart + r.nextLong(Math.max(1, window - down - MINUTE));
            events.add(new SoakChurn(at, Kind.RELAY_LEAVE, relays.get(r.nextInt(relays.size())), down, r.nextBoolean(), 0));
        }
        events.sort(Comparator.comparingLong(SoakChurn::atNanos));
        return events;
    }

    private static boolean free(Map<Integer, List<long[]>> busy, int target, long from, long until) {
        for (long[] span : busy.getOrDefault(target, List.of())) {
            if (from < span[1] && span[0] < until) {
                return false;
            }
        }
        return true;
    }
}
