package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.keymesh.testing.RecordingListener.ChannelClosed;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Channel#reset} between two nodes on 127.0.0.1: the peer hears the error code, and the number retires. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MeshNodeChannelResetTest {
    @AutoClose
    private final Loopback net = new Loopback();

    @Test
    void aResetReachesThePeerWithItsErrorCodeAndTheOtherDirectionStillWorks() {
        Loopback.Pair p = net.connectedPair(newNetworkKey());
        Node a = p.a();
        Node b = p.b();
        Channel ab = a.mesh().channel(b.publicKey(), 4);
        assertTrue(ab.send(bytes("before")));
        await("b has the first message", () -> b.events().messages(a.publicKey(), 4).size() == 1);

        ab.reset(7);
        await("b is told of the reset", () -> !b.events().channelsClosed.isEmpty());
        ChannelClosed closed = b.events().channelsClosed.peek();
        assertEquals(new ChannelClosed(a.publicKey(), 4, 7, closed.messagesBefore()), closed);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ab.send(bytes("after")));
        assertTrue(e.getMessage().endsWith("is reset"), e.getMessage());

        Channel ba = b.mesh().channel(a.publicKey(), 4);
        assertTrue(ba.send(bytes("back")));
        await("a has b's message", () -> a.events().messages(b.publicKey(), 4).size() == 1);
        assertEquals("back", new String(a.events().messages(b.publicKey(), 4).getFirst(), StandardCharsets.UTF_8));

        ba.close();
        await("channel 4 retired by both", () -> get(a.mesh().channelStats(b.publicKey())).channels() == 0
                && get(b.mesh().channelStats(a.publicKey())).channels() == 0);
        assertEquals(1, b.events().channelsClosed.size(), "one report");
        assertEquals(List.of(new ChannelClosed(b.publicKey(), 4, 0, 1)), List.copyOf(a.events().channelsClosed));
        assertEquals(0, a.mesh().channelHandles(b.publicKey()), "a forgot its reset handle");
    }

    @Test
    void aResetOfAFullChannelReachesThePeerAndReleasesWhatTheHandleHeld() {
        Loopback.Pair p = net.connectedPair(newNetworkKey());
        Node a = p.a();
        Node b = p.b();
        Channel ab = a.mesh().channel(b.publicKey(), 2);
        assertTrue(ab.send(bytes("first")));
        await("b has the first message", () -> b.events().messages(a.publicKey(), 2).size() == 1);
        int sent = 0;
        while (ab.send(new byte[256 << 10])) {
            sent++; // fill the channel: more than the connection takes at once
        }
        ab.reset(1);
        await("b is told of the reset", () -> !b.events().channelsClosed.isEmpty());
        assertEquals(1, b.events().channelsClosed.peek().errorCode());
        assertEquals(0, ab.queue.bytes(), "a's handle holds nothing");
        assertTrue(b.events().messages(a.publicKey(), 2).size() <= 1 + sent);
    }

    @Test
    void errorCodeZeroIsRefused() {
        Loopback.Pair p = net.pair(newNetworkKey());
        Channel c = p.a().mesh().channel(p.b().publicKey(), 0);
        assertThrows(IllegalArgumentException.class, () -> c.reset(0));
        assertThrows(IllegalArgumentException.class, () -> c.reset(-1));
    }

    /** Also when its messages are still queued in the handle (the connection has never seen the channel). */
    @Test
    void resettingAChannelNeverUsedTellsThePeerNothing() {
        Loopback.Pair p = net.connectedPair(newNetworkKey());
        Channel c = p.a().mesh().channel(p.b().publicKey(), 8);
        c.reset(3);
        await("a forgot the handle", () -> p.a().mesh().channelHandles(p.b().publicKey()) == 0);
        Channel d = p.a().mesh().channel(p.b().publicKey(), 10);
        assertTrue(d.send(bytes("x")));
        await("b has the later message", () -> p.b().events().messages(p.a().publicKey(), 10).size() == 1);
        assertEquals(List.of(), List.copyOf(p.b().events().channelsClosed));
        assertEquals(List.of(new io.keymesh.testing.RecordingListener.ChannelRef(p.a().publicKey(), 10)),
                List.copyOf(p.b().events().channelsOpened));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
