package io.keymesh.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ControlServer#MAX_CONNECTIONS} and the idle timeout driven to the limit: the seventeenth
 * connection is answered busy and closed, one closed makes room; an idle connection is closed,
 * a busy one is not.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ControlServerLimitsTest {
    private static final ControlOperations OPS = new ControlOperations()
            .register("echo", r -> TextNode.valueOf(r.string("text")));
    private static final String BUSY = "{\"v\":1,\"ok\":false,\"error\":{\"code\":\"busy\",\"message\":\"the daemon serves "
            + ControlServer.MAX_CONNECTIONS + " connections at once\"}}";

    @TempDir
    Path dir;

    /** A client connection: one request line out, one response line in. */
    private static final class Client implements AutoCloseable {
        final SocketChannel channel;
        final BufferedReader in;

        Client(Path socket) throws IOException {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        }

        String echo(String text) throws IOException {
            ByteBuffer out = ByteBuffer.wrap(("{\"v\":1,\"op\":\"echo\",\"text\":\"" + text + "\"}\n")
                    .getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static String ok(String text) {
        return "{\"v\":1,\"ok\":true,\"result\":\"" + text + "\"}";
    }

    @Test
    void theSeventeenthConnectionIsAnsweredBusyAndClosedAndOneClosedMakesRoom() throws Exception {
        assertEquals(16, ControlServer.MAX_CONNECTIONS);
        List<Client> clients = new ArrayList<>();
        try (ControlServer server = ControlServer.open(dir.resolve("control.sock"), OPS)) {
            for (int i = 0; i < ControlServer.MAX_CONNECTIONS; i++) {
                Client c = new Client(server.path());
                clients.add(c);
                assertEquals(ok("c" + i), c.echo("c" + i), "connection " + i + " is served");
            }
            try (Client extra = new Client(server.path())) {
                assertEquals(BUSY, extra.in.readLine());
                assertNull(extra.in.readLine(), "and closed");
            }
            assertEquals(ok("still"), clients.getFirst().echo("still"), "the connections served keep working");

            clients.removeFirst().close();
            String answer = BUSY;
            Client next = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (BUSY.equals(answer) && System.nanoTime() < deadline) { // until the server sees the close
                if (next != null) {
                    next.close();
                    Thread.sleep(10);
                }
                next = new Client(server.path());
                try {
                    answer = next.echo("room");
                } catch (IOException e) {
                    answer = BUSY; // answered busy and closed before the request went
                }
            }
            clients.add(next);
            assertEquals(ok("room"), answer, "one closed makes room for one");
            try (Client extra = new Client(server.path())) {
                assertEquals(BUSY, extra.in.readLine(), "and for one only");
            }
        } finally {
            for (Client c : clients) {
                c.close();
            }
        }
    }

    @Test
    void anIdleConnectionIsClosedAndOneInUseIsNot() throws Exception {
        try (ControlServer real = ControlServer.open(dir.resolve("real.sock"), OPS)) {
            assertEquals(ControlServer.IDLE_TIMEOUT_SECONDS * 1_000_000_000L, real.idleTimeoutNanos());
            assertEquals(60, ControlServer.IDLE_TIMEOUT_SECONDS);
        }
        long timeout = 1_500_000_000L;
        try (ControlServer server = ControlServer.open(dir.resolve("idle.sock"), OPS, timeout);
                Client idle = new Client(server.path());
                Client busy = new Client(server.path())) {
            assertEquals(ok("a"), idle.echo("a"));
            long start = System.nanoTime();
            while (System.nanoTime() - start < 2 * timeout) {
                assertEquals(ok("b"), busy.echo("b"), "a connection in use stays open");
                Thread.sleep(200);
            }
            // the idle one was closed: the server read nothing more from it and ended it
            assertNull(idle.in.readLine(), "the idle connection is closed");
            assertTrue(System.nanoTime() - start >= timeout);
            assertEquals(ok("c"), busy.echo("c"));
        }
    }
}
