package io.keymesh.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** {@link FreeUdpPort}: an address on 127.0.0.1 with a real port that a socket can then bind. */
class FreeUdpPortTest {
    @Test
    void theAddressIsOnIpv4LoopbackAndItsPortCanBeBound() throws Exception {
        InetSocketAddress a = FreeUdpPort.onLoopback();
        assertEquals("127.0.0.1", a.getAddress().getHostAddress());
        assertTrue(a.getPort() > 0 && a.getPort() <= 65535, "port " + a.getPort());
        try (DatagramSocket s = new DatagramSocket(a)) {
            assertEquals(a.getPort(), s.getLocalPort());
        }
    }
}
