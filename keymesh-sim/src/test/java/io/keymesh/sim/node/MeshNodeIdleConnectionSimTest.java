package io.keymesh.sim.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Simulation;
import io.keymesh.sim.node.SimMesh.Pair;
import io.keymesh.testing.RecordingListener;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two nodes whose channels are all closed forget their connection after the idle timeout, both of
 * them and without a word to the application; the next message starts a new connection, and the
 * channel number used before may be used again. Also when the next message leaves just as the
 * connection is being forgotten.
 */
class MeshNodeIdleConnectionSimTest {
    private static final Duration IDLE = Duration.ofSeconds(30);

    private static int connections(MeshNode node) {
        return node.tableSizes().join().connections();
    }

    /**
     * {@code quietMs}: how long the pair stays quiet after the channel finished before a sends
     * again. Both ends propose forgetting the connection the idle timeout after its last packet,
     * 28.065 s into the quiet here (the proposals cross, 10 ms each way); the sweep sends before
     * that, while the proposals travel (the message waits for the answer, then takes a new
     * connection), and after.
     */
    @ParameterizedTest(name = "loss {0} per hop, a message after {1} ms of quiet")
    @CsvSource({"0.0, 60000", "0.0, 28000", "0.0, 28064", "0.0, 28065", "0.0, 28066", "0.0, 28070", "0.0, 28074",
            "0.0, 28076", "0.0, 28080", "0.0, 28200", "0.05, 28060", "0.05, 28066", "0.05, 28072", "0.05, 28080",
            "0.05, 40000"})
    void bothEndsForgetAQuietConnectionAndTheNextMessageStartsAnother(double loss, int quietMs) {
        Pair p = MeshNodeChannelSimTest.start(71, LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10))
                .withLoss(MeshNodeChannelSimTest.linkLoss(loss)));
        Simulation sim = p.mesh().sim;
        MeshNode na = p.a().node;
        MeshNode nb = p.b().node;
        RecordingListener atA = p.a().events;
        RecordingListener atB = p.b().events;
        PublicKey aKey = p.a().publicKey();
        PublicKey bKey = p.b().publicKey();

        Channel ch = na.channel(bKey, 3);
        assertTrue(ch.send(new byte[] {1}));
        sim.runFor(Duration.ofSeconds(2));
        assertEquals(1, atB.messageCount());
        ch.close();
        nb.channel(aKey, 3).close();
        sim.runFor(Duration.ofSeconds(2));
        assertEquals(1, connections(na));
        assertEquals(1, connections(nb));
        assertEquals(0, na.tableSizes().join().channels(), "the channel finished both ways");

        // Quiet: the connections are forgotten after the idle timeout (and a round trip or two).
        sim.runFor(Duration.ofMillis(quietMs));
        if (quietMs >= IDLE.toMillis()) {
            assertEquals(0, connections(na), "a forgot its connection");
            assertEquals(0, connections(nb), "b forgot its connection");
            assertNull(na.channelStats(bKey).join());
        }
        // Channel 3 was used and closed before: on a new connection its number is free again (on
        // the old one it is not, so the sweep's earlier messages take another).
        Channel again = na.channel(bKey, quietMs >= IDLE.toMillis() ? 3 : 5);
        assertTrue(again.send(new byte[] {2}));
        sim.runFor(Duration.ofSeconds(5));
        assertEquals(2, atB.messageCount(), "lost: " + MeshNodeChannelSimTest.lost(atA) + "; " + MeshNodeChannelSimTest.lost(atB));
        assertArrayEquals(new byte[] {2}, MeshNodeChannelSimTest.messages(atB).get(1));
        assertTrue(atA.channelsLost.isEmpty() && atB.channelsLost.isEmpty(),
                "nothing reported lost: " + MeshNodeChannelSimTest.lost(atA) + "; " + MeshNodeChannelSimTest.lost(atB));
        assertNull(again.lostReason());
        assertEquals(1, connections(na));
        assertEquals(1, connections(nb));
    }
}
