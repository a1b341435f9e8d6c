package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static io.keymesh.sim.node.SimMesh.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.NodeListener;
import io.keymesh.node.PeerConfig;
import io.keymesh.sim.DropReason;
import io.keymesh.sim.Host;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Nat;
import io.keymesh.sim.NatConfig;
import io.keymesh.sim.NatType;
import io.keymesh.sim.Network;
import io.keymesh.sim.Node;
import io.keymesh.sim.PacketTracer;
import io.keymesh.sim.Partition;
import io.keymesh.sim.node.SimMesh.Member;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Golden traces: a few simulator scenarios that together exercise handshakes, cookies-free
 * admission, roaming through NATs, keepalives, rekeying, giving up and zeroing keys, partitions,
 * datagrams and reliable channels (loss, reordering, PMTU probes, flow control). Each scenario's
 * trace — every datagram the simulator delivers (time, receiver, addresses and every byte), every
 * drop, every listener call with its bytes — is reduced to a SHA-256 digest and compared with
 * {@code trace-digests.txt}.
 *
 * <p>A change meant to keep behaviour (a refactoring) must leave every digest as it is: that is the
 * byte-for-byte proof. A change meant to alter what goes on the wire updates the file on purpose:
 * run this test with {@code -Dkeymesh.trace.bless=true} and commit the new digests with the change
 * that explains them.
 */
class TraceGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/trace-digests.txt");

    @Test
    void everyScenarioGivesItsRecordedTrace() throws IOException {
        Map<String, String> digests = new LinkedHashMap<>();
        digests.put("datagrams-through-nat", digest(t -> datagramsThroughNat(t, 42)));
        digests.put("channels-over-lossy-link", digest(TraceGoldenTest::channelsOverLossyLink));
        digests.put("roaming-between-nats", digest(TraceGoldenTest::roamingBetweenNats));
        digests.put("timers-and-partition", digest(TraceGoldenTest::timersAndPartition));
        StringBuilder text = new StringBuilder();
        digests.forEach((k, v) -> text.append(k).append(' ').append(v).append('\n'));
        if (Boolean.getBoolean("keymesh.trace.bless")) {
            Files.writeString(GOLDEN, text.toString());
            return;
        }
        String expected = Files.exists(GOLDEN) ? Files.readString(GOLDEN) : "(no " + GOLDEN + ")";
        assertEquals(expected, text.toString(), "a scenario's wire trace changed; if that is meant, re-record with"
                + " -Dkeymesh.trace.bless=true and say why in the commit");
    }

    /** Runs {@code scenario} with a digesting tracer and listeners, and returns the trace's SHA-256. */
    static String digest(Consumer<Trace> scenario) {
        Trace t = new Trace();
        scenario.accept(t);
        return t.hex();
    }

    /** The digest a scenario feeds: wire events from the tracer, node events from the listeners. */
    static final class Trace implements PacketTracer {
        private final MessageDigest sha;
        /** Every line, when asked for ({@link #keepingLines}); null otherwise. */
        final List<String> lines;

        Trace() {
            this(false);
        }

        private Trace(boolean keep) {
            lines = keep ? new ArrayList<>() : null;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A trace that also keeps its lines, for a test to look at. */
        static Trace keepingLines() {
            return new Trace(true);
        }

        void line(String s) {
            if (lines != null) {
                lines.add(s);
            }
            if (Boolean.getBoolean("keymesh.trace.print")) {
                System.out.println(s);
            }
            sha.update(s.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
        }

        void bytes(byte[] b, int off, int len) {
            sha.update(b, off, len);
        }

        String hex() {
            return HexFormat.of().formatHex(sha.digest());
        }

        @Override
        public void delivered(long now, Host host, InetSocketAddress from, InetSocketAddress to, byte[] data) {
            line(now + " wire " + host.name() + " " + from + " -> " + to + " " + data.length);
            bytes(data, 0, data.length);
        }

        @Override
        public void dropped(long now, Node node, DropReason reason, InetSocketAddress from, InetSocketAddress to,
                int length) {
            line(now + " drop " + reason + " at " + node.name() + " " + from + " -> " + to + " " + length);
        }

        /** A listener for {@code name} that writes every call into the trace. */
        NodeListener listener(SimMesh mesh, String name) {
            return new NodeListener() {
                private String who(PublicKey k) {
                    Member m = mesh.byKey(k);
                    return m == null ? k.toString() : m.name;
                }

                private void event(String what) {
                    line(mesh.sim.now() + " at " + name + " " + what);
                }

                @Override
                public void onDatagram(PublicKey from, byte[] data, int off, int len) {
                    event("datagram from " + who(from) + " " + len);
                    bytes(data, off, len);
                }

                @Override
                public void onMessage(PublicKey from, long channelId, byte[] message) {
                    event("message from " + who(from) + " on " + channelId + " " + message.length);
                    bytes(message, 0, message.length);
                }

                @Override
                public void onPeerUp(PublicKey peer) {
                    event("up " + who(peer));
                }

                @Override
                public void onPeerDown(PublicKey peer, String reason) {
                    event("down " + who(peer) + " " + reason);
                }

                @Override
                public void onEndpointChanged(PublicKey peer, InetSocketAddress endpoint) {
                    event("endpoint " + who(peer) + " " + endpoint);
                }

                @Override
                public void onChannelOpened(PublicKey peer, long channelId) {
                    event("opened " + who(peer) + " " + channelId);
                }

                @Override
                public void onChannelClosed(PublicKey peer, long channelId, long errorCode) {
                    event("closed " + who(peer) + " " + channelId + " " + errorCode);
                }

                @Override
                public void onChannelsLost(PublicKey peer, String reason) {
                    event("lost " + who(peer) + " " + reason);
                }

                @Override
                public void onChannelWritable(PublicKey peer, long channelId) {
                    event("writable " + who(peer) + " " + channelId);
                }
            };
        }
    }

    /** A mesh whose members report to the trace. */
    private static SimMesh mesh(long seed, Trace t) {
        SimMesh mesh = new SimMesh(seed);
        mesh.sim.setTracer(t);
        return mesh;
    }

    private static Member member(SimMesh mesh, Trace t, String name, Host host) {
        Member m = mesh.member(name, host);
        m.listenerOverride = t.listener(mesh, name);
        return m;
    }

    /** Three public nodes and one behind a port-restricted NAT; lossy, jittery, duplicating, reordering links. */
    static void datagramsThroughNat(Trace t, long seed) {
        SimMesh mesh = mesh(seed, t);
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(20))
                .withJitter(Duration.ofMillis(15)).withLoss(0.05).withDuplication(0.02)
                .withReordering(0.05, Duration.ofMillis(40)));
        Nat nat = internet.newNat("home", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "192.168.1.0/24");
        List<Member> pub = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pub.add(member(mesh, t, "p" + i, internet.newHost("p" + i)));
        }
        Member hidden = member(mesh, t, "hidden", nat.inside().newHost("hidden"));
        for (Member m : pub) {
            List<PeerConfig> peers = new ArrayList<>();
            for (Member o : pub) {
                if (o != m) {
                    peers.add(o.asPeer());
                }
            }
            peers.add(hidden.asPeerWithoutEndpoint());
            m.start(peers);
        }
        hidden.start(pub.stream().map(m -> m.asPeer().withPersistentKeepalive(25)).toList());
        List<Member> all = mesh.members;
        RandomGenerator random = mesh.sim.random();
        for (int k = 0; k < 400; k++) {
            Member from = all.get(random.nextInt(all.size()));
            Member to = all.get(random.nextInt(all.size()));
            if (from == to || (to == hidden && k < 100)) {
                continue;
            }
            int seq = k;
            int len = 16 + random.nextInt(1200);
            mesh.sim.schedule(random.nextLong(60 * SECOND), () -> from.send(to, seq, len));
        }
        mesh.sim.runUntil(90 * SECOND);
    }

    /** Two channels of mixed-size messages (one of 300 KB) both ways over a lossy, reordering link. */
    static void channelsOverLossyLink(Trace t) {
        SimMesh mesh = mesh(43, t);
        Network net = mesh.sim.newNetwork("wan", "10.1.0.0/24");
        net.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)).withLoss(0.03)
                .withDuplication(0.01).withReordering(0.02, Duration.ofMillis(2)));
        Member a = member(mesh, t, "a", net.newHost("a"));
        Member b = member(mesh, t, "b", net.newHost("b"));
        b.start(List.of(a.asPeerWithoutEndpoint()));
        a.start(List.of(b.asPeer()));
        RandomGenerator r = mesh.sim.random();
        List<byte[]> toB = new ArrayList<>();
        List<byte[]> toA = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            byte[] m = new byte[i == 200 ? 300_000 : r.nextInt(10) == 0 ? r.nextInt(20_000) : r.nextInt(1500)];
            r.nextBytes(m);
            (i % 3 == 0 ? toA : toB).add(m);
        }
        Channel ab = a.node.channel(b.publicKey(), 4);
        Channel ba = b.node.channel(a.publicKey(), 5);
        int[] next = new int[2];
        for (int round = 0; round < 120; round++) {
            while (next[0] < toB.size() && ab.send(toB.get(next[0]))) {
                next[0]++;
            }
            while (next[1] < toA.size() && ba.send(toA.get(next[1]))) {
                next[1]++;
            }
            mesh.sim.runFor(Duration.ofMillis(250));
        }
        ab.close();
        ba.close();
        mesh.sim.runFor(Duration.ofSeconds(5));
        t.line("sent " + next[0] + " " + next[1]);
    }

    /** A laptop moves from a cone NAT to a symmetric one; the server follows it once it speaks. */
    static void roamingBetweenNats(Trace t) {
        SimMesh mesh = mesh(71, t);
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Nat home = internet.newNat("home", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "192.168.1.0/24");
        Nat cafe = internet.newNat("cafe", NatConfig.of(NatType.SYMMETRIC), "10.20.0.0/16");
        Member server = member(mesh, t, "server", internet.newHost("server"));
        Member laptop = member(mesh, t, "laptop", home.inside().newHost("laptop"));
        server.start(List.of(laptop.asPeerWithoutEndpoint()));
        laptop.start(List.of(server.asPeer().withPersistentKeepalive(5)));
        for (int i = 0; i < 20; i++) {
            laptop.send(server, i, 100 + i);
            server.send(laptop, i, 200 + i);
            mesh.sim.runFor(Duration.ofMillis(300));
        }
        laptop.host.moveTo(cafe.inside());
        for (int i = 20; i < 40; i++) {
            server.send(laptop, i, 100);
            mesh.sim.runFor(Duration.ofMillis(700));
            laptop.send(server, i, 100);
        }
        mesh.sim.runFor(Duration.ofSeconds(30));
    }

    /**
     * Two nodes idle with persistent keepalive for minutes (rekeys), traffic every 10 s, then a
     * partition of 4 minutes (handshakes given up, keys zeroed, peer down) and the heal.
     */
    static void timersAndPartition(Trace t) {
        SimMesh mesh = mesh(99, t);
        Network net = mesh.sim.newNetwork("wan", "10.2.0.0/24");
        net.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(30)).withJitter(Duration.ofMillis(5)));
        Member a = member(mesh, t, "a", net.newHost("a"));
        Member b = member(mesh, t, "b", net.newHost("b"));
        a.start(List.of(b.asPeer().withPersistentKeepalive(25)));
        b.start(List.of(a.asPeer()));
        for (long s = 1; s < 900; s += 10) {
            int seq = (int) s;
            mesh.sim.schedule(s * SECOND, () -> a.send(b, seq, 64));
            mesh.sim.schedule(s * SECOND + 500 * MS, () -> b.send(a, seq, 80));
        }
        Partition[] cut = new Partition[1];
        mesh.sim.schedule(400 * SECOND, () -> cut[0] = mesh.sim.partition(List.of(a.host)));
        mesh.sim.schedule(640 * SECOND, () -> cut[0].heal());
        mesh.sim.runUntil(1_000 * SECOND);
    }
}
