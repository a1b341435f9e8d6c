package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static io.keymesh.sim.node.SimMesh.SECOND;
import static io.keymesh.sim.node.SoakConfig.MINUTE;

import io.keymesh.node.NodeConfig;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerConfig;
import io.keymesh.node.PeerStats;
import io.keymesh.node.TableSizes;
import io.keymesh.overlay.RelayConfig;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.MappingBehavior;
import io.keymesh.sim.Nat;
import io.keymesh.sim.NatConfig;
import io.keymesh.sim.NatType;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.sim.node.SoakMember.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * A soak run on the simulator: {@link SoakConfig#nodes} real {@link io.keymesh.node.MeshNode}s for
 * {@link SoakConfig#durationNanos} of virtual time, with steady channel traffic between fixed pairs
 * and churn on a seeded schedule ({@link SoakChurn}), sampled at intervals ({@link SoakSample}).
 *
 * <p>The mesh: {@link SoakConfig#relays} public members that relay and list each other; every other
 * member is a public host or sits behind a NAT of one of the simulator's kinds (behind two for
 * {@link Kind#NESTED}), relays nothing, lists two relays (persistent keepalive 25 s) and takes any
 * member in ({@code accept-members}); a third of the NATs forget a mapping after 30 s idle, the rest
 * after 5 minutes. Pairs reach each other by key, as the product does: a member that is not a peer
 * yet is {@link io.keymesh.node.MeshNode#reach reached} and found through the relays. The pairs: a
 * ring over the non-relay members in random order, a chord from every fourth, and pairs of members
 * whose NATs both map per destination (they need a relay for good). Each pair sends both ways, one
 * message of 20–1,019 bytes per {@link SoakConfig#messageIntervalNanos} each way ({@link SoakFlow}).
 *
 * <p>Churn: restarts (half crashes, half graceful stops after the node reports its channels drained,
 * at most {@link SoakChurn#DRAIN_NANOS}; 2–60 s away, same key and host), moves (a host goes to a
 * shared "café" NAT of another kind, or to a new public address, and back home at its next move),
 * NAT rebinding (a NAT forgets every mapping at once: new external ports), and relays leaving (crash
 * or close) and coming back at the same address after a while. After each event every affected flow
 * must carry a message sent after it within {@link SoakConfig#reconnectBoundNanos}; a relay that
 * comes back must have every running member that lists it back within {@link #REJOIN_BOUND_NANOS}.
 *
 * <p>Simulation thread only; {@link #run} once.
 */
final class Soak {
    /** How soon every running member that lists a relay must hold a session with it again after it came back. */
    static final long REJOIN_BOUND_NANOS = 5 * MINUTE;
    /** Traffic starts this long after the nodes. */
    private static final long TRAFFIC_START_NANOS = 30 * SECOND;
    /** Traffic stops this long before the end, so that the last messages arrive before the final checks. */
    private static final long TRAFFIC_STOP_NANOS = MINUTE;
    /** How often waiting flows are held to the reconnect bound. */
    private static final long WATCHDOG_NANOS = 5 * SECOND;
    private static final int KEEPALIVE = 25;

    final SoakConfig config;
    final SimMesh mesh;
    final Network internet;
    final List<SoakMember> members = new ArrayList<>();
    final List<SoakMember> relays = new ArrayList<>();
    final List<SoakMember> others = new ArrayList<>();
    /** NATs that churn may rebind: every home NAT (both of a nested pair) and the café NATs. */
    final List<Nat> nats = new ArrayList<>();
    /** The shared café NATs' inside networks, where moved hosts go. */
    final List<Network> cafes = new ArrayList<>();
    final List<SoakMember[]> pairs = new ArrayList<>();
    final SoakFlow[] flows;
    final SoakFindings findings = new SoakFindings();
    final SoakCounters counters = new SoakCounters();
    final List<SoakSample> samples = new ArrayList<>();
    final List<SoakChurn> schedule;
    final int[] kinds = new int[Kind.values().length];
    private final LinkConditions[] access;
    private final int[] churnAtLastSample = new int[4];
    private long deliveredAtLastSample;
    private long reconnectionsAtLastSample;
    private long lostAtLastSample;
    long wallNanos;
    private long wallStart;
    long skippedChurn;
    long unconnectedPairsAtEnd;

    Soak(SoakConfig config) {
        this.config = config;
        this.mesh = new SimMesh(config.seed());
        SplittableRandom r = new SplittableRandom(config.seed() ^ 0x746f706fL);
        internet = mesh.sim.newNetwork("internet", "100.64.0.0/10");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        access = new LinkConditions[config.nodes()];
        for (int i = 0; i < config.relays(); i++) {
            Member m = mesh.member("relay" + i, internet.newHost("relay" + i));
            access[i] = LinkConditions.DEFAULT.withLatency(Duration.ofMillis(5));
            m.host.link().setConditions(access[i]);
            SoakMember s = new SoakMember(m, Kind.RELAY, internet, null, new ArrayList<>(),
                    c -> c.withAcceptMembers(true).withRelay(RelayConfig.DEFAULT));
            relays.add(s);
            members.add(s);
            kinds[Kind.RELAY.ordinal()]++;
        }
        for (SoakMember relay : relays) {
            for (SoakMember other : relays) {
                if (other != relay) {
                    relay.listed.add(other.member.asPeer().withPersistentKeepalive(KEEPALIVE));
                }
            }
        }
        UnaryOperator<NodeConfig> member = c -> c.withAcceptMembers(true).withRelay(RelayConfig.OFF);
        List<Kind> kindOf = kinds(config.nodes() - config.relays(), r);
        for (int i = config.relays(); i < config.nodes(); i++) {
            Kind kind = kindOf.get(i - config.relays());
            kinds[kind.ordinal()]++;
            String name = "n" + i;
            Network home = internet;
            Nat homeNat = null;
            if (kind != Kind.PUBLIC) {
                homeNat = internet.newNat("nat" + i, natConfig(kind, r), "10." + (i / 200) + "." + (i % 200) + ".0/24");
                nats.add(homeNat);
                home = homeNat.inside();
                if (kind == Kind.NESTED) {
                    Nat inner = home.newNat("inner" + i, natConfig(Kind.PORT_RESTRICTED, r), "172.16." + (i % 250) + ".0/24");
                    nats.add(inner);
                    home = inner.inside();
                }
            }
            Member m = mesh.member(name, home.newHost(name));
            access[i] = LinkConditions.DEFAULT.withLatency(Duration.ofMillis(5 + r.nextInt(36))).withLoss(0.002);
            m.host.link().setConditions(access[i]);
            int first = r.nextInt(relays.size());
            int second = (first + 1 + r.nextInt(relays.size() - 1)) % relays.size();
            List<PeerConfig> listed = List.of(relays.get(first).member.asPeer().withPersistentKeepalive(KEEPALIVE),
                    relays.get(second).member.asPeer().withPersistentKeepalive(KEEPALIVE));
            SoakMember s = new SoakMember(m, kind, home, homeNat, listed, member);
            others.add(s);
            members.add(s);
        }
        Kind[] cafeKinds = {Kind.FULL_CONE, Kind.SYMMETRIC, Kind.PORT_RESTRICTED, Kind.RESTRICTED, Kind.ADDRESS_DEPENDENT,
            Kind.PORT_RESTRICTED, Kind.SYMMETRIC, Kind.FULL_CONE};
        int cafeCount = Math.max(4, Math.min(8, config.nodes() / 25));
        for (int i = 0; i < cafeCount; i++) {
            Nat cafe = internet.newNat("cafe" + i, natConfig(cafeKinds[i], r), "192.168." + i + ".0/24");
            nats.add(cafe);
            cafes.add(cafe.inside());
        }
        choosePairs(r);
        List<SoakFlow> list = new ArrayList<>();
        for (SoakMember[] p : pairs) {
            for (int dir = 0; dir < 2; dir++) {
                SoakFlow f = new SoakFlow(list.size(), p[dir], p[1 - dir], mesh, findings, config.seed());
                list.add(f);
                p[dir].outgoing.add(f);
                p[1 - dir].incoming.add(f);
            }
        }
        flows = list.toArray(SoakFlow[]::new);
        List<Integer> relayIndices = new ArrayList<>();
        List<Integer> otherIndices = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            (members.get(i).kind == Kind.RELAY ? relayIndices : otherIndices).add(i);
        }
        schedule = SoakChurn.plan(config, relayIndices, otherIndices, nats.size());
    }

    /**
     * A ring over the non-relay members in random order, a chord from every fourth to the member
     * opposite, and pairs of members that both map per destination (at least two such pairs).
     */
    private void choosePairs(SplittableRandom r) {
        List<SoakMember> order = new ArrayList<>(others);
        shuffle(order, r);
        Set<Long> seen = new HashSet<>();
        int n = order.size();
        for (int j = 0; j < n; j++) {
            addPair(order.get(j), order.get((j + 1) % n), seen);
        }
        for (int j = 0; j < n; j += 4) {
            addPair(order.get(j), order.get((j + n / 2) % n), seen);
        }
        List<SoakMember> dependent = new ArrayList<>(others.stream().filter(m -> m.kind.endpointDependent()).toList());
        shuffle(dependent, r);
        int wanted = Math.max(2, n / 20);
        for (int j = 0; j + 1 < dependent.size() && wanted > 0; j += 2) {
            if (addPair(dependent.get(j), dependent.get(j + 1), seen)) {
                wanted--;
            }
        }
    }

    private boolean addPair(SoakMember a, SoakMember b, Set<Long> seen) {
        int x = a.member.number;
        int y = b.member.number;
        if (x == y || !seen.add((long) Math.min(x, y) << 32 | Math.max(x, y))) {
            return false;
        }
        pairs.add(new SoakMember[] {a, b});
        return true;
    }

    private static <T> void shuffle(List<T> list, SplittableRandom r) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /** Percent of the non-relay members of each kind but {@link Kind#RELAY}, in {@link Kind} order. */
    private static final int[] SHARES = {15, 20, 15, 20, 10, 12, 8};

    /**
     * The kinds of {@code n} non-relay members in random order: {@link #SHARES} of them (public 15 %,
     * full cone 20 %, restricted 15 %, port-restricted 20 %, address-dependent mapping 10 %,
     * symmetric 12 %, nested 8 %), at least one of each where there are enough members, the rest
     * port-restricted.
     */
    private static List<Kind> kinds(int n, SplittableRandom r) {
        List<Kind> list = new ArrayList<>();
        for (int k = 0; k < SHARES.length; k++) {
            long count = Math.max(n >= SHARES.length ? 1 : 0, Math.round(SHARES[k] * n / 100.0));
            for (int i = 0; i < count && list.size() < n; i++) {
                list.add(Kind.values()[k + 1]);
            }
        }
        while (list.size() < n) {
            list.add(Kind.PORT_RESTRICTED);
        }
        shuffle(list, r);
        return list;
    }

    /** The NAT of a kind; a third of them forget an idle mapping after 30 s, the others after 5 minutes. */
    private static NatConfig natConfig(Kind kind, SplittableRandom r) {
        NatConfig c = switch (kind) {
            case FULL_CONE -> NatConfig.of(NatType.FULL_CONE);
            case RESTRICTED -> NatConfig.of(NatType.RESTRICTED_CONE);
            case PORT_RESTRICTED, NESTED -> NatConfig.of(NatType.PORT_RESTRICTED_CONE);
            case ADDRESS_DEPENDENT -> NatConfig.of(NatType.PORT_RESTRICTED_CONE).withMapping(MappingBehavior.ADDRESS_DEPENDENT);
            case SYMMETRIC -> NatConfig.of(NatType.SYMMETRIC);
            default -> throw new IllegalArgumentException(kind.toString());
        };
        return r.nextInt(3) == 0 ? c.withBindingTimeout(Duration.ofSeconds(30)) : c;
    }

    // ------------------------------------------------------------------ the run

    /** Runs the whole schedule, sampling as it goes, then the final checks. */
    void run() {
        begin();
        sample();
        for (long t = config.sampleNanos(); t <= config.durationNanos(); t += config.sampleNanos()) {
            mesh.sim.runUntil(t);
            sample();
        }
        if (mesh.sim.now() < config.durationNanos()) {
            mesh.sim.runUntil(config.durationNanos());
        }
        finish();
        wallNanos = System.nanoTime() - wallStart;
    }

    /** Starts the nodes and schedules the traffic, the churn and the watchdog; the simulation runs them. */
    void begin() {
        wallStart = System.nanoTime();
        for (SoakMember m : relays) {
            start(m);
        }
        for (SoakMember m : others) {
            start(m);
        }
        long stop = config.durationNanos() - TRAFFIC_STOP_NANOS;
        SplittableRandom phases = new SplittableRandom(config.seed() ^ 0x7068617365L);
        for (SoakFlow f : flows) {
            tick(f, TRAFFIC_START_NANOS + phases.nextLong(config.messageIntervalNanos()), stop);
        }
        for (SoakChurn c : schedule) {
            mesh.sim.schedule(c.atNanos(), () -> churn(c));
        }
        watchdog(WATCHDOG_NANOS);
    }

    private void tick(SoakFlow f, long at, long stop) {
        if (at > stop) {
            return;
        }
        mesh.sim.schedule(at, () -> {
            f.tick();
            tick(f, at + config.messageIntervalNanos(), stop);
        });
    }

    private void watchdog(long at) {
        mesh.sim.schedule(at, () -> {
            long now = mesh.sim.now();
            for (SoakFlow f : flows) {
                f.checkWait(now, config.reconnectBoundNanos());
            }
            if (now + WATCHDOG_NANOS <= config.durationNanos()) {
                watchdog(now + WATCHDOG_NANOS);
            }
        });
    }

    /** Starts {@code m}'s node (again): same key, same host, same listed peers; a new application listener. */
    private void start(SoakMember m) {
        m.incarnation++;
        m.member.listenerOverride = new SoakListener(m, flows, findings, counters);
        m.member.start(m.listed, m.config);
        m.running = true;
        m.starts.add(mesh.sim.now());
        for (PeerConfig p : m.listed) {
            m.member.node.connect(p.publicKey());
        }
    }

    /** Stops {@code m}'s node: closed (its peers are told) if graceful, else its socket simply goes (a crash). */
    private void stop(SoakMember m, boolean graceful, boolean drained) {
        for (SoakFlow f : m.outgoing) {
            f.senderStops(drained);
            f.unwatch();
        }
        for (SoakFlow f : m.incoming) {
            f.unwatch();
        }
        m.running = false;
        m.stopping = false;
        m.stops.add(mesh.sim.now());
        if (graceful) {
            m.member.node.close();
        } else {
            m.member.io.close();
        }
    }

    private void churn(SoakChurn c) {
        long now = mesh.sim.now();
        switch (c.kind()) {
            case RESTART -> {
                SoakMember m = members.get(c.target());
                if (!m.running || m.stopping) {
                    skippedChurn++;
                    return;
                }
                counters.restarts++;
                if (c.graceful()) {
                    m.stopping = true;
                    drainThenStop(m, now + SoakChurn.DRAIN_NANOS, c.downNanos());
                } else {
                    stop(m, false, false);
                    mesh.sim.scheduleAfter(c.downNanos(), () -> back(m, "restart"));
                }
            }
            case MOVE -> {
                SoakMember m = members.get(c.target());
                if (!m.running || m.stopping) {
                    skippedChurn++;
                    return;
                }
                counters.moves++;
                Network to = !m.atHome() ? m.home
                        : c.choice() % 5 == 0 ? internet : cafes.get(c.choice() / 5 % cafes.size());
                m.member.host.moveTo(to);
                m.member.host.link().setConditions(access[m.member.number]);
                watch(m, now, "move");
            }
            case REBIND -> {
                Nat nat = nats.get(c.target());
                counters.rebinds++;
                NatConfig was = nat.config();
                nat.setConfig(was.withBindingTimeout(Duration.ofNanos(1)));
                mesh.sim.scheduleAfter(MS, () -> nat.setConfig(was));
                for (SoakMember m : others) {
                    if (m.running && behind(m.member.host.network(), nat)) {
                        watch(m, now, "rebind");
                    }
                }
            }
            case RELAY_LEAVE -> {
                SoakMember relay = members.get(c.target());
                if (!relay.running) {
                    skippedChurn++;
                    return;
                }
                counters.relayDepartures++;
                watchPairsVia(relay, now);
                stop(relay, c.graceful(), false);
                mesh.sim.scheduleAfter(c.downNanos(), () -> {
                    counters.relayReturns++;
                    start(relay);
                    rejoin(relay, mesh.sim.now(), mesh.sim.now());
                });
            }
        }
    }

    /** A graceful stop: waits until the node reports everything acknowledged, at most until {@code deadline}. */
    private void drainThenStop(SoakMember m, long deadline, long down) {
        boolean drained = m.member.node.drained().join();
        if (drained || mesh.sim.now() >= deadline) {
            if (drained) {
                counters.drainedStops++;
            } else {
                counters.undrainedStops++;
            }
            stop(m, true, drained);
            mesh.sim.scheduleAfter(down, () -> back(m, "restart"));
        } else {
            mesh.sim.scheduleAfter(100 * MS, () -> drainThenStop(m, deadline, down));
        }
    }

    private void back(SoakMember m, String cause) {
        start(m);
        watch(m, mesh.sim.now(), cause);
    }

    /** Every flow of {@code m} whose other end runs must carry a message sent from {@code since} on. */
    private void watch(SoakMember m, long since, String cause) {
        for (SoakFlow f : m.outgoing) {
            if (f.to.running && !f.to.stopping) {
                f.watch(since, cause);
            }
        }
        for (SoakFlow f : m.incoming) {
            if (f.from.running && !f.from.stopping) {
                f.watch(since, cause);
            }
        }
    }

    /** The flows of the pairs whose path in use (at either end) goes through {@code relay}. */
    private void watchPairsVia(SoakMember relay, long now) {
        for (SoakMember m : others) {
            if (!m.running || m.outgoing.isEmpty()) {
                continue;
            }
            for (PeerStats s : m.member.node.peerStats().join()) {
                PathInfo p = s.path();
                if (p == null || !p.relayed() || !relay.member.publicKey().equals(p.via())) {
                    continue;
                }
                for (SoakFlow f : m.outgoing) {
                    if (f.to.member.publicKey().equals(s.publicKey()) && f.to.running && !f.to.stopping) {
                        f.watch(now, "relay left");
                    }
                }
                for (SoakFlow f : m.incoming) {
                    if (f.from.member.publicKey().equals(s.publicKey()) && f.from.running && !f.from.stopping) {
                        f.watch(now, "relay left");
                    }
                }
            }
        }
    }

    /** After {@code relay} came back at {@code since}: polls until every running member that lists it has a session with it. */
    private void rejoin(SoakMember relay, long since, long now) {
        if (!relay.running) {
            return;
        }
        int missing = 0;
        for (SoakMember m : others) {
            if (m.running && lists(m, relay) && !up(m, relay)) {
                missing++;
            }
        }
        if (missing == 0) {
            findings.reconnected("relay back: members rejoined", now - since);
        } else if (now - since > REJOIN_BOUND_NANOS) {
            findings.slowReconnect(String.format("%s back at %.1f s: %d members that list it have no session with it %.1f s later",
                    relay, since / 1e9, missing, (now - since) / 1e9));
        } else {
            mesh.sim.scheduleAfter(5 * SECOND, () -> rejoin(relay, since, mesh.sim.now()));
        }
    }

    private static boolean lists(SoakMember m, SoakMember relay) {
        return m.listed.stream().anyMatch(p -> p.publicKey().equals(relay.member.publicKey()));
    }

    /** True if {@code m}'s node holds an established session with {@code peer} now. */
    private static boolean up(SoakMember m, SoakMember peer) {
        if (!m.member.node.isPeer(peer.member.publicKey())) {
            return false;
        }
        for (PeerStats s : m.member.node.peerStats().join()) {
            if (s.publicKey().equals(peer.member.publicKey())) {
                return s.up();
            }
        }
        return false;
    }

    /** True if hosts on {@code network} reach the internet through {@code nat}. */
    private static boolean behind(Network network, Nat nat) {
        for (Network n = network; n.gateway() != null; n = n.gateway().outside()) {
            if (n.gateway() == nat) {
                return true;
            }
        }
        return false;
    }

    private void sample() {
        int k = SoakSample.NAMES.length;
        long[] sum = new long[k];
        int[] max = new int[k];
        int running = 0;
        for (SoakMember m : members) {
            if (!m.running) {
                continue;
            }
            running++;
            TableSizes t = m.member.node.tableSizes().join();
            int[] v = SoakSample.values(t);
            for (int i = 0; i < k; i++) {
                sum[i] += v[i];
                max[i] = Math.max(max[i], v[i]);
            }
        }
        long mappings = 0;
        for (Nat nat : nats) {
            mappings += nat.activeMappings();
        }
        int[] churn = {(int) counters.restarts, (int) counters.moves, (int) counters.rebinds, (int) counters.relayDepartures};
        int[] churnDelta = new int[4];
        for (int i = 0; i < 4; i++) {
            churnDelta[i] = churn[i] - churnAtLastSample[i];
        }
        System.arraycopy(churn, 0, churnAtLastSample, 0, 4);
        long reconnections = findings.reconnections();
        SoakSample s = new SoakSample(mesh.sim.now(), heapUsed(), running, sum, max, mappings, mesh.sim.pendingEvents(),
                counters.delivered - deliveredAtLastSample, reconnections - reconnectionsAtLastSample,
                counters.connectionsLost - lostAtLastSample, churnDelta);
        deliveredAtLastSample = counters.delivered;
        reconnectionsAtLastSample = reconnections;
        lostAtLastSample = counters.connectionsLost;
        samples.add(s);
        System.out.println(s.row() + String.format(" %.0f s wall", (System.nanoTime() - wallStart) / 1e9));
    }

    private static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The end: every flow held to the contract, every pair and every member's relays connected. */
    private void finish() {
        for (SoakFlow f : flows) {
            f.finish();
            if (f.waiting()) {
                f.checkWait(mesh.sim.now(), 0);
            }
            if (!f.caughtUp()) {
                unconnectedPairsAtEnd++;
                findings.violation(f + ": not connected at the end (its last message did not arrive on a live channel)");
            }
        }
        for (SoakMember[] p : pairs) {
            for (int dir = 0; dir < 2; dir++) {
                if (!up(p[dir], p[1 - dir])) {
                    findings.violation(p[dir] + " holds no session with " + p[1 - dir] + " at the end");
                }
            }
        }
        for (SoakMember m : others) {
            for (SoakMember relay : relays) {
                if (lists(m, relay) && !up(m, relay)) {
                    findings.violation(m + " holds no session with its relay " + relay + " at the end");
                }
            }
        }
    }

    /** The flows' totals: accepted, delivered, refused (channel full). */
    long[] totals() {
        long[] t = new long[3];
        for (SoakFlow f : flows) {
            t[0] += f.accepted;
            t[1] += f.deliveredTotal;
            t[2] += f.refused;
        }
        return t;
    }

    /** A description of the setup, for the report. */
    String describe() {
        long endpointDependentPairs = pairs.stream().filter(p -> p[0].kind.endpointDependent() && p[1].kind.endpointDependent())
                .count();
        int[] byKind = new int[SoakChurn.Kind.values().length];
        for (SoakChurn c : schedule) {
            byKind[c.kind().ordinal()]++;
        }
        return String.format("%d nodes (%s), %d café NATs, %d NATs in all; %d pairs (%d flows), %d of them both behind"
                + " per-destination mapping; a message every %d s per flow; schedule: %d restarts, %d moves, %d rebinds,"
                + " %d relay departures", config.nodes(), kindsText(), cafes.size(), nats.size(), pairs.size(), flows.length,
                endpointDependentPairs, config.messageIntervalNanos() / SECOND, byKind[0], byKind[1], byKind[2], byKind[3]);
    }

    private String kindsText() {
        StringBuilder b = new StringBuilder();
        for (Kind k : Kind.values()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(k.name().toLowerCase().replace('_', ' ')).append(' ').append(kinds[k.ordinal()]);
        }
        return b.toString();
    }
}
