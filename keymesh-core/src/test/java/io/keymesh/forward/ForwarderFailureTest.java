package io.keymesh.forward;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.PeerConfig;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.RecordingListener.ChannelClosed;
import io.keymesh.testing.TestKeys;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What ends forwarded connections other than a clean close, on two nodes on 127.0.0.1: TCP resets
 * each way, refusals (nothing listening, a service not listed, a key not allowed, another protocol
 * version), the peer node closing, and a peer that breaks the protocol.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForwarderFailureTest {
    @AutoClose
    private final ForwardWorld w = new ForwardWorld();


    // ------------------------------------------------------------------ resets

    @Test
    void aClientsResetReachesTheServerAsAReset() throws Exception {
        ConcurrentLinkedQueue<String> serverSaw = new ConcurrentLinkedQueue<>();
        CountDownLatch connected = new CountDownLatch(1);
        ForwardWorld.TestServer server = w.server(s -> {
            s.getOutputStream().write('x');
            connected.countDown();
            serverSaw.add(ForwardWorld.endsWithReset(s) ? "reset" : "end");
        });
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(Service.of("svc", server.address()))),
                x -> ForwardingConfig.DEFAULT);
        Socket client = w.connect(w.forward("svc"));
        assertEquals('x', client.getInputStream().read());
        assertTrue(connected.await(20, TimeUnit.SECONDS));
        Sockets.reset(client);
        await("the server saw the connection end", () -> !serverSaw.isEmpty());
        assertEquals(List.of("reset"), List.copyOf(serverSaw));
        await("both sides forgot it", () -> w.a.tableSize() == 0 && w.b.tableSize() == 0);
        assertEquals(1, w.a.stats().connectionsReset());
        assertEquals(1, w.b.stats().connectionsReset());
        assertEquals(0, w.a.stats().connectionsActive() + w.b.stats().connectionsActive());
    }

    @Test
    void aServersResetReachesTheClientAsAReset() throws Exception {
        ForwardWorld.TestServer server = w.server(s -> {
            s.getOutputStream().write('x');
            s.getInputStream().read(); // the client's go
            Sockets.reset(s);
        });
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(Service.of("svc", server.address()))),
                x -> ForwardingConfig.DEFAULT);
        Socket client = w.connect(w.forward("svc"));
        assertEquals('x', client.getInputStream().read());
        client.getOutputStream().write('g');
        assertTrue(ForwardWorld.endsWithReset(client), "the client's read fails with a reset");
        await("both sides forgot it", () -> w.a.tableSize() == 0 && w.b.tableSize() == 0);
        assertEquals(1, w.a.stats().connectionsReset());
        assertEquals(1, w.b.stats().connectionsReset());
    }

    // ------------------------------------------------------------------ refusals

    private void assertRefused(RefuseReason reason, Socket client) {
        assertTrue(ForwardWorld.endsWithReset(client), "the local connection is reset");
        await("refusal counted on both sides", () -> w.a.stats().refused(reason) == 1 && w.b.stats().refused(reason) == 1);
        assertEquals(Map.of(reason, 1L), w.a.stats().refusedBy());
        assertEquals(Map.of(reason, 1L), w.b.stats().refusedBy());
        await("both sides forgot it", () -> w.a.tableSize() == 0 && w.b.tableSize() == 0);
        assertEquals(0, w.a.stats().connectionsOpened() + w.b.stats().connectionsOpened());
        assertEquals(0, w.a.stats().connectionsActive() + w.b.stats().connectionsActive());
    }

    @Test
    void aTargetWithNothingListeningIsRefused() {
        int port = ForwardWorld.closedPort();
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(Service.of("db", ForwardWorld.local(port)))),
                x -> ForwardingConfig.DEFAULT);
        assertRefused(RefuseReason.CONNECTION_REFUSED, w.connect(w.forward("db")));
    }

    @Test
    void aServiceNotListedIsRefused() {
        ForwardWorld.TestServer server = w.server(s -> s.getOutputStream().write('x'));
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(Service.of("db", server.address()))),
                x -> ForwardingConfig.DEFAULT);
        assertRefused(RefuseReason.UNKNOWN_SERVICE, w.connect(w.forward("secret")));
        assertEquals(0, server.accepted.size());
    }

    @Test
    void aKeyNotAllowedIsRefusedAndAnAllowedOneIsNot() throws Exception {
        ForwardWorld.TestServer server = w.server(s -> s.getOutputStream().write('x'));
        PublicKey someoneElse = TestKeys.newKey().publicKey();
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(
                        new Service("db", server.address(), Set.of(someoneElse)),
                        new Service("web", server.address(), Set.of(someoneElse, x.a())))),
                x -> ForwardingConfig.DEFAULT);
        assertRefused(RefuseReason.NOT_ALLOWED, w.connect(w.forward("db")));
        assertEquals(0, server.accepted.size());
        Socket ok = w.connect(w.forward("web"));
        assertEquals('x', ok.getInputStream().read());
    }

    // ------------------------------------------------------------------ the peer

    @Test
    void thePeerNodeClosingEndsItsForwardedConnections() throws Exception {
        ForwardWorld.TestServer server = w.server(s -> {
            s.getOutputStream().write('x');
            s.getInputStream().readAllBytes();
        });
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(Service.of("svc", server.address()))),
                x -> ForwardingConfig.DEFAULT);
        LocalForward f = w.forward("svc");
        Socket one = w.connect(f);
        Socket two = w.connect(f);
        assertEquals('x', one.getInputStream().read());
        assertEquals('x', two.getInputStream().read());
        w.nodeB.close(); // its CONNECTION_CLOSE tells a's node: the channels are lost
        assertTrue(ForwardWorld.endsWithReset(one));
        assertTrue(ForwardWorld.endsWithReset(two));
        await("a forgot both", () -> w.a.tableSize() == 0 && w.a.stats().connectionsActive() == 0);
        assertEquals(2, w.a.stats().connectionsReset());
    }

    @Test
    void aPeerThatIsNotAPeerOfTheNodeEndsTheConnectionAtOnce() {
        w.start(x -> ForwardingConfig.DEFAULT, x -> ForwardingConfig.DEFAULT);
        LocalForward f;
        try {
            f = w.a.addForward(new LocalForward(new java.net.InetSocketAddress(Loopback.LOCALHOST, 0),
                    TestKeys.newKey().publicKey(), "db"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertTrue(ForwardWorld.endsWithReset(w.connect(f)));
        await("forgotten", () -> w.a.tableSize() == 0);
        assertEquals(1, w.a.stats().connectionsReset());
    }

    // ------------------------------------------------------------------ a peer breaking the protocol

    /** A plain node with a recording listener, a peer of b. */
    private Loopback.Node rawPeerOfB() {
        Loopback.Node raw = w.net.start(TestKeys.newKey(), w.network, List.of(PeerConfig.of(w.b(), w.nodeB.localAddress())));
        get(w.nodeB.addPeer(raw.asPeer()));
        return raw;
    }

    /** A channel number the raw node may pick towards b (b picks the other parity). */
    private static long rawChannel(Loopback.Node raw, PublicKey b, int n) {
        int parity = java.util.Arrays.compareUnsigned(raw.publicKey().toBytes(), b.toBytes()) < 0 ? 0 : 1;
        return 2L * n + parity;
    }

    @Test
    void aFirstMessageThatIsNoneIsResetAndCounted() {
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(Service.of("db", ForwardWorld.local(1)))),
                x -> ForwardingConfig.DEFAULT);
        Loopback.Node raw = rawPeerOfB();
        long id = rawChannel(raw, w.b(), 0);
        assertTrue(raw.mesh().channel(w.b(), id).send(new byte[] {1, 2, 3}));
        await("b reset the channel", () -> !raw.events().channelsClosed.isEmpty());
        ChannelClosed c = raw.events().channelsClosed.peek();
        assertEquals(ForwardedConnection.RESET_PROTOCOL, c.errorCode());
        assertEquals(1, w.b.stats().malformedMessages());
    }

    @Test
    void aPeerSendingBeyondItsWindowIsResetAndCounted() {
        ForwardWorld.TestServer server = w.server(s -> s.getInputStream().readAllBytes());
        int window = ForwardingConfig.MIN_WINDOW;
        w.start(x -> ForwardingConfig.DEFAULT.withWindow(window).withServices(List.of(Service.of("db", server.address()))),
                x -> ForwardingConfig.DEFAULT);
        Loopback.Node raw = rawPeerOfB();
        long id = rawChannel(raw, w.b(), 0);
        Channel ch = raw.mesh().channel(w.b(), id);
        assertTrue(ch.send(new ForwardMessage.Open(1 << 20, ForwardMessage.KIND_SERVICE, "db").encode()));
        await("accepted", () -> !raw.events().messages(w.b(), id).isEmpty());
        assertEquals(new ForwardMessage.Accept(window), ForwardMessage.decode(raw.events().messages(w.b(), id).getFirst()));
        byte[] tooMuch = new byte[window + 1]; // one byte more than granted
        assertTrue(ch.send(ForwardMessage.data(tooMuch, 0, tooMuch.length)));
        await("b reset the channel", () -> !raw.events().channelsClosed.isEmpty());
        assertEquals(ForwardedConnection.RESET_PROTOCOL, raw.events().channelsClosed.peek().errorCode());
        assertEquals(1, w.b.stats().malformedMessages());
        await("b closed the server connection", () -> w.b.stats().connectionsActive() == 0);
        assertTrue(w.b.stats().bufferedBytes() == 0);
    }

    @Test
    void anotherProtocolVersionIsRefusedWithItsReason() {
        w.start(x -> ForwardingConfig.DEFAULT, x -> ForwardingConfig.DEFAULT);
        Loopback.Node raw = rawPeerOfB();
        long id = rawChannel(raw, w.b(), 0);
        byte[] open = new ForwardMessage.Open(1 << 20, ForwardMessage.KIND_SERVICE, "db").encode();
        open[4] = 2;
        assertTrue(raw.mesh().channel(w.b(), id).send(open));
        await("answered", () -> !raw.events().messages(w.b(), id).isEmpty());
        ForwardMessage answer = ForwardMessage.decode(raw.events().messages(w.b(), id).getFirst());
        assertEquals(new ForwardMessage.Refuse(RefuseReason.UNSUPPORTED_VERSION, "this node speaks version 1"), answer);
        await("and closed", () -> !raw.events().channelsClosed.isEmpty());
        assertEquals(0, raw.events().channelsClosed.peek().errorCode());
    }

    @Test
    void theNodesOwnChannelNumbersAreNotTakenFromPeers() {
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(Service.of("db", ForwardWorld.local(1)))),
                x -> ForwardingConfig.DEFAULT);
        Loopback.Node raw = rawPeerOfB();
        long bsNumber = rawChannel(raw, w.b(), 0) ^ 1;
        assertTrue(raw.mesh().channel(w.b(), bsNumber).send(new ForwardMessage.Open(1 << 20, ForwardMessage.KIND_SERVICE, "db").encode()));
        await("counted as stray", () -> w.b.stats().strayMessages() == 1);
        assertEquals(0, w.b.stats().connectionsRefused() + w.b.stats().connectionsOpened());
    }

    // ------------------------------------------------------------------ refused channels the peer keeps open

    /**
     * A peer keeps three refused channels open (it never ends its side): their entries wait for
     * its end, but do not count against max-connections (1 here), so a's connection is still
     * taken; once the peer ends them, they are gone.
     */
    @Test
    void refusedChannelsAPeerKeepsOpenDoNotCountAgainstMaxConnections() throws Exception {
        ForwardWorld.TestServer server = w.server(s -> {
            s.getOutputStream().write('x');
            s.getInputStream().readAllBytes();
        });
        w.start(x -> ForwardingConfig.DEFAULT.withMaxConnections(1).withServices(List.of(Service.of("svc", server.address()))),
                x -> ForwardingConfig.DEFAULT);
        Loopback.Node raw = rawPeerOfB();
        byte[] open = new ForwardMessage.Open(1 << 20, ForwardMessage.KIND_SERVICE, "nope").encode();
        List<Channel> held = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Channel ch = raw.mesh().channel(w.b(), rawChannel(raw, w.b(), i));
            assertTrue(ch.send(open.clone()));
            held.add(ch);
        }
        await("b refused all three and closed its sides", () -> raw.events().channelsClosed.size() == 3);
        assertEquals(3, w.b.stats().refused(RefuseReason.UNKNOWN_SERVICE));
        assertEquals(3, w.b.tableSize());
        assertEquals(3, w.b.refusalsWaiting());

        Socket client = w.connect(w.forward("svc"));
        assertEquals('x', client.getInputStream().read(), "taken: the refusals are not connections");
        assertEquals(0, w.b.stats().refused(RefuseReason.BUSY));
        assertEquals(1, w.b.stats().connectionsOpened());

        for (Channel ch : held) {
            ch.close();
        }
        await("the refusals are forgotten once the peer ends them", () -> w.b.refusalsWaiting() == 0 && w.b.tableSize() == 1);
        client.close();
        await("and the connection once it ends", () -> w.b.tableSize() == 0 && w.a.tableSize() == 0);
    }

    /**
     * b lets a peer have 4 channels open at once: a peer that keeps refused channels open and
     * opens a fifth breaks that limit, b closes the connection, and every entry of it goes.
     */
    @Test
    void refusedChannelsBeyondTheChannelLimitEndTheConnectionAndAreForgotten() {
        w.channelsB = io.keymesh.channel.ChannelConfig.DEFAULT.withMaxChannels(4);
        w.start(x -> ForwardingConfig.DEFAULT, x -> ForwardingConfig.DEFAULT);
        Loopback.Node raw = rawPeerOfB(); // its own limit is the default: it does not hold to b's
        byte[] open = new ForwardMessage.Open(1 << 20, ForwardMessage.KIND_SERVICE, "nope").encode();
        for (int i = 0; i < 4; i++) {
            assertTrue(raw.mesh().channel(w.b(), rawChannel(raw, w.b(), i)).send(open.clone()));
        }
        await("b refused four", () -> raw.events().channelsClosed.size() == 4);
        assertEquals(4, w.b.refusalsWaiting());
        assertTrue(raw.mesh().channel(w.b(), rawChannel(raw, w.b(), 4)).send(open.clone()));
        await("b closed the connection", () -> !raw.events().channelsLost.isEmpty());
        String reason = raw.events().channelsLost.peek().reason();
        assertTrue(reason.contains("more channels than the limit of 4 opened (STREAM_LIMIT_ERROR)"), reason);
        await("b forgot every entry", () -> w.b.tableSize() == 0);
        assertEquals(0, w.b.refusalsWaiting());
        assertEquals(4, w.b.stats().refused(RefuseReason.UNKNOWN_SERVICE));
    }
}
