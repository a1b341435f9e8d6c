package io.keymesh.forward;

import static io.keymesh.forward.ForwardWorld.readAll;
import static io.keymesh.forward.ForwardWorld.streamHash;
import static io.keymesh.forward.ForwardWorld.writeStream;
import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.forward.ForwardWorld.Read;
import io.keymesh.node.PeerConfig;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.TestKeys;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Remote forwards (as {@code ssh -R}) between two nodes on 127.0.0.1: a asks b to listen and
 * forward connections back to a server on a's side, where b's remote-listen grants it; what is
 * not granted is refused; removing the request closes b's listener.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemoteForwardTest {
    @AutoClose
    private final ForwardWorld w = new ForwardWorld();

    private static ForwardWorld.TestServer.Handler echo() {
        return s -> {
            byte[] all = s.getInputStream().readAllBytes();
            s.getOutputStream().write(all);
            s.shutdownOutput();
        };
    }

    @Test
    void aGrantedRemoteForwardCarriesConnectionsBackToTheAskingSide() throws Exception {
        ForwardWorld.TestServer server = w.server(echo());
        TcpAddress at = ForwardWorld.local(ForwardWorld.closedPort());
        w.start(x -> ForwardingConfig.DEFAULT.withRemoteListenGrants(List.of(new RemoteListenGrant(x.a(), at))),
                x -> ForwardingConfig.DEFAULT.withRemoteForwards(List.of(new RemoteForward(x.b(), at, server.address()))));
        await("b listens", () -> w.b.remoteListeners().equals(List.of(at)));
        await("a sees it", () -> w.a.remoteForwards().getFirst().listening());
        long length = 3L << 20;
        for (int i = 0; i < 3; i++) {
            try (Socket s = new Socket(Loopback.LOCALHOST, at.port())) {
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        writeStream(s.getOutputStream(), 40, length);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertEquals(new Read(length, streamHash(40, length)), readAll(s.getInputStream()), "connection " + i);
                writer.join();
            }
        }
        assertEquals(List.of(), server.failureTexts());
        await("every connection ended", () -> w.a.tableSize() == 0 && w.b.tableSize() == 0);
        assertEquals(3, w.a.stats().connectionsOpened());
        assertEquals(3, w.b.stats().connectionsOpened());
        assertEquals(3 * length, w.b.stats().bytesToPeers());
        assertEquals(3 * length, w.a.stats().bytesToPeers());
    }

    @Test
    void anAddressNotGrantedIsRefusedAndBothSidesSaySo() {
        TcpAddress granted = ForwardWorld.local(ForwardWorld.closedPort());
        TcpAddress asked = ForwardWorld.local(ForwardWorld.closedPort());
        w.start(x -> ForwardingConfig.DEFAULT.withRemoteListenGrants(List.of(new RemoteListenGrant(x.a(), granted))),
                x -> ForwardingConfig.DEFAULT.withRemoteForwards(List.of(new RemoteForward(x.b(), asked, ForwardWorld.local(1)))));
        await("refused on both sides", () -> w.a.stats().refused(RefuseReason.NOT_ALLOWED) == 1
                && w.b.stats().refused(RefuseReason.NOT_ALLOWED) == 1);
        await("a records why", () -> w.a.remoteForwards().getFirst().problem() != null);
        RemoteForwardStatus status = w.a.remoteForwards().getFirst();
        assertFalse(status.listening());
        assertEquals("refused by the peer: not allowed for your key (listening at " + asked + " is not allowed for your key)",
                status.problem());
        assertEquals(List.of(), w.b.remoteListeners());
        assertThrows(ConnectException.class, () -> new Socket(Loopback.LOCALHOST, asked.port()).close());
    }

    @Test
    void removingTheRequestClosesThePeersListener() throws Exception {
        TcpAddress at = ForwardWorld.local(ForwardWorld.closedPort());
        ForwardWorld.TestServer server = w.server(echo());
        w.start(x -> ForwardingConfig.DEFAULT.withRemoteListenGrants(List.of(new RemoteListenGrant(x.a(), at))),
                x -> ForwardingConfig.DEFAULT);
        RemoteForward r = new RemoteForward(w.b(), at, server.address());
        assertTrue(w.a.addRemoteForward(r));
        assertFalse(w.a.addRemoteForward(r), "asked already");
        await("b listens", () -> w.b.remoteListeners().equals(List.of(at)));
        assertTrue(w.a.removeRemoteForward(w.b(), at));
        assertFalse(w.a.removeRemoteForward(w.b(), at));
        await("b closed its listener", () -> w.b.remoteListeners().isEmpty());
        assertThrows(ConnectException.class, () -> new Socket(Loopback.LOCALHOST, at.port()).close());
        assertEquals(List.of(), w.a.remoteForwards());

        assertTrue(w.a.addRemoteForward(r), "asked again");
        await("b listens again", () -> w.b.remoteListeners().equals(List.of(at)));
    }

    @Test
    void losingTheAskingNodeClosesTheListenerAndTheNodeAsksAgain() throws Exception {
        TcpAddress at = ForwardWorld.local(ForwardWorld.closedPort());
        w.start(x -> ForwardingConfig.DEFAULT.withRemoteListenGrants(List.of(new RemoteListenGrant(x.a(), at))),
                x -> ForwardingConfig.DEFAULT.withRemoteForwards(List.of(new RemoteForward(x.b(), at, ForwardWorld.local(1)))));
        await("b listens", () -> w.b.remoteListeners().equals(List.of(at)));
        get(w.nodeB.removePeer(w.a())); // b forgets a: its channels are lost
        await("b closed its listener", () -> w.b.remoteListeners().isEmpty());
        await("a saw its request end", () -> w.a.remoteForwards().getFirst().problem() != null);
        assertFalse(w.a.remoteForwards().getFirst().listening());
        get(w.nodeB.addPeer(PeerConfig.of(w.a(), w.nodeA.localAddress())));
        await("a asked again (after " + RemoteForwardRequest.FIRST_RETRY_MILLIS + " ms) and b listens again",
                () -> w.b.remoteListeners().equals(List.of(at)) && w.a.remoteForwards().getFirst().listening());
    }

    /** An OPEN for a remote listener this node never asked for is refused. */
    @Test
    void aForwardedConnectionNobodyAskedForIsRefused() {
        w.start(x -> ForwardingConfig.DEFAULT, x -> ForwardingConfig.DEFAULT);
        Loopback.Node raw = w.net.start(TestKeys.newKey(), w.network, List.of(PeerConfig.of(w.b(), w.nodeB.localAddress())));
        get(w.nodeB.addPeer(raw.asPeer()));
        long id = java.util.Arrays.compareUnsigned(raw.publicKey().toBytes(), w.b().toBytes()) < 0 ? 0 : 1;
        assertTrue(raw.mesh().channel(w.b(), id).send(new ForwardMessage.Open(1 << 20, ForwardMessage.KIND_REMOTE,
                "127.0.0.1:22").encode()));
        await("answered", () -> !raw.events().messages(w.b(), id).isEmpty());
        assertEquals(new ForwardMessage.Refuse(RefuseReason.NOT_ALLOWED, "this node asked for no listener at 127.0.0.1:22"),
                ForwardMessage.decode(raw.events().messages(w.b(), id).getFirst()));
        assertEquals(Map.of(RefuseReason.NOT_ALLOWED, 1L), w.b.stats().refusedBy());
    }
}
