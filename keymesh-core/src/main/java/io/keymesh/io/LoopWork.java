package io.keymesh.io;

import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * The tasks and timers of a socket loop ({@link UdpNodeIo}, {@link BatchedUdpNodeIo}): tasks queued
 * from any thread and run in submission order, timers scheduled on the loop thread and run when due,
 * and the count of callbacks that threw.
 *
 * <p>A callback that throws is logged and counted and the loop goes on, unless it threw a
 * {@link VirtualMachineError}, which is rethrown to stop the loop. {@link #add}, {@link #remove},
 * {@link #isEmpty} and {@link #callbackErrors} are for any thread; the rest is the loop thread's.
 */
final class LoopWork {
    /**
     * Most tasks run in a row before the loop receives and runs timers. Other threads can queue
     * tasks faster than the loop runs them (a datagram queued for the loop costs its sender a copy;
     * the loop encrypts it and makes a system call), so "until the queue is empty" might never end.
     * 128 tasks of the largest datagram take a few milliseconds; the check costs one comparison
     * per task.
     */
    static final int MAX_TASKS_PER_PASS = 128;

    private final Logger log;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<ScheduledTask> timers = new PriorityQueue<>();
    private final AtomicLong callbackErrors = new AtomicLong();
    private long timerSequence;

    private static final class ScheduledTask implements NodeIo.Timer, Comparable<ScheduledTask> {
        final long at;
        final long sequence;
        final Runnable task;
        boolean cancelled;

        ScheduledTask(long at, long sequence, Runnable task) {
            this.at = at;
            this.sequence = sequence;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(ScheduledTask o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    /** Failures are logged to {@code log}, the loop's logger. */
    LoopWork(Logger log) {
        this.log = log;
    }

    void add(Runnable task) {
        tasks.add(task);
    }

    /** Takes {@code task} back if it is still queued. */
    boolean remove(Runnable task) {
        return tasks.remove(task);
    }

    /**
     * {@code task} was queued ({@link #add}) and then the loop was found stopped: takes it back and
     * refuses it, unless the stopping loop took it already (ran or abandoned it). Any thread.
     *
     * @throws RejectedExecutionException naming {@code loop} if the task was taken back
     */
    void refuseIfStillQueued(Runnable task, String loop) {
        if (tasks.remove(task)) {
            throw new RejectedExecutionException(loop + " has stopped");
        }
    }

    /**
     * The loop has stopped for good ({@code failure} null: closed): tells {@code receiver} (what it
     * throws is counted) and abandons what is queued with a reason naming {@code loop}. Loop thread.
     */
    void stopped(NodeIo.Receiver receiver, Throwable failure, String loop) {
        IllegalStateException reason = failure == null
                ? new IllegalStateException(loop + " is closed")
                : new IllegalStateException(loop + " failed: " + failure, failure);
        try {
            receiver.stopped(failure);
        } catch (Throwable e) {
            failed("stop callback failed", e);
        }
        abandon(reason);
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }

    NodeIo.Timer schedule(long atNanos, Runnable task) {
        ScheduledTask t = new ScheduledTask(atNanos, timerSequence++, task);
        timers.add(t);
        return t;
    }

    /** When the earliest timer is due (cancelled ones included), or {@link Long#MAX_VALUE} if none is scheduled. */
    long nextTimerNanos() {
        ScheduledTask next = timers.peek();
        return next == null ? Long.MAX_VALUE : next.at;
    }

    /** How long a loop with nothing else to do may wait for the earliest timer: 0 for none (wait until woken), else at least 1 ms. */
    long waitMillis(long nowNanos) {
        ScheduledTask next = timers.peek();
        return next == null ? 0 : Math.max(1, (next.at - nowNanos + 999_999) / 1_000_000);
    }

    /** Runs queued tasks in order, at most {@link #MAX_TASKS_PER_PASS}; the rest wait for the next pass. */
    void runTasks() {
        Runnable task;
        for (int n = 0; n < MAX_TASKS_PER_PASS && (task = tasks.poll()) != null; n++) {
            try {
                task.run();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                callbackErrors.incrementAndGet();
                log.warn("task failed", e);
            }
        }
    }

    /** Runs the timers due at {@code nowNanos}, earliest first. */
    void runTimers(long nowNanos) {
        ScheduledTask t;
        while ((t = timers.peek()) != null && t.at <= nowNanos) {
            timers.poll();
            if (t.cancelled) {
                continue;
            }
            try {
                t.task.run();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                callbackErrors.incrementAndGet();
                log.warn("timer task failed", e);
            }
        }
    }

    /** Counts and logs a callback's failure that the loop caught itself (a receive callback's, say). */
    void failed(String what, Throwable e) {
        callbackErrors.incrementAndGet();
        log.warn(what, e);
    }

    /**
     * The loop has stopped: tells every queued {@link NodeIo.Task} that it will not run (other tasks
     * are dropped) and forgets the timers.
     */
    void abandon(IllegalStateException reason) {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            if (task instanceof NodeIo.Task t) {
                try {
                    t.abandoned(reason);
                } catch (Throwable e) {
                    failed("abandoned task failed", e);
                }
            }
        }
        timers.clear();
    }

    /** Exceptions thrown by callbacks (each logged; the loop went on). Any thread. */
    long callbackErrors() {
        return callbackErrors.get();
    }
}
