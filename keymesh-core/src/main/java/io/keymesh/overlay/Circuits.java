package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.RelayReason;
import java.util.ArrayList;
import java.util.List;

/**
 * This node's own ends of relayed circuits: the ones it opens to reach a peer through relays, and
 * the ones relays open to it on behalf of peers that reach it that way. Each end is a
 * {@link RelayedEndpoint}: the session layer sends a peer's WireGuard messages to it and receives
 * them from it like from a UDP address.
 *
 * <p>Opening: RELAY_OPEN along the route, again every {@link #OPEN_RETRY_NANOS} while unanswered, up
 * to {@link #OPEN_ATTEMPTS} times; then it counts as refused ({@link RelayReason#NO_ROUTE}). An end a
 * relay opens to us is accepted while fewer than {@code maxInbound} exist, and closed after
 * {@code idleTimeoutNanos} without a message (the opener's traffic, or its keepalives, hold it).
 *
 * <p>Sans-I/O, as {@link Relay}. Not thread-safe.
 */
public final class Circuits {
    /** How long an opening waits for an answer before it asks again. */
    public static final long OPEN_RETRY_NANOS = 1_000_000_000L;
    /** RELAY_OPENs sent for one circuit before it counts as refused. */
    public static final int OPEN_ATTEMPTS = 4;

    /** What happens to this node's circuit ends. */
    public interface Listener {
        /** A circuit this node opened is open end to end; it carries messages up to {@code maxMessage} bytes. */
        void opened(long now, RelayedEndpoint end, PublicKey target, int maxMessage);

        /** A circuit this node opened was refused (or never answered), for {@code reason}. */
        void refused(long now, RelayedEndpoint end, PublicKey target, int reason);

        /**
         * A circuit end closed (the relay or the far end closed it, its link went down, or it idled
         * out); {@code target} is the peer it led to if this node opened it, null for an end a relay
         * opened to us.
         */
        void closed(long now, RelayedEndpoint end, PublicKey target, int reason);

        /** A WireGuard message arrived on {@code end}: for the session layer, as from that endpoint. */
        void received(RelayedEndpoint end, byte[] buf, int off, int len);
    }

    private static final class End {
        final RelayedEndpoint endpoint;
        final List<PublicKey> route; // null for an end a relay opened to us
        boolean open;
        int attempts;
        long sentAt;
        long lastUsed;
        int maxMessage;

        End(RelayedEndpoint endpoint, List<PublicKey> route, long now) {
            this.endpoint = endpoint;
            this.route = route;
            this.lastUsed = now;
        }

        PublicKey target() {
            return route == null ? null : route.getLast();
        }
    }

    private final PublicKey self;
    private final RelayLinks links;
    private final CircuitIds ids;
    private final Listener listener;
    private final int maxInbound;
    private final long idleTimeoutNanos;
    private final CircuitMap<End> ends;
    private final List<End> all = new ArrayList<>();
    private int inbound;
    private long inboundRefused;
    private long unknownCircuitMessages;

    public Circuits(PublicKey self, RelayLinks links, CircuitIds ids, Listener listener, int maxInbound,
            long idleTimeoutNanos) {
        this.self = self;
        this.links = links;
        this.ids = ids;
        this.listener = listener;
        this.maxInbound = maxInbound;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.ends = new CircuitMap<>(maxInbound + 4096);
    }

    /**
     * Opens a circuit along {@code route}: relays first, the target last (at least one relay and at
     * most three). The answer comes to the {@link Listener}.
     *
     * @return the end, which the session layer may send to once it is open
     */
    public RelayedEndpoint open(long now, List<PublicKey> route) {
        if (route.size() < 2 || route.size() > 4 || route.contains(self)) {
            throw new IllegalArgumentException("a route is 1..3 relays then the target, without this node: " + route);
        }
        PublicKey via = route.getFirst();
        RelayedEndpoint e = new RelayedEndpoint(via, ids.next(via));
        End end = new End(e, List.copyOf(route), now);
        if (!ends.put(via, e.circuit(), end)) {
            throw new IllegalStateException("too many circuits");
        }
        all.add(end);
        sendOpen(now, end);
        return e;
    }

    private void sendOpen(long now, End end) {
        end.attempts++;
        end.sentAt = now;
        links.sendOpen(end.endpoint.via(), end.endpoint.circuit(), end.route);
    }

    /** Closes one of this node's ends (the relay is told). */
    public void close(RelayedEndpoint e, int reason) {
        End end = ends.get(e.via(), e.circuit());
        if (end != null) {
            forget(end);
            links.sendClose(e.via(), e.circuit(), reason);
        }
    }

    /** The route {@code e} was opened along (relays, then the target), or null for an end opened to us or unknown. */
    public List<PublicKey> route(RelayedEndpoint e) {
        End end = ends.get(e.via(), e.circuit());
        return end == null ? null : end.route;
    }

    /** True if {@code e} is open end to end. */
    public boolean isOpen(RelayedEndpoint e) {
        End end = ends.get(e.via(), e.circuit());
        return end != null && end.open;
    }

    /** The largest WireGuard message {@code e} carries (0 while it is not open). */
    public int maxMessage(RelayedEndpoint e) {
        End end = ends.get(e.via(), e.circuit());
        return end == null || !end.open ? 0 : end.maxMessage;
    }

    /** Sends the WireGuard message {@code buf[off..off+len)} on {@code e}; false if it is not open. */
    public boolean send(long now, RelayedEndpoint e, byte[] buf, int off, int len) {
        End end = ends.get(e.via(), e.circuit());
        if (end == null || !end.open) {
            return false;
        }
        end.lastUsed = now;
        links.sendData(e.via(), e.circuit(), buf, off, len);
        return true;
    }

    // ------------------------------------------------------------------ frames in

    /** RELAY_OPEN from {@code from} whose route is this node alone: a relay opens an end to us. */
    public void onOpenAsTarget(long now, PublicKey from, long circuit) {
        End end = ends.get(from, circuit);
        if (end == null) {
            if (inbound >= maxInbound) {
                inboundRefused++;
                links.sendRefused(from, circuit, RelayReason.CAPACITY);
                return;
            }
            end = new End(new RelayedEndpoint(from, circuit), null, now);
            end.open = true;
            ends.put(from, circuit, end);
            all.add(end);
            inbound++;
        } else if (end.route != null) {
            return; // our own number: a relay cannot open it
        }
        end.maxMessage = links.maxInnerMessage(from);
        links.sendOpened(from, circuit, end.maxMessage);
    }

    /** RELAY_OPENED for a circuit this node opened. False if it is not ours. */
    public boolean onOpened(long now, PublicKey from, long circuit, int maxMessage) {
        End end = ends.get(from, circuit);
        if (end == null || end.route == null) {
            return false;
        }
        end.maxMessage = maxMessage;
        end.lastUsed = now;
        if (!end.open) {
            end.open = true;
            listener.opened(now, end.endpoint, end.target(), maxMessage);
        }
        return true;
    }

    /** RELAY_REFUSED for a circuit this node opened. False if it is not ours. */
    public boolean onRefused(long now, PublicKey from, long circuit, int reason) {
        End end = ends.get(from, circuit);
        if (end == null || end.route == null) {
            return false;
        }
        forget(end);
        if (end.open) {
            listener.closed(now, end.endpoint, end.target(), reason);
        } else {
            listener.refused(now, end.endpoint, end.target(), reason);
        }
        return true;
    }

    /** RELAY_DATA on one of our ends: to the listener. False (counted) if it is no end of ours. */
    public boolean onData(long now, PublicKey from, long circuit, byte[] buf, int off, int len) {
        End end = ends.get(from, circuit);
        if (end == null || !end.open) {
            unknownCircuitMessages++;
            return false;
        }
        end.lastUsed = now;
        listener.received(end.endpoint, buf, off, len);
        return true;
    }

    /** RELAY_CLOSE for one of our ends. False if it is not ours. */
    public boolean onClose(long now, PublicKey from, long circuit, int reason) {
        End end = ends.get(from, circuit);
        if (end == null) {
            return false;
        }
        forget(end);
        if (end.open || end.route == null) {
            listener.closed(now, end.endpoint, end.target(), reason);
        } else {
            listener.refused(now, end.endpoint, end.target(), reason);
        }
        return true;
    }

    /** The session with {@code key} ended: every end through it is gone. */
    public void onLinkDown(long now, PublicKey key) {
        for (End end : List.copyOf(all)) {
            if (end.endpoint.via().equals(key)) {
                forget(end);
                if (end.open || end.route == null) {
                    listener.closed(now, end.endpoint, end.target(), RelayReason.TARGET_GONE);
                } else {
                    listener.refused(now, end.endpoint, end.target(), RelayReason.NO_ROUTE);
                }
            }
        }
    }

    private void forget(End end) {
        ends.remove(end.endpoint.via(), end.endpoint.circuit());
        all.remove(end);
        if (end.route == null) {
            inbound--;
        }
    }

    // ------------------------------------------------------------------ timers

    /** When {@link #onTimeout} has work, or {@link Long#MAX_VALUE}. */
    public long nextTimeout() {
        long t = Long.MAX_VALUE;
        for (int i = 0; i < all.size(); i++) {
            End end = all.get(i);
            t = Math.min(t, end.open ? end.lastUsed + idleTimeoutNanos : end.sentAt + OPEN_RETRY_NANOS);
        }
        return t;
    }

    /** Asks again for unanswered openings, gives them up after {@link #OPEN_ATTEMPTS}, closes idle ends. */
    public void onTimeout(long now) {
        for (End end : List.copyOf(all)) {
            if (!end.open && now - end.sentAt >= OPEN_RETRY_NANOS) {
                if (end.attempts >= OPEN_ATTEMPTS) {
                    forget(end);
                    links.sendClose(end.endpoint.via(), end.endpoint.circuit(), RelayReason.IDLE);
                    listener.refused(now, end.endpoint, end.target(), RelayReason.NO_ROUTE);
                } else {
                    sendOpen(now, end);
                }
            } else if (end.open && now - end.lastUsed >= idleTimeoutNanos) {
                forget(end);
                links.sendClose(end.endpoint.via(), end.endpoint.circuit(), RelayReason.IDLE);
                listener.closed(now, end.endpoint, end.target(), RelayReason.IDLE);
            }
        }
    }

    // ------------------------------------------------------------------ counters

    /** Ends open or being opened (both kinds). */
    public int size() {
        return all.size();
    }

    /** Ends relays opened to us, now. */
    public int inbound() {
        return inbound;
    }

    /** Ends relays wanted to open to us beyond the limit. */
    public long inboundRefused() {
        return inboundRefused;
    }

    /** RELAY_DATA for circuits this node has no end of (closed, or never opened). */
    public long unknownCircuitMessages() {
        return unknownCircuitMessages;
    }
}
