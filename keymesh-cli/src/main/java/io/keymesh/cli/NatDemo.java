package io.keymesh.cli;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.DiscoveryStats;
import io.keymesh.node.Found;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.NodeListener;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerConfig;
import io.keymesh.node.PeerStats;
import io.keymesh.sim.FilteringBehavior;
import io.keymesh.sim.Host;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.MappingBehavior;
import io.keymesh.sim.Nat;
import io.keymesh.sim.NatConfig;
import io.keymesh.sim.NatType;
import io.keymesh.sim.Network;
import io.keymesh.sim.SimNodeIo;
import io.keymesh.sim.Simulation;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated part of {@code keymesh demo}: on keymesh-sim's virtual network, a public member p
 * (member mode) and four nodes behind NATs of different kinds, each configured with p's address
 * only. Every pair reaches each other by key ({@link MeshNode#reach}, then one message on a reliable
 * channel): relayed through p at first, direct once hole punching gets through the two NATs. It
 * prints each pair's path over virtual time and a summary per pair. Real {@link MeshNode}s, sessions
 * and frames on virtual links and NATs, on the calling thread: the same seed gives the same output.
 */
final class NatDemo {
    private static final long MS = 1_000_000L;
    private static final int PORT = 51820;
    /** Every link's one-way latency, and its jitter (uniform, order kept); a hop crosses two links. */
    private static final Duration LATENCY = Duration.ofMillis(10);
    private static final Duration JITTER = Duration.ofMillis(4);
    /** How long the nodes have to hold their sessions with p before the lookups start. */
    private static final Duration WARM_UP = Duration.ofSeconds(1);
    /** The paths are sampled this often while they change, then once more at {@link #END_MS}. */
    private static final long SAMPLE_MS = 100;
    private static final long SAMPLES_UNTIL_MS = 2_000;
    private static final long END_MS = 3_000;

    private NatDemo() {}

    /** What the run gave: pairs connected, and those behind endpoint-independent NATs gone direct. */
    record Outcome(int pairs, int connected, int eimPairs, int eimDirect, int otherPairs, int otherDirect) {
        /** Every pair connected and every endpoint-independent pair went direct. */
        boolean ok() {
            return connected == pairs && eimDirect == eimPairs;
        }
    }

    /** One simulated node: its name, where it sits, the NATs between it and the internet (innermost first). */
    private static final class Member {
        final String name;
        final String where;
        final List<NatConfig> nats;
        final Host host;
        final PrivateKey key;
        /** When the first message from a peer arrived, and what it said. */
        final Map<PublicKey, Long> firstMessageAt = new HashMap<>();
        final Map<PublicKey, String> firstMessage = new HashMap<>();
        final Map<PublicKey, Long> firstDirectAt = new HashMap<>();
        final Map<PublicKey, Long> upAt = new HashMap<>();
        final Map<PublicKey, String> unreachable = new HashMap<>();
        MeshNode node;

        Member(String name, String where, List<NatConfig> nats, Host host, PrivateKey key) {
            this.name = name;
            this.where = where;
            this.nats = nats;
            this.host = host;
            this.key = key;
        }

        /** True if every NAT on the way out maps endpoint-independently (RFC 4787 section 4.1). */
        boolean endpointIndependent() {
            return nats.stream().allMatch(n -> n.mapping() == MappingBehavior.ENDPOINT_INDEPENDENT);
        }

        boolean mapsPerDestination() {
            return !endpointIndependent();
        }

        boolean filtersOpen() {
            return nats.stream().allMatch(n -> n.filtering() == FilteringBehavior.ENDPOINT_INDEPENDENT);
        }

        PeerStats stats(Member peer) {
            for (PeerStats s : node.peerStats().join()) {
                if (s.publicKey().equals(peer.key.publicKey())) {
                    return s;
                }
            }
            return null;
        }

        NodeListener listener(Simulation sim) {
            return new NodeListener() {
                @Override
                public void onMessage(PublicKey from, long channelId, byte[] message) {
                    if (firstMessageAt.putIfAbsent(from, sim.now()) == null) {
                        firstMessage.put(from, new String(message, StandardCharsets.UTF_8));
                    }
                }

                @Override
                public void onPeerUp(PublicKey peer) {
                    upAt.putIfAbsent(peer, sim.now());
                }

                @Override
                public void onPathChanged(PublicKey peer, PathInfo path) {
                    if (path != null && !path.relayed()) {
                        firstDirectAt.putIfAbsent(peer, sim.now());
                    }
                }

                @Override
                public void onPeerUnreachable(PublicKey peer, String reason) {
                    unreachable.putIfAbsent(peer, reason);
                }
            };
        }
    }

    /** Runs the simulated mesh of {@code seed}, prints what happened to {@code out}, and says how it went. */
    static Outcome run(long seed, PrintWriter out) {
        Simulation sim = new Simulation(seed);
        SplittableRandom keys = new SplittableRandom(seed);
        PresharedKey networkKey = PresharedKey.of(next32(keys));
        Network internet = sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(LATENCY).withJitter(JITTER));

        Member p = new Member("p", "public", List.of(), internet.newHost("p"), PrivateKey.of(next32(keys)));
        List<Member> natted = new ArrayList<>();
        natted.add(behind(internet, "a", NatConfig.of(NatType.FULL_CONE), "full cone NAT", "192.168.1.0/24", keys));
        natted.add(behind(internet, "b", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "port-restricted cone NAT",
                "192.168.2.0/24", keys));
        natted.add(behind(internet, "c", NatConfig.of(NatType.SYMMETRIC), "symmetric NAT", "192.168.3.0/24", keys));
        NatConfig cgn = NatConfig.of(NatType.PORT_RESTRICTED_CONE);
        NatConfig home = NatConfig.of(NatType.PORT_RESTRICTED_CONE);
        Nat carrier = internet.newNat("cgn-d", cgn, "100.64.0.0/16");
        Nat router = carrier.inside().newNat("nat-d", home, "192.168.4.0/24");
        natted.add(new Member("d", "port-restricted cone NAT " + router.publicAddress().getHostAddress()
                + ", behind a carrier-grade NAT (port-restricted cone) " + carrier.publicAddress().getHostAddress(),
                List.of(home, cgn), router.inside().newHost("d"), PrivateKey.of(next32(keys))));
        List<Member> all = new ArrayList<>();
        all.add(p);
        all.addAll(natted);
        Map<PublicKey, Member> byKey = new HashMap<>();
        for (Member m : all) {
            byKey.put(m.key.publicKey(), m);
        }

        out.println();
        out.printf("simulated network (keymesh-sim, seed %d): NATs and links are virtual; the nodes, sessions and frames are real%n",
                seed);
        out.printf("  %-2s %-20s public, member mode: lets in any node holding the network key%n", p.name,
                p.host.address().getHostAddress() + ":" + PORT);
        for (Member m : natted) {
            out.printf("  %-2s %-20s behind a %s; knows only p's address%n", m.name,
                    m.host.address().getHostAddress() + ":" + PORT, m.where);
        }
        out.printf("  links %d ms one way, up to %d ms jitter; times below are virtual, from when the lookups start%n",
                LATENCY.toMillis(), JITTER.toMillis());

        try {
            p.node = MeshNode.start(NodeConfig.of(p.key, new InetSocketAddress(0), networkKey).withAcceptMembers(true),
                    p.listener(sim), new SimNodeIo(p.host, PORT));
            for (Member m : natted) {
                PeerConfig bootstrap = PeerConfig.of(p.key.publicKey(), p.host.socketAddress(PORT)).withPersistentKeepalive(25);
                m.node = MeshNode.start(NodeConfig.of(m.key, new InetSocketAddress(0), networkKey)
                        .withAcceptMembers(true).withPeers(List.of(bootstrap)), m.listener(sim), new SimNodeIo(m.host, PORT));
                m.node.connect(p.key.publicKey());
            }
            sim.runFor(WARM_UP);

            List<Member[]> pairs = new ArrayList<>();
            for (int i = 0; i < natted.size(); i++) {
                for (int j = i + 1; j < natted.size(); j++) {
                    pairs.add(new Member[] {natted.get(i), natted.get(j)});
                }
            }
            long t0 = sim.now();
            for (Member[] pair : pairs) {
                Member from = pair[0];
                Member to = pair[1];
                if (!from.node.reach(to.key.publicKey()).join()) {
                    throw new IllegalStateException(from.name + " could not take " + to.name + "'s key as a peer");
                }
                from.node.channel(to.key.publicKey(), 1).send(greeting(from, to).getBytes(StandardCharsets.UTF_8));
            }

            out.println();
            out.println("each pair's path as the sender sees it (rows where something changed):");
            StringBuilder header = new StringBuilder(String.format("  %10s", "virtual ms"));
            for (Member[] pair : pairs) {
                header.append(String.format("  %-9s", pair[0].name + " -> " + pair[1].name));
            }
            out.println(header.toString().stripTrailing());
            List<Long> times = new ArrayList<>();
            for (long at = 0; at <= SAMPLES_UNTIL_MS; at += SAMPLE_MS) {
                times.add(at);
            }
            times.add(END_MS);
            String previous = null;
            for (long at : times) {
                sim.runUntil(t0 + at * MS);
                StringBuilder row = new StringBuilder();
                for (Member[] pair : pairs) {
                    row.append(String.format("  %-9s", cell(pair[0].stats(pair[1]), byKey)));
                }
                String cells = row.toString();
                if (!cells.equals(previous) || at == END_MS) {
                    out.printf("  %10d%s%n", at, cells.stripTrailing());
                    previous = cells;
                }
            }

            out.println();
            out.printf("  %-7s %-24s %-24s %-15s %8s %8s  %s%n", "pair", "NATs", "path at " + END_MS + " ms", "found",
                    "session", "message", "direct");
            int connected = 0;
            int eimPairs = 0;
            int eimDirect = 0;
            int otherPairs = 0;
            int otherDirect = 0;
            for (Member[] pair : pairs) {
                Member from = pair[0];
                Member to = pair[1];
                PublicKey toKey = to.key.publicKey();
                PeerStats s = from.stats(to);
                PathInfo path = s == null ? null : s.path();
                boolean direct = path != null && !path.relayed();
                Long delivered = greeting(from, to).equals(to.firstMessage.get(from.key.publicKey()))
                        ? to.firstMessageAt.get(from.key.publicKey()) : null;
                Long up = from.upAt.get(toKey);
                Long directAt = from.firstDirectAt.get(toKey);
                if (delivered != null) {
                    connected++;
                }
                boolean eim = from.endpointIndependent() && to.endpointIndependent();
                if (eim) {
                    eimPairs++;
                    eimDirect += direct ? 1 : 0;
                } else {
                    otherPairs++;
                    otherDirect += direct ? 1 : 0;
                }
                String outcome;
                if (direct) {
                    outcome = "after " + ms(directAt, t0) + (eim ? "" : " (" + whyDirectAnyway(from, to) + ")");
                } else if (delivered == null) {
                    outcome = "not connected" + (from.unreachable.containsKey(toKey) ? ": " + from.unreachable.get(toKey) : "");
                } else {
                    outcome = "relayed: " + whyRelayed(from, to);
                }
                out.printf("  %-7s %-24s %-24s %-15s %8s %8s  %s%n", from.name + " -> " + to.name,
                        kind(from) + " -> " + kind(to), full(path, byKey), found(s, byKey), ms(up, t0), ms(delivered, t0),
                        outcome);
            }
            out.println("  session: the session with the peer came up; message: the first message arrived; direct: the"
                    + " path went direct (ms after the lookup)");

            long started = 0;
            long sent = 0;
            long passedOn = 0;
            long spliced = 0;
            for (Member m : all) {
                DiscoveryStats d = m.node.discoveryStats().join();
                started += d.started();
                sent += d.sent();
                passedOn += d.passedOn();
                spliced += d.spliced();
            }
            out.printf("discovery: %d lookups cost %d SEEK frames (%d sent by the seekers, %d passed on), %d answered by"
                    + " splicing a circuit at p%n", started, sent + passedOn, sent, passedOn, spliced);
            Outcome o = new Outcome(pairs.size(), connected, eimPairs, eimDirect, otherPairs, otherDirect);
            out.printf("%d pairs, %d connected; behind endpoint-independent NATs %d of %d direct; the others %d of %d direct%n",
                    o.pairs(), o.connected(), o.eimDirect(), o.eimPairs(), o.otherDirect(), o.otherPairs());
            out.flush();
            return o;
        } finally {
            for (Member m : all) {
                if (m.node != null) {
                    m.node.close();
                }
                m.key.close();
            }
        }
    }


    private static Member behind(Network internet, String name, NatConfig config, String kind, String inside,
            SplittableRandom keys) {
        Nat nat = internet.newNat("nat-" + name, config, inside);
        return new Member(name, kind + " " + nat.publicAddress().getHostAddress(), List.of(config),
                nat.inside().newHost(name), PrivateKey.of(next32(keys)));
    }

    /** The message {@code from} sends {@code to}, by which {@code to} knows it arrived intact. */
    private static String greeting(Member from, Member to) {
        return "hello " + to.name + ", this is " + from.name;
    }

    private static byte[] next32(SplittableRandom r) {
        byte[] b = new byte[32];
        r.nextBytes(b);
        return b;
    }

    /** The NAT kind, short: "full cone", "restricted", "port-restr.", "symmetric", "nested". */
    private static String kind(Member m) {
        if (m.nats.size() > 1) {
            return "nested";
        }
        NatConfig n = m.nats.getFirst();
        if (n.mapping() != MappingBehavior.ENDPOINT_INDEPENDENT) {
            return "symmetric";
        }
        return switch (n.filtering()) {
            case ENDPOINT_INDEPENDENT -> "full cone";
            case ADDRESS_DEPENDENT -> "restricted";
            case ADDRESS_AND_PORT_DEPENDENT -> "port-restr.";
        };
    }

    /** A cell of the paths-over-time table: "seeking", "relay p", "direct" or "-". */
    private static String cell(PeerStats s, Map<PublicKey, Member> byKey) {
        PathInfo path = s == null ? null : s.path();
        if (path == null) {
            return s != null && s.found().how() == Found.How.NOT_YET ? "seeking" : "-";
        }
        return path.relayed() ? "relay " + name(path.via(), byKey) : "direct";
    }

    /** "direct ADDRESS" or "relay NAME". */
    private static String full(PathInfo path, Map<PublicKey, Member> byKey) {
        if (path == null) {
            return "-";
        }
        return path.relayed() ? "relay " + name(path.via(), byKey)
                : "direct " + path.address().getAddress().getHostAddress() + ":" + path.address().getPort();
    }

    private static String found(PeerStats s, Map<PublicKey, Member> byKey) {
        if (s == null) {
            return "-";
        }
        return s.found().how() == Found.How.SOUGHT ? "sought, via " + name(s.found().via(), byKey) : s.found().toString();
    }

    private static String name(PublicKey key, Map<PublicKey, Member> byKey) {
        Member m = byKey.get(key);
        return m != null ? m.name : key.toBase64().substring(0, 8) + "…";
    }

    private static String ms(Long at, long t0) {
        return at == null ? "-" : (at - t0) / MS + " ms";
    }

    /** Why a pair that connected stayed relayed, from what its NATs do. */
    private static String whyRelayed(Member from, Member to) {
        List<String> perDestination = new ArrayList<>();
        for (Member m : List.of(from, to)) {
            if (m.mapsPerDestination()) {
                perDestination.add(m.name);
            }
        }
        if (perDestination.isEmpty()) {
            return "both NATs map endpoint-independently, yet no direct path answered";
        }
        if (perDestination.size() == 2) {
            return "both NATs map each destination to a port of its own";
        }
        Member other = perDestination.getFirst().equals(from.name) ? to : from;
        return perDestination.getFirst() + "'s NAT maps per destination (symmetric), " + other.name
                + "'s filters what it did not send to";
    }

    /** Why a pair with a NAT that maps per destination went direct all the same. */
    private static String whyDirectAnyway(Member from, Member to) {
        Member open = from.filtersOpen() ? from : to.filtersOpen() ? to : null;
        Member other = open == from ? to : from;
        return open != null ? "peer-reflexive: " + open.name + "'s NAT lets " + other.name + "'s new mapping in"
                : "peer-reflexive";
    }
}
