package io.keymesh.overlay;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * When to exchange candidates with one peer (Tailscale's "call me maybe", not libp2p DCUtR's timed
 * Connect/Sync): while the peer's packets take only a relayed path, this side sends its candidates
 * in a CANDIDATES offer; the peer probes them at once and answers with its own; this side probes
 * those when the answer comes. The two sides' probes thus leave about one relayed one-way delay
 * apart, and each side's first probes open its own NAT's binding for the other's.
 *
 * <p>An offer goes when the peer becomes only relayed, then every {@link #UPGRADE_INTERVAL_NANOS}
 * while it stays so, and sooner — but never within {@link #MIN_ROUND_INTERVAL_NANOS} of the last
 * round — after a network change, after a direct path it used stopped answering, or when its last
 * offer was never answered (the offer or the answer was lost on the way). An offer received counts
 * as a round (the peer is punching already). Sans-I/O; not thread-safe.
 */
final class HolePunch {
    /** While only relayed, a round at least this often (Tailscale and iroh: every minute). */
    static final long UPGRADE_INTERVAL_NANOS = 60_000_000_000L;
    /** Rounds are at least this far apart (iroh: a punch attempt at most every 5 s). */
    static final long MIN_ROUND_INTERVAL_NANOS = 5_000_000_000L;
    /**
     * Offers received closer together than this are ignored: each sets off checks to up to eight
     * addresses, and a peer must not turn this node into a packet generator.
     */
    static final long MIN_OFFER_INTERVAL_NANOS = 1_000_000_000L;

    private long nextRound = 1;
    private long offered = -1;
    private long lastRoundNanos = Long.MIN_VALUE;
    private long lastOfferReceivedNanos = Long.MIN_VALUE;
    private long generationAtRound;
    private boolean directSinceRound;
    private List<InetSocketAddress> remote = List.of();
    private long rounds;

    /** The peer's packets take a direct path now: if it fails, the next round need not wait a minute. */
    void sawDirect() {
        directSinceRound = true;
    }

    /** True if an offer should go now: only relayed, and a round is due. */
    boolean due(long now, PeerPaths paths, long generation) {
        if (!paths.onlyRelayed()) {
            return false;
        }
        if (lastRoundNanos == Long.MIN_VALUE) {
            return true;
        }
        long since = now - lastRoundNanos;
        return since >= UPGRADE_INTERVAL_NANOS
                || (since >= MIN_ROUND_INTERVAL_NANOS && (generation != generationAtRound || directSinceRound
                        || offered != -1)); // our last offer was never answered: it, or the answer, was lost
    }

    /** An offer of round {@link #nextRound()} went at {@code now}, with candidates of {@code generation}. */
    void offered(long now, long generation) {
        offered = nextRound++;
        started(now, generation);
        rounds++;
    }

    /** The round number the next offer carries. */
    long nextRound() {
        return nextRound;
    }

    /**
     * The peer's offer arrived: it counts as a round of ours.
     *
     * @return false if it came within {@link #MIN_OFFER_INTERVAL_NANOS} of the previous one: ignore it
     */
    boolean offerReceived(long now, long generation, List<InetSocketAddress> candidates) {
        if (lastOfferReceivedNanos != Long.MIN_VALUE && now - lastOfferReceivedNanos < MIN_OFFER_INTERVAL_NANOS) {
            return false;
        }
        lastOfferReceivedNanos = now;
        started(now, generation);
        remote = List.copyOf(candidates);
        return true;
    }

    /** An answer to round {@code round} arrived; true if it answers our latest offer. */
    boolean answerReceived(long round, List<InetSocketAddress> candidates) {
        if (round != offered) {
            return false;
        }
        offered = -1;
        remote = List.copyOf(candidates);
        return true;
    }

    private void started(long now, long generation) {
        lastRoundNanos = now;
        generationAtRound = generation;
        directSinceRound = false;
    }

    /** The peer's candidates as it last sent them. */
    List<InetSocketAddress> remote() {
        return remote;
    }

    /** Offers sent. */
    long rounds() {
        return rounds;
    }
}
