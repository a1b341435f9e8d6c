package io.keymesh.forward;

import static io.keymesh.testing.Loopback.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keymesh.crypto.PublicKey;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.TestKeys;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SOCKS5 front end: a client names {@code SERVICE.KEY.keymesh} and is forwarded to that node's
 * service (the JDK's own SOCKS client, and raw bytes for the replies); refusals become SOCKS replies.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocksTest {
    @AutoClose
    private final ForwardWorld w = new ForwardWorld();

    private InetSocketAddress socks;

    private void start(ForwardWorld.TestServer server) throws IOException {
        w.start(x -> ForwardingConfig.DEFAULT.withServices(List.of(
                        Service.of("echo", server.address()),
                        new Service("secret", server.address(), Set.of(TestKeys.newKey().publicKey())))),
                x -> ForwardingConfig.DEFAULT);
        socks = w.a.addSocks(new InetSocketAddress(Loopback.LOCALHOST, 0));
    }

    private static ForwardWorld.TestServer.Handler echo() {
        return s -> {
            s.getOutputStream().write(s.getInputStream().readAllBytes());
            s.shutdownOutput();
        };
    }

    @Test
    void theJdksSocksClientReachesAServiceByNameAndKey() throws Exception {
        start(w.server(echo()));
        Proxy proxy = new Proxy(Proxy.Type.SOCKS, socks);
        try (Socket s = new Socket(proxy)) {
            s.connect(InetSocketAddress.createUnresolved("echo." + w.b().toBase32() + ".keymesh", 1));
            s.getOutputStream().write("by name".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            assertEquals("by name", new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(1, w.a.stats().connectionsOpened());
    }

    /** Raw SOCKS5: greeting, CONNECT to {@code host}; the reply's code. */
    private int connect(String host) throws IOException {
        Socket s = new Socket(Loopback.LOCALHOST, socks.getPort());
        w.net.track(s);
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        out.write(new byte[] {5, 1, 0});
        byte[] choice = new byte[2];
        in.readFully(choice);
        assertArrayEquals(new byte[] {5, 0}, choice);
        byte[] name = host.getBytes(StandardCharsets.US_ASCII);
        out.write(new byte[] {5, 1, 0, 3, (byte) name.length});
        out.write(name);
        out.write(new byte[] {0, 80});
        byte[] reply = new byte[10];
        in.readFully(reply);
        assertEquals(5, reply[0]);
        return reply[1];
    }

    @Test
    void refusalsBecomeSocksReplies() throws Exception {
        start(w.server(echo()));
        String key = w.b().toBase32();
        assertEquals(Socks5.HOST_UNREACHABLE, connect("nothing." + key + ".keymesh"), "unknown service");
        assertEquals(Socks5.NOT_ALLOWED, connect("secret." + key), "not allowed for this key");
        assertEquals(Socks5.HOST_UNREACHABLE, connect("echo.example.com"), "not a key");
        assertEquals(Socks5.GENERAL_FAILURE, connect("echo." + TestKeys.newKey().publicKey().toBase32()), "not a peer");
        await("counted", () -> w.a.stats().refused(RefuseReason.UNKNOWN_SERVICE) == 1
                && w.a.stats().refused(RefuseReason.NOT_ALLOWED) == 1);
    }

    @Test
    void anAddressInsteadOfANameIsRefused() throws Exception {
        start(w.server(echo()));
        Socket s = new Socket(Loopback.LOCALHOST, socks.getPort());
        w.net.track(s);
        s.getOutputStream().write(new byte[] {5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, 0, 80});
        byte[] reply = new byte[12];
        new DataInputStream(s.getInputStream()).readFully(reply);
        assertEquals(Socks5.ADDRESS_TYPE_NOT_SUPPORTED, reply[3]);
    }

    @Test
    void hostNamesParse() {
        PublicKey k = TestKeys.newKey().publicKey();
        assertEquals(new Socks5.Target(k, "db"), Socks5.parse("db." + k.toBase32()));
        assertEquals(new Socks5.Target(k, "api.v2"), Socks5.parse("api.v2." + k.toBase32().toUpperCase() + ".KEYMESH."));
        assertThrows(IllegalArgumentException.class, () -> Socks5.parse(k.toBase32()));
        assertThrows(IllegalArgumentException.class, () -> Socks5.parse("db.short"));
        assertThrows(IllegalArgumentException.class, () -> Socks5.parse("-db." + k.toBase32()));
    }

    /** True once {@code s} ends (EOF or reset) within {@code millis}; false if it is still open then. */
    private static boolean endsWithin(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            return s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    /**
     * With at most two handshakes at once and 1 s for each: two silent clients hold both places,
     * a third connection is closed at once and counted; the two are closed when their second is
     * up, and then a client is served again.
     */
    @Test
    void handshakesInProgressAreBoundedAndEachHasADeadline() throws Exception {
        start(w.server(echo()));
        w.a.limitSocksHandshakes(2, 1_000);
        Socket first = w.net.track(new Socket(Loopback.LOCALHOST, socks.getPort()));
        Socket second = w.net.track(new Socket(Loopback.LOCALHOST, socks.getPort()));
        await("two handshakes in progress", () -> w.a.socksHandshakes().inProgress() == 2);
        Socket third = w.net.track(new Socket(Loopback.LOCALHOST, socks.getPort()));
        org.junit.jupiter.api.Assertions.assertTrue(endsWithin(third, 5_000), "the third is closed at once");
        assertEquals(1, w.a.socksHandshakes().refused());
        assertEquals(2, w.a.socksHandshakes().inProgress());

        org.junit.jupiter.api.Assertions.assertTrue(endsWithin(first, 5_000) && endsWithin(second, 5_000), "closed at the deadline");
        await("both timed out", () -> w.a.socksHandshakes().timedOut() == 2 && w.a.socksHandshakes().inProgress() == 0);
        assertEquals(0, connect("echo." + w.b().toBase32() + ".keymesh"), "served again");
        assertEquals(1, w.a.socksHandshakes().refused());
    }

    /** The deadline is for the whole handshake: a client that sends a byte every 200 ms is closed after 1 s all the same. */
    @Test
    void aClientTricklingItsRequestIsClosedAtTheDeadline() throws Exception {
        start(w.server(echo()));
        w.a.limitSocksHandshakes(2, 1_000);
        Socket s = w.net.track(new Socket(Loopback.LOCALHOST, socks.getPort()));
        byte[] name = ("echo." + w.b().toBase32() + ".keymesh").getBytes(StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream request = new java.io.ByteArrayOutputStream();
        request.write(new byte[] {5, 1, 0, 5, 1, 0, 3, (byte) name.length});
        request.write(name);
        request.write(new byte[] {0, 80});
        long start = System.nanoTime();
        int sent = 0;
        try {
            for (byte b : request.toByteArray()) {
                s.getOutputStream().write(b);
                sent++;
                Thread.sleep(200);
                if (w.a.socksHandshakes().timedOut() == 1) {
                    break;
                }
            }
        } catch (java.net.SocketException e) {
            // closed under the writes
        }
        org.junit.jupiter.api.Assertions.assertTrue(sent < request.size(), "closed before the request was complete: " + sent);
        await("timed out", () -> w.a.socksHandshakes().timedOut() == 1 && w.a.socksHandshakes().inProgress() == 0);
        org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() - start < 9_000_000_000L, "well before any per-read timeout");
        assertEquals(0, w.a.stats().connectionsOpened());
    }
}
