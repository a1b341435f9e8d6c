package io.keymesh.node;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A few platform threads (daemons) that run the items of one job together with the thread that
 * asks ({@link #run}): the caller claims items too, so it is never idle while the workers work and
 * a batch costs no more than on the caller alone when the workers are slow to wake. wireguard-go
 * runs one decryption and one encryption routine per CPU; here the loop thread is one of them.
 *
 * <p>The job is fixed at construction and told the item and which thread runs it (0: the caller,
 * 1 to {@link #threads()}: the workers), so that each thread can use objects of its own (an AEAD
 * instance). Items are taken in order; every item runs exactly once, on one thread. {@link #run}
 * returns when all have run, and what they wrote happens-before its return. Or the caller starts a
 * run ({@link #start}), takes items itself when it has nothing else to do ({@link #runOne}), and
 * {@linkplain #finish finishes} it: a caller that needs the items' results in order can use each as
 * soon as it is done (the job publishes it) while the workers go on with later ones. An item that
 * throws is left as it is (counted in {@link #errors}); the job must leave such an item
 * recognisably undone.
 *
 * <p>Thread-safety: {@link #run}, {@link #start}, {@link #runOne} and {@link #finish} from one
 * thread (the loop's); {@link #close} from any thread, at any time: workers finish the item in hand
 * and end, and a run in progress, or any later one, completes on the caller. Allocates nothing per
 * run.
 */
final class CryptoWorkers implements AutoCloseable {
    /** Work on one item, by the thread numbered {@code thread}. */
    @FunctionalInterface
    interface Job {
        void run(int item, int thread);
    }

    /** Most items of one run ({@link #run} packs the count and the next item into 21 bits each). */
    static final int MAX_ITEMS = (1 << 21) - 1;
    /** How long a worker that ran out of items looks for the next run before it parks. */
    private static final long SPIN_NANOS = 20_000;
    private static final int ITEM_BITS = 21;
    private static final long ITEM_MASK = (1L << ITEM_BITS) - 1;

    private final Job job;
    private final Thread[] workers;
    /**
     * The run in progress: its number (the high 22 bits), its item count and the next item to claim
     * (21 bits each). One word, so that a worker late from an earlier run cannot claim an item of
     * this one.
     */
    private final AtomicLong cursor = new AtomicLong();
    /** Items of the run in progress that have run. */
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean closed;
    private long runs;
    /** Items of the run the caller started and has not finished; the caller's. */
    private int items;

    /**
     * Workers for a machine of {@code processors} CPUs: two processors are left to the loop thread
     * and the application's threads (on two, the end-to-end benchmarks gained nothing from a
     * worker: the sender, both loops and a worker compete for them), at most 3. See
     * docs/benchmarks.md.
     */
    static int defaultCount(int processors) {
        return Math.max(0, Math.min(processors - 2, 3));
    }

    /** Starts {@code threads} workers named {@code name-1} … {@code name-threads}. */
    CryptoWorkers(int threads, String name, Job job) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        this.job = job;
        this.workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int number = t + 1;
            workers[t] = Thread.ofPlatform().daemon().name(name + "-" + number).unstarted(() -> work(number));
        }
        for (Thread w : workers) {
            w.start();
        }
    }

    /** Worker threads (not counting the caller). */
    int threads() {
        return workers.length;
    }

    /** Items that threw. */
    long errors() {
        return errors.get();
    }

    /**
     * Runs items {@code 0 .. items-1} of the job on the workers and the calling thread, and returns
     * when every one has run: {@link #start} then {@link #finish}.
     */
    void run(int items) {
        start(items);
        finish();
    }

    /**
     * Starts a run of items {@code 0 .. items-1}: the workers take them from now on, in order, and
     * the caller may take some too ({@link #runOne}) before it {@linkplain #finish finishes} the run.
     * What the caller wrote before the call happens-before each item. A run still open is finished
     * first.
     */
    void start(int items) {
        if (items < 0 || items > MAX_ITEMS) {
            throw new IllegalArgumentException("items out of range: " + items);
        }
        finish();
        this.items = items;
        if (items == 0) {
            return;
        }
        done.set(0);
        runs = (runs + 1) & ((1L << (64 - 2 * ITEM_BITS)) - 1);
        cursor.set(runs << (2 * ITEM_BITS) | (long) items << ITEM_BITS);
        if (!closed) {
            for (int t = 0, wake = Math.min(workers.length, items - 1); t < wake; t++) {
                LockSupport.unpark(workers[t]);
            }
        }
    }

    /**
     * Takes the next item of the run no thread has taken yet and runs it on the calling thread;
     * false if every item has been taken (some may still be running on workers).
     */
    boolean runOne() {
        return claimAndRun(0, 1) > 0;
    }

    /**
     * Runs the items nobody has taken on the calling thread, then waits for those in the workers'
     * hands: when it returns every item of the run has run, and what they wrote happens-before.
     */
    void finish() {
        if (items == 0) {
            return;
        }
        claimAndRun(0, Integer.MAX_VALUE);
        for (int spins = 0; done.get() < items; ) {
            if (++spins < 256) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // a worker holding an item may be waiting for this CPU
            }
        }
        items = 0;
    }

    /** Stops the workers; idempotent. A run in progress completes on its caller. */
    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }

    /** True while any worker thread is alive. */
    boolean anyAlive() {
        for (Thread w : workers) {
            if (w.isAlive()) {
                return true;
            }
        }
        return false;
    }

    /** Claims and runs items of the current run, at most {@code max}, until none is left; returns how many it ran. */
    private int claimAndRun(int thread, int max) {
        int ran = 0;
        while (ran < max) {
            long c = cursor.get();
            long next = c & ITEM_MASK;
            if (next >= ((c >>> ITEM_BITS) & ITEM_MASK)) {
                return ran;
            }
            if (!cursor.compareAndSet(c, c + 1)) {
                continue;
            }
            try {
                job.run((int) next, thread);
            } catch (Throwable e) {
                errors.incrementAndGet();
            }
            done.incrementAndGet();
            ran++;
        }
        return ran;
    }

    private void work(int thread) {
        long seen = cursor.get() >>> (2 * ITEM_BITS);
        while (!closed) {
            long run = cursor.get() >>> (2 * ITEM_BITS);
            if (run == seen) {
                long idleSince = System.nanoTime();
                while (!closed && cursor.get() >>> (2 * ITEM_BITS) == seen) {
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                continue;
            }
            seen = run;
            claimAndRun(thread, Integer.MAX_VALUE);
        }
    }
}
