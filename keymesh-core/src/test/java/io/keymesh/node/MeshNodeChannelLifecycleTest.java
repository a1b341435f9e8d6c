package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.node.MeshNodeChannelLoopbackTest.LossyRelay;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.RecordingListener.ChannelsLost;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node's channel bookkeeping over a connection's life, on real UDP on 127.0.0.1: which channel
 * numbers it refuses after a peer restarts, what it reports when a peer is removed or the node
 * closes, and which handles it keeps.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshNodeChannelLifecycleTest {
    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();
    private final java.util.Map<Node, LossyRelay> relays = new java.util.HashMap<>();

    /**
     * b used channel 0 and both sides finished it (retired: a refuses the number), then b crashed
     * (its CONNECTION_CLOSE never reaches a) and came back with the same key. a's connection, with
     * no channel open, starts over without a loss to report; the new connection has retired
     * nothing, so channel 0 is a's to use again and carries messages both ways.
     */
    @Test
    void afterAQuietRestartOfThePeerARetiredNumberIsUsableAgain() {
        PrivateKey keyB = newKey();
        Node a = net.start(newKey(), network, List.of());
        LossyRelay relay = net.track(new LossyRelay(a.address(), 1, 0, 0, 0));
        Node b = net.start(keyB, network, List.of(PeerConfig.of(a.publicKey(), relay.address())));
        get(a.mesh().addPeer(PeerConfig.of(keyB.publicKey(), null)));

        Channel bOld = b.mesh().channel(a.publicKey(), 0);
        exchange(b, bOld, a, 0, 3);
        bOld.close();
        await("a is told b closed channel 0", () -> !a.events().channelsClosed.isEmpty());
        a.mesh().channel(keyB.publicKey(), 0).close();
        await("channel 0 retired by both", () -> get(a.mesh().channelStats(keyB.publicKey())).channels() == 0
                && get(b.mesh().channelStats(a.publicKey())).channels() == 0);
        assertThrows(IllegalArgumentException.class, () -> a.mesh().channel(keyB.publicKey(), 0),
                "retired on the current connection");
        awaitHandshakeAgeAbove30Ms();

        relay.cut = true; // b dies: nothing it sends from now on reaches a
        b.mesh().close();
        Node b2 = net.start(keyB, network, List.of(a.asPeer())); // a new port, straight to a
        Channel bNew = b2.mesh().channel(a.publicKey(), 0);
        exchange(b2, bNew, a, 3, 2);
        assertEquals(1, get(a.mesh().channelStats(keyB.publicKey())).connectionResets());
        assertEquals(List.of(), List.copyOf(a.events().channelsLost), "no channel was open: nothing to report");

        Channel aNew = a.mesh().channel(keyB.publicKey(), 0); // refused before: a kept the old connection's numbers
        exchange(a, aNew, b2, 0, 2);
        assertEquals(numbered(0, 5), strings(a.events().messages(keyB.publicKey(), 0)));
        assertEquals(numbered(0, 2), strings(b2.events().messages(a.publicKey(), 0)));
        assertEquals(List.of(), List.copyOf(b2.events().channelsLost));
    }

    // ------------------------------------------------------------ which handles the node keeps

    /**
     * The connection to b is lost (b restarted) while a's channel 1 holds a full queue and channel 2
     * is open: a forgets both handles and drops what they held; the numbers give new handles that
     * work on the new connection.
     */
    @Test
    void aLostConnectionsHandlesAreDroppedWithTheMessagesTheyHeld() {
        Node[] n = pairThroughRelay();
        Node a = n[0];
        Node b = n[1];
        PrivateKey keyB = b.key();
        Channel ch1 = a.mesh().channel(b.publicKey(), 1);
        exchange(a, ch1, b, 0, 3);
        Channel ch2 = a.mesh().channel(b.publicKey(), 2);
        exchange(a, ch2, b, 0, 1);
        awaitHandshakeAgeAbove30Ms();
        relay(a).cut = true;
        fillUntilHeld(a, ch1);
        assertTrue(ch1.queue.bytes() > 0);
        assertEquals(2, a.mesh().channelHandles(b.publicKey()));

        b.mesh().close(); // its CONNECTION_CLOSE is cut off
        Node b2 = net.start(keyB, network, List.of(a.asPeer()));
        exchange(b2, b2.mesh().channel(a.publicKey(), 5), a, 0, 1);
        await("a is told the peer restarted", () -> !a.events().channelsLost.isEmpty());
        assertEquals(List.of(new ChannelsLost(keyB.publicKey(), "the peer restarted")), List.copyOf(a.events().channelsLost));
        assertEquals("the peer restarted", ch1.lostReason());
        assertEquals("the peer restarted", ch2.lostReason());
        assertEquals(0, a.mesh().channelHandles(keyB.publicKey()), "lost handles are forgotten");
        assertTrue(ch1.queue.isEmpty(), "and what they held is released");
        assertEquals(0, ch1.queue.bytes());

        Channel again = a.mesh().channel(keyB.publicKey(), 1);
        assertNotSame(ch1, again);
        exchange(a, again, b2, 10, 2);
        assertEquals(numbered(10, 2), strings(b2.events().messages(a.publicKey(), 1)));
        assertEquals(1, a.mesh().channelHandles(keyB.publicKey()));
    }

    /**
     * A handle closed before it carried anything never reaches the connection, so it never
     * retires: the node forgets it at once, and the number (never used) gives a new handle.
     */
    @Test
    void aHandleClosedBeforeItCarriedAnythingIsForgotten() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        Channel unused = a.mesh().channel(b.publicKey(), 4);
        unused.close();
        await("a forgets the closed handle", () -> a.mesh().channelHandles(b.publicKey()) == 0);

        Channel ch = a.mesh().channel(b.publicKey(), 4);
        assertNotSame(unused, ch);
        exchange(a, ch, b, 0, 2);
        assertEquals(numbered(0, 2), strings(b.events().messages(a.publicKey(), 4)));
        assertEquals(1, a.mesh().channelHandles(b.publicKey()));
        assertEquals(List.of(), List.copyOf(a.events().channelsLost));
    }

    // ------------------------------------------------------------ removal and close

    /**
     * a's channel to b is stuck (the path to b went dark) and full: an application waiting for
     * {@link NodeListener#onChannelWritable} must learn that it will not come. Removing b reports
     * the channels lost and the peer down, as a lost connection and an expired session would.
     */
    @Test
    void removingAPeerReportsItsChannelsLostAndThePeerDown() {
        Node[] n = pairThroughRelay();
        Node a = n[0];
        Node b = n[1];
        Channel ch = a.mesh().channel(b.publicKey(), 1);
        exchange(a, ch, b, 0, 3);
        relay(a).cut = true;
        fillUntilHeld(a, ch);

        assertTrue(get(a.mesh().removePeer(b.publicKey())));
        await("a reports the removal", () -> !a.events().channelsLost.isEmpty() && !a.events().peersDown().isEmpty());
        assertEquals(List.of(new ChannelsLost(b.publicKey(), "peer removed")), List.copyOf(a.events().channelsLost));
        assertEquals(List.of(b.publicKey() + ": peer removed"), a.events().peersDown());
        assertEquals("peer removed", ch.lostReason());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ch.send(bytes("late")));
        assertEquals("channel 1 to " + b.publicKey() + " is lost: peer removed", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.mesh().channel(b.publicKey(), 1), "not a peer any more");
        assertTrue(ch.queue.isEmpty(), "the messages the lost handle held are released");
        assertEquals(0, ch.queue.bytes());

        get(a.mesh().addPeer(b.asPeer())); // back, straight to b this time
        Channel again = a.mesh().channel(b.publicKey(), 1);
        assertNotSame(ch, again);
        exchange(a, again, b, 3, 2);
        assertEquals(numbered(0, 5), strings(b.events().messages(a.publicKey(), 1)));
    }

    /** A peer with a session but no channel: its removal reports the peer down, and no channel loss. */
    @Test
    void removingAPeerWithoutChannelsReportsOnlyThePeerDown() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        assertTrue(a.mesh().send(b.publicKey(), bytes("hello")));
        await("b has a's datagram", () -> b.events().datagramCount() == 1);
        await("a saw b up", () -> a.events().upCount(b.publicKey()) == 1);

        assertTrue(get(a.mesh().removePeer(b.publicKey())));
        assertEquals(List.of(b.publicKey() + ": peer removed"), a.events().peersDown());
        assertEquals(List.of(), List.copyOf(a.events().channelsLost));
        assertFalse(get(a.mesh().removePeer(b.publicKey())), "removed once");
        assertEquals(1, a.events().peersDown().size(), "reported once");
    }

    /** Closing a node is the application's own doing: its listener hears no loss and no peer down. */
    @Test
    void closingANodeReportsNothingToItsOwnListener() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        exchange(a, a.mesh().channel(b.publicKey(), 1), b, 0, 3);

        a.mesh().close();
        await("b is told a closed", () -> !b.events().channelsLost.isEmpty());
        assertEquals(List.of(), List.copyOf(a.events().channelsLost));
        assertEquals(List.of(), a.events().peersDown());
    }

    // ------------------------------------------------------------ helpers

    /** a and b, where a reaches b through a {@link LossyRelay} (see {@link #relay}) and b answers through it. */
    private Node[] pairThroughRelay() {
        Node b = net.start(newKey(), network, List.of());
        LossyRelay relay = net.track(new LossyRelay(b.address(), 2, 0, 0, 0));
        Node a = net.start(newKey(), network, List.of(PeerConfig.of(b.publicKey(), relay.address())));
        get(b.mesh().addPeer(PeerConfig.of(a.publicKey(), null)));
        relays.put(a, relay);
        return new Node[] {a, b};
    }

    /** The relay between {@code a} and its peer, from {@link #pairThroughRelay}. */
    private LossyRelay relay(Node a) {
        return relays.get(a);
    }

    /**
     * Sends 64 KiB messages on {@code ch} until its connection takes no more (its path is cut:
     * nothing is acknowledged) and the channel itself holds messages, after {@code from}'s loop has
     * moved into the connection all it would take.
     */
    static void fillUntilHeld(Node from, Channel ch) {
        byte[] m = new byte[64 * 1024];
        for (int i = 0; i < 4000; i++) {
            if (!ch.send(m)) {
                get(from.mesh().withEngine((engine, now) -> null)); // queued behind the channel's drain
                if (ch.queue.bytes() > 0) {
                    return;
                }
            }
        }
        throw new AssertionError(ch + " took 256 MiB without holding any");
    }


    /** Sends {@code count} numbered text messages on {@code ch} and waits until {@code to} has them. */
    static void exchange(Node from, Channel ch, Node to, int first, int count) {
        RecordingListener events = to.events();
        int target = events.messageCount() + count;
        for (int i = first; i < first + count; i++) {
            assertTrue(ch.send(bytes("message " + i)), "a few short messages fit in an empty channel");
        }
        await(() -> "node " + to.address().getPort() + " to have " + target + " messages, has " + events.messageCount(),
                () -> events.messageCount() >= target);
    }

    static void awaitHandshakeAgeAbove30Ms() {
        // WireGuard takes a new initiation from a key only with a newer TAI64N timestamp (whitened
        // to ~16.8 ms) and at most one per 20 ms: a real restart takes longer than both.
        long t = System.nanoTime();
        await("30 ms since the handshake", () -> System.nanoTime() - t > 30_000_000L);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> strings(List<byte[]> messages) {
        return messages.stream().map(m -> new String(m, StandardCharsets.UTF_8)).toList();
    }

    static List<String> numbered(int first, int count) {
        return java.util.stream.IntStream.range(first, first + count).mapToObj(i -> "message " + i).toList();
    }
}
