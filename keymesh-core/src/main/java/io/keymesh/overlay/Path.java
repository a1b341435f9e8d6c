package io.keymesh.overlay;

import io.keymesh.session.Endpoint;

/**
 * One way to reach a peer — direct to a UDP address, or through relays — and what is known of it:
 * when it last carried an authenticated packet from the peer, its round-trip time from probes, and
 * the probe in flight. Not thread-safe: the node's thread.
 */
public final class Path {
    /** A path's rank: direct before relayed; among relayed, fewer relays first. */
    public enum Kind { DIRECT, RELAYED }

    private final Endpoint endpoint;
    private final Kind kind;
    private final int relays;
    /** Open: a direct path always; a relayed one once its circuit answered. */
    boolean usable;
    long lastReceivedNanos = Long.MIN_VALUE;
    long probeId;
    /** When the probe in flight was sent, or {@link Long#MIN_VALUE} if none is. */
    long probeSentNanos = Long.MIN_VALUE;
    /** A probe went unanswered, and nothing was heard on the path since. */
    boolean failing;
    /** When {@link #failing} last became true. */
    long failingSinceNanos = Long.MIN_VALUE;
    /** A configured endpoint: trusted as WireGuard trusts it, never demoted to a candidate. */
    boolean configured;
    /** A circuit a relay opened to us (the peer's), not one of ours. */
    boolean inbound;
    long lastProbeNanos = Long.MIN_VALUE;
    long smoothedRttNanos;
    int maxMessage;
    /** Connectivity checks still to send on an unvalidated direct path (RFC 8445 section 6.1.4). */
    int checksLeft;
    /** When the next check goes. */
    long nextCheckNanos = Long.MIN_VALUE;
    /** When the first check of the round in progress went, or {@link Long#MIN_VALUE}. */
    long checkStartNanos = Long.MIN_VALUE;
    /** When the latest check of the round in progress went, or {@link Long#MIN_VALUE}. */
    long lastCheckNanos = Long.MIN_VALUE;
    /** When a check on this direct path was first answered, or {@link Long#MIN_VALUE}. */
    long validatedNanos = Long.MIN_VALUE;

    Path(Endpoint endpoint, Kind kind, int relays) {
        this.endpoint = endpoint;
        this.kind = kind;
        this.relays = relays;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public Kind kind() {
        return kind;
    }

    /** Relays on the way: 0 for a direct path. */
    public int relays() {
        return relays;
    }

    /**
     * True if the path may carry the peer's packets: a direct path once a connectivity check on it
     * was answered (or configured, or learnt by roaming); a relayed one once its circuit opened.
     */
    public boolean usable() {
        return usable;
    }

    /** When a check on this direct path was first answered (nanoseconds on the node's clock), or {@link Long#MIN_VALUE}. */
    public long validatedNanos() {
        return validatedNanos;
    }

    /** Smoothed round-trip time from probes, in nanoseconds; 0 before the first answer. */
    public long rttNanos() {
        return smoothedRttNanos;
    }

    /** Lower ranks first: direct, then relayed by number of relays. */
    int rank() {
        return kind == Kind.DIRECT ? 0 : relays;
    }

    void onRttSample(long rtt) {
        smoothedRttNanos = smoothedRttNanos == 0 ? rtt : (7 * smoothedRttNanos + rtt) / 8; // RFC 6298's alpha
    }

    @Override
    public String toString() {
        return (kind == Kind.DIRECT ? (usable ? "direct " : "candidate ") : "") + endpoint + (smoothedRttNanos > 0 ? " rtt " + smoothedRttNanos / 1000 + " µs" : "");
    }
}
