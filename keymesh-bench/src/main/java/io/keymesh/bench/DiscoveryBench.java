package io.keymesh.bench;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.node.DiscoveryStats;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.TestKeys;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench/run discovery}: the time from the first send to a key never seen before until the
 * first reliable message arrives, on 127.0.0.1 with real sockets. Keymesh: A and B each know only a
 * bootstrap member P (member mode everywhere), A reaches B by key ({@link MeshNode#reach}), so the
 * message waits for a seek through P and a handshake over the circuit P splices. Baseline: A knows
 * B's address, so the message waits for a direct handshake. Both start from nodes whose sessions
 * with P are up and whose reach filters have been exchanged; each repetition uses fresh nodes. Also
 * prints the SEEK frames the lookup cost (A's and P's) and when A's path to B went direct (the pair
 * exchanges candidates over the relay and checks them; on loopback every candidate answers).
 */
final class DiscoveryBench {
    private DiscoveryBench() {}

    static String describe() {
        return "first reliable message to a key never seen before: found through a bootstrap member (seek, splice,"
                + " handshake over the relay) vs a direct handshake to a known address; ms, SEEK frames per lookup";
    }

    static void run(int repetitions) throws Exception {
        System.out.printf("CPU: %s, %d CPUs available to the JVM%n", RelayBench.cpuModel(), Runtime.getRuntime().availableProcessors());
        System.out.println("# warm-up (untimed)");
        once(true);
        once(false);
        long[] found = new long[repetitions];
        long[] direct = new long[repetitions];
        long[] seeks = new long[repetitions];
        long[] wentDirect = new long[repetitions];
        for (int r = 0; r < repetitions; r++) {
            long[] f = once(true);
            found[r] = f[0];
            seeks[r] = f[1];
            wentDirect[r] = f[2];
            direct[r] = once(false)[0];
            System.out.printf(Locale.ROOT, "# repetition %d: found %.2f ms (%d SEEK frames), then direct at %.2f ms;"
                    + " known address %.2f ms%n", r + 1, found[r] / 1e6, seeks[r], wentDirect[r] / 1e6, direct[r] / 1e6);
        }
        Arrays.sort(found);
        Arrays.sort(direct);
        Arrays.sort(seeks);
        Arrays.sort(wentDirect);
        System.out.printf(Locale.ROOT, "discovery until direct (ms from the send): min=%.2f median=%.2f max=%.2f%n",
                wentDirect[0] / 1e6, wentDirect[repetitions / 2] / 1e6, wentDirect[repetitions - 1] / 1e6);
        System.out.printf(Locale.ROOT, "discovery SEEK frames per lookup: min=%d median=%d max=%d%n", seeks[0],
                seeks[repetitions / 2], seeks[repetitions - 1]);
        double fm = found[repetitions / 2] / 1e6;
        double dm = direct[repetitions / 2] / 1e6;
        System.out.printf(Locale.ROOT, "discovery (ms to the first message, medians): keymesh=%.2f baseline=%.2f ratio=%.2f%n",
                fm, dm, fm / dm);
    }

    /** One lookup on fresh nodes: {ns to the first message, SEEK frames sent}. */
    private static long[] once(boolean discover) throws Exception {
        try (Loopback net = new Loopback()) {
            PresharedKey network = TestKeys.newNetworkKey();
            PrivateKey kp = TestKeys.newKey();
            PrivateKey ka = TestKeys.newKey();
            PrivateKey kb = TestKeys.newKey();
            RecordingListener atB = new RecordingListener();
            MeshNode p = start(net, kp, network, List.of(), new RecordingListener());
            PeerConfig viaP = PeerConfig.of(kp.publicKey(), p.localAddress()).withPersistentKeepalive(25);
            MeshNode b = start(net, kb, network, List.of(viaP), atB);
            List<PeerConfig> aPeers = discover ? List.of(viaP) : List.of(viaP, PeerConfig.of(kb.publicKey(), b.localAddress()));
            RecordingListener atA = new RecordingListener();
            MeshNode a = start(net, ka, network, aPeers, atA);
            Loopback.get(a.connect(kp.publicKey()));
            Loopback.get(b.connect(kp.publicKey()));
            Loopback.await("a and b met p", () -> Loopback.get(p.peerStats()).size() == 2
                    && Loopback.get(p.peerStats()).stream().allMatch(s -> s.up()));
            // p tells each of them whom else it reaches once both are in (at most one round a second)
            Loopback.await("p's reach filter, holding b, reached a", () -> Loopback.get(a.discoveryStats()).reachReceived() > 0);
            long t0 = System.nanoTime();
            if (discover && !Loopback.get(a.reach(kb.publicKey()))) {
                throw new IllegalStateException("a could not take b's key");
            }
            a.channel(kb.publicKey(), 1).send(new byte[64]);
            Loopback.await("b received a's message", () -> atB.firstMessageAt(ka.publicKey()) >= 0);
            long took = atB.firstMessageAt(ka.publicKey()) - t0;
            DiscoveryStats as = Loopback.get(a.discoveryStats());
            DiscoveryStats ps = Loopback.get(p.discoveryStats());
            long direct = -1;
            if (discover) {
                Loopback.await("a's path to b went direct", () -> {
                    var path = BenchNodes.path(a, kb.publicKey());
                    return path != null && !path.relayed();
                });
                direct = atA.pathChanges.stream().filter(c -> c.peer().equals(kb.publicKey()) && !c.path().relayed())
                        .mapToLong(c -> c.atNanos()).min().orElseThrow() - t0;
            }
            return new long[] {took, as.sent() + ps.passedOn(), direct};
        }
    }

    private static MeshNode start(Loopback net, PrivateKey key, PresharedKey network, List<PeerConfig> peers,
            RecordingListener events) {
        NodeConfig c = NodeConfig.of(key, new InetSocketAddress(Loopback.LOCALHOST, 0), network).withPeers(peers)
                .withAcceptMembers(true);
        return net.track(MeshNode.start(c, events));
    }
}
