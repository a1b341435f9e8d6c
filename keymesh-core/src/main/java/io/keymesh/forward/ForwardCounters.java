package io.keymesh.forward;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** A {@link Forwarder}'s counters, updated from any thread; {@link #snapshot} reads them. Thread-safe. */
final class ForwardCounters {
    final AtomicLong opened = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong reset = new AtomicLong();
    final AtomicLong active = new AtomicLong();
    final AtomicLong bytesToPeers = new AtomicLong();
    final AtomicLong bytesFromPeers = new AtomicLong();
    final AtomicLong buffered = new AtomicLong();
    final AtomicLong waitingForWindow = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong stray = new AtomicLong();
    private final AtomicLongArray refusedBy = new AtomicLongArray(RefuseReason.values().length);

    /** A refusal sent or received. */
    void refused(RefuseReason reason) {
        refused.incrementAndGet();
        refusedBy.incrementAndGet(reason.ordinal());
    }

    ForwardStats snapshot() {
        Map<RefuseReason, Long> by = new EnumMap<>(RefuseReason.class);
        for (RefuseReason r : RefuseReason.values()) {
            long n = refusedBy.get(r.ordinal());
            if (n > 0) {
                by.put(r, n);
            }
        }
        return new ForwardStats(opened.get(), refused.get(), reset.get(), active.get(), bytesToPeers.get(),
                bytesFromPeers.get(), buffered.get(), waitingForWindow.get(), malformed.get(), stray.get(), by);
    }
}
