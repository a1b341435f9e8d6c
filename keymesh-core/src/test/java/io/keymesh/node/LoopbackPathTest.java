package io.keymesh.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Which endpoints are on the loopback path, and how far path-MTU discovery may search there. */
class LoopbackPathTest {
    @Test
    void loopbackAddressesOnly() throws Exception {
        assertTrue(LoopbackPath.isLoopback(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 51820)));
        assertTrue(LoopbackPath.isLoopback(new InetSocketAddress(InetAddress.getByName("127.3.2.1"), 51820)));
        assertTrue(LoopbackPath.isLoopback(new InetSocketAddress(InetAddress.getByName("::1"), 51820)));
        assertFalse(LoopbackPath.isLoopback(new InetSocketAddress(InetAddress.getByName("10.1.0.1"), 51820)));
        assertFalse(LoopbackPath.isLoopback(null));
        assertEquals(0, LoopbackPath.maxUdpPayload(new InetSocketAddress(InetAddress.getByName("192.168.1.1"), 1)));
        assertEquals(0, LoopbackPath.maxUdpPayload(null));
    }

    @Test
    void theLoopbackInterfacesMtuLessTheHeaders() throws Exception {
        int n = LoopbackPath.maxUdpPayload(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1));
        // 0 where the interface's MTU cannot be read; else its MTU less 28 or 48 bytes, at most 65,507.
        assertTrue(n == 0 || (n > 0 && n <= LoopbackPath.MAX_UDP_PAYLOAD), "ceiling " + n);
    }
}
