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
}
