package io.keymesh.sim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.NodeListener;
import io.keymesh.node.PeerConfig;
import io.keymesh.sim.Host;
import io.keymesh.sim.Network;
import io.keymesh.sim.SimNodeIo;
import io.keymesh.sim.Simulation;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Two real {@link MeshNode}s on a simulated network exchange datagrams by public key. */
class MeshNodeSimSmokeTest {
    @Test
    void twoNodesExchangeDatagrams() {
        Simulation sim = new Simulation(7);
        Network net = sim.newNetwork("lan", "10.0.0.0/24");
        Host ha = net.newHost("a");
        Host hb = net.newHost("b");
        SplittableRandom r = new SplittableRandom(7);
        byte[] ka = new byte[32];
        byte[] kb = new byte[32];
        byte[] kn = new byte[32];
        r.nextBytes(ka);
        r.nextBytes(kb);
        r.nextBytes(kn);
        PrivateKey a = PrivateKey.of(ka);
        PrivateKey b = PrivateKey.of(kb);
        PresharedKey network = PresharedKey.of(kn);
        List<String> atB = new ArrayList<>();
        List<String> atA = new ArrayList<>();
        MeshNode nb = MeshNode.start(NodeConfig.of(b, new InetSocketAddress(0), network)
                .withPeers(List.of(PeerConfig.of(a.publicKey(), null))), new NodeListener() {
                    @Override
                    public void onDatagram(PublicKey from, byte[] data, int off, int len) {
                        atB.add(new String(data, off, len, StandardCharsets.UTF_8));
                    }
                }, new SimNodeIo(hb, 51820));
        MeshNode na = MeshNode.start(NodeConfig.of(a, new InetSocketAddress(0), network)
                .withPeers(List.of(PeerConfig.of(b.publicKey(), nb.localAddress()))), new NodeListener() {
                    @Override
                    public void onDatagram(PublicKey from, byte[] data, int off, int len) {
                        atA.add(new String(data, off, len, StandardCharsets.UTF_8));
                    }
                }, new SimNodeIo(ha, 51820));
        for (int i = 0; i < 10; i++) {
            na.send(b.publicKey(), ("a" + i).getBytes(StandardCharsets.UTF_8));
        }
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(10, atB.size());
        assertEquals("a0", atB.get(0));
        // b learned a's endpoint from the handshake (roaming) and can answer.
        nb.send(a.publicKey(), "back".getBytes(StandardCharsets.UTF_8));
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(List.of("back"), atA);
    }
}
