package io.keymesh.pekko;

import java.util.ArrayDeque;
import java.util.function.BiConsumer;

/**
 * Events for a listener that may not be registered yet: until {@link #register}, events are held
 * in order; then they are handed over, and later ones go straight through. Thread-safe: events
 * from one thread reach the listener in the order given, also across the registration.
 *
 * @param <L> the listener
 * @param <E> the event
 */
final class HeldEvents<L, E> {
    private final BiConsumer<L, E> notify;
    private final ArrayDeque<E> held = new ArrayDeque<>();
    private L listener; // guarded by this

    /** {@code notify} hands one event to the listener; it must not block. */
    HeldEvents(BiConsumer<L, E> notify) {
        this.notify = notify;
    }

    /** Hands {@code event} to the listener, or holds it until there is one. */
    synchronized void deliver(E event) {
        if (listener == null) {
            held.add(event);
        } else {
            notify.accept(listener, event);
        }
    }

    /** Events held now: 0 once a listener is registered. */
    synchronized int held() {
        return held.size();
    }

    /** Sets the listener and hands it the held events. */
    synchronized void register(L l) {
        for (E e; (e = held.poll()) != null; ) {
            notify.accept(l, e);
        }
        listener = l;
    }
}
