package io.keymesh.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A deterministic discrete-event simulation: a virtual clock, a queue of scheduled actions and the
 * random streams everything draws from, all derived from one seed. It is also where networks are
 * made ({@link #newNetwork}) and cut apart ({@link #partition}).
 *
 * <p>Time is virtual, in nanoseconds, starting at 0; it moves only inside {@code run*} calls, from
 * event to event. Events at the same time run in the order they were scheduled. Nothing here reads
 * the wall clock or starts a thread, so the same seed and the same calls give the same run.
 *
 * <p>Randomness: {@link #random()} is a stream for the user's own workload; every link direction,
 * host and NAT gets its own stream split from the seed when it is made ({@link #newRandomStream()}),
 * so extra traffic in one place does not change the draws made in another.
 *
 * <p>Not thread-safe: a simulation and everything in it belong to one thread. Actions, socket handlers
 * and tracers run on it, inside {@code run*}; an exception they throw propagates out of {@code run*}
 * (that event is consumed; the simulation can go on).
 */
public final class Simulation {
    private final long seed;
    private final SplittableRandom splitter;
    private final RandomGenerator userRandom;
    private final EventQueue queue = new EventQueue();
    private final TrafficCounters counters = new TrafficCounters();
    private final List<Partition> partitions = new ArrayList<>();
    private PacketTracer tracer;
    private long now;
    private long eventsProcessed;
    private boolean running;

    /** A simulation at time 0 whose every random draw derives from {@code seed}. */
    public Simulation(long seed) {
        this.seed = seed;
        this.splitter = new SplittableRandom(seed);
        this.userRandom = splitter.split();
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** Virtual time now, nanoseconds since the start. */
    public long now() {
        return now;
    }

    /** Events run so far (cancelled ones are not counted): divide by wall time for events per second. */
    public long eventsProcessed() {
        return eventsProcessed;
    }

    /** Events waiting to run. */
    public int pendingEvents() {
        return queue.size();
    }

    /** Time of the next pending event, or {@link Long#MAX_VALUE} if none. */
    public long nextEventNanos() {
        ScheduledEvent e = queue.peek();
        return e == null ? Long.MAX_VALUE : e.timeNanos;
    }

    /** A random stream, from the seed, for the user's workload. */
    public RandomGenerator random() {
        return userRandom;
    }

    /**
     * A new random stream split from the seed: independent of the others, and the same in every run
     * that makes the same calls in the same order. Give one to each sans-I/O machine you drive.
     */
    public RandomGenerator newRandomStream() {
        return splitter.split();
    }

    /**
     * Schedules {@code action} at virtual time {@code atNanos}.
     *
     * @throws IllegalArgumentException if {@code atNanos} is before {@link #now()}
     */
    public ScheduledEvent schedule(long atNanos, Runnable action) {
        Objects.requireNonNull(action, "action");
        if (atNanos < now) {
            throw new IllegalArgumentException("cannot schedule in the past: " + atNanos + " < now " + now);
        }
        return queue.add(atNanos, action);
    }

    /** Schedules {@code action} {@code delayNanos} (≥ 0) from now. */
    public ScheduledEvent scheduleAfter(long delayNanos, Runnable action) {
        if (delayNanos < 0) {
            throw new IllegalArgumentException("delay must be >= 0, got " + delayNanos);
        }
        return schedule(saturatedAdd(now, delayNanos), action);
    }

    /** Schedules {@code action} {@code delay} (≥ 0) from now. */
    public ScheduledEvent scheduleAfter(Duration delay, Runnable action) {
        return scheduleAfter(delay.toNanos(), action);
    }

    /**
     * Runs every event due at or before {@code timeNanos}, including those they schedule, then sets
     * the clock to {@code timeNanos}.
     *
     * @throws IllegalArgumentException if {@code timeNanos} is before {@link #now()}
     * @throws IllegalStateException if called from inside a running event
     */
    public void runUntil(long timeNanos) {
        if (timeNanos < now) {
            throw new IllegalArgumentException("cannot run back in time: " + timeNanos + " < now " + now);
        }
        enter();
        try {
            ScheduledEvent e;
            while ((e = queue.peek()) != null && e.timeNanos <= timeNanos) {
                runNext();
            }
            now = timeNanos;
        } finally {
            running = false;
        }
    }

    /** Runs for {@code durationNanos} (≥ 0) of virtual time; see {@link #runUntil}. */
    public void runFor(long durationNanos) {
        if (durationNanos < 0) {
            throw new IllegalArgumentException("duration must be >= 0, got " + durationNanos);
        }
        runUntil(saturatedAdd(now, durationNanos));
    }

    /** Runs for {@code duration} of virtual time; see {@link #runUntil}. */
    public void runFor(Duration duration) {
        runFor(duration.toNanos());
    }

    /**
     * Runs events until none is left or {@code maxEvents} have run; the clock stays at the last event's
     * time. The limit guards against workloads that never go quiet (periodic timers). Note that each
     * NAT mapping keeps an expiry timer pending, so with NATs "idle" comes only after the bindings expire.
     *
     * @return true if the queue is empty, false if the limit stopped it
     * @throws IllegalStateException if called from inside a running event
     */
    public boolean runUntilIdle(long maxEvents) {
        if (maxEvents < 0) {
            throw new IllegalArgumentException("maxEvents must be >= 0, got " + maxEvents);
        }
        enter();
        try {
            for (long i = 0; i < maxEvents && queue.size() > 0; i++) {
                runNext();
            }
            return queue.size() == 0;
        } finally {
            running = false;
        }
    }

    private void enter() {
        if (running) {
            throw new IllegalStateException("the simulation is already running (run* called from an event)");
        }
        running = true;
    }

    private void runNext() {
        ScheduledEvent e = queue.poll();
        now = e.timeNanos;
        eventsProcessed++;
        e.action.run();
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < a ? Long.MAX_VALUE : r;
    }

    /** Creates a top-level network on {@code cidr}, e.g. {@code "198.18.0.0/15"} (RFC 2544's benchmarking range). */
    public Network newNetwork(String name, String cidr) {
        return new Network(this, name, cidr);
    }

    /** Cuts {@code side} off from every other node, until {@link Partition#heal()}. */
    public Partition partition(Collection<? extends Node> side) {
        return addPartition(new Partition(this, side, null));
    }

    /** Cuts {@code side} off from {@code other} (nodes in neither are unaffected), until healed. */
    public Partition partition(Collection<? extends Node> side, Collection<? extends Node> other) {
        return addPartition(new Partition(this, side, Objects.requireNonNull(other, "other")));
    }

    private Partition addPartition(Partition p) {
        partitions.add(p);
        return p;
    }

    void healed(Partition p) {
        partitions.remove(p);
    }

    /** The partitions in force, oldest first. */
    public List<Partition> partitions() {
        return List.copyOf(partitions);
    }

    boolean isPartitioned(Node a, Node b) {
        for (int i = 0; i < partitions.size(); i++) {
            if (partitions.get(i).separates(a, b)) {
                return true;
            }
        }
        return false;
    }

    /** Everything delivered to sockets and everything dropped, anywhere in this simulation. */
    public TrafficCounters counters() {
        return counters;
    }

    /** Installs a tracer (null removes it). */
    public void setTracer(PacketTracer tracer) {
        this.tracer = tracer;
    }

    void drop(Node node, TrafficCounters where, DropReason reason, Datagram d) {
        where.countDrop(reason);
        counters.countDrop(reason);
        if (tracer != null) {
            tracer.dropped(now, node, reason, d.from(), d.to(), d.data.length);
        }
    }

    void delivered(Host host, Datagram d) {
        counters.countDelivered(d.data.length);
        if (tracer != null) {
            tracer.delivered(now, host, d.from(), d.to(), d.data);
        }
    }

    @Override
    public String toString() {
        return "Simulation[seed=" + seed + ", now=" + now + "ns, events=" + eventsProcessed + ", pending="
                + queue.size() + "]";
    }
}
