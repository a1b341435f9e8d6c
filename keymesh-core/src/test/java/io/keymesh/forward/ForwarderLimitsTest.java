package io.keymesh.forward;

import static io.keymesh.testing.Loopback.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ForwardingConfig#maxConnections()} at its limit, on two nodes on 127.0.0.1, on each side: the
 * serving side refuses an OPEN past it with {@code BUSY}, the connecting side resets a local TCP
 * connection past it without opening a channel; one connection ending makes room for one more.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForwarderLimitsTest {
    @AutoClose
    private final ForwardWorld w = new ForwardWorld();

    /** A server that says 'x' and holds the connection until the client ends it. */
    private ForwardWorld.TestServer holdingServer() {
        return w.server(s -> {
            s.getOutputStream().write('x');
            s.getInputStream().readAllBytes();
        });
    }


    @Test
    void anOpenPastTheServingSidesLimitIsRefusedBusyAndAnEndedConnectionMakesRoom() throws Exception {
        ForwardWorld.TestServer server = holdingServer();
        w.start(x -> ForwardingConfig.DEFAULT.withMaxConnections(2).withServices(List.of(Service.of("svc", server.address()))),
                x -> ForwardingConfig.DEFAULT);
        LocalForward f = w.forward("svc");
        Socket first = w.connect(f);
        Socket second = w.connect(f);
        assertEquals('x', first.getInputStream().read());
        assertEquals('x', second.getInputStream().read());
        assertEquals(2, w.b.stats().connectionsActive());

        Socket third = w.connect(f);
        assertTrue(ForwardWorld.endsWithReset(third), "the third is reset: b refused it");
        await("b refused it BUSY, and a heard why", () -> w.b.stats().refused(RefuseReason.BUSY) == 1
                && w.a.stats().refused(RefuseReason.BUSY) == 1);
        assertEquals(2, server.accepted.size(), "b never connected to the service for it");
        assertEquals(2, w.b.stats().connectionsOpened());

        first.close();
        // Its socket closes first; its place counts until its channel has finished both ways.
        await("the first is gone on b", () -> w.b.stats().connectionsActive() == 1 && w.b.tableSize() == 1);
        Socket fourth = w.connect(f);
        assertEquals('x', fourth.getInputStream().read(), "taken: one ended, one more fits");
        assertEquals(1, w.b.stats().refused(RefuseReason.BUSY));
        assertEquals(3, w.b.stats().connectionsOpened());
        second.close();
        fourth.close();
        await("all gone", () -> w.a.tableSize() == 0 && w.b.tableSize() == 0);
    }

    @Test
    void aLocalConnectionPastTheConnectingSidesLimitIsResetWithoutAChannel() throws Exception {
        ForwardWorld.TestServer server = holdingServer();
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(Service.of("svc", server.address()))),
                x -> ForwardingConfig.DEFAULT.withMaxConnections(1));
        LocalForward f = w.forward("svc");
        Socket first = w.connect(f);
        assertEquals('x', first.getInputStream().read());

        Socket second = w.connect(f);
        assertTrue(ForwardWorld.endsWithReset(second), "the second local connection is reset by a");
        assertEquals(1, w.a.tableSize(), "a opened no channel for it");
        assertEquals(1, w.b.stats().connectionsOpened(), "b never heard of it");
        assertEquals(0, w.b.stats().refused(RefuseReason.BUSY));

        first.close();
        await("the first is gone on a", () -> w.a.tableSize() == 0);
        Socket third = w.connect(f);
        assertEquals('x', third.getInputStream().read(), "taken once the first ended");
        assertEquals(2, server.accepted.size());
        third.close();
    }
}
