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
 * packets, nothing is probed, and this class only records the direct path ({@link #isRoaming()}) —
 * until a relayed path to it appears ({@link #leaveRoaming}; never for a stock WireGuard peer, which
 * the owner keeps roaming). A peer with relays has up to {@link #MAX_DIRECT_PATHS} direct paths and
 * a relayed path per circuit. A direct path is usable once validated — configured, or a
 * connectivity check on it answered; a candidate (from the peer's CANDIDATES, or an address its
 * packets came from) is checked {@link #CHECK_ATTEMPTS} times, {@link #CHECK_INTERVAL_NANOS} apart,
 * and carries nothing until a check is answered. The node picks:
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
 *       {@link #STANDBY_PROBE_INTERVAL_NANOS} (Tailscale's heartbeat is 3–5 s; 4 s holds a NAT binding that expires after 5 s idle), which also keeps
 *       their circuits and NAT bindings alive — but of the circuits relays opened to us through one
 *       relay only the one in use, or else the newest ({@link #redundant}): the others add nothing
 *       as a fallback, and unprobed they idle out at the relay unless the peer uses them;
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
    public static final long STANDBY_PROBE_INTERVAL_NANOS = 4_000_000_000L;
    /** We count as sending to the peer for this long after a packet to it. */
    public static final long SENDING_WINDOW_NANOS = 5_000_000_000L;
    /** A path of equal rank replaces the one in use only if its RTT is lower by this fraction. */
    public static final double RTT_SWITCH_MARGIN = 0.2;
    /** Most direct paths (candidates included) per peer; iroh keeps 8 paths. */
    public static final int MAX_DIRECT_PATHS = 8;
    /** Connectivity checks per round on an unvalidated direct path. */
    public static final int CHECK_ATTEMPTS = 8;
    /** Between two checks of one round (RFC 8445's Ta is 50 ms for a whole checklist; one path needs fewer). */
    public static final long CHECK_INTERVAL_NANOS = 250_000_000L;
    /**
     * A learnt direct path not in use, or a relayed one opened to us, that has not answered for this
     * long is no longer probed (RFC 7675's consent freshness: 30 s).
     */
    public static final long CONSENT_TIMEOUT_NANOS = 30_000_000_000L;

    /** What the policy asks of the node. */
    public interface Actions {
        /**
         * Send a probe with {@code id} to the peer over {@code path} only (a PROBE inside the
         * session); false if it could not go (no session with the peer yet).
         */
        boolean probe(Path path, long id);

        /** The peer's packets go to {@code endpoint} from now on ({@code previous}: where they went). */
        void use(Endpoint endpoint, Endpoint previous);

        /**
         * Every path to the peer is gone or failing, after one had worked: the owner may look for
         * another way (a peer found by discovery is sought again, its packets sent to the seek).
         * Once per such episode. The episode ends with a path working again: a switch to it
         * ({@link #use}), or, if it is the path that was in use, {@link #use} with that path as
         * both {@code endpoint} and {@code previous} — the packets take it again, nothing else
         * changed.
         */
        default void noWorkingPath() {}
    }

    private boolean roaming;
    private final Actions actions;
    private final List<Path> paths = new ArrayList<>();
    private Path active;
    private long lastSentNanos = Long.MIN_VALUE;
    private long nextProbeId;
    private long switches;
    private long directSinceNanos = Long.MIN_VALUE;
    /** A path has carried the peer's packets and answered: losing every path is worth reporting. */
    private boolean everWorked;
    /** {@link Actions#noWorkingPath} was called and no path has worked since. */
    private boolean reportedNoPath;
    /** The owner was told to use a path ({@link #switchTo}) since {@link Actions#noWorkingPath}. */
    private boolean usedSinceReport;

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
     * Adds a direct path to a configured endpoint, usable at once (as WireGuard trusts a configured
     * endpoint): it is in use if nothing else is. The owner has set the peer's endpoint itself;
     * {@link Actions#use} is not called for it.
     */
    public void setDirect(long now, UdpEndpoint endpoint) {
        Path p = find(endpoint);
        if (p == null) {
            p = addDirect(endpoint);
            if (p == null) {
                return;
            }
        }
        p.usable = true;
        p.configured = true;
        if (active == null) {
            active = p;
            directSinceNanos = now;
        }
    }

    /**
     * A candidate address of the peer's (RFC 8445 section 5.1): a direct path that carries nothing
     * until a connectivity check on it is answered. Known paths are left as they are.
     *
     * @return the path, or null if {@link #MAX_DIRECT_PATHS} are known and none can make room
     */
    public Path addCandidate(UdpEndpoint endpoint) {
        Path p = find(endpoint);
        return p != null ? p : addDirect(endpoint);
    }

    /**
     * The peer's candidates as its latest CANDIDATES frame lists them: each becomes a direct path
     * (if not known) and unvalidated ones are checked from {@code now} on; unvalidated paths it no
     * longer lists, and not being checked, are forgotten.
     *
     * @return true if checks were scheduled (the owner's next timeout moved)
     */
    public boolean candidatesReceived(long now, List<UdpEndpoint> candidates) {
        if (roaming) {
            return false;
        }
        paths.removeIf(p -> p.kind() == Path.Kind.DIRECT && !p.usable && p.checksLeft == 0 && p != active
                && !candidates.contains(p.endpoint()));
        boolean scheduled = false;
        for (UdpEndpoint c : candidates) {
            Path p = addCandidate(c);
            if (p != null && !p.usable) {
                scheduled |= check(now, p);
            }
        }
        return scheduled;
    }

    /**
     * Starts a round of {@link #CHECK_ATTEMPTS} connectivity checks on an unvalidated direct path,
     * {@link #CHECK_INTERVAL_NANOS} apart, the first now (RFC 8445's triggered check when the peer
     * was just heard from there); false if one is in progress or the path needs none.
     */
    boolean check(long now, Path p) {
        if (p.usable || p.kind() != Path.Kind.DIRECT || p.checksLeft > 0) {
            return false;
        }
        p.checksLeft = CHECK_ATTEMPTS;
        p.nextCheckNanos = now;
        p.checkStartNanos = Long.MIN_VALUE;
        p.lastCheckNanos = Long.MIN_VALUE;
        p.probeId = nextProbeId++;
        return true;
    }

    private Path addDirect(UdpEndpoint endpoint) {
        int direct = 0;
        Path victim = null;
        for (int i = 0; i < paths.size(); i++) {
            Path p = paths.get(i);
            if (p.kind() != Path.Kind.DIRECT) {
                continue;
            }
            direct++;
            if (p != active && (victim == null || evictBefore(p, victim))) {
                victim = p;
            }
        }
        if (direct >= MAX_DIRECT_PATHS) {
            if (victim == null || (victim.usable && !victim.failing)) {
                return null; // every slot holds a working path
            }
            paths.remove(victim);
        }
        Path p = new Path(endpoint, Path.Kind.DIRECT, 0);
        paths.add(p);
        return p;
    }

    /** Which direct path makes room first: an unvalidated one before a failing one, then the longest unheard. */
    private static boolean evictBefore(Path a, Path b) {
        int ra = !a.usable ? 0 : a.failing ? 1 : 2;
        int rb = !b.usable ? 0 : b.failing ? 1 : 2;
        return ra != rb ? ra < rb : a.lastReceivedNanos < b.lastReceivedNanos;
    }

    /**
     * A peer that roamed as in WireGuard became reachable over a relayed path ({@code from}: a
     * circuit a relay opened to us): from now on the overlay picks its paths, so it can go direct
     * again. The relayed path is taken at once, as roaming would have; the direct path it roamed
     * on stays, usable, and is probed.
     */
    public void leaveRoaming(long now, RelayedEndpoint from) {
        if (!roaming) {
            return;
        }
        roaming = false;
        Path p = find(from);
        if (p == null) {
            p = new Path(from, Path.Kind.RELAYED, 1);
            p.inbound = true;
            paths.add(p);
        }
        p.usable = true;
        heard(p, now);
        switchTo(now, p);
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
            checkWorking();
        }
    }

    // ------------------------------------------------------------------ what arrives

    /**
     * An authenticated packet of the peer arrived from {@code from} (any packet: handshake, data,
     * keepalive, probe). Proof of life for that path; under roaming, the endpoint moves there. A
     * direct address not yet validated, or not known at all (a peer-reflexive candidate, RFC 8445
     * section 7.3.1.3), gets a connectivity check at once: the peer's packets came through from
     * there, so ours may go back through the binding they opened.
     *
     * @return true if a check was scheduled (the owner's next timeout moved)
     */
    public boolean authenticated(long now, Endpoint from) {
        Path p = find(from);
        if (roaming) {
            if (p == null && from instanceof UdpEndpoint u) {
                // WireGuard's roaming, which the owner applies: the one direct path follows the packets.
                paths.removeIf(q -> q.kind() == Path.Kind.DIRECT);
                p = new Path(u, Path.Kind.DIRECT, 0);
                p.usable = true;
                paths.add(p);
                active = p;
            }
            if (p != null) {
                heard(p, now);
            }
            return false;
        }
        if (p == null && from instanceof UdpEndpoint u) {
            p = addCandidate(u);
            return p != null && check(now, p);
        }
        if (p != null && !p.usable && p.kind() == Path.Kind.DIRECT) {
            return check(now, p);
        }
        if (p == null && from instanceof RelayedEndpoint r && (active == null || active.failing)) {
            // A circuit a relay opened to us, and we have no working path: the peer reaches us
            // through it, so we answer through it.
            p = new Path(r, Path.Kind.RELAYED, 1);
            p.inbound = true;
            p.usable = true;
            paths.add(p);
            heard(p, now);
            switchTo(now, p);
            return false;
        }
        if (p != null) {
            heard(p, now);
            checkWorking();
        }
        return false; // null: a circuit we do not track as a path (e.g. opened to us): the peer's data will tell
    }

    private static void heard(Path p, long now) {
        p.lastReceivedNanos = now;
        p.failing = false;
        if (p.lastProbeNanos != Long.MIN_VALUE && p.lastProbeNanos > now) {
            p.lastProbeNanos = Long.MIN_VALUE; // it had lost consent: probed again from now on
        }
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
            p.inbound = true;
            p.usable = true;
            p.lastReceivedNanos = now;
            paths.add(p);
        }
        if (p != null && p.usable && (activeBad || p.rank() < active.rank())) {
            switchTo(now, p);
        }
    }

    /** The peer answered probe {@code id}, which came back over {@code from}. */
    public void probeAnswered(long now, Endpoint from, long id) {
        Path p = find(from);
        if (p == null || p.probeId != id) {
            return;
        }
        if (!p.usable && p.kind() == Path.Kind.DIRECT && p.checkStartNanos != Long.MIN_VALUE) {
            // A connectivity check answered: the path works both ways. The checks of a round share
            // one id, so which one was answered is not known; the latest, most likely (the first
            // ones meet the other NAT before its side has punched, and checks go 250 ms apart,
            // more than most round trips): its RTT counts from that one, a lower bound where an
            // earlier check was answered late. The standby probes that follow correct it.
            p.usable = true;
            p.validatedNanos = now;
            p.checksLeft = 0;
            p.onRttSample(now - p.lastCheckNanos);
            p.lastProbeNanos = p.lastCheckNanos;
            heard(p, now);
            if (!roaming && (active == null || active.failing)) {
                choose(now);
            } else if (!roaming) {
                upgrade(now);
            }
        } else if (p.usable && p.lastProbeNanos != Long.MIN_VALUE) {
            p.onRttSample(now - p.lastProbeNanos);
            heard(p, now);
        }
        checkWorking();
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
                if (p.checksLeft > 0) {
                    t = Math.min(t, p.nextCheckNanos);
                }
                continue;
            }
            if (p.probeSentNanos != Long.MIN_VALUE) {
                t = Math.min(t, p.probeSentNanos + PROBE_TIMEOUT_NANOS);
            } else if (!redundant(p)) {
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
                if (p.checksLeft > 0 && now >= p.nextCheckNanos) {
                    sendCheck(now, p);
                }
                continue;
            }
            if (p.probeSentNanos != Long.MIN_VALUE && now - p.probeSentNanos >= PROBE_TIMEOUT_NANOS) {
                p.probeSentNanos = Long.MIN_VALUE; // unanswered, nothing heard since
                fail(p, now);
                suspectSameRelay(now, p);
            }
            if (p.failing && now - p.failingSinceNanos >= CONSENT_TIMEOUT_NANOS && !p.configured
                    && ((p.kind() == Path.Kind.DIRECT && p != active) || p.inbound)) {
                lostConsent(p);
                continue;
            }
            if (p.probeSentNanos == Long.MIN_VALUE && now >= nextProbe(p, now) && !redundant(p)) {
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
        checkWorking();
    }

    /**
     * A circuit a relay opened to us (a seek's splice), not in use while the path in use, or a newer
     * usable one that is not failing, goes through the same first relay: it adds nothing as a
     * fallback (a relay that fails takes both), so it is not probed, and it idles out at the relay
     * (which then closes it at both ends) unless the peer uses it. Without this, each time the peer
     * was sought again while its circuits came back, one more circuit through the same relay joined
     * the path table and was heartbeated for good (the simulator's soak found pairs with six). Our
     * own circuits, for configured routes, are kept: one that idled out would be opened again.
     */
    private boolean redundant(Path p) {
        if (p == active || !p.inbound || !(p.endpoint() instanceof RelayedEndpoint r)) {
            return false;
        }
        boolean newer = false;
        for (int i = 0; i < paths.size(); i++) {
            Path q = paths.get(i);
            if (q == p) {
                newer = true;
            } else if (q.usable && q.endpoint() instanceof RelayedEndpoint s && s.via().equals(r.via())
                    && (q == active || (newer && !q.failing))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reports losing every path once per episode ({@link Actions#noWorkingPath}), and its end: if the
     * path in use answers again with no switch since, the owner, which sent the peer's packets to a
     * seek meanwhile, is told to use it again.
     */
    private void checkWorking() {
        if (active != null && !active.failing) {
            everWorked = true;
            if (reportedNoPath) {
                reportedNoPath = false;
                if (!usedSinceReport) {
                    actions.use(active.endpoint(), active.endpoint());
                }
            }
        } else if (everWorked && !reportedNoPath) {
            reportedNoPath = true;
            usedSinceReport = false;
            actions.noWorkingPath();
        }
    }

    private static void fail(Path p, long now) {
        if (!p.failing) {
            p.failing = true;
            p.failingSinceNanos = now;
        }
    }

    /**
     * A direct path we learnt and do not use, or a relayed one a relay opened to us, unanswered for
     * {@link #CONSENT_TIMEOUT_NANOS} (RFC 7675: consent is lost): a direct one becomes a
     * candidate again (rechecked at the next punching round, or when the peer is heard from there);
     * a relayed one is no longer probed, so the relay can let the circuit idle out. Either comes
     * back when something is heard on it.
     */
    private static void lostConsent(Path p) {
        if (p.kind() == Path.Kind.DIRECT) {
            p.usable = false;
            p.failing = false;
            p.checksLeft = 0;
            p.probeSentNanos = Long.MIN_VALUE;
        } else {
            p.probeSentNanos = Long.MIN_VALUE;
            p.lastProbeNanos = Long.MAX_VALUE - STANDBY_PROBE_INTERVAL_NANOS; // not probed until heard from
        }
    }

    /** One connectivity check: a probe on an unvalidated direct path, the same id for the whole round. */
    private void sendCheck(long now, Path p) {
        p.checksLeft--;
        p.nextCheckNanos = now + CHECK_INTERVAL_NANOS;
        if (actions.probe(p, p.probeId)) {
            p.lastCheckNanos = now;
            if (p.checkStartNanos == Long.MIN_VALUE) {
                p.checkStartNanos = now;
            }
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
                    && p.lastReceivedNanos >= p.lastProbeNanos
                    && (best == null || p.rank() < best.rank() || (p.rank() == best.rank() && clearlyFaster(p, best)))) {
                best = p;
            }
        }
        if (best != null) {
            switchTo(now, best);
        }
    }

    /**
     * A relayed path failed: the likeliest cause is its first relay (or our link to it), so every
     * other path through that relay counts as failing too until something is heard on it.
     */
    private void suspectSameRelay(long now, Path failed) {
        if (failed.endpoint() instanceof RelayedEndpoint f) {
            for (int i = 0; i < paths.size(); i++) {
                Path p = paths.get(i);
                if (p.endpoint() instanceof RelayedEndpoint r && r.via().equals(f.via())
                        && p.lastReceivedNanos < failed.lastProbeNanos) {
                    fail(p, now);
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
            switchTo(now, best);
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

    private void switchTo(long now, Path p) {
        Path previous = active;
        active = p;
        switches++;
        usedSinceReport = true;
        if (p.kind() == Path.Kind.DIRECT && (previous == null || previous.kind() != Path.Kind.DIRECT)) {
            directSinceNanos = now;
        } else if (p.kind() != Path.Kind.DIRECT) {
            directSinceNanos = Long.MIN_VALUE;
        }
        actions.use(p.endpoint(), previous == null ? null : previous.endpoint());
    }

    /**
     * True if the peer's packets take a relayed path that answers, and no direct path is usable and
     * answering: the state in which punching runs.
     */
    public boolean onlyRelayed() {
        if (roaming || active == null || active.kind() != Path.Kind.RELAYED || active.failing) {
            return false;
        }
        for (int i = 0; i < paths.size(); i++) {
            Path p = paths.get(i);
            if (p.kind() == Path.Kind.DIRECT && p.usable && !p.failing) {
                return false;
            }
        }
        return true;
    }

    /** When the peer's packets last moved from a relayed path (or none) to a direct one; {@link Long#MIN_VALUE} while not direct. */
    public long directSinceNanos() {
        return directSinceNanos;
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
