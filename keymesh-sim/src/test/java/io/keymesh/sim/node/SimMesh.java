package io.keymesh.sim.node;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.EngineLoop;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.NodeListener;
import io.keymesh.node.PeerConfig;
import io.keymesh.node.PeerStats;
import io.keymesh.overlay.RelayConfig;
import io.keymesh.session.DropReason;
import io.keymesh.sim.Host;
import io.keymesh.sim.Network;
import io.keymesh.sim.SimNodeIo;
import io.keymesh.sim.Simulation;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.RecordingListener.Datagram;
import io.keymesh.testing.RecordingListener.PeerEvent;
import io.keymesh.testing.TestKeys;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Test fixture: real {@link MeshNode}s on simulated hosts, with keys and the network key derived from
 * the simulation's seed (so a run is reproducible), and a {@link RecordingListener} per node that
 * stamps what it records with the simulated time.
 *
 * <p>Datagrams built by {@link #payload} carry the sender's number, a sequence number and a body
 * derived from both, so a receiver can tell a corrupted, misattributed or repeated one
 * ({@link #check}).
 */
final class SimMesh {
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000_000_000L;
    static final int PORT = 51820;
    /** Mixed into the seed for the keys' generator (ASCII "keymesh"), so it is not the simulation's stream. */
    private static final long KEY_SALT = 0x6b65796d657368L;

    final Simulation sim;
    final PresharedKey networkKey;
    final List<Member> members = new ArrayList<>();
    private final Map<PublicKey, Member> byKey = new HashMap<>();
    /** Where members' keys come from, or null where {@link #member(String, Host, PrivateKey)} is given them. */
    private final SplittableRandom keys;

    /** A mesh on a new simulation of {@code seed}; the network key and then each member's key come from the seed. */
    SimMesh(long seed) {
        this.sim = new Simulation(seed);
        this.keys = new SplittableRandom(seed ^ KEY_SALT);
        this.networkKey = TestKeys.networkKey(keys);
    }

    /** A mesh on {@code sim} with {@code networkKey}, whose members are given their keys. */
    SimMesh(Simulation sim, PresharedKey networkKey) {
        this.sim = sim;
        this.keys = null;
        this.networkKey = networkKey;
    }

    /** A member on {@code host} with a key from the seed; not started until {@link Member#start}. */
    Member member(String name, Host host) {
        if (keys == null) {
            throw new IllegalStateException("this mesh's members are given their keys");
        }
        return member(name, host, TestKeys.key(keys));
    }

    /** A member on {@code host} with {@code key}; not started until {@link Member#start}. */
    Member member(String name, Host host, PrivateKey key) {
        Member m = new Member(this, members.size(), name, host, key);
        members.add(m);
        byKey.put(m.publicKey(), m);
        return m;
    }

    /** Two started members, a and b, and the generator their keys came from (for the test's further draws). */
    record Pair(SimMesh mesh, Member a, Member b, SplittableRandom random) {}

    /**
     * Members a and b on hosts "a" and "b" of the network {@code network} makes on a new simulation
     * of {@code seed}. a's key, b's key and the network key are the first draws of a
     * {@code SplittableRandom(seed)}. b starts first and knows a only by key; a starts knowing b at
     * its address.
     */
    static Pair pair(long seed, Function<Simulation, Network> network) {
        SplittableRandom r = new SplittableRandom(seed);
        PrivateKey keyA = TestKeys.key(r);
        PrivateKey keyB = TestKeys.key(r);
        SimMesh mesh = new SimMesh(new Simulation(seed), TestKeys.networkKey(r));
        Network net = network.apply(mesh.sim);
        Member a = mesh.member("a", net.newHost("a"), keyA);
        Member b = mesh.member("b", net.newHost("b"), keyB);
        b.start(List.of(a.asPeerWithoutEndpoint()));
        a.start(List.of(b.asPeer()));
        return new Pair(mesh, a, b, r);
    }

    /** The member that owns {@code key}, or null. */
    Member byKey(PublicKey key) {
        return byKey.get(key);
    }

    /** A datagram of {@code len} (≥ 8) bytes: sender number, sequence number, then a body derived from both. */
    static byte[] payload(int sender, int seq, int len) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(8, len));
        b.putInt(sender).putInt(seq);
        for (int i = 8; i < b.capacity(); i++) {
            b.put((byte) (sender * 31 + seq * 7 + i));
        }
        return b.array();
    }

    /** True if {@code data} is exactly what {@link #payload} makes for its own sender and sequence number. */
    static boolean check(byte[] data) {
        if (data.length < 8) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        return Arrays.equals(data, payload(b.getInt(0), b.getInt(4), data.length));
    }

    /** The sender's number in a datagram made by {@link #payload}. */
    static int sender(Datagram d) {
        return ByteBuffer.wrap(d.data()).getInt(0);
    }

    /** The sequence number in a datagram made by {@link #payload}. */
    static int seq(Datagram d) {
        return ByteBuffer.wrap(d.data()).getInt(4);
    }

    /** One node: its host, key, I/O and everything its listener was told. */
    static final class Member {
        final SimMesh mesh;
        final int number;
        final String name;
        final Host host;
        final PrivateKey key;
        /** What the node reported, at simulated times (nothing if {@link #listenerOverride} is set). */
        final RecordingListener events;
        SimNodeIo io;
        MeshNode node;
        /** If set before {@link #start}, the node reports to it instead of to {@link #events}. */
        NodeListener listenerOverride;

        Member(SimMesh mesh, int number, String name, Host host, PrivateKey key) {
            this.mesh = mesh;
            this.number = number;
            this.name = name;
            this.host = host;
            this.key = key;
            this.events = new RecordingListener(mesh.sim::now);
        }

        PublicKey publicKey() {
            return key.publicKey();
        }

        /** Where this member listens now: its host's current address and {@link #PORT}. */
        InetSocketAddress address() {
            return host.socketAddress(PORT);
        }

        /** A peer entry for this member, at its current address. */
        PeerConfig asPeer() {
            return PeerConfig.of(publicKey(), address());
        }

        /** A peer entry for this member with no endpoint: it must speak first. */
        PeerConfig asPeerWithoutEndpoint() {
            return PeerConfig.of(publicKey(), null);
        }

        /** Starts the node on its host, port {@link #PORT}, with these peers. */
        Member start(List<PeerConfig> peers) {
            return start(peers, RelayConfig.DEFAULT);
        }

        /** Starts the node with these peers, offering this relay service. */
        Member start(List<PeerConfig> peers, RelayConfig relay) {
            return start(peers, c -> c.withRelay(relay));
        }

        /** Starts the node with these peers and the default configuration changed by {@code tweak}. */
        Member start(List<PeerConfig> peers, java.util.function.UnaryOperator<NodeConfig> tweak) {
            io = new SimNodeIo(host, PORT);
            node = MeshNode.start(tweak.apply(NodeConfig.of(key, new InetSocketAddress(0), mesh.networkKey).withPeers(peers)),
                    listenerOverride == null ? events : listenerOverride, io);
            return this;
        }

        /** A peer entry for this member with no endpoint, reached through each of {@code relays}. */
        PeerConfig asPeerVia(Member... relays) {
            return asPeerWithoutEndpoint().via(java.util.Arrays.stream(relays).map(Member::publicKey)
                    .toArray(PublicKey[]::new));
        }

        /** Sends {@link #payload}{@code (number, seq, len)} to {@code to}. */
        void send(Member to, int seq, int len) {
            if (!node.send(to.publicKey(), payload(number, seq, len))) {
                throw new AssertionError(name + " refused a send");
            }
        }

        /** Runs {@code f} on the node's engine (at once: a simulation has one thread). */
        <T> T engine(EngineLoop.EngineFunction<T> f) {
            return node.withEngine(f).join();
        }

        /** Packets this member's session engine dropped for {@code reason}. */
        long drops(DropReason reason) {
            return engine((e, now) -> e.dropped(reason));
        }

        /** Handshake initiations this member has sent. */
        long initiationsSent() {
            return engine((e, now) -> e.initiationsSent());
        }

        /** This member's statistics for {@code peer}. */
        PeerStats stats(Member peer) {
            for (PeerStats s : node.peerStats().join()) {
                if (s.publicKey().equals(peer.publicKey())) {
                    return s;
                }
            }
            throw new AssertionError(peer.name + " is not a peer of " + name);
        }

        /** Datagrams received from {@code from}, in arrival order. */
        List<Datagram> receivedFrom(Member from) {
            return events.datagrams.stream().filter(r -> r.from().equals(from.publicKey())).toList();
        }

        /** Events of one kind about {@code peer}, in order. */
        List<PeerEvent> events(PeerEvent.Kind kind, Member peer) {
            return events.peerEvents(kind, peer.publicKey());
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
