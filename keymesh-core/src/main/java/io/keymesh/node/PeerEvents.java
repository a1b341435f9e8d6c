package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import io.keymesh.session.DropReason;
import io.keymesh.session.Endpoint;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEvents;
import io.keymesh.session.UdpEndpoint;
import java.util.Map;

/**
 * What the session engine reports to a node: payloads go to the {@link PayloadRouter}; a completed
 * handshake brings a peer up, a given-up handshake or zeroed keys take it down, to the listener; an
 * authenticated packet moves the peer's endpoint by WireGuard's roaming, and the listener hears of
 * the move — unless the overlay picks the peer's paths, which it does from the start for a peer
 * with relays and from its first relayed packet for any other that is not a stock WireGuard peer;
 * a refused handshake is told to {@link RefusedHandshakes}. Loop thread.
 */
final class PeerEvents implements SessionEvents {
    private final Map<PublicKey, PeerState> peers;
    private final GuardedListener listener;
    private final PayloadRouter router;
    /** The configured largest UDP payload, for datagram limits; set once, before the loop starts. */
    int maxUdpPayload;
    /** The loop's clock; set once, before the loop starts. */
    java.util.function.LongSupplier clock;
    /** Wakes {@link #checkSilence}; set once, before the loop starts. */
    Wakeup silence;
    /** The peers' connections; set once, before the loop starts. */
    PeerConnections connections;
    /** The overlay; set once, before the loop starts. */
    MeshOverlay overlay;
    /** Lets in a member that is not listed, or not; set once, before the loop starts. */
    java.util.function.Predicate<PublicKey> members = key -> false;
    /** Forgets a member let in without being listed; set once, before the loop starts. */
    java.util.function.Consumer<PublicKey> forgetMember = key -> { };

    PeerEvents(Map<PublicKey, PeerState> peers, GuardedListener listener, PayloadRouter router) {
        this.peers = peers;
        this.listener = listener;
        this.router = router;
    }

    @Override
    public void deliver(Peer peer, Endpoint from, int kind, byte[] payload, int off, int len) {
        router.route(peer.publicKey(), from, kind, payload, off, len);
        PeerState s = peers.get(peer.publicKey());
        if (s != null && s.overlayPaths) {
            // The packet's authenticated() came just before, and noted its time.
            overlay.delivered(s.lastReceivedNanos, peer, from, payload, off);
        }
    }

    @Override
    public void handshakeCompleted(Peer peer) {
        PeerState s = peers.get(peer.publicKey());
        if (s != null && !s.up) {
            s.up = true;
            s.silent = false;
            listener.onPeerUp(peer.publicKey());
            overlay.linkUp(peer.publicKey());
            silence.rearm();
        }
        if (s != null) {
            s.confirmingHandshake = true;
            connections.sessionRenewed(s);
            if (s.announceConnection && !peer.sessionInitiatedByPeer()) {
                s.announceConnection = false;
                connections.announce(s);
            }
            overlay.handshakeCompleted(peer);
        }
    }

    /**
     * For a peer the overlay picks paths for, the overlay's business; for the others WireGuard's
     * roaming: the peer's endpoint follows its authenticated packets.
     */
    @Override
    public void authenticated(Peer peer, Endpoint from) {
        PeerState s = peers.get(peer.publicKey());
        if (s == null) {
            return; // being removed: no endpoint to move
        }
        long now = clock.getAsLong();
        s.lastReceivedNanos = now;
        if (!s.up && peer.hasSession(now) && s.silent) {
            // It went quiet and was reported down; it speaks again on the same session.
            s.silent = false;
            s.up = true;
            listener.onPeerUp(peer.publicKey());
            overlay.linkUp(peer.publicKey());
        }
        if (s.overlayPaths) {
            overlay.authenticated(now, peer, from);
        } else if (!from.equals(peer.endpoint())) {
            if (overlay.roamed(now, s, from)) {
                return; // under the overlay's policy from now on; it moved the endpoint to the relayed path
            }
            peer.setEndpoint(from);
            s.maxDatagram = DatagramLimit.of(from, maxUdpPayload, overlay.relayedMaxMessage(peer));
            listener.onEndpointChanged(peer.publicKey(), UdpEndpoint.addressOf(from));
        }
    }

    @Override
    public void handshakeGaveUp(Peer peer) {
        down(peer, "no handshake answer for 90 s");
    }

    @Override
    public void keysZeroed(Peer peer) {
        down(peer, "session expired");
        PeerState s = peers.get(peer.publicKey());
        if (s != null && s.admitted) {
            forgetMember.accept(peer.publicKey());
        }
    }

    /**
     * A keepalive: the gap since the previous one, when the gap before it agrees (within a fifth), is
     * the interval at which the peer keeps its path open. One gap is not enough: WireGuard's passive
     * keepalives come in pairs 10 s apart (a second one when data arrived while the first was
     * pending). The keepalive that confirms a handshake is no sample, and the next gap starts after it.
     * Nor is a gap of {@link #PASSIVE_KEEPALIVE_GAP_NANOS} or more ending in a keepalive that may be
     * passive — our data went to the peer within {@link #PASSIVE_KEEPALIVE_NANOS} before it —, since
     * passive keepalives come as regularly as our data does, at least 10 s apart, and stop with it:
     * the next gap starts there (the peer's persistent keepalive counts from its last send, that one
     * too). A shorter gap cannot be between two passive keepalives.
     */
    @Override
    public void keepalive(Peer peer) {
        PeerState s = peers.get(peer.publicKey());
        if (s == null) {
            return;
        }
        if (s.confirmingHandshake) {
            s.confirmingHandshake = false;
            s.lastKeepaliveNanos = Long.MIN_VALUE;
            return;
        }
        long now = clock.getAsLong();
        long gap = now - s.lastKeepaliveNanos;
        long data = peer.lastDataSentNanos();
        if (gap >= PASSIVE_KEEPALIVE_GAP_NANOS && data != Long.MIN_VALUE && now - data <= PASSIVE_KEEPALIVE_NANOS) {
            s.unconfirmedKeepaliveGapNanos = 0;
            s.lastKeepaliveNanos = now;
            return;
        }
        if (s.lastKeepaliveNanos != Long.MIN_VALUE && gap >= MIN_KEEPALIVE_GAP_NANOS && gap <= MAX_KEEPALIVE_GAP_NANOS) {
            if (Math.abs(gap - s.unconfirmedKeepaliveGapNanos) <= gap / 5) {
                s.keepaliveGapNanos = gap;
                silence.rearm();
            }
            s.unconfirmedKeepaliveGapNanos = gap;
        }
        s.lastKeepaliveNanos = now;
    }

    /**
     * A packet for a session this node does not hold, from where a peer's packets go: this node has
     * restarted (or lost the session) and the peer still sends on its old one. A handshake with that
     * peer now renews the session about a round trip later, instead of when the peer's own timers give
     * up on the old one (15 s and more). Not for stock WireGuard peers, which keep WireGuard's pace;
     * at most one look-up a {@link #UNKNOWN_INDEX_INTERVAL_NANOS} (garbage sent from a peer's address
     * must not cost a scan of the peers per packet), and a handshake at most once a second per peer.
     * When that handshake completes, the channel connection speaks first ({@link PeerConnections#announce}):
     * the peer hears that its connection with us is gone one round trip after the session, instead
     * of only when it next sends something and we answer.
     */
    @Override
    public void unknownIndex(Endpoint from) {
        long now = clock.getAsLong();
        if (lastUnknownIndex != Long.MIN_VALUE && now - lastUnknownIndex < UNKNOWN_INDEX_INTERVAL_NANOS) {
            return;
        }
        lastUnknownIndex = now;
        for (PeerState s : peers.values()) {
            if (from.equals(s.session.endpoint()) && !s.session.isWireGuardCompatible()) {
                s.announceConnection = true;
                engine.initiateHandshakeSooner(now, s.session, UNKNOWN_INDEX_HANDSHAKE_INTERVAL_NANOS);
                return;
            }
        }
    }

    /** Packets for unknown sessions are looked at (whose address they came from) at most this often. */
    static final long UNKNOWN_INDEX_INTERVAL_NANOS = 100_000_000L;
    /** A handshake for a peer sending on a lost session, at most this often. */
    static final long UNKNOWN_INDEX_HANDSHAKE_INTERVAL_NANOS = 1_000_000_000L;
    private long lastUnknownIndex = Long.MIN_VALUE;
    /** The engine; set once, before the loop starts. */
    io.keymesh.session.SessionEngine engine;

    @Override
    public boolean admitMember(PublicKey key) {
        return members.test(key);
    }

    /** Says in the log, within a rate, what refused handshakes mean; set once, before the loop starts. */
    RefusedHandshakes refusals;

    @Override
    public void handshakeRefused(DropReason reason, int messageType, Endpoint from, PublicKey key) {
        if (refusals != null) {
            refusals.refused(clock.getAsLong(), reason, messageType, from, key);
        }
    }

    /**
     * Loop thread: a peer that keeps its path open with keepalives (persistent keepalive towards us)
     * and then sends nothing for three of its keepalive intervals and a handshake's time
     * ({@link #silentAfter}) is reported down: a stopped node behind a NAT sends no goodbye, and
     * WireGuard's own timers notice only when we send to it. A peer that sends no keepalives is left
     * to WireGuard's timers: its silence may just be idleness.
     */
    void checkSilence(long now) {
        for (PeerState s : peers.values()) {
            if (!s.up || s.lastReceivedNanos == Long.MIN_VALUE) {
                continue;
            }
            long after = silentAfter(s);
            if (after > 0 && s.lastReceivedNanos + after <= now) {
                s.silent = true;
                down(s.session, "silent for " + after / 1_000_000_000L + " s");
            }
        }
    }

    /** When {@link #checkSilence} has work: the earliest time a peer that is up has been silent too long. */
    long nextSilence() {
        long next = Long.MAX_VALUE;
        for (PeerState s : peers.values()) {
            long after = silentAfter(s);
            if (s.up && s.lastReceivedNanos != Long.MIN_VALUE && after > 0) {
                next = Math.min(next, s.lastReceivedNanos + after);
            }
        }
        return next;
    }

    /**
     * Keepalives closer than this are not taken as a keepalive interval: a handshake's completion and
     * a passive keepalive can come a moment apart.
     */
    static final long MIN_KEEPALIVE_GAP_NANOS = 5_000_000_000L;
    /**
     * A keepalive this soon after our last data packet to the peer may be a passive one: WireGuard
     * sends one KEEPALIVE_TIMEOUT (10 s) after data arrives with nothing to send back, and a second
     * one 10 s later if more data came meanwhile — up to 20 s after our last data, and a round trip's
     * margin (2 s).
     */
    static final long PASSIVE_KEEPALIVE_NANOS = 2 * io.keymesh.session.ProtocolConstants.KEEPALIVE_TIMEOUT + 2_000_000_000L;
    /**
     * Passive keepalives are at least KEEPALIVE_TIMEOUT (10 s) apart, as sent; a gap shorter than this
     * (a second less, for the way's jitter) is no pair of them, and is a sample whatever our data did.
     */
    static final long PASSIVE_KEEPALIVE_GAP_NANOS = io.keymesh.session.ProtocolConstants.KEEPALIVE_TIMEOUT - 1_000_000_000L;
    /** Keepalives further apart than this are not taken as a keepalive interval (WireGuard's largest is 65,535 s). */
    static final long MAX_KEEPALIVE_GAP_NANOS = 65_535L * 1_000_000_000L;

    /** Silence after which {@code s} counts as gone: three of its keepalive intervals and 5 s; 0 if it sends none. */
    private static long silentAfter(PeerState s) {
        return s.keepaliveGapNanos == 0 ? 0 : 3 * s.keepaliveGapNanos + 5_000_000_000L;
    }

    private void down(Peer peer, String reason) {
        PeerState s = peers.get(peer.publicKey());
        if (s != null && s.up) {
            s.up = false;
            listener.onPeerDown(peer.publicKey(), reason);
            overlay.linkDown(peer.publicKey());
        }
    }
}
