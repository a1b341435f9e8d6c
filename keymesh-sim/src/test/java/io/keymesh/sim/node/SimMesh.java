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
import io.keymesh.session.DropReason;
import io.keymesh.sim.Host;
import io.keymesh.sim.SimNodeIo;
import io.keymesh.sim.Simulation;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Test fixture: real {@link MeshNode}s on simulated hosts, with keys and the network key derived from
 * the simulation's seed (so a run is reproducible), and a recording listener per node.
 *
 * <p>Datagrams built by {@link #payload} carry the sender's number, a sequence number and a body
 * derived from both, so a receiver can tell a corrupted, misattributed or repeated one
 * ({@link #check}).
 */
final class SimMesh {
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000_000_000L;
    static final int PORT = 51820;

    final Simulation sim;
    final PresharedKey networkKey;
    final List<Member> members = new ArrayList<>();
    private final Map<PublicKey, Member> byKey = new HashMap<>();
    private final SplittableRandom keys;

    SimMesh(long seed) {
        this.sim = new Simulation(seed);
        this.keys = new SplittableRandom(seed ^ 0x6b65796d657368L);
        this.networkKey = PresharedKey.of(randomBytes());
    }

    private byte[] randomBytes() {
        byte[] b = new byte[32];
        keys.nextBytes(b);
        return b;
    }

    /** A member on {@code host} with a key from the seed; not started until {@link Member#start}. */
    Member member(String name, Host host) {
        Member m = new Member(this, members.size(), name, host, PrivateKey.of(randomBytes()));
        members.add(m);
        byKey.put(m.publicKey(), m);
        return m;
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

    /** A datagram a member received. */
    record Received(long atNanos, PublicKey from, byte[] data) {
        int sender() {
            return ByteBuffer.wrap(data).getInt(0);
        }

        int seq() {
            return ByteBuffer.wrap(data).getInt(4);
        }
    }

    /** A peer event a member saw: "up", "down" or "endpoint". */
    record Event(long atNanos, String kind, PublicKey peer, String detail) {}

    /** One node: its host, key, I/O and everything its listener was told. */
    static final class Member implements NodeListener {
        final SimMesh mesh;
        final int number;
        final String name;
        final Host host;
        final PrivateKey key;
        final List<Received> received = new ArrayList<>();
        final List<Event> events = new ArrayList<>();
        SimNodeIo io;
        MeshNode node;
        /** If set before {@link #start}, the node reports to it instead of to this member's records. */
        NodeListener listenerOverride;

        Member(SimMesh mesh, int number, String name, Host host, PrivateKey key) {
            this.mesh = mesh;
            this.number = number;
            this.name = name;
            this.host = host;
            this.key = key;
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
            io = new SimNodeIo(host, PORT);
            node = MeshNode.start(NodeConfig.of(key, new InetSocketAddress(0), mesh.networkKey).withPeers(peers),
                    listenerOverride == null ? this : listenerOverride, io);
            return this;
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
        List<Received> receivedFrom(Member from) {
            return received.stream().filter(r -> r.from().equals(from.publicKey())).toList();
        }

        /** Events of one kind about {@code peer}, in order. */
        List<Event> events(String kind, Member peer) {
            return events.stream().filter(e -> e.kind().equals(kind) && e.peer().equals(peer.publicKey())).toList();
        }

        @Override
        public void onDatagram(PublicKey from, byte[] data, int off, int len) {
            received.add(new Received(mesh.sim.now(), from, Arrays.copyOfRange(data, off, off + len)));
        }

        @Override
        public void onPeerUp(PublicKey peer) {
            events.add(new Event(mesh.sim.now(), "up", peer, ""));
        }

        @Override
        public void onPeerDown(PublicKey peer, String reason) {
            events.add(new Event(mesh.sim.now(), "down", peer, reason));
        }

        @Override
        public void onEndpointChanged(PublicKey peer, InetSocketAddress endpoint) {
            events.add(new Event(mesh.sim.now(), "endpoint", peer, String.valueOf(endpoint)));
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
