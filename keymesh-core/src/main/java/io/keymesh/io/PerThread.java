package io.keymesh.io;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * Scratch objects for work that runs on the caller's thread (a buffer, a cipher instance): one per
 * platform thread, kept in a thread-local and reused for the thread's life; and, for virtual
 * threads — which an application may start by the thousand, one per request — a small shared pool
 * to borrow from, so that a virtual thread that sends once does not build (and leave to the
 * garbage collector) an object of its own.
 *
 * <p>Use: {@code T t = acquire(); try { ... } finally { release(t); }}. Between the two calls the
 * object is the caller's alone. A virtual thread's object goes back to the pool if there is room
 * and is dropped otherwise; a platform thread's stays with it ({@link #release} does nothing).
 * Thread-safe; borrowing and returning are lock-free and allocate nothing.
 */
public final class PerThread<T> {
    private final Supplier<T> create;
    private final ThreadLocal<T> local;
    private final AtomicReferenceArray<T> shared;

    /** Objects come from {@code create}; the shared pool holds up to two per processor. */
    public PerThread(Supplier<T> create) {
        this.create = Objects.requireNonNull(create, "create");
        this.local = ThreadLocal.withInitial(create);
        this.shared = new AtomicReferenceArray<>(2 * Runtime.getRuntime().availableProcessors());
    }

    /** An object for the calling thread's use until {@link #release}. */
    public T acquire() {
        if (!Thread.currentThread().isVirtual()) {
            return local.get();
        }
        for (int i = 0; i < shared.length(); i++) {
            T t = shared.get(i);
            if (t != null && shared.compareAndSet(i, t, null)) {
                return t;
            }
        }
        return create.get();
    }

    /** Ends the calling thread's use of {@code t}, which {@link #acquire} gave it. */
    public void release(T t) {
        if (!Thread.currentThread().isVirtual()) {
            return;
        }
        for (int i = 0; i < shared.length(); i++) {
            if (shared.get(i) == null && shared.compareAndSet(i, null, t)) {
                return;
            }
        }
        // the pool is full: let this one go
    }
}
