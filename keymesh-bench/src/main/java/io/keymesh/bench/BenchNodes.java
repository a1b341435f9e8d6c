package io.keymesh.bench;

import io.keymesh.channel.ChannelConfig;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerConfig;
import io.keymesh.node.PeerStats;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.TestKeys;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What the end-to-end comparisons ({@link EndToEnd}, {@link RoundTrips}, {@link RelayBench}) take
 * from keymesh-core's loopback fixtures: a connected pair of nodes per trial (direct, or through
 * relays), and a send that waits out back-pressure.
 */
final class BenchNodes {
    private BenchNodes() {}

    /**
     * Two nodes on 127.0.0.1 that have completed a handshake ({@link Loopback#connectedPair}), with
     * the recorders they report to, and the relays between them if any ({@link #startRelayed});
     * each trial starts its own and closes it, so trials share no state. Set the recorders' sinks
     * before traffic starts, or they keep what arrives.
     */
    record Pair(Loopback net, MeshNode a, MeshNode b, RecordingListener atA, RecordingListener atB,
            List<Loopback.Node> relays) implements AutoCloseable {
        /** A and B reach each other directly (each knows the other's address), no relay. */
        static Pair start() throws Exception {
            Loopback net = new Loopback();
            try {
                Loopback.Pair p = net.connectedPair(TestKeys.newNetworkKey());
                return new Pair(net, p.a().mesh(), p.b().mesh(), p.a().events(), p.b().events(), List.of());
            } catch (RuntimeException | Error e) {
                net.close();
                throw e;
            }
        }

        /**
         * A and B reach each other only through relays R1..Rn (as in keymesh-sim's
         * MeshNodeRelaySimTest): A and B list each other without an endpoint, {@code via} every
         * relay; each relay lists A and B without an endpoint; A and B list each relay at its
         * address and connect to it. Returns once A and B have a session, each side's path to the
         * other in use is relayed, and every relay's path from A to B has answered a probe (so a
         * standby relay is ready to take over).
         */
        static Pair startRelayed(int relayCount) throws Exception {
            return startRelayed(relayCount, ChannelConfig.DEFAULT);
        }

        /** {@link #startRelayed(int)} with these channel settings on every node. */
        static Pair startRelayed(int relayCount, ChannelConfig channels) throws Exception {
            Loopback net = new Loopback();
            try {
                PresharedKey network = TestKeys.newNetworkKey();
                PrivateKey ka = TestKeys.newKey();
                PrivateKey kb = TestKeys.newKey();
                List<Loopback.Node> relays = new ArrayList<>();
                for (int i = 0; i < relayCount; i++) {
                    relays.add(startNode(net, TestKeys.newKey(), network,
                            List.of(PeerConfig.of(ka.publicKey(), null), PeerConfig.of(kb.publicKey(), null)), channels));
                }
                PublicKey[] via = relays.stream().map(Loopback.Node::publicKey).toArray(PublicKey[]::new);
                List<PeerConfig> peersOfA = new ArrayList<>(relays.stream().map(Loopback.Node::asPeer).toList());
                peersOfA.add(PeerConfig.of(kb.publicKey(), null).via(via));
                List<PeerConfig> peersOfB = new ArrayList<>(relays.stream().map(Loopback.Node::asPeer).toList());
                peersOfB.add(PeerConfig.of(ka.publicKey(), null).via(via));
                Loopback.Node a = startNode(net, ka, network, peersOfA, channels);
                Loopback.Node b = startNode(net, kb, network, peersOfB, channels);
                for (Loopback.Node r : relays) {
                    Loopback.get(a.mesh().connect(r.publicKey()));
                    Loopback.get(b.mesh().connect(r.publicKey()));
                }
                Loopback.await(() -> "a relayed path in use both ways; a's paths to b: " + path(a.mesh(), kb.publicKey()),
                        () -> relayedInUse(a.mesh(), kb.publicKey()) && relayedInUse(b.mesh(), ka.publicKey()));
                Loopback.get(a.mesh().connect(kb.publicKey())); // if no packet has started one yet
                Loopback.await("the handshake between a and b", () -> a.events().peersUp().contains(kb.publicKey())
                        && b.events().peersUp().contains(ka.publicKey()));
                Loopback.await(() -> "every relay's path from a to b answered a probe: "
                        + stats(a.mesh(), kb.publicKey()).paths(), () -> {
                    List<PathInfo> paths = stats(a.mesh(), kb.publicKey()).paths();
                    return relays.stream().allMatch(r -> paths.stream().anyMatch(
                            p -> p.relayed() && p.via().equals(r.publicKey()) && p.rttNanos() > 0));
                });
                return new Pair(net, a.mesh(), b.mesh(), a.events(), b.events(), List.copyOf(relays));
            } catch (RuntimeException | Error e) {
                net.close();
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            net.close();
        }
    }

    /**
     * The socket I/O of the benchmarks' nodes: {@code -Dbench.udpIo=auto|batched|portable} (not
     * under {@code keymesh.}: the Pekko benchmarks load system properties into their config, where
     * the keymesh block refuses unknown keys)
     * ({@code bench/run ... --udp-io portable} compares without batching).
     */
    static final io.keymesh.io.UdpIo.Mode UDP_IO =
            io.keymesh.io.UdpIo.Mode.valueOf(System.getProperty("bench.udpIo", "auto").toUpperCase(java.util.Locale.ROOT));

    /**
     * The crypto workers of the benchmarks' nodes: {@code -Dbench.cryptoWorkers=auto|N}
     * ({@code bench/run ... --crypto-workers 0} compares with the loop thread opening every packet).
     */
    static final int CRYPTO_WORKERS = cryptoWorkers(System.getProperty("bench.cryptoWorkers", "auto"));

    private static int cryptoWorkers(String value) {
        return value.equals("auto") ? io.keymesh.node.NodeConfig.CRYPTO_WORKERS_AUTO : Integer.parseInt(value);
    }

    /** {@link Loopback#start(PrivateKey, PresharedKey, List)} with channel settings. */
    private static Loopback.Node startNode(Loopback net, PrivateKey key, PresharedKey network, List<PeerConfig> peers,
            ChannelConfig channels) {
        RecordingListener events = new RecordingListener();
        NodeConfig config = NodeConfig.of(key, new InetSocketAddress(Loopback.LOCALHOST, 0), network)
                .withPeers(peers)
                .withChannels(channels)
                // a relayed pair on loopback would go direct at once: the comparison is relayed vs direct
                .withDiscovery(io.keymesh.overlay.DiscoveryConfig.DEFAULT.withGoDirect(false))
                .withUdpIo(UDP_IO)
                .withCryptoWorkers(CRYPTO_WORKERS);
        return new Loopback.Node(key, net.track(MeshNode.start(config, events)), events);
    }

    /** {@code node}'s statistics for {@code peer}. */
    static PeerStats stats(MeshNode node, PublicKey peer) {
        return Loopback.get(node.peerStats()).stream()
                .filter(s -> s.publicKey().equals(peer))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(peer + " is not a peer of " + node.publicKey()));
    }

    /** The path {@code node} uses to {@code peer} now, or null. */
    static PathInfo path(MeshNode node, PublicKey peer) {
        return stats(node, peer).path();
    }

    private static boolean relayedInUse(MeshNode node, PublicKey peer) {
        PathInfo p = path(node, peer);
        return p != null && p.relayed();
    }

    /**
     * Sends on {@code c}, waiting up to a millisecond at a time for a permit of {@code writable}
     * (the sender's {@link RecordingListener#writableSignal} for the channel) while it is full;
     * false if the deadline passed or the thread was interrupted (its flag stays set).
     *
     * @throws IllegalStateException if the channel is lost
     */
    static boolean sendBlocking(Channel c, Semaphore writable, byte[] m, long deadline) {
        while (!c.send(m)) {
            writable.drainPermits();
            if (!c.isWritable(m.length)) {
                try {
                    writable.tryAcquire(1, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            if (c.lostReason() != null) {
                throw new IllegalStateException("channel lost: " + c.lostReason());
            }
        }
        return true;
    }
}
