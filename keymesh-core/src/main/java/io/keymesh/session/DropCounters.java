package io.keymesh.session;

/** Packets dropped, by {@link DropReason}. Not thread-safe: the engine's thread. */
final class DropCounters {
    private final long[] counts = new long[DropReason.values().length];

    void count(DropReason reason) {
        counts[reason.ordinal()]++;
    }

    void count(DropReason reason, int n) {
        counts[reason.ordinal()] += n;
    }

    long get(DropReason reason) {
        return counts[reason.ordinal()];
    }

    long total() {
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }
}
