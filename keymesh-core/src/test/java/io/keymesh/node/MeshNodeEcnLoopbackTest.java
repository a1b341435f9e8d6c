package io.keymesh.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keymesh.channel.EcnValidation;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.io.BatchedUdpNodeIo;
import io.keymesh.io.UdpIo;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.TestKeys;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ECN between two nodes on loopback, through the real socket: the batched I/O marks the channel
 * connection's packets ECT(0) and reads the marks back, so the path is validated; with ECN switched
 * off, or on the portable I/O (which cannot read the bits), it is never tried.
 */
class MeshNodeEcnLoopbackTest {
    private final Loopback net = new Loopback();
    private final PresharedKey network = TestKeys.newNetworkKey();

    @AfterEach
    void close() throws Exception {
        net.close();
    }

    private EcnValidation.State ecnAfterTransfer(UnaryOperator<NodeConfig> settings) {
        PrivateKey ka = TestKeys.newKey();
        PrivateKey kb = TestKeys.newKey();
        RecordingListener atA = new RecordingListener();
        RecordingListener atB = new RecordingListener();
        MeshNode b = net.track(MeshNode.start(settings.apply(NodeConfig.of(kb, new InetSocketAddress(Loopback.LOCALHOST, 0), network)
                .withPeers(List.of(PeerConfig.of(ka.publicKey(), null)))), atB));
        MeshNode a = net.track(MeshNode.start(settings.apply(NodeConfig.of(ka, new InetSocketAddress(Loopback.LOCALHOST, 0), network)
                .withPeers(List.of(PeerConfig.of(kb.publicKey(), b.localAddress())))), atA));
        Channel c = a.channel(kb.publicKey(), 1);
        int n = 50;
        for (int i = 0; i < n; i++) {
            c.send(new byte[2000]);
        }
        Loopback.await("messages", () -> atB.messages.size() == n);
        return Loopback.get(a.channelStats(kb.publicKey())).ecn();
    }

    @Test
    void theBatchedIoMarksAndReadsEcnSoTheLoopbackPathIsValidated() {
        assumeTrue(BatchedUdpNodeIo.isAvailable(), () -> "batched UDP I/O: " + BatchedUdpNodeIo.unavailableReason());
        assertEquals(EcnValidation.State.CAPABLE, ecnAfterTransfer(c -> c.withUdpIo(UdpIo.Mode.BATCHED)));
    }

    @Test
    void ecnSwitchedOffIsNeverTried() {
        assertEquals(EcnValidation.State.DISABLED, ecnAfterTransfer(c -> c.withEcn(false)));
    }

    @Test
    void thePortableIoCannotReadTheBitsSoEcnIsNotTried() {
        assertEquals(EcnValidation.State.DISABLED, ecnAfterTransfer(c -> c.withUdpIo(UdpIo.Mode.PORTABLE)));
    }
}
