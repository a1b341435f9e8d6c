package io.keymesh.node;

import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.Loopback.stats;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MeshNode#ping} on loopback: the answer's path and round-trip time, a handshake started
 * when there is no session, the last-heard time it refreshes, and the ways a ping fails (not a
 * peer, a stock WireGuard peer, no answer, the peer removed, the node closed).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MeshNodePingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();

    @Test
    void aPingWithoutASessionStartsAHandshakeThenTheNextGoesAtOnce() {
        Loopback.Pair p = net.pair(network);
        Node a = p.a();
        Node b = p.b();
        assertEquals(-1, stats(a, b.publicKey()).lastReceivedAgoNanos(), "never heard from before the ping");

        PingResult first = get(a.mesh().ping(b.publicKey(), TIMEOUT));
        assertEquals(new PingResult(false, b.address(), null, first.rttNanos(), PingResult.Setup.HANDSHAKE), first);
        assertTrue(first.rttNanos() > 0, "rtt " + first.rttNanos());
        assertEquals(List.of(b.publicKey()), a.events().peersUp());

        for (int i = 0; i < 5; i++) {
            PingResult r = get(a.mesh().ping(b.publicKey(), TIMEOUT));
            assertEquals(PingResult.Setup.READY, r.setup());
            assertFalse(r.relayed());
            assertEquals(b.address(), r.address());
            assertNull(r.via());
            assertTrue(r.rttNanos() > 0, "rtt " + r.rttNanos());
        }
        PeerStats s = stats(a, b.publicKey());
        assertTrue(s.lastReceivedAgoNanos() >= 0 && s.lastReceivedAgoNanos() < TIMEOUT.toNanos(),
                "heard from a moment ago: " + s.lastReceivedAgoNanos());
        assertFalse(s.silent());
        assertEquals(0, s.datagramsSent(), "a ping is no datagram of the application's");
    }

    /**
     * The first handshake went nowhere (the peer was not running yet): a ping a second later starts
     * another at once rather than at WireGuard's next retry, 5 s after the first, and is answered
     * well within its 3 s timeout.
     */
    @Test
    void aPingDoesNotWaitForWireGuardsRetryOfALostHandshake() throws Exception {
        var bKey = newKey();
        Node a;
        int port;
        try (DatagramSocket absent = new DatagramSocket(0, Loopback.LOCALHOST)) {
            port = absent.getLocalPort();
            a = net.start(newKey(), network, List.of(PeerConfig.of(bKey.publicKey(), new InetSocketAddress(Loopback.LOCALHOST, port))));
            assertTrue(get(a.mesh().connect(bKey.publicKey())), "an initiation went out, to no one");
            Thread.sleep(1100);
        }
        Node b = net.start(bKey, network, port, List.of(PeerConfig.of(a.publicKey(), null)));
        PingResult r = get(a.mesh().ping(b.publicKey(), Duration.ofSeconds(3)));
        assertEquals(PingResult.Setup.HANDSHAKE, r.setup());
        assertEquals(b.address(), r.address());
    }

    @Test
    void theOtherSideAnswersBothWays() {
        Loopback.Pair p = net.connectedPair(network);
        PingResult r = get(p.b().mesh().ping(p.a().publicKey(), TIMEOUT));
        assertEquals(PingResult.Setup.READY, r.setup());
        assertEquals(p.a().address(), r.address());
    }

    @Test
    void aKeyThatIsNotAPeerIsRefused() {
        Node a = net.start(newKey(), network, List.of());
        PublicKey stranger = newKey().publicKey();
        IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, failure(a.mesh().ping(stranger, TIMEOUT)));
        assertEquals("not a peer of this node: " + stranger, e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.mesh().ping(stranger, Duration.ZERO));
    }

    @Test
    void aStockWireGuardPeerIsRefusedNamingWgping() {
        PublicKey wg = newKey().publicKey();
        Node a = net.start(newKey(), network, List.of(new PeerConfig(wg, new InetSocketAddress(Loopback.LOCALHOST, 9), 0, true)));
        IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, failure(a.mesh().ping(wg, TIMEOUT)));
        assertTrue(e.getMessage().contains("stock WireGuard peer") && e.getMessage().contains("keymesh wgping"), e.getMessage());
    }

    @Test
    void aPeerThatNeverAnswersTimesOutSayingNoSessionCameUp() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, Loopback.LOCALHOST)) {
            PublicKey peer = newKey().publicKey();
            Node a = net.start(newKey(), network, List.of(PeerConfig.of(peer, (InetSocketAddress) silent.getLocalSocketAddress())));
            TimeoutException e = assertInstanceOf(TimeoutException.class,
                    failure(a.mesh().ping(peer, Duration.ofMillis(300))));
            assertTrue(e.getMessage().startsWith("no session within ") && e.getMessage().endsWith("(no answer to the handshake)"),
                    e.getMessage());
        }
    }

    @Test
    void removingThePeerFailsItsPing() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, Loopback.LOCALHOST)) {
            PublicKey peer = newKey().publicKey();
            Node a = net.start(newKey(), network, List.of(PeerConfig.of(peer, (InetSocketAddress) silent.getLocalSocketAddress())));
            CompletableFuture<PingResult> ping = a.mesh().ping(peer, Duration.ofSeconds(30));
            assertTrue(get(a.mesh().removePeer(peer)));
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, failure(ping));
            assertEquals(MeshNode.PEER_REMOVED, e.getMessage());
        }
    }

    @Test
    void closingTheNodeFailsItsPings() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, Loopback.LOCALHOST)) {
            PublicKey peer = newKey().publicKey();
            Node a = net.start(newKey(), network, List.of(PeerConfig.of(peer, (InetSocketAddress) silent.getLocalSocketAddress())));
            CompletableFuture<PingResult> ping = a.mesh().ping(peer, Duration.ofSeconds(30));
            get(a.mesh().peerStats()); // the ping has started
            a.mesh().close();
            assertInstanceOf(IllegalStateException.class, failure(ping));
            assertInstanceOf(IllegalStateException.class, failure(a.mesh().ping(peer, TIMEOUT)));
        }
    }

    private static Throwable failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
        return e.getCause();
    }
}
