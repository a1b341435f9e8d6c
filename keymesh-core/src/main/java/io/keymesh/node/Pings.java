package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import io.keymesh.io.NodeIo;
import io.keymesh.overlay.RelayedEndpoint;
import io.keymesh.overlay.SeekEndpoint;
import io.keymesh.session.Endpoint;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.ProbeFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * The application's pings ({@link MeshNode#ping}): a PROBE frame inside the peer's session, sent on
 * the path its packets take now and answered with a PROBE_ACK on the path it came in on, as the
 * overlay's own path probes are — but under probe ids of its own, so that the answer completes the
 * ping and goes no further: it feeds no path's round-trip estimate and decides nothing about paths.
 * Like any authenticated packet it is still proof of life for the path it came over. A ping finds
 * a session first if there is none (a handshake, which for a peer with no path is a seek through
 * the members), all within its timeout.
 *
 * <p>Loop thread only; each future completes on it.
 */
final class Pings {
    /** How often a ping that waits for a session looks again. */
    static final long SESSION_POLL_NANOS = 10_000_000L;
    /** A ping waiting for a session starts a handshake at most this often. */
    static final long HANDSHAKE_INTERVAL_NANOS = 1_000_000_000L;
    /** Pings outstanding at once beyond which {@link #start} refuses. */
    static final int MAX_PENDING = 1024;

    private static final class Pending {
        final PublicKey peer;
        final CompletableFuture<PingResult> future;
        final long startNanos;
        final long deadlineNanos;
        final PingResult.Setup setup;
        long probeId;
        /** When the probe went, or {@link Long#MIN_VALUE} while the ping waits for a session. */
        long sentNanos = Long.MIN_VALUE;

        Pending(PublicKey peer, CompletableFuture<PingResult> future, long startNanos, long deadlineNanos,
                PingResult.Setup setup) {
            this.peer = peer;
            this.future = future;
            this.startNanos = startNanos;
            this.deadlineNanos = deadlineNanos;
            this.setup = setup;
        }
    }

    private final NodeIo io;
    private final Map<PublicKey, PeerState> peers;
    private final SessionEngine engine;
    private final MeshOverlay overlay;
    private final List<Pending> pending = new ArrayList<>();
    private final ProbeFrame in = new ProbeFrame();
    private final byte[] frame = new byte[ProbeFrame.probeFrameLength()];
    private final Wakeup wakeup;
    /** When pings waiting for a session look again; {@link Long#MAX_VALUE} if none waits. */
    private long nextPollNanos = Long.MAX_VALUE;

    Pings(NodeIo io, Map<PublicKey, PeerState> peers, SessionEngine engine, MeshOverlay overlay) {
        this.io = io;
        this.peers = peers;
        this.engine = engine;
        this.overlay = overlay;
        this.wakeup = new Wakeup(io, this::nextTimeout, this::onTimeout);
    }

    /** Pings outstanding now (at most {@value #MAX_PENDING}). */
    int pendingSize() {
        return pending.size();
    }

    /**
     * Starts a ping of {@code s}'s peer, to complete {@code future} with its answer, or fail it with
     * a {@link TimeoutException} once {@code timeoutNanos} have passed without one.
     *
     * @throws IllegalArgumentException if the peer is a stock WireGuard peer, which answers no probes
     * @throws IllegalStateException if {@value #MAX_PENDING} pings are outstanding
     */
    void start(long now, PeerState s, long timeoutNanos, CompletableFuture<PingResult> future) {
        if (s.session.isWireGuardCompatible()) {
            throw new IllegalArgumentException("peer " + s.session.publicKey() + " is a stock WireGuard peer"
                    + " (wireguard = true): it answers no keymesh probes; ping an address inside its tunnel"
                    + " with keymesh wgping instead");
        }
        if (pending.size() >= MAX_PENDING) {
            throw new IllegalStateException("too many pings outstanding (" + MAX_PENDING + ")");
        }
        PingResult.Setup setup;
        if (canSend(now, s)) {
            setup = PingResult.Setup.READY;
        } else {
            setup = s.session.endpoint() instanceof SeekEndpoint ? PingResult.Setup.SEEK : PingResult.Setup.HANDSHAKE;
            if (!s.session.hasSession(now)) {
                handshake(now, s);
            }
        }
        Pending p = new Pending(s.session.publicKey(), future, now, now + timeoutNanos, setup);
        pending.add(p);
        if (setup == PingResult.Setup.READY) {
            send(now, s, p);
        }
        if (p.sentNanos == Long.MIN_VALUE && nextPollNanos == Long.MAX_VALUE) {
            nextPollNanos = now + SESSION_POLL_NANOS;
        }
        wakeup.rearm();
    }

    /**
     * Starts a handshake for a ping that found no session: at most one per
     * {@link #HANDSHAKE_INTERVAL_NANOS}, since someone waits for the answer and a stale initiation
     * (the peer was away) need not hold it up for WireGuard's 5 s; for a peer with no path, at
     * WireGuard's pace, as each initiation is a seek through the members.
     */
    private void handshake(long now, PeerState s) {
        if (s.session.endpoint() instanceof SeekEndpoint) {
            engine.initiateHandshake(now, s.session);
        } else {
            engine.initiateHandshakeSooner(now, s.session, HANDSHAKE_INTERVAL_NANOS);
        }
    }

    /** The peer's packets can go now: a session, and a path that is not a seek. */
    private boolean canSend(long now, PeerState s) {
        Endpoint e = s.session.endpoint();
        return s.session.hasSession(now) && e != null && !(e instanceof SeekEndpoint);
    }

    private void send(long now, PeerState s, Pending p) {
        p.probeId = io.random().nextLong();
        int n = ProbeFrame.writeProbe(frame, 0, p.probeId);
        if (overlay.sendVia(p.peer, s.session.endpoint(), frame, 0, n)) {
            p.sentNanos = now;
        }
    }

    /**
     * A PROBE_ACK body from {@code peer} that came over {@code path}: true if it answers one of
     * these pings (which then completes), false if it is the overlay's.
     */
    boolean answered(long now, PublicKey peer, Endpoint path, byte[] b, int off, int len) {
        if (pending.isEmpty() || !in.decode(MeshFrame.PROBE_ACK, b, off, len)) {
            return false;
        }
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.sentNanos != Long.MIN_VALUE && p.probeId == in.probeId() && p.peer.equals(peer)) {
                it.remove();
                long rtt = Math.max(1, now - p.sentNanos);
                PingResult r = path instanceof RelayedEndpoint relayed
                        ? new PingResult(true, null, relayed.via(), rtt, p.setup)
                        : new PingResult(false, UdpEndpoint.addressOf(path), null, rtt, p.setup);
                p.future.complete(r);
                return true;
            }
        }
        return false;
    }

    /** Fails the pings of {@code peer} (it was removed, or is unreachable). */
    void peerGone(PublicKey peer, String reason) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.peer.equals(peer)) {
                it.remove();
                p.future.completeExceptionally(new IllegalStateException(reason));
            }
        }
    }

    /** Fails every ping: the node stopped. */
    void failAll(IllegalStateException reason) {
        List<Pending> all = List.copyOf(pending);
        pending.clear();
        for (Pending p : all) {
            p.future.completeExceptionally(reason);
        }
    }

    private long nextTimeout() {
        long t = nextPollNanos;
        for (Pending p : pending) {
            t = Math.min(t, p.deadlineNanos);
        }
        return t;
    }

    private void onTimeout(long now) {
        boolean waiting = false;
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            PeerState s = peers.get(p.peer);
            if (s == null) {
                it.remove();
                p.future.completeExceptionally(new IllegalStateException("not a peer of this node any more: " + p.peer));
                continue;
            }
            if (now - p.deadlineNanos >= 0) {
                it.remove();
                p.future.completeExceptionally(new TimeoutException(timedOut(now, s, p)));
                continue;
            }
            if (p.sentNanos == Long.MIN_VALUE && now >= nextPollNanos) {
                if (canSend(now, s)) {
                    send(now, s, p);
                } else if (!s.session.hasSession(now)) {
                    handshake(now, s); // the last one may have been lost
                }
            }
            waiting |= p.sentNanos == Long.MIN_VALUE;
        }
        if (now >= nextPollNanos) {
            nextPollNanos = waiting ? now + SESSION_POLL_NANOS : Long.MAX_VALUE;
        }
    }

    private static String timedOut(long now, PeerState s, Pending p) {
        String within = format(now - p.startNanos);
        if (p.sentNanos != Long.MIN_VALUE) {
            return "no answer within " + within;
        }
        if (!s.session.hasSession(now)) {
            return (p.setup == PingResult.Setup.SEEK ? "no session within " + within + " (its key was sought through the members)"
                    : "no session within " + within + " (no answer to the handshake)");
        }
        return "no path to the peer within " + within;
    }

    private static String format(long nanos) {
        Duration d = Duration.ofNanos(nanos);
        return d.toMillis() < 1000 ? d.toMillis() + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
