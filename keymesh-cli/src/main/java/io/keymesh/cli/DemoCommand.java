package io.keymesh.cli;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.NodeListener;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerConfig;
import io.keymesh.node.PeerStats;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh demo}: starts a small mesh of {@link MeshNode}s in this process on loopback, each
 * with its own key and UDP port and the others as peers, all in one network; every node sends
 * datagrams to every other, addressed by public key; then it prints a per-peer table. Then nodes
 * behind NATs find each other by key through a public member, relayed at first, then direct: on
 * keymesh-sim's virtual network ({@link NatDemo}), or, run as root with {@code ip} and {@code nft},
 * as {@code keymesh up} processes in real network namespaces behind nftables NATs ({@link NetnsDemo}). Then the same number of Pekko actor
 * systems as loopback nodes, each on a keymesh node of its own, ask each other's actors by
 * {@code pekko.mesh://} path ({@link ActorDemo}). Exits 0 if every datagram arrived intact, every
 * simulated pair connected and those behind endpoint-independent NATs went direct, and every actor
 * answered.
 */
@Command(name = "demo", description = "Run a small mesh on loopback: every node sends encrypted datagrams to every other, by public key; "
        + "then nodes behind NATs (simulated; real network namespaces when run as root) find each other by key, relayed through a public member, then direct; "
        + "then actor systems on the mesh ask each other's actors by pekko.mesh:// path.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "Number of nodes (2..16, default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--messages", paramLabel = "N", defaultValue = "20", description = "Datagrams each node sends to each other node (default ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--no-actors", description = "Skip the actor part (Pekko actor systems talking over the mesh).")
    boolean noActors;

    @Option(names = "--no-nat", description = "Skip the NAT part (nodes behind NATs finding each other by key).")
    boolean noNat;

    @Option(names = "--sim", description = "Run the NAT part on the simulator even as root (root with ip and nft gets real network namespaces).")
    boolean sim;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the simulated part: the same seed, the same run (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--network-key", paramLabel = "BASE64", description = "Network key (base64) shared by the demo nodes; random by default.")
    String networkKey;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (nodes < 2 || nodes > 16) {
            spec.commandLine().getErr().println("keymesh demo: --nodes must be 2..16, got " + nodes);
            return 2;
        }
        if (messages < 1 || messages > 100_000) {
            spec.commandLine().getErr().println("keymesh demo: --messages must be 1..100000, got " + messages);
            return 2;
        }
        SecureRandom random = new SecureRandom();
        PresharedKey psk;
        try {
            psk = networkKey == null ? PresharedKey.generate(random) : PresharedKey.fromBase64(networkKey);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("keymesh demo: --network-key: " + e.getMessage());
            return 2;
        }
        long expected = (long) nodes * (nodes - 1) * messages;
        CountDownLatch allArrived = new CountDownLatch((int) expected);
        AtomicLong corrupt = new AtomicLong();
        List<PrivateKey> keys = new ArrayList<>();
        List<MeshNode> mesh = new ArrayList<>();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        out.printf("loopback: %d nodes on %s, real UDP sockets%n", nodes, loopback.getHostAddress());
        try {
            for (int i = 0; i < nodes; i++) {
                keys.add(PrivateKey.generate(random));
            }
            NodeListener check = new NodeListener() {
                @Override
                public void onDatagram(PublicKey from, byte[] data, int off, int len) {
                    String text = new String(data, off, len, StandardCharsets.UTF_8);
                    if (text.startsWith("hello ") && text.endsWith(" from " + from.toBase64())) {
                        allArrived.countDown();
                    } else {
                        corrupt.incrementAndGet();
                    }
                }
            };
            for (int i = 0; i < nodes; i++) {
                mesh.add(MeshNode.start(NodeConfig.of(keys.get(i), new InetSocketAddress(loopback, 0), psk), check));
            }
            // Every node knows every other's address, except that the last node and the others
            // but n0 know each other only by key, reached through n0 as their relay — until they
            // punch through to each other directly.
            for (int i = 0; i < nodes; i++) {
                for (int j = 0; j < nodes; j++) {
                    if (i != j) {
                        PeerConfig peer = relayed(i, j, nodes)
                                ? PeerConfig.of(keys.get(j).publicKey(), null).via(keys.get(0).publicKey())
                                : PeerConfig.of(keys.get(j).publicKey(), mesh.get(j).localAddress());
                        mesh.get(i).addPeer(peer).get();
                    }
                }
            }
            for (int i = 1; i < nodes; i++) {
                mesh.get(i).connect(keys.get(0).publicKey()).get(); // the relay first: the rest follows
            }
            awaitPaths(mesh, keys, nodes);
            long start = System.nanoTime();
            for (int m = 0; m < messages; m++) {
                for (int i = 0; i < nodes; i++) {
                    for (int j = 0; j < nodes; j++) {
                        if (i != j) {
                            byte[] text = ("hello " + m + " from " + keys.get(i).publicKey().toBase64()).getBytes(StandardCharsets.UTF_8);
                            while (!mesh.get(i).send(keys.get(j).publicKey(), text)) {
                                Thread.onSpinWait();
                            }
                        }
                    }
                }
            }
            boolean complete = allArrived.await(15, TimeUnit.SECONDS);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            awaitDirect(mesh, keys, nodes);
            printTable(out, mesh);
            long arrived = expected - allArrived.getCount();
            out.printf("%d nodes, %d datagrams sent, %d arrived, %d corrupt, in %d ms%n",
                    nodes, expected, arrived, corrupt.get(), elapsedMs);
            out.flush();
            if (!complete || corrupt.get() != 0) {
                return 1;
            }
        } finally {
            for (MeshNode n : mesh) {
                n.close();
            }
            for (PrivateKey k : keys) {
                k.close();
            }
        }
        boolean natOk = true;
        if (!noNat) {
            if (!sim && NetnsDemo.available()) {
                natOk = new NetnsDemo(out).run().ok();
            } else {
                natOk = NatDemo.run(seed, out).ok();
            }
        }
        boolean actorsOk = noActors || ActorDemo.run(nodes, psk, out);
        return natOk && actorsOk ? 0 : 1;
    }

    /** True if node {@code i} reaches node {@code j} only through n0 in this demo. */
    private static boolean relayed(int i, int j, int nodes) {
        return nodes >= 3 && i != 0 && j != 0 && (i == nodes - 1 || j == nodes - 1);
    }

    /** Waits (at most 10 s) until every node has a path in use to every peer. */
    private static void awaitPaths(List<MeshNode> mesh, List<PrivateKey> keys, int nodes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int i = 0; i < nodes; i++) {
            for (PeerStats p : mesh.get(i).peerStats().get()) {
                while (path(mesh.get(i), p.publicKey()) == null && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            }
        }
    }

    /**
     * Waits (at most 5 s) until the pairs that met through n0 went direct: on loopback nothing stands
     * between them, so they punch through at once.
     */
    private static void awaitDirect(List<MeshNode> mesh, List<PrivateKey> keys, int nodes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (int i = 0; i < nodes; i++) {
            for (int j = 0; j < nodes; j++) {
                if (i != j && relayed(i, j, nodes)) {
                    PathInfo p;
                    while (((p = path(mesh.get(i), keys.get(j).publicKey())) == null || p.relayed())
                            && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                }
            }
        }
    }

    private static PathInfo path(MeshNode node, PublicKey peer) throws Exception {
        for (PeerStats p : node.peerStats().get()) {
            if (p.publicKey().equals(peer)) {
                return p.path();
            }
        }
        return null;
    }

    /** The path node {@code i} uses to {@code p}'s peer: "direct ADDRESS" (", met via n0" if it punched through), "relay nK". */
    private static String path(PeerStats p, List<MeshNode> mesh, int i) {
        PathInfo path = p.path();
        if (path == null) {
            return "-";
        }
        if (!path.relayed()) {
            int j = 0;
            while (j < mesh.size() && !mesh.get(j).publicKey().equals(p.publicKey())) {
                j++;
            }
            return "direct " + path.address().getHostString() + ":" + path.address().getPort()
                    + (relayed(i, j, mesh.size()) ? ", met via n0" : "");
        }
        for (int k = 0; k < mesh.size(); k++) {
            if (mesh.get(k).publicKey().equals(path.via())) {
                return "relay n" + k;
            }
        }
        return "relay " + path.via().toBase64().substring(0, 8) + "…";
    }

    private static void printTable(PrintWriter out, List<MeshNode> mesh) throws Exception {
        out.printf("%-6s %-14s %-34s %12s %8s %8s %9s %9s %6s%n",
                "node", "peer", "path", "handshake", "tx pkts", "rx pkts", "tx bytes", "rx bytes", "drops");
        for (int i = 0; i < mesh.size(); i++) {
            Map<?, Long> drops = mesh.get(i).drops().get();
            long dropCount = drops.values().stream().mapToLong(Long::longValue).sum();
            for (PeerStats p : mesh.get(i).peerStats().get()) {
                String age = p.lastHandshakeAgoNanos() < 0 ? "never" : (p.lastHandshakeAgoNanos() / 1_000_000) + " ms ago";
                out.printf("%-6s %-14s %-34s %12s %8d %8d %9d %9d %6d%n",
                        "n" + i, p.publicKey().toBase64().substring(0, 10) + "…", path(p, mesh, i), age,
                        p.txPackets(), p.rxPackets(), p.txBytes(), p.rxBytes(), dropCount);
            }
        }
    }
}
