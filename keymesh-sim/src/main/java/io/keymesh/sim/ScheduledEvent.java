package io.keymesh.sim;

/**
 * An action scheduled on a {@link Simulation}'s virtual clock, and the handle that cancels it.
 *
 * <p>Not thread-safe: use it only from the simulation's thread.
 */
public final class ScheduledEvent {
    final long timeNanos;
    /** Insertion order: breaks ties between events at the same time. */
    final long sequence;
    final Runnable action;
    /** Position in the {@link EventQueue}'s heap; -1 once run or cancelled. */
    int index = -1;
    private final EventQueue queue;

    ScheduledEvent(EventQueue queue, long timeNanos, long sequence, Runnable action) {
        this.queue = queue;
        this.timeNanos = timeNanos;
        this.sequence = sequence;
        this.action = action;
    }

    /** The virtual time, in nanoseconds, at which the action runs (or would have run). */
    public long timeNanos() {
        return timeNanos;
    }

    /** Whether the action is still waiting to run: neither run nor cancelled. */
    public boolean isPending() {
        return index >= 0;
    }

    /**
     * Cancels the action if it has not run yet. Cancelling is idempotent and O(log n).
     *
     * @return whether this call cancelled it (false if it had already run or been cancelled)
     */
    public boolean cancel() {
        return queue.remove(this);
    }

    @Override
    public String toString() {
        return "ScheduledEvent[t=" + timeNanos + "ns, #" + sequence + (isPending() ? ", pending]" : "]");
    }
}
