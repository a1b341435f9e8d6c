package io.keymesh.node;

import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keymesh.crypto.PublicKey;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Pings#MAX_PENDING} driven to the limit through {@link MeshNode#ping}: the 1,025th ping
 * outstanding fails with {@link IllegalStateException}; the ones outstanding are kept, and one
 * ended makes room for exactly one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PingsLimitsTest {
    private static final Duration LONG = Duration.ofMinutes(10);

    @AutoClose
    private final Loopback net = new Loopback();
    @AutoClose
    private final DatagramSocket silent = silentSocket();

    private static DatagramSocket silentSocket() {
        try {
            return new DatagramSocket(0, Loopback.LOCALHOST);
        } catch (java.net.SocketException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void thePingPastMaxPendingFailsAndOneEndedMakesRoom() throws Exception {
        assertEquals(1024, Pings.MAX_PENDING);
        Loopback.Pair p = net.connectedPair(newNetworkKey());
        Node a = p.a();
        PublicKey b = p.b().publicKey();
        InetSocketAddress nowhere = new InetSocketAddress(Loopback.LOCALHOST, silent.getLocalPort());
        PublicKey x = newKey().publicKey();
        PublicKey y = newKey().publicKey();
        get(a.mesh().addPeer(PeerConfig.of(x, nowhere)));
        get(a.mesh().addPeer(PeerConfig.of(y, nowhere)));

        List<CompletableFuture<PingResult>> waiting = new ArrayList<>();
        for (int i = 0; i < Pings.MAX_PENDING - 1; i++) {
            waiting.add(a.mesh().ping(x, LONG));
        }
        CompletableFuture<PingResult> toY = a.mesh().ping(y, LONG);
        get(a.mesh().withEngine((engine, now) -> null)); // every ping above has started on the loop

        ExecutionException full = assertThrows(ExecutionException.class, () -> a.mesh().ping(b, LONG).get(10, TimeUnit.SECONDS));
        IllegalStateException refused = assertInstanceOf(IllegalStateException.class, full.getCause());
        assertEquals("too many pings outstanding (1024)", refused.getMessage());
        assertFalse(toY.isDone());
        assertEquals(0, waiting.stream().filter(CompletableFuture::isDone).count(), "the pings outstanding are kept");

        get(a.mesh().removePeer(y)); // its ping ends: one place free
        ExecutionException gone = assertThrows(ExecutionException.class, () -> toY.get(10, TimeUnit.SECONDS));
        assertEquals(MeshNode.PEER_REMOVED, gone.getCause().getMessage());
        PingResult answered = get(a.mesh().ping(b, Duration.ofSeconds(10)));
        assertEquals(PingResult.Setup.READY, answered.setup(), "the free place takes a ping, which is answered");

        waiting.add(a.mesh().ping(x, LONG)); // the answered ping is done: its place is taken again
        get(a.mesh().withEngine((engine, now) -> null));
        ExecutionException again = assertThrows(ExecutionException.class, () -> a.mesh().ping(b, LONG).get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, again.getCause());
        assertEquals(0, waiting.stream().filter(CompletableFuture::isDone).count());
    }
}
