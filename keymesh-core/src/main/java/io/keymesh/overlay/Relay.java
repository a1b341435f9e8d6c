package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.MessageType;
import io.keymesh.wire.RelayReason;
import java.util.ArrayList;
import java.util.List;

/**
 * The relay service a node offers members it has a session with: it joins a circuit on one link to
 * a circuit on another and passes the WireGuard messages on each to the other, as they are. It holds
 * no keys of the sessions it carries, so it cannot read them.
 *
 * <p>A circuit is opened by RELAY_OPEN with a source route that starts with this node: the next
 * hop must be a peer with a session now; this node opens a circuit of its own to it (passing the
 * rest of the route on) and answers the opener when the far end does — RELAY_OPENED with the
 * largest message every hop carries, or RELAY_REFUSED with the reason, so the opener can try another
 * relay. Every refusal is counted by reason. Only well-formed WireGuard messages (types 1–4 of
 * their exact lengths) pass; anything else is dropped and counted, so a relay is no general tunnel. Bounded: at most {@link RelayConfig#maxCircuits()}
 * circuits, of which the RELAY_OPENs of one link hold at most {@link RelayConfig#circuitsPerLink()}
 * (refused with CAPACITY beyond); each carries at most {@link RelayConfig#bytesPerSecond()} (a token bucket per circuit,
 * both directions; the excess is dropped and counted); a circuit idle for
 * {@link RelayConfig#idleTimeoutNanos()}, or not answered within {@link #OPEN_TIMEOUT_NANOS}, is
 * closed at both ends; a link that goes down closes its circuits.
 *
 * <p>Sans-I/O: the owner hands in frames with the time, sends what {@link RelayLinks} is given, and
 * calls {@link #onTimeout} at {@link #nextTimeout()}. Not thread-safe.
 */
public final class Relay {
    /** A circuit whose far end has not answered within this long is closed (the opener hears NO_ROUTE). */
    public static final long OPEN_TIMEOUT_NANOS = 10_000_000_000L;
    /** {@link #admit}: no reason to refuse. */
    private static final int ADMITTED = 0;

    /** One relayed circuit: the opener's side ("in") and the side towards the target ("out"). */
    private static final class Circuit {
        final PublicKey inLink;
        final long inId;
        final PublicKey outLink;
        final long outId;
        final long openedAt;
        boolean open;
        long lastUsed;
        long tokens;
        long refilledAt;
        /** Spliced by this node for a seek ({@link #splice}): both sides are its own openings. */
        boolean spliced;
        boolean inOpen;
        boolean outOpen;
        /** A spliced circuit's initiation for the target, sent once the target's side is open. */
        byte[] initiation;
        /** Messages from the target while the side towards the origin is not open yet (at most {@link #MAX_EARLY}). */
        List<byte[]> early;
        /** A spliced circuit carried the target's handshake response: the seek was answered. */
        boolean answered;
        /** The seek's origin, for a spliced circuit. */
        PublicKey origin;

        Circuit(PublicKey inLink, long inId, PublicKey outLink, long outId, long now, long burst) {
            this.inLink = inLink;
            this.inId = inId;
            this.outLink = outLink;
            this.outId = outId;
            this.openedAt = now;
            this.lastUsed = now;
            this.tokens = burst;
            this.refilledAt = now;
        }
    }

    private final PublicKey self;
    private final RelayLinks links;
    private final CircuitIds ids;
    private RelayConfig config;
    /** Every circuit twice: by (in link, in id) and by (out link, out id). */
    private final CircuitMap<Circuit> circuits;
    private final List<Circuit> all = new ArrayList<>();
    /** Circuits opened by RELAY_OPEN (not spliced) per link they came on, at most {@link RelayConfig#circuitsPerLink()} each. */
    private final java.util.Map<PublicKey, Integer> openedPerLink = new java.util.HashMap<>();
    private long nextSweep;

    /** Refusals by reason code; codes beyond the table are counted in its last slot. */
    private final long[] refused = new long[16];
    private long packetsForwarded;
    private long bytesForwarded;
    private long packetsOverRate;
    private long notWireGuard;
    private long earlyDropped;

    public Relay(PublicKey self, RelayConfig config, RelayLinks links, CircuitIds ids) {
        this.self = self;
        this.config = config;
        this.links = links;
        this.ids = ids;
        this.circuits = new CircuitMap<>(2 * config.maxCircuits());
    }

    // ------------------------------------------------------------------ frames in

    /**
     * RELAY_OPEN from {@code from} for its {@code circuit}, with {@code route} starting at this
     * node and at least two keys long (a route that ends here is the circuit ends' business).
     */
    public void onOpen(long now, PublicKey from, long circuit, List<PublicKey> route) {
        Circuit existing = circuits.get(from, circuit);
        if (existing != null) {
            if (existing.open && existing.inLink.equals(from)) {
                links.sendOpened(from, circuit, maxMessage(existing, Integer.MAX_VALUE)); // a repeated OPEN: answer again
            }
            return;
        }
        int reason = admit(from, route);
        if (reason != ADMITTED) {
            refuse(from, circuit, reason);
            return;
        }
        PublicKey next = route.get(1);
        long outId = ids.next(next);
        Circuit c = new Circuit(from, circuit, next, outId, now, burst());
        circuits.put(from, circuit, c);
        circuits.put(next, outId, c);
        all.add(c);
        openedPerLink.merge(from, 1, Integer::sum);
        if (all.size() == 1) {
            nextSweep = now + sweepPeriod();
        }
        links.sendOpen(next, outId, route.subList(1, route.size()));
    }

    /** Messages from the target a spliced circuit holds while its way back to the origin is being opened. */
    static final int MAX_EARLY = 4;
    /**
     * Spliced circuits for one origin, at most at once: one origin's seeks cannot fill the relay.
     * The origin is what the seek names: a member that lists itself as the last hop may name any
     * key, so one member's splices are bounded by its link's seek rate
     * ({@link DiscoveryConfig#seeksPerSecondPerLink()}) times a splice's life
     * ({@link #SPLICE_ANSWER_TIMEOUT_NANOS}), and by {@link RelayConfig#maxCircuits()}.
     * Counted by origin, not by the link the way back starts on: between two busy members that link
     * carries the splices of every origin behind it (in a simulated 200-node mesh, a cap per link
     * stopped lookups between bootstraps once 32 pairs had met across them).
     */
    public static final int MAX_SPLICED_PER_ORIGIN = 32;
    /** A spliced circuit that has not carried the target's handshake response within this long is closed. */
    public static final long SPLICE_ANSWER_TIMEOUT_NANOS = 10_000_000_000L;

    private final java.util.Map<PublicKey, Integer> splicedPerOrigin = new java.util.HashMap<>();

    /**
     * Splices a circuit for a seek this node answers (see {@link Seeks}): it opens one circuit back
     * to the origin along {@code back} (the members the seek passed, nearest first, then the origin)
     * and one to {@code target}, a peer with a session now, joins them, and sends the handshake
     * initiation at {@code initiation[off..off+148)} to the target once the target's side is open.
     * Messages the target sends before the way back is open wait (up to {@link #MAX_EARLY}; more are
     * dropped and counted in {@link #earlyDropped()}). The
     * circuit counts against the same limits as any other, and at most {@link #MAX_SPLICED_PER_ORIGIN}
     * spliced circuits serve one origin; one that has not carried the target's
     * handshake response within {@link #SPLICE_ANSWER_TIMEOUT_NANOS} is closed. Neither side is
     * answered with RELAY_OPENED (no one asked), and if either side is refused, the other is closed.
     *
     * @return false if it could not be spliced (relaying off, at capacity, a side not connected, a loop)
     */
    public boolean splice(long now, List<PublicKey> back, PublicKey target, byte[] initiation, int off) {
        if (!config.enabled() || all.size() >= config.maxCircuits() || back.isEmpty() || back.size() > 4
                || back.contains(self) || back.contains(target) || !links.isConnected(back.getFirst())
                || !links.isConnected(target)
                || splicedPerOrigin.getOrDefault(back.getLast(), 0) >= MAX_SPLICED_PER_ORIGIN) {
            return false;
        }
        PublicKey inLink = back.getFirst();
        splicedPerOrigin.merge(back.getLast(), 1, Integer::sum);
        long inId = ids.next(inLink);
        long outId = ids.next(target);
        Circuit c = new Circuit(inLink, inId, target, outId, now, burst());
        c.spliced = true;
        c.origin = back.getLast();
        c.initiation = java.util.Arrays.copyOfRange(initiation, off, off + io.keymesh.wire.HandshakeInitiation.LENGTH);
        circuits.put(inLink, inId, c);
        circuits.put(target, outId, c);
        all.add(c);
        if (all.size() == 1) {
            nextSweep = now + sweepPeriod();
        }
        links.sendOpen(inLink, inId, back);
        links.sendOpen(target, outId, List.of(target));
        return true;
    }

    private int admit(PublicKey from, List<PublicKey> route) {
        if (!config.enabled()) {
            return RelayReason.DISABLED;
        }
        if (route.size() < 2 || !route.get(0).equals(self)) {
            return RelayReason.NO_ROUTE;
        }
        for (int i = 1; i < route.size(); i++) {
            PublicKey k = route.get(i);
            if (k.equals(self) || k.equals(from) || route.subList(i + 1, route.size()).contains(k)) {
                return RelayReason.LOOP;
            }
        }
        if (!links.isConnected(route.get(1))) {
            return RelayReason.NO_ROUTE;
        }
        if (all.size() >= config.maxCircuits() || openedPerLink.getOrDefault(from, 0) >= config.circuitsPerLink()) {
            return RelayReason.CAPACITY;
        }
        return ADMITTED;
    }

    private void refuse(PublicKey link, long circuit, int reason) {
        refused[Math.min(reason, refused.length - 1)]++;
        links.sendRefused(link, circuit, reason);
    }

    /** RELAY_OPENED from the far side of one of our circuits: pass it to the opener. */
    public boolean onOpened(long now, PublicKey from, long circuit, int maxMessage) {
        Circuit c = circuits.get(from, circuit);
        if (c != null && c.spliced) {
            splicedOpened(c, now, from, circuit);
            return true;
        }
        if (c == null || !c.outLink.equals(from) || c.outId != circuit) {
            return c != null;
        }
        c.open = true;
        c.lastUsed = now;
        links.sendOpened(c.inLink, c.inId, maxMessage(c, maxMessage));
        return true;
    }

    /** A side of a spliced circuit is open: the initiation goes to the target, early messages back to the origin. */
    private void splicedOpened(Circuit c, long now, PublicKey from, long circuit) {
        c.lastUsed = now;
        if (c.outLink.equals(from) && c.outId == circuit && !c.outOpen) {
            c.outOpen = true;
            byte[] init = c.initiation;
            c.initiation = null;
            links.sendData(c.outLink, c.outId, init, 0, init.length);
        } else if (c.inLink.equals(from) && c.inId == circuit && !c.inOpen) {
            c.inOpen = true;
            List<byte[]> early = c.early;
            c.early = null;
            if (early != null) {
                for (byte[] m : early) {
                    links.sendData(c.inLink, c.inId, m, 0, m.length);
                }
            }
        }
        c.open = c.inOpen && c.outOpen;
    }

    /** What the circuit carries end to end: the far end's answer, lowered to what both our links carry. */
    private int maxMessage(Circuit c, int far) {
        return Math.min(far, Math.min(links.maxInnerMessage(c.inLink), links.maxInnerMessage(c.outLink)));
    }

    /** RELAY_REFUSED from the far side of a circuit being opened: pass it on, forget the circuit. */
    public boolean onRefused(long now, PublicKey from, long circuit, int reason) {
        Circuit c = circuits.get(from, circuit);
        if (c == null) {
            return false;
        }
        if (c.spliced) {
            forget(c); // one side refused: the other, ours as well, is closed
            boolean outSide = c.outLink.equals(from) && c.outId == circuit;
            links.sendClose(outSide ? c.inLink : c.outLink, outSide ? c.inId : c.outId, reason);
            return true;
        }
        if (c.outLink.equals(from) && c.outId == circuit) {
            forget(c);
            links.sendRefused(c.inLink, c.inId, reason);
        }
        return true;
    }

    /**
     * RELAY_DATA on {@code circuit} from {@code from}: the message {@code buf[off..off+len)} goes on
     * along the circuit, within its rate. False if this relay joins no such circuit.
     */
    public boolean onData(long now, PublicKey from, long circuit, byte[] buf, int off, int len) {
        Circuit c = circuits.get(from, circuit);
        if (c == null) {
            return false;
        }
        if (!c.open) {
            if (c.spliced && c.outOpen && c.outLink.equals(from) && c.outId == circuit
                    && MessageType.of(buf, off, len) != MessageType.INVALID) {
                if (c.early == null) {
                    c.early = new ArrayList<>(MAX_EARLY);
                }
                if (c.early.size() < MAX_EARLY) {
                    c.early.add(java.util.Arrays.copyOfRange(buf, off, off + len)); // the target's answer, early
                    c.answered |= MessageType.of(buf, off, len) == MessageType.HANDSHAKE_RESPONSE;
                } else {
                    earlyDropped++;
                }
            }
            return true; // nothing passes before the far end has answered
        }
        if (MessageType.of(buf, off, len) == MessageType.INVALID) {
            notWireGuard++; // a relay carries WireGuard messages between members, nothing else
            return true;
        }
        if (!take(c, now, len)) {
            packetsOverRate++;
            return true;
        }
        c.lastUsed = now;
        packetsForwarded++;
        bytesForwarded += len;
        if (c.spliced && !c.answered && c.outLink.equals(from) && c.outId == circuit
                && MessageType.of(buf, off, len) == MessageType.HANDSHAKE_RESPONSE) {
            c.answered = true;
        }
        if (c.inLink.equals(from) && c.inId == circuit) {
            links.sendData(c.outLink, c.outId, buf, off, len);
        } else {
            links.sendData(c.inLink, c.inId, buf, off, len);
        }
        return true;
    }

    /** RELAY_CLOSE from one side: the other side is told, the circuit forgotten. */
    public boolean onClose(long now, PublicKey from, long circuit, int reason) {
        Circuit c = circuits.get(from, circuit);
        if (c == null) {
            return false;
        }
        forget(c);
        if (c.inLink.equals(from) && c.inId == circuit) {
            links.sendClose(c.outLink, c.outId, reason);
        } else if (c.open || c.spliced) {
            links.sendClose(c.inLink, c.inId, reason);
        } else {
            links.sendRefused(c.inLink, c.inId, reason);
        }
        return true;
    }

    /** The session with {@code key} ended: its circuits close, and their other ends are told. */
    public void onLinkDown(PublicKey key) {
        for (Circuit c : List.copyOf(all)) {
            if (c.inLink.equals(key)) {
                forget(c);
                links.sendClose(c.outLink, c.outId, RelayReason.TARGET_GONE);
            } else if (c.outLink.equals(key)) {
                forget(c);
                if (c.open || c.spliced) {
                    links.sendClose(c.inLink, c.inId, RelayReason.TARGET_GONE);
                } else {
                    links.sendRefused(c.inLink, c.inId, RelayReason.NO_ROUTE);
                }
            }
        }
    }

    private void forget(Circuit c) {
        circuits.remove(c.inLink, c.inId);
        circuits.remove(c.outLink, c.outId);
        all.remove(c);
        if (c.spliced) {
            splicedPerOrigin.computeIfPresent(c.origin, (k, n) -> n > 1 ? n - 1 : null);
        } else {
            openedPerLink.computeIfPresent(c.inLink, (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    // ------------------------------------------------------------------ rate

    private long burst() {
        return Math.max(RelayConfig.MIN_BURST_BYTES, config.bytesPerSecond() / 10);
    }

    /** Token bucket: refills at bytesPerSecond up to the burst; false if {@code len} bytes are not there. */
    private boolean take(Circuit c, long now, int len) {
        long rate = config.bytesPerSecond();
        if (rate <= 0) {
            return true; // unlimited
        }
        long elapsed = now - c.refilledAt;
        if (elapsed > 0) {
            long add = elapsed >= 1_000_000_000L ? burst() : elapsed * rate / 1_000_000_000L;
            if (add > 0) {
                c.tokens = Math.min(burst(), c.tokens + add);
                c.refilledAt = now;
            }
        }
        if (c.tokens < len) {
            return false;
        }
        c.tokens -= len;
        return true;
    }

    // ------------------------------------------------------------------ timers

    /** When {@link #onTimeout} has work: the next sweep for idle and unanswered circuits, or {@link Long#MAX_VALUE}. */
    public long nextTimeout() {
        return all.isEmpty() ? Long.MAX_VALUE : nextSweep;
    }

    /** Closes circuits idle too long and circuits whose far end never answered. */
    public void onTimeout(long now) {
        if (now < nextSweep) {
            return;
        }
        nextSweep = now + sweepPeriod();
        for (Circuit c : List.copyOf(all)) {
            if (!c.open && now - c.openedAt >= OPEN_TIMEOUT_NANOS) {
                forget(c);
                links.sendClose(c.outLink, c.outId, RelayReason.IDLE);
                if (c.spliced) {
                    links.sendClose(c.inLink, c.inId, RelayReason.IDLE);
                } else {
                    refuse(c.inLink, c.inId, RelayReason.NO_ROUTE);
                }
            } else if (c.spliced && !c.answered && now - c.openedAt >= SPLICE_ANSWER_TIMEOUT_NANOS) {
                forget(c); // the target never answered the seek's initiation: nothing will use it
                links.sendClose(c.outLink, c.outId, RelayReason.IDLE);
                links.sendClose(c.inLink, c.inId, RelayReason.IDLE);
            } else if (c.open && now - c.lastUsed >= config.idleTimeoutNanos()) {
                forget(c);
                links.sendClose(c.outLink, c.outId, RelayReason.IDLE);
                links.sendClose(c.inLink, c.inId, RelayReason.IDLE);
            }
        }
    }

    private long sweepPeriod() {
        return Math.min(config.idleTimeoutNanos(), OPEN_TIMEOUT_NANOS) / 4;
    }

    // ------------------------------------------------------------------ settings and counters

    /** Changes the settings; circuits over a lowered limit stay until they end. */
    public void setConfig(RelayConfig config) {
        this.config = config;
    }

    public RelayConfig config() {
        return config;
    }

    /** Circuits joined now (open or being opened). */
    public int circuits() {
        return all.size();
    }

    /** Origins with spliced circuits at this relay now (each at most {@link #MAX_SPLICED_PER_ORIGIN}). */
    public int splicedOrigins() {
        return splicedPerOrigin.size();
    }

    /** Circuit openings this relay refused, for {@code reason} (a {@link RelayReason} code). */
    public long refused(int reason) {
        return refused[Math.min(reason, refused.length - 1)];
    }

    public long packetsForwarded() {
        return packetsForwarded;
    }

    public long bytesForwarded() {
        return bytesForwarded;
    }

    /** Messages dropped because they were not well-formed WireGuard messages. */
    public long notWireGuard() {
        return notWireGuard;
    }

    /**
     * Messages from the target of a spliced circuit dropped because {@link #MAX_EARLY} were already
     * waiting for the way back to the origin to open.
     */
    public long earlyDropped() {
        return earlyDropped;
    }

    /** Messages dropped because their circuit was over its rate. */
    public long packetsOverRate() {
        return packetsOverRate;
    }
}
