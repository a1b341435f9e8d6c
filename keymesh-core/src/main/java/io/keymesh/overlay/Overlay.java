package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.wire.CandidatesFrame;
import io.keymesh.wire.CircuitReasonFrame;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.ObservedAddressFrame;
import io.keymesh.wire.ProbeFrame;
import io.keymesh.wire.RelayDataFrame;
import io.keymesh.wire.RelayOpenFrame;
import io.keymesh.wire.RelayOpenedFrame;
import io.keymesh.wire.RelayReason;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The overlay of one node: its paths to every peer ({@link PeerPaths}), the circuits it opens and
 * accepts ({@link Circuits}), and the relay service it offers ({@link Relay}). It reads the relay
 * and probe frames that arrive inside sessions and decides where each peer's packets go. It also
 * takes its peers from relayed to direct paths: it tells each peer the address it sees it at
 * ({@link AddressReporter}), keeps its own candidates ({@link LocalCandidates}), and exchanges them
 * with a peer it reaches only through relays ({@link HolePunch}).
 *
 * <p>It sits beside the session layer, not only above it: relayed packets ride other peers'
 * sessions (a circuit through R is carried by the session with R), and the session layer sends to
 * and receives from relayed paths as from UDP addresses ({@link RelayedEndpoint}).
 *
 * <p>Sans-I/O: the owner reports sessions coming up and going down, hands in the frames and
 * authenticated packets with the time, calls {@link #onTimeout} at {@link #nextTimeout}, and carries
 * out what {@link Host} and {@link RelayLinks} are asked. Not thread-safe: the node's thread.
 */
public final class Overlay {
    /** The node around the overlay. */
    public interface Host {
        /** A WireGuard message that came out of {@code from}: for the session layer, as a datagram from it. */
        void receive(RelayedEndpoint from, byte[] buf, int off, int len);

        /**
         * Encrypt a payload holding {@code frame[off..off+len)} for {@code peer} and send it to
         * {@code path} only; false if it could not go (no session with the peer).
         */
        boolean sendVia(PublicKey peer, Endpoint path, byte[] frame, int off, int len);

        /** {@code peer}'s packets go to {@code endpoint} from now on. */
        void use(PublicKey peer, Endpoint endpoint, Endpoint previous);

        /**
         * The application's packets sent to {@code peer} so far (any count that grows with each): what
         * makes the overlay watch the path in use closely. Not the overlay's own frames, nor keepalives.
         */
        long packetsSent(PublicKey peer);

        /** {@code peer} was sought and no member within reach knows it ({@link Seeks}). */
        default void unreachable(PublicKey peer) {}

        /** Every path to {@code peer} is gone or failing, after one worked ({@link PeerPaths.Actions#noWorkingPath}). */
        default void noWorkingPath(PublicKey peer) {}

        /**
         * Starts a handshake with {@code peer} now unless one started less than {@code minIntervalNanos}
         * ago; false if none was started.
         */
        default boolean initiateHandshake(PublicKey peer, long minIntervalNanos) {
            return false;
        }
    }

    /** How often the overlay looks at its peers while some have several paths. */
    public static final long TICK_NANOS = 250_000_000L;

    private final PublicKey self;
    private final Host host;
    private final OverlayLinks links;
    private final CircuitIds ids;
    private final Relay relay;
    private final Circuits circuits;
    private final Seeks seeks;
    private final ReachSummaries reach;
    private final Map<PublicKey, PeerEntry> peers = new LinkedHashMap<>();
    private long probeIds;
    private long nextTick = Long.MIN_VALUE;

    private final RelayOpenFrame openIn = new RelayOpenFrame();
    private final RelayOpenedFrame openedIn = new RelayOpenedFrame();
    private final CircuitReasonFrame refusedIn = new CircuitReasonFrame();
    private final RelayDataFrame dataIn = new RelayDataFrame();
    private final CircuitReasonFrame closeIn = new CircuitReasonFrame();
    private final ProbeFrame probeIn = new ProbeFrame();
    private final CandidatesFrame candidatesIn = new CandidatesFrame();
    private final ObservedAddressFrame observedIn = new ObservedAddressFrame();
    private final byte[] probeOut = new byte[256];
    private final LocalCandidates local = new LocalCandidates();
    /** Answers to RELAY_DATA on unknown circuits, at most one per this long. */
    static final long CLOSE_UNKNOWN_INTERVAL_NANOS = 100_000_000L;

    private long lastUnknownClose = Long.MIN_VALUE;
    private long malformedFrames;
    private long circuitsRefused;

    /**
     * A peer's paths, the routes to it through relays, its send counter at the last tick, and (unless
     * it is a stock WireGuard peer, which gets no mesh frames) its punching and address reports.
     */
    private static final class PeerEntry {
        final PeerPaths paths;
        final List<List<PublicKey>> routes;
        final boolean wireGuard;
        final HolePunch punch;
        final AddressReporter reporter;
        long packetsSentSeen;
        /** The endpoint of the last authenticated packet reported, to skip unchanged sources quickly. */
        Endpoint lastFrom;

        PeerEntry(PeerPaths paths, List<List<PublicKey>> routes, boolean wireGuard, boolean goDirect) {
            this.paths = paths;
            this.routes = routes;
            this.wireGuard = wireGuard;
            this.punch = wireGuard || !goDirect ? null : new HolePunch();
            this.reporter = wireGuard ? null : new AddressReporter();
        }
    }

    /**
     * @param seed differs from one run of the node to the next (and is fixed for a simulation's
     *     run): where circuit numbers and probe ids start
     */
    public Overlay(PublicKey self, RelayConfig relayConfig, DiscoveryConfig discovery, int maxInboundCircuits, Host host,
            OverlayLinks links, long seed) {
        this.self = self;
        this.host = host;
        this.links = links;
        this.ids = new CircuitIds(self, seed);
        this.relay = new Relay(self, relayConfig, links, ids);
        this.circuits = new Circuits(self, links, ids, new CircuitEvents(), maxInboundCircuits,
                relayConfig.idleTimeoutNanos());
        this.reach = new ReachSummaries(links);
        this.seeks = new Seeks(self, discovery, links, relay, reach, new Seeks.Listener() {
            @Override
            public void unreachable(long now, PublicKey target) {
                host.unreachable(target);
            }

            @Override
            public boolean retry(long now, PublicKey target) {
                return host.initiateHandshake(target, Seeks.RETRY_NANOS);
            }
        }, Long.rotateLeft(seed, 17) ^ 0x5eed5eedL);
        this.probeIds = seed;
    }

    public Seeks seeks() {
        return seeks;
    }

    public ReachSummaries reach() {
        return reach;
    }

    /**
     * Looks for {@code target}, which has no known path, carrying the handshake initiation at
     * {@code initiation[off..off+148)} ({@link Seeks#seek}); the session layer sent it to the peer's
     * {@link SeekEndpoint}.
     */
    public void seek(long now, PublicKey target, byte[] initiation, int off) {
        seeks.seek(now, target, initiation, off);
    }


    public Relay relay() {
        return relay;
    }

    public Circuits circuits() {
        return circuits;
    }

    /** Peers the overlay keeps state for now (paths, punching, address reports). */
    public int peerCount() {
        return peers.size();
    }

    /** This node's candidates: host addresses and the reflexive addresses its peers report. */
    public LocalCandidates localCandidates() {
        return local;
    }

    /** This node's host addresses now (see {@link LocalCandidates#setHost}). */
    public void hostAddresses(List<InetSocketAddress> addresses) {
        local.setHost(addresses);
    }

    // ------------------------------------------------------------------ peers

    /**
     * Adds a peer. {@code routes} lists the ways to reach it through relays (each: the relays in
     * order, without the peer); with none, or for a stock WireGuard peer ({@code roaming}), the peer
     * keeps WireGuard's roaming — a stock WireGuard peer for good, any other until a relayed path to
     * it appears ({@link #roamed}). {@code endpoint} is its configured direct address, or null.
     */
    public void addPeer(long now, PublicKey key, UdpEndpoint endpoint, List<List<PublicKey>> routes, boolean roaming) {
        boolean plain = roaming || routes.isEmpty();
        PeerPaths paths = new PeerPaths(plain, new PathActions(key), probeIds);
        probeIds += 1L << 32;
        List<List<PublicKey>> copy = new ArrayList<>();
        for (List<PublicKey> r : routes) {
            copy.add(List.copyOf(r));
        }
        peers.put(key, new PeerEntry(paths, plain ? List.of() : copy, roaming, seeks.config().goDirect()));
        if (endpoint != null) {
            paths.setDirect(now, endpoint);
        }
        for (List<PublicKey> r : copy) {
            if (!plain && links.isConnected(r.getFirst())) {
                openRoute(now, key, r);
            }
        }
    }

    /** Forgets a peer: its circuits close. */
    public void removePeer(long now, PublicKey key) {
        PeerEntry e = peers.remove(key);
        if (e != null) {
            for (Path p : List.copyOf(e.paths.paths())) {
                if (p.endpoint() instanceof RelayedEndpoint r) {
                    circuits.close(r, RelayReason.CLOSED_BY_PEER);
                }
            }
        }
        relay.onLinkDown(key);
        circuits.onLinkDown(now, key);
        seeks.cancel(key);
        seeks.linkDown(key);
        reach.linkDown(key);
    }

    /** The paths to {@code key}, or null if it is not a peer. */
    public PeerPaths paths(PublicKey key) {
        PeerEntry e = peers.get(key);
        return e == null ? null : e.paths;
    }

    private void openRoute(long now, PublicKey target, List<PublicKey> relays) {
        List<PublicKey> route = new ArrayList<>(relays);
        route.add(target);
        RelayedEndpoint e = circuits.open(now, route);
        peers.get(target).paths.addRelayed(e, relays.size());
    }

    /** A session with {@code key} is up: circuits through it can be opened now. */
    public void linkUp(long now, PublicKey key) {
        reach.linkUp();
        for (Map.Entry<PublicKey, PeerEntry> pe : peers.entrySet()) {
            for (List<PublicKey> r : pe.getValue().routes) {
                if (r.getFirst().equals(key) && !hasRoute(pe.getValue().paths, r, pe.getKey())) {
                    openRoute(now, pe.getKey(), r);
                }
            }
        }
    }

    /** True if a circuit along {@code relays} to {@code target} is among {@code paths} (open or opening). */
    private boolean hasRoute(PeerPaths paths, List<PublicKey> relays, PublicKey target) {
        for (Path p : paths.paths()) {
            if (p.endpoint() instanceof RelayedEndpoint r) {
                List<PublicKey> route = circuits.route(r);
                if (route != null && route.size() == relays.size() + 1 && route.subList(0, relays.size()).equals(relays)
                        && route.getLast().equals(target)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The session with {@code key} is gone: circuits through it and joined at it close. */
    public void linkDown(long now, PublicKey key) {
        relay.onLinkDown(key);
        circuits.onLinkDown(now, key);
        seeks.linkDown(key);
        reach.linkDown(key);
    }

    // ------------------------------------------------------------------ what arrives

    /**
     * An authenticated packet of {@code peer}, whose paths the overlay picks, arrived from {@code from}.
     *
     * @return true if {@link #nextTimeout} may have moved earlier (a check or a report is due)
     */
    public boolean authenticated(long now, PublicKey peer, Endpoint from) {
        PeerEntry e = peers.get(peer);
        if (e == null) {
            return false;
        }
        boolean moved = e.paths.authenticated(now, from);
        if (e.lastFrom != from) {
            e.lastFrom = from;
            moved |= source(e, from);
        }
        return moved;
    }

    /** A direct source of the peer's packets, for its address reports; true if a report became due. */
    private static boolean source(PeerEntry e, Endpoint from) {
        if (e.reporter != null && from instanceof UdpEndpoint u) {
            e.reporter.source(u.address());
            return e.reporter.nextTimeout() != Long.MAX_VALUE;
        }
        return false;
    }

    /**
     * An authenticated packet of {@code peer}, which roams as in WireGuard, came from {@code from},
     * where its endpoint moves now. A relayed path takes a peer that is not a stock WireGuard peer
     * under the overlay's policy ({@link PeerPaths#leaveRoaming}), so that it can go direct again.
     *
     * @return true if the peer is under the overlay's policy from now on: the owner reports its
     *     packets through {@link #authenticated} and applies the paths the overlay picks
     */
    public boolean roamed(long now, PublicKey peer, Endpoint from) {
        PeerEntry e = peers.get(peer);
        if (e == null) {
            return false;
        }
        if (from instanceof RelayedEndpoint r && !e.wireGuard && e.paths.isRoaming()) {
            e.paths.leaveRoaming(now, r);
            return true;
        }
        e.paths.authenticated(now, from);
        source(e, from);
        return false;
    }

    /**
     * A handshake with {@code peer} completed (the first or a renewal): it is told again where we see
     * its packets come from. {@code endpoint}: where a roaming peer's packets come from now (its
     * endpoint); ignored for a peer whose paths the overlay picks, whose sources it follows itself.
     */
    public void handshakeCompleted(long now, PublicKey peer, Endpoint endpoint) {
        seeks.found(peer); // a seek for it, if any, is answered
        PeerEntry e = peers.get(peer);
        if (e == null || e.reporter == null) {
            return;
        }
        if (e.paths.isRoaming() && endpoint instanceof UdpEndpoint u) {
            e.reporter.source(u.address());
        }
        e.reporter.handshakeCompleted();
        if (!e.paths.isRoaming()) {
            punch(now, peer, e); // a session just came up over a relay: offer candidates now, not at the next tick
        }
    }

    /** The candidates {@code peer} last sent us (empty if none, or not a peer). */
    public List<InetSocketAddress> remoteCandidates(PublicKey peer) {
        PeerEntry e = peers.get(peer);
        return e == null || e.punch == null ? List.of() : e.punch.remote();
    }

    /** {@code peer}'s data (frames other than probes) arrived from {@code from}. */
    public void dataFrom(long now, PublicKey peer, Endpoint from) {
        PeerEntry e = peers.get(peer);
        if (e != null) {
            e.paths.dataFrom(now, from);
        }
    }

    /** True if frames of {@code type} are the overlay's: relay frames, probes, candidates and address reports. */
    public static boolean isOverlayFrame(int type) {
        return (type >= MeshFrame.RELAY_OPEN && type <= MeshFrame.RELAY_CLOSE)
                || type == MeshFrame.PROBE || type == MeshFrame.PROBE_ACK || type == MeshFrame.SEEK
                || type == MeshFrame.REACH || type == MeshFrame.CANDIDATES || type == MeshFrame.OBSERVED_ADDRESS;
    }

    /**
     * A relay or probe frame from {@code peer}, in a payload that arrived from {@code from}.
     * Malformed frames are dropped and counted.
     */
    public void onFrame(long now, PublicKey peer, Endpoint from, int type, byte[] b, int off, int len) {
        switch (type) {
            case MeshFrame.RELAY_DATA -> {
                if (!dataIn.decode(b, off, len)) {
                    malformedFrames++;
                } else if (!relay.onData(now, peer, dataIn.circuit(), b, dataIn.innerOffset(), dataIn.innerLength())
                        && !circuits.onData(now, peer, dataIn.circuit(), b, dataIn.innerOffset(), dataIn.innerLength())) {
                    closeUnknown(now, peer, dataIn.circuit());
                }
            }
            case MeshFrame.RELAY_OPEN -> {
                if (!openIn.decode(b, off, len)) {
                    malformedFrames++;
                    return;
                }
                List<PublicKey> route = new ArrayList<>(openIn.hops());
                for (int i = 0; i < openIn.hops(); i++) {
                    route.add(PublicKey.of(openIn.hop(i)));
                }
                if (route.size() == 1 && route.getFirst().equals(self)) {
                    circuits.onOpenAsTarget(now, peer, openIn.circuit());
                } else {
                    relay.onOpen(now, peer, openIn.circuit(), route);
                }
            }
            case MeshFrame.RELAY_OPENED -> {
                if (!openedIn.decode(b, off, len)) {
                    malformedFrames++;
                    return;
                }
                int max = (int) Math.min(Integer.MAX_VALUE, openedIn.maxMessage());
                if (!relay.onOpened(now, peer, openedIn.circuit(), max)) {
                    circuits.onOpened(now, peer, openedIn.circuit(), max);
                }
            }
            case MeshFrame.RELAY_REFUSED -> {
                if (!refusedIn.decode(b, off, len)) {
                    malformedFrames++;
                    return;
                }
                int reason = (int) Math.min(Integer.MAX_VALUE, refusedIn.reason());
                if (!relay.onRefused(now, peer, refusedIn.circuit(), reason)) {
                    circuits.onRefused(now, peer, refusedIn.circuit(), reason);
                }
            }
            case MeshFrame.RELAY_CLOSE -> {
                if (!closeIn.decode(b, off, len)) {
                    malformedFrames++;
                    return;
                }
                int reason = (int) Math.min(Integer.MAX_VALUE, closeIn.reason());
                if (!relay.onClose(now, peer, closeIn.circuit(), reason)) {
                    circuits.onClose(now, peer, closeIn.circuit(), reason);
                }
            }
            case MeshFrame.PROBE, MeshFrame.PROBE_ACK -> {
                if (!probeIn.decode(type, b, off, len)) {
                    malformedFrames++;
                } else if (!probeIn.ack()) {
                    InetSocketAddress seen = UdpEndpoint.addressOf(from);
                    int n = ProbeFrame.writeAck(probeOut, 0, probeIn.probeId(), seen);
                    host.sendVia(peer, from, probeOut, 0, n);
                } else {
                    PeerEntry e = peers.get(peer);
                    if (e != null) {
                        e.paths.probeAnswered(now, from, probeIn.probeId());
                        if (probeIn.hasObserved() && from instanceof UdpEndpoint && !e.wireGuard) {
                            local.reported(now, peer, probeIn.observed());
                        }
                    }
                }
            }
            case MeshFrame.SEEK -> seeks.onFrame(now, peer, b, off, len);
            case MeshFrame.REACH -> reach.onFrame(peer, b, off, len);
            case MeshFrame.CANDIDATES -> {
                if (!candidatesIn.decode(b, off, len)) {
                    malformedFrames++;
                } else {
                    onCandidates(now, peer, from);
                }
            }
            case MeshFrame.OBSERVED_ADDRESS -> {
                if (!observedIn.decode(b, off, len)) {
                    malformedFrames++;
                } else if (peers.containsKey(peer) && !peers.get(peer).wireGuard) {
                    local.reported(now, peer, observedIn.address());
                }
            }
            default -> malformedFrames++;
        }
    }

    /**
     * The peer's candidates: an offer is checked at once and answered with ours on the path it came
     * over (one offer a second at most: later ones are ignored); an answer to our latest offer is
     * checked at once. A peer that roams as in WireGuard
     * (direct, no relayed path) has nothing to punch: its frames are ignored.
     */
    private void onCandidates(long now, PublicKey peer, Endpoint from) {
        PeerEntry e = peers.get(peer);
        if (e == null || e.punch == null || e.paths.isRoaming()) {
            return;
        }
        List<InetSocketAddress> addresses = new ArrayList<>(candidatesIn.count());
        List<UdpEndpoint> endpoints = new ArrayList<>(candidatesIn.count());
        for (int i = 0; i < candidatesIn.count(); i++) {
            InetSocketAddress a = candidatesIn.address(i);
            if (a.getPort() != 0 && !a.getAddress().isAnyLocalAddress() && !a.getAddress().isMulticastAddress()) {
                addresses.add(a);
                endpoints.add(new UdpEndpoint(a));
            }
        }
        if (candidatesIn.answer()) {
            if (e.punch.answerReceived(candidatesIn.round(), addresses)) {
                e.paths.candidatesReceived(now, endpoints);
            }
            return;
        }
        if (!e.punch.offerReceived(now, local.generation(), addresses)) {
            return; // too soon after the last one
        }
        e.paths.candidatesReceived(now, endpoints);
        int n = CandidatesFrame.write(probeOut, 0, candidatesIn.round(), CandidatesFrame.FLAG_ANSWER,
                local.candidates(now));
        host.sendVia(peer, from, probeOut, 0, n); // the checks go at the next timeout, now
    }

    /**
     * RELAY_DATA for a circuit this node neither relays nor ends — one of this node's former life
     * (it restarted under the same key and the relay still joins the old circuit), or one it closed:
     * tell the sender it is closed, so the relay closes it at the far end too and that side opens
     * another, instead of sending into the void until the circuit idles out. At most one answer per
     * {@link #CLOSE_UNKNOWN_INTERVAL_NANOS}.
     */
    private void closeUnknown(long now, PublicKey link, long circuit) {
        if (lastUnknownClose != Long.MIN_VALUE && now - lastUnknownClose < CLOSE_UNKNOWN_INTERVAL_NANOS) {
            return;
        }
        lastUnknownClose = now;
        links.sendClose(link, circuit, RelayReason.TARGET_GONE);
    }

    // ------------------------------------------------------------------ timers

    /** When {@link #onTimeout} has work, or {@link Long#MAX_VALUE}. */
    public long nextTimeout(long now) {
        long t = Math.min(Math.min(relay.nextTimeout(), circuits.nextTimeout()),
                Math.min(seeks.nextTimeout(), reach.nextTimeout()));
        for (PeerEntry e : peers.values()) {
            if (e.reporter != null) {
                t = Math.min(t, e.reporter.nextTimeout());
            }
            if (!e.paths.isRoaming()) {
                if (nextTick == Long.MIN_VALUE) {
                    nextTick = now + TICK_NANOS;
                }
                t = Math.min(t, Math.min(nextTick, e.paths.nextTimeout(now)));
            }
        }
        return t;
    }

    /** Runs what is due: probes, failover, circuit retries and expiry, the relay's sweep. */
    public void onTimeout(long now) {
        if (relay.nextTimeout() <= now) {
            relay.onTimeout(now);
        }
        if (circuits.nextTimeout() <= now) {
            circuits.onTimeout(now);
        }
        if (seeks.nextTimeout() <= now) {
            seeks.onTimeout(now);
        }
        if (reach.nextTimeout() <= now) {
            reach.onTimeout(now);
        }
        boolean tick = now >= nextTick;
        if (tick) {
            nextTick = now + TICK_NANOS;
        }
        for (Map.Entry<PublicKey, PeerEntry> pe : peers.entrySet()) {
            PeerEntry e = pe.getValue();
            if (e.reporter != null && e.reporter.nextTimeout() <= now) {
                report(now, pe.getKey(), e);
            }
            if (e.paths.isRoaming()) {
                continue;
            }
            if (tick) {
                long sent = host.packetsSent(pe.getKey());
                if (sent != e.packetsSentSeen) {
                    e.packetsSentSeen = sent;
                    e.paths.sent(now);
                }
                for (List<PublicKey> r : e.routes) {
                    if (!hasRoute(e.paths, r, pe.getKey()) && links.isConnected(r.getFirst())) {
                        openRoute(now, pe.getKey(), r); // reopen a route whose circuit was refused or closed
                    }
                }
                punch(now, pe.getKey(), e);
            }
            e.paths.onTimeout(now);
        }
    }

    /** Tells the peer where its packets come from, on the path they came over. */
    private void report(long now, PublicKey peer, PeerEntry e) {
        InetSocketAddress a = e.reporter.take(now);
        if (a != null) {
            int n = ObservedAddressFrame.write(probeOut, 0, a);
            if (!host.sendVia(peer, new UdpEndpoint(a), probeOut, 0, n)) {
                e.reporter.failed();
            }
        }
    }

    /** Offers our candidates to a peer we reach only through relays, when a round is due. */
    private void punch(long now, PublicKey peer, PeerEntry e) {
        if (e.punch == null) {
            return;
        }
        Path active = e.paths.active();
        if (active != null && active.kind() == Path.Kind.DIRECT) {
            e.punch.sawDirect();
        }
        long generation = local.generation();
        if (e.punch.due(now, e.paths, generation)) {
            int n = CandidatesFrame.write(probeOut, 0, e.punch.nextRound(), 0, local.candidates(now));
            if (host.sendVia(peer, active.endpoint(), probeOut, 0, n)) {
                e.punch.offered(now, generation);
            }
        }
    }

    // ------------------------------------------------------------------ counters

    /** Punching rounds this node started with {@code peer} (CANDIDATES offers sent). */
    public long punchRounds(PublicKey peer) {
        PeerEntry e = peers.get(peer);
        return e == null || e.punch == null ? 0 : e.punch.rounds();
    }

    /** Relay, probe, candidates and address frames dropped as malformed. */
    public long malformedFrames() {
        return malformedFrames;
    }

    /** Circuits this node opened that were refused or never answered. */
    public long circuitsRefused() {
        return circuitsRefused;
    }

    // ------------------------------------------------------------------ glue

    /** A peer's path policy acting through the host. */
    private final class PathActions implements PeerPaths.Actions {
        private final PublicKey peer;

        PathActions(PublicKey peer) {
            this.peer = peer;
        }

        @Override
        public boolean probe(Path path, long id) {
            int n = ProbeFrame.writeProbe(probeOut, 0, id);
            return host.sendVia(peer, path.endpoint(), probeOut, 0, n);
        }

        @Override
        public void use(Endpoint endpoint, Endpoint previous) {
            host.use(peer, endpoint, previous);
        }

        @Override
        public void noWorkingPath() {
            host.noWorkingPath(peer);
        }
    }

    /** Circuit ends' events, to the paths of the peer each leads to. */
    private final class CircuitEvents implements Circuits.Listener {
        @Override
        public void opened(long now, RelayedEndpoint end, PublicKey target, int maxMessage) {
            PeerEntry e = peers.get(target);
            if (e != null) {
                e.paths.relayedOpened(now, end, maxMessage);
            }
        }

        @Override
        public void refused(long now, RelayedEndpoint end, PublicKey target, int reason) {
            circuitsRefused++;
            PeerEntry e = peers.get(target);
            if (e != null) {
                e.paths.relayedGone(now, end);
            }
        }

        @Override
        public void closed(long now, RelayedEndpoint end, PublicKey target, int reason) {
            if (target != null) {
                PeerEntry e = peers.get(target);
                if (e != null) {
                    e.paths.relayedGone(now, end);
                }
                return;
            }
            for (PeerEntry e : peers.values()) { // an end opened to us: whichever peer took it as a path
                e.paths.relayedGone(now, end);
            }
        }

        @Override
        public void received(RelayedEndpoint end, byte[] buf, int off, int len) {
            host.receive(end, buf, off, len);
        }
    }
}
