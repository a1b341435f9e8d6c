package io.keymesh.forward;

import java.net.InetSocketAddress;

/**
 * A TCP address as configured, {@code HOST:PORT} with an IPv6 address in brackets; the host may be
 * a name, resolved only when a connection is made (so a target's address may change while the node
 * runs). Immutable.
 *
 * @param host a name or an address literal, without brackets
 * @param port 1..65535
 */
public record TcpAddress(String host, int port) {
    public TcpAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("no host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535");
        }
    }

    /**
     * Parses {@code HOST:PORT} ({@code [ADDRESS]:PORT} for IPv6) without resolving the host.
     *
     * @throws IllegalArgumentException saying what is wrong, without naming the setting
     */
    public static TcpAddress parse(String text) {
        InetSocketAddress a = io.keymesh.config.HostPort.parseUnresolved(text, false);
        return new TcpAddress(a.getHostString(), a.getPort());
    }

    /** The address, resolving the host now. */
    public InetSocketAddress resolve() {
        return new InetSocketAddress(host, port);
    }

    /** {@code HOST:PORT}, an IPv6 address in brackets. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@code address:port} of a socket address, an IPv6 address in brackets ("-" for null). */
    public static String format(InetSocketAddress a) {
        return io.keymesh.config.HostPort.format(a);
    }
}
