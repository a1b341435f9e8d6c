package io.keymesh.sim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.node.MeshNode;
import io.keymesh.sim.Simulation;
import io.keymesh.sim.node.SimMesh.Pair;
import io.keymesh.testing.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two real {@link MeshNode}s on a simulated network exchange datagrams by public key. */
class MeshNodeSimSmokeTest {
    @Test
    void twoNodesExchangeDatagrams() {
        Pair p = SimMesh.pair(7, sim -> sim.newNetwork("lan", "10.0.0.0/24"));
        Simulation sim = p.mesh().sim;
        MeshNode na = p.a().node;
        MeshNode nb = p.b().node;
        for (int i = 0; i < 10; i++) {
            na.send(p.b().publicKey(), ("a" + i).getBytes(StandardCharsets.UTF_8));
        }
        sim.runFor(Duration.ofSeconds(1));
        List<String> atB = strings(p.b().events);
        assertEquals(10, atB.size());
        assertEquals("a0", atB.get(0));
        // b learned a's endpoint from the handshake (roaming) and can answer.
        nb.send(p.a().publicKey(), "back".getBytes(StandardCharsets.UTF_8));
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(List.of("back"), strings(p.a().events));
    }

    /** Crypto workers asked for, none started: on the simulator everything runs on its one thread. */
    @Test
    void nodesOnTheSimulatorOpenPacketsOnTheirOneThread() {
        SimMesh mesh = new SimMesh(7);
        io.keymesh.sim.Network net = mesh.sim.newNetwork("lan", "10.0.0.0/24");
        SimMesh.Member a = mesh.member("a", net.newHost("a"));
        SimMesh.Member b = mesh.member("b", net.newHost("b"));
        b.start(List.of(a.asPeerWithoutEndpoint()), c -> c.withCryptoWorkers(4));
        a.start(List.of(b.asPeer()), c -> c.withCryptoWorkers(4));
        for (int i = 0; i < 100; i++) {
            a.node.send(b.publicKey(), new byte[1200]);
        }
        mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(100, b.events.datagramCount());
        assertEquals(0, a.node.cryptoWorkers());
        assertEquals(0, b.node.cryptoWorkers());
        assertEquals(0, b.node.parallelBatches());
    }

    private static List<String> strings(RecordingListener events) {
        return events.datagrams.stream().map(d -> new String(d.data(), StandardCharsets.UTF_8)).toList();
    }
}
