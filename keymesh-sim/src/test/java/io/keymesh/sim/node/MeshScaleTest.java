package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static io.keymesh.sim.node.SimMesh.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.node.DiscoveryStats;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerConfig;
import io.keymesh.node.RelayStats;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.MappingBehavior;
import io.keymesh.sim.Nat;
import io.keymesh.sim.NatConfig;
import io.keymesh.sim.NatType;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.testing.RecordingListener.PeerEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A mesh of many nodes on the simulator, most behind NATs of mixed kinds, that list only two public
 * bootstrap members each (member mode everywhere): random pairs reach each other by key, one lookup at
 * a time. For each size it prints a table row — pairs connected, virtual time from the first send to
 * the session and to the first delivery (median, 95th percentile), SEEK frames per lookup (median,
 * max), and the most state any node held (peers, circuits, seeks remembered). The 50-node mesh runs
 * in the normal build and must connect every pair; larger ones run with
 * {@code -Dkeymesh.scale=200,1000} (they take minutes). Same seed, same numbers.
 */
class MeshScaleTest {
    /** What one size gave. */
    record Result(int nodes, int pairs, int connected, long[] toSession, long[] toDelivery, long[] toDirect,
            int eimPairs, int eimDirect, int otherPairs, int otherDirect, long[] seeksPerLookup, int peakPeers,
            int peakCircuits, int peakSeen, String kinds) {
        String row() {
            return String.format("| %d | %d | %d (%.1f %%) | %s / %s | %s / %s | %d of %d / %d of %d | %s / %s | %d / %d |"
                    + " %d / %d / %d | %s |", nodes, pairs, connected, 100.0 * connected / pairs, ms(pct(toSession, 50)),
                    ms(pct(toSession, 95)), ms(pct(toDelivery, 50)), ms(pct(toDelivery, 95)), eimDirect, eimPairs,
                    otherDirect, otherPairs, ms(pct(toDirect, 50)), ms(pct(toDirect, 95)), pct(seeksPerLookup, 50),
                    pct(seeksPerLookup, 100), peakPeers, peakCircuits, peakSeen, kinds);
        }

        private static String ms(long nanos) {
            return nanos < 0 ? "-" : nanos / MS + " ms";
        }
    }

    static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    @Test
    void fiftyNodesBehindMixedNatsReachEachOtherByKeyThroughTwoBootstrapsEach() {
        Result r = run(50, 300, 77);
        System.out.println(header());
        System.out.println(r.row());
        assertEquals(r.pairs(), r.connected(), "every pair connected");
        assertEquals(r.pairs(), r.toDelivery().length, "every first message delivered");
        assertTrue(pct(r.toSession(), 100) < 3 * SECOND, "every session within the seek timeout");
        assertEquals(r.eimPairs(), r.eimDirect(), "every pair whose NATs both map independently of the endpoint went direct");
    }

    @Test
    @EnabledIfSystemProperty(named = "keymesh.scale", matches = ".+")
    void largerMeshes() {
        List<Result> rows = new ArrayList<>();
        for (String n : System.getProperty("keymesh.scale").split(",")) {
            rows.add(run(Integer.parseInt(n.strip()), 2000, 77));
        }
        System.out.println(header());
        rows.forEach(r -> System.out.println(r.row()));
        for (Result r : rows) {
            assertEquals(r.pairs(), r.connected(), r.nodes() + " nodes: every pair connected");
            assertEquals(r.eimPairs(), r.eimDirect(), r.nodes() + " nodes: every endpoint-independent pair went direct");
        }
    }

    static String header() {
        return "| nodes | pairs | connected | to session p50 / p95 | to first delivery p50 / p95 | direct: both NATs map"
                + " independently of the endpoint / the others | to direct p50 / p95 | SEEK frames per lookup p50 / max"
                + " | peak per node: peers / circuits / seeks remembered | NAT kinds |\n|---|---|---|---|---|---|---|---|---|---|";
    }

    /**
     * {@code n} nodes: n/25 public bootstraps (at least 3, all linked to each other), the rest behind
     * NATs — 30 % full cone, 20 % restricted, 20 % port-restricted, 10 % address-dependent mapping,
     * 10 % symmetric, 10 % a port-restricted NAT behind another — each listing two random bootstraps
     * with a 25 s keepalive; links of 5–40 ms one way, 0.2 % loss. Then {@code pairs} random pairs of
     * NATed nodes (never one that has met already), one after the other, each: {@code reach}, one
     * message on a reliable channel, and the simulation run until it arrived (at most 6 s) and 2 s more
     * (to go direct; for a pair whose NATs both map independently of the endpoint, until it is direct,
     * at most 8 s: a round whose offer or answer was lost is followed by another 5 s later).
     */
    static Result run(int n, int pairs, long seed) {
        SimMesh mesh = new SimMesh(seed);
        SplittableRandom r = new SplittableRandom(seed);
        Network internet = mesh.sim.newNetwork("internet", "100.64.0.0/10");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        int boots = Math.max(3, n / 25);
        List<Member> bootstraps = new ArrayList<>();
        List<Member> natted = new ArrayList<>();
        int[] kinds = new int[6];
        java.util.Map<Member, Integer> kindOf = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            if (i < boots) {
                Member m = mesh.member("boot" + i, internet.newHost("boot" + i));
                jitter(m, r);
                bootstraps.add(m);
                continue;
            }
            int kind = pickKind(r);
            kinds[kind]++;
            String cidr = "10." + (i / 200) + "." + (i % 200) + ".0/24";
            Nat nat = internet.newNat("nat" + i, natConfig(kind), cidr);
            Network inside = nat.inside();
            if (kind == 5) {
                inside = inside.newNat("inner" + i, NatConfig.of(NatType.PORT_RESTRICTED_CONE),
                        "172.16." + (i % 250) + ".0/24").inside();
            }
            Member m = mesh.member("n" + i, inside.newHost("n" + i));
            jitter(m, r);
            natted.add(m);
            kindOf.put(m, kind);
        }
        for (Member b : bootstraps) {
            List<PeerConfig> peers = new ArrayList<>();
            for (Member o : bootstraps) {
                if (o != b) {
                    peers.add(o.asPeer().withPersistentKeepalive(25));
                }
            }
            b.start(peers, c -> c.withAcceptMembers(true));
        }
        for (Member m : natted) {
            int first = r.nextInt(boots);
            int second = (first + 1 + r.nextInt(boots - 1)) % boots;
            m.start(List.of(bootstraps.get(first).asPeer().withPersistentKeepalive(25),
                    bootstraps.get(second).asPeer().withPersistentKeepalive(25)), c -> c.withAcceptMembers(true));
        }
        for (Member m : mesh.members) {
            for (var s : m.node.peerStats().join()) {
                if (s.endpoint() != null) {
                    m.node.connect(s.publicKey());
                }
            }
        }
        mesh.sim.runFor(Duration.ofSeconds(5));
        Set<Long> met = new HashSet<>();
        List<Member[]> chosen = new ArrayList<>();
        int limit = natted.size() * (natted.size() - 1) / 2;
        while (chosen.size() < Math.min(pairs, limit)) {
            Member a = natted.get(r.nextInt(natted.size()));
            Member b = natted.get(r.nextInt(natted.size()));
            long key = (long) Math.min(a.number, b.number) << 32 | Math.max(a.number, b.number);
            if (a != b && met.add(key)) {
                chosen.add(new Member[] {a, b});
            }
        }
        long[] toSession = new long[chosen.size()];
        List<Long> delivered = new ArrayList<>();
        List<Long> toDirect = new ArrayList<>();
        long[] perLookup = new long[chosen.size()];
        int connected = 0;
        int eimPairs = 0;
        int eimDirect = 0;
        int otherPairs = 0;
        int otherDirect = 0;
        int peakPeers = 0;
        int peakCircuits = 0;
        int peakSeen = 0;
        List<String> failures = new ArrayList<>();
        long seeksBefore = totalSeeks(mesh);
        for (int i = 0; i < chosen.size(); i++) {
            Member a = chosen.get(i)[0];
            Member b = chosen.get(i)[1];
            long t0 = mesh.sim.now();
            if (!a.node.reach(b.publicKey()).join()) {
                throw new AssertionError(a + " could not take " + b + " as a peer");
            }
            a.node.channel(b.publicKey(), 1).send(new byte[200]); // a reliable message: lost packets are resent
            // until the message is in, or the seek has had its timeout and a retry's worth more
            for (int step = 0; step < 60 && b.events.firstMessageAt(a.publicKey()) < 0; step++) {
                mesh.sim.runFor(Duration.ofMillis(100));
            }
            // time to go direct (up to two punching rounds for a pair whose NATs both allow it), and for
            // the seek's echoes to die down
            boolean eimPair = eim(kindOf.get(a)) && eim(kindOf.get(b));
            long waitUntil = mesh.sim.now() + (eimPair ? EIM_DIRECT_WAIT_MS : DIRECT_WAIT_MS) * MS;
            mesh.sim.runFor(Duration.ofMillis(DIRECT_WAIT_MS));
            while (eimPair && mesh.sim.now() < waitUntil && a.node.isPeer(b.publicKey())
                    && (a.stats(b).path() == null || a.stats(b).path().relayed())) {
                mesh.sim.runFor(Duration.ofMillis(250));
            }
            List<PeerEvent> ups = a.events(PeerEvent.Kind.UP, b);
            if (!ups.isEmpty()) {
                connected++;
                toSession[i] = ups.getFirst().atNanos() - t0;
            } else {
                toSession[i] = Long.MAX_VALUE;
                failures.add(a + " (" + KIND_NAMES[kindOf.get(a)] + ") -> " + b + " (" + KIND_NAMES[kindOf.get(b)] + "): "
                        + a.events(PeerEvent.Kind.UNREACHABLE, b).size() + " unreachable");
            }
            long at = b.events.firstMessageAt(a.publicKey());
            if (at >= 0) {
                delivered.add(at - t0);
            }
            boolean eim = eim(kindOf.get(a)) && eim(kindOf.get(b));
            long directAt = a.events.pathChanges.stream().filter(c -> c.peer().equals(b.publicKey()) && !c.path().relayed()
                    && c.atNanos() >= t0).mapToLong(c -> c.atNanos()).min().orElse(-1);
            PathInfo path = ups.isEmpty() || !a.node.isPeer(b.publicKey()) ? null : a.stats(b).path();
            boolean direct = path != null && !path.relayed();
            if (eim) {
                eimPairs++;
                eimDirect += direct ? 1 : 0;
                if (!direct && !ups.isEmpty() && a.node.isPeer(b.publicKey())) {
                    failures.add(a + " (" + KIND_NAMES[kindOf.get(a)] + ") -> " + b + " (" + KIND_NAMES[kindOf.get(b)]
                            + "): not direct, " + a.stats(b).paths() + ", candidates " + a.stats(b).candidates());
                }
            } else {
                otherPairs++;
                otherDirect += direct ? 1 : 0;
            }
            if (direct && directAt >= 0) {
                toDirect.add(directAt - t0);
            }
            long seeks = totalSeeks(mesh);
            perLookup[i] = seeks - seeksBefore;
            seeksBefore = seeks;
            if (i % 50 == 0 || i == chosen.size() - 1) {
                for (Member m : mesh.members) {
                    RelayStats rs = m.node.relayStats().join();
                    DiscoveryStats ds = m.node.discoveryStats().join();
                    peakPeers = Math.max(peakPeers, m.node.peerStats().join().size());
                    peakCircuits = Math.max(peakCircuits, rs.circuits() + rs.ownCircuits());
                    peakSeen = Math.max(peakSeen, ds.seen());
                }
            }
        }
        failures.stream().limit(10).forEach(f -> System.out.println("not as expected: " + f));
        Arrays.sort(toSession);
        Arrays.sort(perLookup);
        long[] d = delivered.stream().mapToLong(Long::longValue).sorted().toArray();
        String k = String.format("cone %d, restricted %d, port-restricted %d, address-dependent %d, symmetric %d, nested %d",
                kinds[0], kinds[1], kinds[2], kinds[3], kinds[4], kinds[5]);
        long[] dd = toDirect.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Result(n, chosen.size(), connected, Arrays.copyOf(toSession, connected), d, dd, eimPairs, eimDirect,
                otherPairs, otherDirect, perLookup, peakPeers, peakCircuits, peakSeen, k);
    }

    private static long totalSeeks(SimMesh mesh) {
        long total = 0;
        for (Member m : mesh.members) {
            DiscoveryStats s = m.node.discoveryStats().join();
            total += s.sent() + s.passedOn();
        }
        return total;
    }

    /** How long after the first message a lookup waits for its pair to go direct (and the seek's echoes to die down). */
    private static final long DIRECT_WAIT_MS = 2_000;
    /** For a pair whose NATs both map independently of the endpoint: long enough for a second punching round. */
    private static final long EIM_DIRECT_WAIT_MS = 8_000;
    private static final String[] KIND_NAMES = {"cone", "restricted", "port-restricted", "address-dependent", "symmetric",
        "nested"};

    /** Endpoint-independent mapping all the way out (a nested NAT is two port-restricted cones). */
    private static boolean eim(int kind) {
        return kind != 3 && kind != 4;
    }

    private static int pickKind(SplittableRandom r) {
        int x = r.nextInt(100);
        return x < 30 ? 0 : x < 50 ? 1 : x < 70 ? 2 : x < 80 ? 3 : x < 90 ? 4 : 5;
    }

    private static NatConfig natConfig(int kind) {
        return switch (kind) {
            case 0 -> NatConfig.of(NatType.FULL_CONE);
            case 1 -> NatConfig.of(NatType.RESTRICTED_CONE);
            case 2, 5 -> NatConfig.of(NatType.PORT_RESTRICTED_CONE);
            case 3 -> NatConfig.of(NatType.PORT_RESTRICTED_CONE).withMapping(MappingBehavior.ADDRESS_DEPENDENT);
            default -> NatConfig.of(NatType.SYMMETRIC);
        };
    }

    /** The member's access link: 5–40 ms one way, 0.2 % loss. */
    private static void jitter(Member m, SplittableRandom r) {
        m.host.link().setConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(5 + r.nextInt(36)))
                .withLoss(0.002));
    }
}
