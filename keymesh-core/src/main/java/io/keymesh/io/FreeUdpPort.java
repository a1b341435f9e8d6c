package io.keymesh.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A UDP port that nothing on this machine is bound to, for programs that must write a node's
 * address into configuration before the node binds it (tests, demos, benchmarks: each node's
 * peers are configured with its port). The port is free when checked; another socket may take it
 * before the caller binds it. A node whose port nobody needs to know in advance should listen on
 * port 0 instead. Stateless.
 */
public final class FreeUdpPort {
    private FreeUdpPort() {}

    /**
     * {@code 127.0.0.1} and a UDP port free on it: the operating system's choice for a socket
     * bound there and closed again.
     *
     * @throws UncheckedIOException if no UDP socket can be bound on {@code 127.0.0.1}
     */
    public static InetSocketAddress onLoopback() {
        InetAddress loopback = ipv4Loopback();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            return new InetSocketAddress(loopback, s.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException("no free UDP port on " + loopback.getHostAddress() + ": " + e.getMessage(), e);
        }
    }

    private static InetAddress ipv4Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) { // only for an address of the wrong length
            throw new AssertionError(e);
        }
    }
}
