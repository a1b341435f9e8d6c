package io.keymesh.node;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * The path to a peer on this host's loopback interface. Such a path never leaves the host: its MTU
 * is the loopback interface's (65,536 bytes on Linux), and nothing on it fragments or drops large
 * datagrams, so path-MTU discovery may search up to that instead of an Ethernet-sized ceiling —
 * the search still confirms every size with a probe (RFC 8899), so a host whose stack takes less
 * (a smaller loopback MTU, a cap on UDP datagrams) only costs a few unanswered probes.
 */
final class LoopbackPath {
    /** The largest UDP payload over IPv4 (65,535 less the IPv4 and UDP headers). */
    static final int MAX_UDP_PAYLOAD = 65_507;
    private static final int IPV4_UDP_HEADERS = 20 + 8;
    private static final int IPV6_UDP_HEADERS = 40 + 8;

    private LoopbackPath() {}

    /** True if {@code endpoint} is a loopback address of this host. */
    static boolean isLoopback(InetSocketAddress endpoint) {
        return endpoint != null && endpoint.getAddress() != null && endpoint.getAddress().isLoopbackAddress();
    }

    /**
     * The largest UDP payload the loopback interface carries to {@code endpoint}: its MTU less the
     * IP and UDP headers, at most {@link #MAX_UDP_PAYLOAD}; 0 if {@code endpoint} is not a loopback
     * address or the interface's MTU cannot be read.
     */
    static int maxUdpPayload(InetSocketAddress endpoint) {
        if (!isLoopback(endpoint)) {
            return 0;
        }
        try {
            NetworkInterface lo = NetworkInterface.getByInetAddress(endpoint.getAddress());
            int mtu = lo == null ? -1 : lo.getMTU();
            if (mtu <= 0) {
                return 0;
            }
            int headers = endpoint.getAddress() instanceof Inet4Address ? IPV4_UDP_HEADERS : IPV6_UDP_HEADERS;
            return Math.max(0, Math.min(MAX_UDP_PAYLOAD, mtu - headers));
        } catch (SocketException e) {
            return 0;
        }
    }
}
