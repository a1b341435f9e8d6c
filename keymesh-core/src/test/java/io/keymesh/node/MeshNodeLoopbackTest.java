package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.drops;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.Loopback.stats;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.Aead;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.DropReason;
import io.keymesh.session.Peer;
import io.keymesh.session.SendPath;
import io.keymesh.session.SessionEngine;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.keymesh.testing.RecordingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MeshNode}s over real UDP on 127.0.0.1: datagrams between two and five nodes, a restarted
 * node found again by roaming, the {@link MeshNode#send} contract (bounds on what waits for the loop
 * included) and {@link MeshNode#close}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshNodeLoopbackTest {
    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();

    // ------------------------------------------------------------ exchange

    @Test
    void twoNodesExchangeDatagramsBothWays() {
        exchangeAllPairs(net.startMesh(network, 2), 300, 50, 2);
    }

    @Test
    void fiveNodesInAFullMeshExchangeDatagramsBothWays() {
        exchangeAllPairs(net.startMesh(network, 5), 100, 25, 5);
    }

    /** What a receiver should see: the sender and the bytes (by SHA-256), counted. */
    private record Received(PublicKey from, int length, String sha256) {}

    /**
     * Every node sends {@code perPair} datagrams to every other, all senders at once (one thread
     * each), in batches so that no socket buffer overflows; each batch must be delivered before the
     * next is sent. Then every datagram must have arrived exactly once, byte for byte, from its
     * sender, and every peer must have come up exactly once.
     */
    private void exchangeAllPairs(List<Node> nodes, int perPair, int batch, long seed) {
        int n = nodes.size();
        List<Map<Received, Integer>> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(new HashMap<>());
        }
        ExecutorService senders = Executors.newFixedThreadPool(n);
        try {
            for (int sent = 0; sent < perPair; sent += batch) {
                int first = sent;
                int count = Math.min(batch, perPair - sent);
                List<Future<List<Object[]>>> futures = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int sender = i;
                    futures.add(senders.submit(() -> sendBatch(nodes, sender, first, count, seed)));
                }
                for (Future<List<Object[]>> f : futures) {
                    for (Object[] sentTo : f.get(Loopback.TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                        expected.get((Integer) sentTo[0]).merge((Received) sentTo[1], 1, Integer::sum);
                    }
                }
                int deliveredSoFar = (sent + count) * (n - 1);
                for (int j = 0; j < n; j++) {
                    RecordingListener events = nodes.get(j).events();
                    int node = j;
                    await(() -> "node " + node + " to receive " + deliveredSoFar + " datagrams, got "
                            + events.datagramCount(), () -> events.datagramCount() >= deliveredSoFar);
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            senders.shutdownNow();
        }

        for (int j = 0; j < n; j++) {
            Node receiver = nodes.get(j);
            Map<Received, Integer> actual = new HashMap<>();
            for (RecordingListener.Datagram d : receiver.events().datagrams) {
                actual.merge(new Received(d.from(), d.data().length, sha256(d.data())), 1, Integer::sum);
            }
            assertEquals(perPair * (n - 1), receiver.events().datagramCount(), "datagrams at node " + j);
            assertEquals(expected.get(j), actual, "exactly the datagrams sent to node " + j + ", each once");
            for (int i = 0; i < n; i++) {
                if (i == j) {
                    continue;
                }
                Node peer = nodes.get(i);
                assertEquals(1, receiver.events().upCount(peer.publicKey()), "peer-up of " + i + " at " + j);
                PeerStats s = stats(receiver, peer.publicKey());
                assertTrue(s.up(), "node " + i + " up at " + j);
                assertEquals(perPair, s.datagramsSent(), "datagrams sent by " + j + " to " + i);
                assertEquals(perPair, s.datagramsReceived(), "datagrams received by " + j + " from " + i);
                assertEquals(peer.address(), s.endpoint(), "endpoint of " + i + " at " + j);
            }
            assertEquals(n - 1, receiver.events().peersUp().size(), "peer-up events at node " + j);
            assertEquals(List.of(), receiver.events().peersDown(), "peer-down events at node " + j);
            assertEquals(List.of(), receiver.events().endpointChanges(),
                    "endpoint changes at node " + j + " (every peer was configured at its real address)");
        }
    }

    /** Sends datagrams {@code first..first+count) from node {@code i} to every other; returns {receiver, Received}. */
    private static List<Object[]> sendBatch(List<Node> nodes, int i, int first, int count, long seed) {
        List<Object[]> sent = new ArrayList<>();
        Node from = nodes.get(i);
        for (int k = first; k < first + count; k++) {
            for (int j = 0; j < nodes.size(); j++) {
                if (j == i) {
                    continue;
                }
                byte[] data = payload(seed, i, j, k);
                assertTrue(from.mesh().send(nodes.get(j).publicKey(), data), "send accepted");
                sent.add(new Object[] {j, new Received(from.publicKey(), data.length, sha256(data))});
            }
        }
        return sent;
    }

    /** Datagram {@code k} from {@code i} to {@code j}: sizes from empty to 9,000 bytes, random contents. */
    private static byte[] payload(long seed, int i, int j, int k) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i * 10_007L + j * 101L + k);
        int length = switch (k % 10) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 1400;
            case 3 -> 9000;
            default -> r.nextInt(1, 1500);
        };
        byte[] b = new byte[length];
        r.nextBytes(b);
        return b;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------ roaming

    @Test
    void aNodeRestartedOnANewPortIsFoundAgainByRoamingOnceItSpeaks() throws IOException {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        PrivateKey keyB = b.key();
        b.mesh().send(a.publicKey(), bytes("b1"));
        await("a receives b1", () -> a.events().datagramCount() == 1);
        a.mesh().send(b.publicKey(), bytes("a1"));
        await("b receives a1", () -> b.events().datagramCount() == 1);

        // WireGuard accepts an initiation only if its TAI64N timestamp is newer than the last one
        // (whitened to ~16.8 ms) and at most one per 20 ms: a real restart takes longer than both,
        // and so must this one.
        long handshakeDone = System.nanoTime();
        await("30 ms since b's handshake", () -> System.nanoTime() - handshakeDone > 30_000_000L);

        InetSocketAddress oldB = b.address();
        b.mesh().close();
        // Hold b's old port, so that the new b cannot get it and a's packets to it are seen.
        DatagramChannel oldPort = net.track(DatagramChannel.open(java.net.StandardProtocolFamily.INET).bind(oldB));
        oldPort.configureBlocking(false);

        a.mesh().send(b.publicKey(), bytes("a2, lost"));
        ByteBuffer rx = ByteBuffer.allocate(65535);
        await("a's datagram reaches b's old address", () -> receiveOne(oldPort, rx));

        Node b2 = net.start(keyB, network, List.of(a.asPeer())); // the same configuration, a new port
        assertNotEquals(oldB, b2.address());
        assertEquals(List.of(), a.events().endpointChanges(), "a has not heard from the new b yet");

        b2.mesh().send(a.publicKey(), bytes("b2"));
        await("a receives b2 from the restarted b", () -> a.events().datagramCount() == 2);
        assertEquals(List.of(new RecordingListener.EndpointChange(keyB.publicKey(), b2.address())),
                a.events().endpointChanges(), "a followed b to its new port");
        assertEquals(b2.address(), stats(a, keyB.publicKey()).endpoint());

        a.mesh().send(b.publicKey(), bytes("a3"));
        await("the restarted b receives a3", () -> b2.events().datagramCount() == 1);
        b2.mesh().send(a.publicKey(), bytes("b3"));
        await("a receives b3", () -> a.events().datagramCount() == 3);

        assertEquals(List.of("b1", "b2", "b3"), strings(a.events().from(keyB.publicKey())));
        assertEquals(List.of("a3"), strings(b2.events().from(a.publicKey())));
        assertEquals(1, b2.events().upCount(a.publicKey()), "the restarted b's session with a");
        assertEquals(1, a.events().upCount(keyB.publicKey()), "a never saw b down, so b is up once");
        Map<DropReason, Long> aDrops = drops(a);
        assertFalse(aDrops.containsKey(DropReason.STALE_TIMESTAMP), "the new b's initiation was accepted: " + aDrops);
        assertFalse(aDrops.containsKey(DropReason.INITIATION_FLOOD), "the new b's initiation was accepted: " + aDrops);
        assertFalse(receiveOne(oldPort, rx), "nothing more went to b's old address after it moved");
    }

    private static boolean receiveOne(DatagramChannel ch, ByteBuffer rx) {
        try {
            rx.clear();
            return ch.receive(rx) != null;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> strings(List<byte[]> datagrams) {
        return datagrams.stream().map(d -> new String(d, StandardCharsets.UTF_8)).toList();
    }

    // ------------------------------------------------------------ the send contract

    @Test
    void sendingToANonPeerThrowsNamingTheKey() {
        Node a = net.start(newKey(), network, List.of());
        PublicKey stranger = newKey().publicKey();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> a.mesh().send(stranger, bytes("hello")));
        assertEquals("not a peer of this node: " + stranger, e.getMessage());
        assertEquals(0, a.mesh().sendsRefused());
        assertEquals(Map.of(), drops(a), "nothing reached the session layer");
    }

    @Test
    void aDatagramLongerThanTheMaximumIsRefused() {
        PublicKey peer = newKey().publicKey();
        Node a = net.start(newKey(), network, List.of(PeerConfig.of(peer, null)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.mesh().send(peer, new byte[MeshNode.MAX_DATAGRAM_LENGTH + 1]));
        assertEquals("datagram of " + (MeshNode.MAX_DATAGRAM_LENGTH + 1) + " bytes; at most "
                + MeshNode.MAX_DATAGRAM_LENGTH, e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.mesh().send(peer, new byte[4], 0, -1));
        assertEquals(Map.of(), drops(a), "nothing reached the session layer");
    }

    @Test
    void aMaximumSizeDatagramIsDeliveredIntactBothWays() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        SplittableRandom r = new SplittableRandom(65_455);
        byte[] big = new byte[MeshNode.MAX_DATAGRAM_LENGTH];
        r.nextBytes(big);
        byte[] big2 = new byte[MeshNode.MAX_DATAGRAM_LENGTH];
        r.nextBytes(big2);
        assertTrue(a.mesh().send(b.publicKey(), big));
        await("b receives the largest datagram", () -> b.events().datagramCount() == 1);
        assertTrue(b.mesh().send(a.publicKey(), big2));
        await("a receives the largest datagram", () -> a.events().datagramCount() == 1);
        assertArrayEquals(big, b.events().from(a.publicKey()).getFirst());
        assertArrayEquals(big2, a.events().from(b.publicKey()).getFirst());
    }

    @Test
    void sendIsRefusedBeyondMaxPendingSendsAndAcceptedWorkIsNotLost() {
        // A stock WireGuard peer with no endpoint is not sought: every send reaching the engine is counted NO_ENDPOINT.
        PublicKey peer = newKey().publicKey();
        Node a = net.start(newKey(), network, List.of(new PeerConfig(peer, null, 0, true)));
        byte[] data = bytes("queued");
        CountDownLatch release = blockLoop(a);
        try {
            for (int i = 0; i < MeshNode.MAX_PENDING_SENDS; i++) {
                assertTrue(a.mesh().send(peer, data), "send " + i + " of " + MeshNode.MAX_PENDING_SENDS);
            }
            assertFalse(a.mesh().send(peer, data), "one more than MAX_PENDING_SENDS");
            assertEquals(1, a.mesh().sendsRefused());
        } finally {
            release.countDown();
        }
        assertEquals(Map.of(DropReason.NO_ENDPOINT, (long) MeshNode.MAX_PENDING_SENDS), drops(a),
                "every accepted send reached the session layer");
        assertTrue(a.mesh().send(peer, data), "accepted again once the queue drained");
        assertEquals(Map.of(DropReason.NO_ENDPOINT, MeshNode.MAX_PENDING_SENDS + 1L), drops(a));
    }

    @Test
    void sendIsRefusedBeyondMaxPendingSendBytesAndAcceptedWorkIsNotLost() {
        // A stock WireGuard peer with no endpoint is not sought: every send reaching the engine is counted NO_ENDPOINT.
        PublicKey peer = newKey().publicKey();
        Node a = net.start(newKey(), network, List.of(new PeerConfig(peer, null, 0, true)));
        byte[] large = new byte[60_000];
        int beyondTheBound = MeshNode.MAX_PENDING_SEND_BYTES / large.length + 1;
        int accepted = 0;
        CountDownLatch release = blockLoop(a);
        try {
            while (accepted <= beyondTheBound && a.mesh().send(peer, large)) {
                accepted++;
            }
            assertEquals(1, a.mesh().sendsRefused(), "refused once " + accepted + " datagrams of "
                    + large.length + " bytes were queued");
            assertTrue(accepted < beyondTheBound, "at most MAX_PENDING_SEND_BYTES queued: " + accepted);
            assertTrue(accepted >= MeshNode.MAX_PENDING_SEND_BYTES / (large.length + 100),
                    "refused only at the bound: " + accepted);
        } finally {
            release.countDown();
        }
        assertEquals(Map.of(DropReason.NO_ENDPOINT, (long) accepted), drops(a),
                "every accepted send reached the session layer");
        assertTrue(a.mesh().send(peer, large), "accepted again once the queue drained");
    }

    @Test
    void aSendWithABadArrayRangeThrowsAndDoesNotUseUpThePendingBudget() {
        PublicKey peer = newKey().publicKey();
        Node a = net.start(newKey(), network, List.of(PeerConfig.of(peer, null)));
        assertThrows(IndexOutOfBoundsException.class, () -> a.mesh().send(peer, new byte[10], 5, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> a.mesh().send(peer, new byte[10], -1, 2));
        CountDownLatch release = blockLoop(a);
        try {
            for (int i = 0; i < MeshNode.MAX_PENDING_SENDS; i++) {
                assertTrue(a.mesh().send(peer, new byte[1]), "send " + i + " of " + MeshNode.MAX_PENDING_SENDS);
            }
        } finally {
            release.countDown();
        }
        assertEquals(0, a.mesh().sendsRefused());
    }

    /** Holds {@code n}'s loop thread until the returned latch is released, so sends queue up. */
    private static CountDownLatch blockLoop(Node n) {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        n.mesh().withEngine((engine, now) -> {
            entered.countDown();
            try {
                release.await(Loopback.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        try {
            assertTrue(entered.await(Loopback.TIMEOUT.toSeconds(), TimeUnit.SECONDS), "loop thread blocked");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return release;
    }

    // ------------------------------------------------------------ close

    @Test
    void closeIsIdempotentAndFreesThePort() throws IOException {
        PrivateKey key = newKey();
        Node a = net.start(key, network, List.of(PeerConfig.of(newKey().publicKey(), null)));
        int port = a.address().getPort();
        String loopThread = "keymesh-udp-" + port;
        assertTrue(threadAlive(loopThread));
        UncheckedIOException inUse =
                assertThrows(UncheckedIOException.class, () -> net.start(newKey(), network, port, List.of()));
        assertTrue(inUse.getMessage().startsWith("cannot bind UDP ") && inUse.getMessage().contains(":" + port), inUse.getMessage());
        PublicKey peerKey = a.mesh().peerStats().join().get(0).publicKey();
        a.mesh().close();
        a.mesh().close();
        assertFalse(threadAlive(loopThread), "the loop thread ended");
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> a.mesh().send(peerKey, new byte[1]), "a closed node accepts nothing it would lose");
        assertEquals("node is closed", closed.getMessage());

        Node again = net.start(key, network, port, List.of());
        assertEquals(port, again.address().getPort(), "a new node binds the closed node's port");
        again.mesh().close();
        again.mesh().close();
        try (DatagramChannel plain = DatagramChannel.open(java.net.StandardProtocolFamily.INET)) {
            plain.bind(new InetSocketAddress(Loopback.LOCALHOST, port)); // throws if still bound
        }
    }

    /**
     * A closed node leaves no session behind: every peer's keypairs are gone (their keys zeroed), and
     * the route that lets other threads encrypt and send with them is withdrawn.
     */
    @Test
    void closeZeroesEverySessionAndWithdrawsItsSendRoute() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        assertTrue(a.mesh().send(b.publicKey(), "hello".getBytes(StandardCharsets.UTF_8)));
        await("b has a's datagram", () -> b.events().datagramCount() == 1);
        Peer toB = get(a.mesh().withEngine((engine, now) -> engine.peer(b.publicKey())));
        boolean session = get(a.mesh().withEngine((engine, now) -> toB.hasSession(now)));
        assertTrue(session);
        assertNotEquals(SendPath.Result.DECLINED, sendThrough(toB), "the route is published while the node runs");

        a.mesh().close(); // the loop thread has ended: what it wrote is visible here
        assertEquals(SendPath.Result.DECLINED, sendThrough(toB), "withdrawn: no thread seals with the session's keys");
        assertFalse(toB.hasSession(System.nanoTime()), "the keypairs are gone");
    }

    /** Sends 16 bytes through {@code peer}'s send path, to nowhere. */
    private static SendPath.Result sendThrough(Peer peer) {
        byte[] buf = new byte[SessionEngine.SEND_HEADROOM + 16 + 64];
        return peer.sendPath().send(System.nanoTime(), buf, SessionEngine.SEND_HEADROOM, 16, Aead.jdk(),
                (to, packet, off, len) -> { });
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
