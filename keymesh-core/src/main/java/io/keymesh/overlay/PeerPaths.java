package io.keymesh.overlay;

import io.keymesh.session.Endpoint;
import io.keymesh.session.UdpEndpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The paths to one peer and which one its packets take: the path table and the policy that picks
 * from it.
 *
 * <p>Two policies. A peer reached only directly (no relay configured for it, or a stock WireGuard
 * peer) keeps WireGuard's roaming, which its owner applies: its endpoint follows its authenticated
 * packets, nothing is probed, and this class only records the direct path ({@link #isRoaming()}).
 * A peer with relays has one direct path (the address its authenticated packets last came
 * from directly, or the configured one) and a relayed path per circuit, and the node picks:
 * <ul>
 *   <li>direct before relayed, fewer relays before more, and among equals the lower probe RTT, by a
 *       clear margin ({@link #RTT_SWITCH_MARGIN}) so that one sample does not flap the choice;
 *   <li>while the node sends to the peer, the path in use is probed when it has been quiet for
 *       {@link #PROBE_INTERVAL_NANOS}; a probe unanswered for {@link #PROBE_TIMEOUT_NANOS} with
 *       nothing else heard on the path since marks it failing, and traffic moves to the best other
 *       path at once (so within about {@code PROBE_INTERVAL + PROBE_TIMEOUT} of the path dying);
 *       any authenticated packet on a path counts as an answer (acknowledged traffic is proof of
 *       life, not only probes);
 *   <li>paths not in use, and the one in use while we do not send, are probed every
 *       {@link #STANDBY_PROBE_INTERVAL_NANOS} (Tailscale's heartbeat is 3–5 s), which also keeps
 *       their circuits and NAT bindings alive;
 *   <li>a path of better rank is taken once it has proved itself (an authenticated packet came over
 *       it after its last probe went out): relayed to direct, as soon as the direct path answers;
 *   <li>when the peer's data (not probes) arrives on a path of better rank, or the path in use is
 *       failing, this side follows it there; among equals each side keeps its own choice.
 * </ul>
 *
 * <p>Sans-I/O: the owner reports what arrives and calls {@link #onTimeout} at
 * {@link #nextTimeout()}; this class asks for probes and endpoint changes through {@link Actions}.
 * Not thread-safe.
 */
public final class PeerPaths {
    /** The path in use is probed when nothing came over it for this long while we send. */
    public static final long PROBE_INTERVAL_NANOS = 500_000_000L;
    /** A probe unanswered this long, with nothing else heard on its path since, marks the path failing. */
    public static final long PROBE_TIMEOUT_NANOS = 1_000_000_000L;
    /** Paths not in use are probed this often. */
    public static final long STANDBY_PROBE_INTERVAL_NANOS = 5_000_000_000L;
    /** We count as sending to the peer for this long after a packet to it. */
    public static final long SENDING_WINDOW_NANOS = 5_000_000_000L;
    /** A path of equal rank replaces the one in use only if its RTT is lower by this fraction. */
    public static final double RTT_SWITCH_MARGIN = 0.2;

    /** What the policy asks of the node. */
    public interface Actions {
        /**
         * Send a probe with {@code id} to the peer over {@code path} only (a PROBE inside the
         * session); false if it could not go (no session with the peer yet).
         */
        boolean probe(Path path, long id);

        /** The peer's packets go to {@code endpoint} from now on ({@code previous}: where they went). */
        void use(Endpoint endpoint, Endpoint previous);
    }

    private final boolean roaming;
    private final Actions actions;
    private final List<Path> paths = new ArrayList<>();
    private Path active;
    private long lastSentNanos = Long.MIN_VALUE;
    private long nextProbeId;
    private long switches;

    /**
     * @param roaming true for WireGuard's roaming (direct only), false to pick among paths
     * @param probeIdSeed where probe ids start (random per node, so ids are not guessable across peers)
     */
    public PeerPaths(boolean roaming, Actions actions, long probeIdSeed) {
        this.roaming = roaming;
        this.actions = actions;
        this.nextProbeId = probeIdSeed;
    }

    /** The paths known now, in the order learnt; a read-only view. */
    public List<Path> paths() {
        return Collections.unmodifiableList(paths);
    }

    /** The path the peer's packets take now, or null. */
    public Path active() {
        return active;
    }

    /** How often the path in use changed. */
    public long switches() {
        return switches;
    }

    public boolean isRoaming() {
        return roaming;
    }

    // ------------------------------------------------------------------ paths coming and going

    /**
     * Sets the direct path (a configured endpoint): it is in use if nothing else is. The owner has
     * set the peer's endpoint itself; {@link Actions#use} is not called for it.
     */
    public void setDirect(long now, UdpEndpoint endpoint) {
        Path old = direct();
        if (old != null && old.endpoint().equals(endpoint)) {
            return;
        }
        if (old != null) {
            paths.remove(old);
        }
        Path p = new Path(endpoint, Path.Kind.DIRECT, 0);
        p.usable = true;
        paths.add(p);
        if (active == null || active == old) {
            active = p;
        }
    }

    /** A relayed path being opened; not used until {@link #relayedOpened}. */
    public void addRelayed(RelayedEndpoint endpoint, int relays) {
        if (find(endpoint) == null) {
            paths.add(new Path(endpoint, Path.Kind.RELAYED, relays));
        }
    }

    /** The relayed path's circuit is open: it may carry the peer's packets. */
    public void relayedOpened(long now, RelayedEndpoint endpoint, int maxMessage) {
        Path p = find(endpoint);
        if (p == null) {
            return;
        }
        p.usable = true;
        p.maxMessage = maxMessage;
        if (active == null || active.failing) {
            choose(now);
        }
    }

    /** The relayed path is gone (refused, closed, its relay down). */
    public void relayedGone(long now, RelayedEndpoint endpoint) {
        Path p = find(endpoint);
        if (p == null) {
            return;
        }
        paths.remove(p);
        if (p == active) {
            active = null;
            choose(now);
        }
    }

    // ------------------------------------------------------------------ what arrives

    /**
     * An authenticated packet of the peer arrived from {@code from} (any packet: handshake, data,
     * keepalive, probe). Proof of life for that path; under roaming, the endpoint moves there.
     */
    public void authenticated(long now, Endpoint from) {
        Path p = find(from);
        if (p == null && from instanceof UdpEndpoint u) {
            // The peer's direct address is where its direct packets come from (roaming of the direct path).
            Path old = direct();
            if (old != null) {
                paths.remove(old);
            }
            p = new Path(u, Path.Kind.DIRECT, 0);
            p.usable = true;
            paths.add(p);
            if (roaming) {
                active = p; // the owner roams the peer's endpoint itself
            } else if (old != null && old == active) {
                switchTo(p);
            }
        }
        if (p == null && from instanceof RelayedEndpoint r && !roaming && (active == null || active.failing)) {
            // A circuit a relay opened to us, and we have no working path: the peer reaches us
            // through it, so we answer through it.
            p = new Path(r, Path.Kind.RELAYED, 1);
            p.usable = true;
            paths.add(p);
            heard(p, now);
            switchTo(p);
            return;
        }
        if (p == null) {
            return; // a circuit we do not track as a path (e.g. opened to us): the peer's data will tell
        }
        heard(p, now);
    }

    private static void heard(Path p, long now) {
        p.lastReceivedNanos = now;
        p.failing = false;
        if (p.probeSentNanos != Long.MIN_VALUE && p.probeSentNanos <= now) {
            p.probeSentNanos = Long.MIN_VALUE; // anything heard answers the probe as well
        }
    }

    /**
     * The peer's data (not a probe) arrived from {@code from}. If that path ranks better than the
     * one in use (the peer found a direct path), or the one in use is failing, this side follows the
     * peer there. Among paths of equal rank each side keeps its own choice: following each other
     * there would have the two sides chase each other's circuits forever.
     */
    public void dataFrom(long now, Endpoint from) {
        if (roaming || (active != null && active.endpoint().equals(from))) {
            return;
        }
        boolean activeBad = active == null || active.failing;
        Path p = find(from);
        if (p == null && from instanceof RelayedEndpoint r && activeBad) {
            // A circuit a relay opened to us: the peer reaches us through it, so we can answer through it.
            p = new Path(r, Path.Kind.RELAYED, 1);
            p.usable = true;
            p.lastReceivedNanos = now;
            paths.add(p);
        }
        if (p != null && p.usable && (activeBad || p.rank() < active.rank())) {
            switchTo(p);
        }
    }

    /** The peer answered probe {@code id}, which came back over {@code from}. */
    public void probeAnswered(long now, Endpoint from, long id) {
        Path p = find(from);
        if (p != null && p.probeId == id && p.lastProbeNanos != Long.MIN_VALUE) {
            p.onRttSample(now - p.lastProbeNanos);
            heard(p, now);
        }
    }

    /** We sent the peer a packet now (the owner reports it at most once per tick, not per packet). */
    public void sent(long now) {
        lastSentNanos = now;
    }

    // ------------------------------------------------------------------ timers

    /**
     * When {@link #onTimeout} has work: the next probe or probe timeout (possibly already past), or
     * {@link Long#MAX_VALUE}.
     */
    public long nextTimeout(long now) {
        if (roaming || paths.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long t = Long.MAX_VALUE;
        for (int i = 0; i < paths.size(); i++) {
            Path p = paths.get(i);
            if (!p.usable) {
                continue;
            }
            if (p.probeSentNanos != Long.MIN_VALUE) {
                t = Math.min(t, p.probeSentNanos + PROBE_TIMEOUT_NANOS);
            } else {
                t = Math.min(t, nextProbe(p, now));
            }
        }
        return t; // may be in the past: then it is due (never clamped to a clock reading the caller did not make)
    }

    private long nextProbe(Path p, long now) {
        if (p == active && sending(now)) {
            long quietSince = Math.max(p.lastReceivedNanos, p.lastProbeNanos);
            return quietSince == Long.MIN_VALUE ? lastSentNanos : quietSince + PROBE_INTERVAL_NANOS;
        }
        return p.lastProbeNanos == Long.MIN_VALUE ? Long.MIN_VALUE + 1 : p.lastProbeNanos + STANDBY_PROBE_INTERVAL_NANOS;
    }

    private boolean sending(long now) {
        return lastSentNanos != Long.MIN_VALUE && now - lastSentNanos < SENDING_WINDOW_NANOS;
    }

    /** Sends the probes that are due and moves off a failing path. */
    public void onTimeout(long now) {
        if (roaming) {
            return;
        }
        for (int i = 0; i < paths.size(); i++) {
            Path p = paths.get(i);
            if (!p.usable) {
                continue;
            }
            if (p.probeSentNanos != Long.MIN_VALUE && now - p.probeSentNanos >= PROBE_TIMEOUT_NANOS) {
                p.probeSentNanos = Long.MIN_VALUE; // unanswered, nothing heard since
                p.failing = true;
                suspectSameRelay(p);
            }
            if (p.probeSentNanos == Long.MIN_VALUE && now >= nextProbe(p, now)) {
                p.probeId = nextProbeId++;
                p.lastProbeNanos = now;
                if (actions.probe(p, p.probeId)) {
                    p.probeSentNanos = now;
                } // else no session yet: nothing is judged, the next probe is due as if this one went
            }
        }
        if (active != null && active.failing) {
            choose(now);
        } else if (active != null) {
            upgrade(now);
        }
    }

    /**
     * Moves to a path of better rank (direct over relayed, fewer relays) once it has proved itself:
     * something authenticated came over it since its last probe went out.
     */
    private void upgrade(long now) {
        Path best = null;
        for (int i = 0; i < paths.size(); i++) {
            Path p = paths.get(i);
            if (p.usable && !p.failing && p.rank() < active.rank() && p.lastReceivedNanos != Long.MIN_VALUE
                    && p.lastReceivedNanos >= p.lastProbeNanos && (best == null || p.rank() < best.rank())) {
                best = p;
            }
        }
        if (best != null) {
            switchTo(best);
        }
    }

    /**
     * A relayed path failed: the likeliest cause is its first relay (or our link to it), so every
     * other path through that relay counts as failing too until something is heard on it.
     */
    private void suspectSameRelay(Path failed) {
        if (failed.endpoint() instanceof RelayedEndpoint f) {
            for (int i = 0; i < paths.size(); i++) {
                Path p = paths.get(i);
                if (p.endpoint() instanceof RelayedEndpoint r && r.via().equals(f.via())
                        && p.lastReceivedNanos < failed.lastProbeNanos) {
                    p.failing = true;
                }
            }
        }
    }

    /** Picks the best usable path that is not failing (or, if all fail, the best usable one). */
    private void choose(long now) {
        Path best = null;
        for (int i = 0; i < paths.size(); i++) {
            Path p = paths.get(i);
            if (p.usable && (best == null || better(p, best, now))) {
                best = p;
            }
        }
        if (best != null && best != active) {
            if (active != null && best.failing == active.failing && !active.failing
                    && best.rank() == active.rank() && !clearlyFaster(best, active)) {
                return; // not enough to move
            }
            switchTo(best);
        }
    }

    private static boolean clearlyFaster(Path a, Path b) {
        return a.smoothedRttNanos > 0 && b.smoothedRttNanos > 0
                && a.smoothedRttNanos < (1 - RTT_SWITCH_MARGIN) * b.smoothedRttNanos;
    }

    private boolean better(Path a, Path b, long now) {
        boolean fa = a.failing;
        boolean fb = b.failing;
        if (fa != fb) {
            return !fa;
        }
        if (a.rank() != b.rank()) {
            return a.rank() < b.rank();
        }
        return clearlyFaster(a, b);
    }

    private void switchTo(Path p) {
        Path previous = active;
        active = p;
        switches++;
        actions.use(p.endpoint(), previous == null ? null : previous.endpoint());
    }

    private Path direct() {
        for (int i = 0; i < paths.size(); i++) {
            if (paths.get(i).kind() == Path.Kind.DIRECT) {
                return paths.get(i);
            }
        }
        return null;
    }

    private Path find(Endpoint e) {
        for (int i = 0; i < paths.size(); i++) {
            if (paths.get(i).endpoint().equals(e)) {
                return paths.get(i);
            }
        }
        return null;
    }
}
