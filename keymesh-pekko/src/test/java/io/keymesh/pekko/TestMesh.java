package io.keymesh.pekko;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.keymesh.config.NodeConfigRenderer;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.io.FreeUdpPort;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import io.keymesh.testing.TestKeys;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Nodes of a test mesh on 127.0.0.1: keys, UDP ports, and the actor system configuration of each. */
final class TestMesh {
    /** One node: its keys and UDP address. */
    record Node(String privateKey, PublicKey publicKey, InetSocketAddress udp) {
        /** Address host of this node. */
        String host() {
            return publicKey.toBase32();
        }
    }

    final PresharedKey networkKey;
    final List<Node> nodes = new ArrayList<>();

    TestMesh(int count) {
        networkKey = TestKeys.newNetworkKey();
        for (int i = 0; i < count; i++) {
            try (PrivateKey k = TestKeys.newKey()) {
                nodes.add(new Node(k.toBase64(), k.publicKey(), FreeUdpPort.onLoopback()));
            }
        }
    }

    Node node(int i) {
        return nodes.get(i);
    }

    /**
     * HOCON for node {@code i}: {@code include} (keymesh-remoting or keymesh-cluster), its
     * keymesh block with every other node as a peer, and fast failure detection.
     */
    String config(int i, String include, int virtualPort) {
        return "include \"" + include + "\"\n"
                + keymeshBlock(nodes.get(i))
                + "pekko.remote.classic.keymesh.port = " + virtualPort + "\n"
                + "pekko.remote.use-unsafe-remote-features-outside-cluster = on\n"
                + "pekko.remote.warn-about-direct-use = off\n"
                + "pekko.remote.watch-failure-detector.heartbeat-interval = 300 ms\n"
                + "pekko.remote.watch-failure-detector.acceptable-heartbeat-pause = 2 s\n"
                + "pekko.remote.watch-failure-detector.unreachable-nodes-reaper-interval = 300 ms\n"
                + "pekko.remote.classic.log-remote-lifecycle-events = off\n"
                + "pekko.loglevel = WARNING\n"
                + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
                + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n"
                + "pekko.cluster.failure-detector.heartbeat-interval = 300 ms\n"
                + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2 s\n"
                + "pekko.cluster.downing-provider-class = \"org.apache.pekko.cluster.sbr.SplitBrainResolverProvider\"\n"
                + "pekko.cluster.split-brain-resolver.active-strategy = keep-majority\n"
                + "pekko.cluster.split-brain-resolver.stable-after = 2 s\n"
                + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"
                + "pekko.coordinated-shutdown.exit-jvm = off\n";
    }

    /** {@link #config} parsed, over the class path's defaults. */
    Config load(int i, String include, int virtualPort) {
        return ConfigFactory.parseString(config(i, include, virtualPort)).withFallback(ConfigFactory.load()).resolve();
    }

    /** The keymesh block of {@code self}: its key and address, and every other node as a peer at its address. */
    private String keymeshBlock(Node self) {
        List<PeerConfig> peers = new ArrayList<>();
        for (Node n : nodes) {
            if (n != self) {
                peers.add(PeerConfig.of(n.publicKey(), n.udp()));
            }
        }
        try (PrivateKey key = PrivateKey.fromBase64(self.privateKey())) {
            return NodeConfigRenderer.render(NodeConfig.of(key, self.udp(), networkKey).withPeers(peers));
        }
    }
}
