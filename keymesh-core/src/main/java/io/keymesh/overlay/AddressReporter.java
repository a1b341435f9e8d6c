package io.keymesh.overlay;

import java.net.InetSocketAddress;

/**
 * Tells one peer where its packets come from, as this node sees them (an OBSERVED_ADDRESS frame;
 * Tailscale's disco pong carries the same): at every handshake completed with it, and when its
 * direct source address changes — at most once per {@link #MIN_INTERVAL_NANOS}. Only direct sources
 * are reported: a relayed packet's source says nothing about the peer's NAT.
 *
 * <p>Sans-I/O: the owner reports sources and handshakes, and sends {@link #take} at
 * {@link #nextTimeout}. Not thread-safe: the node's thread.
 */
final class AddressReporter {
    /** Reports to one peer are at least this far apart. */
    static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    private InetSocketAddress source;
    private InetSocketAddress reported;
    private long reportedNanos = Long.MIN_VALUE;
    private boolean due;

    /** An authenticated packet of the peer came directly from {@code from}. */
    void source(InetSocketAddress from) {
        source = from;
        if (!from.equals(reported)) {
            due = true;
        }
    }

    /** A handshake with the peer completed: the address goes again, to the new session. */
    void handshakeCompleted() {
        if (source != null) {
            due = true;
        }
    }

    /** The peer's direct source address last seen, or null. */
    InetSocketAddress source() {
        return source;
    }

    /** When a report is due, or {@link Long#MAX_VALUE}. */
    long nextTimeout() {
        if (!due || source == null) {
            return Long.MAX_VALUE;
        }
        return reportedNanos == Long.MIN_VALUE ? Long.MIN_VALUE + 1 : reportedNanos + MIN_INTERVAL_NANOS;
    }

    /** The address to report now, or null if none is due. The caller sends it, or calls {@link #failed}. */
    InetSocketAddress take(long now) {
        if (now < nextTimeout()) {
            return null;
        }
        due = false;
        reported = source;
        reportedNanos = now;
        return source;
    }

    /** The report could not go (no session yet): it is due again at the next handshake, at once. */
    void failed() {
        reported = null;
        reportedNanos = Long.MIN_VALUE;
    }
}
