package io.keymesh.forward;

import java.net.Inet6Address;
import java.net.InetAddress;
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
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon < 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("expected \"HOST:PORT\" (IPv6 as \"[ADDRESS]:PORT\"), got \"" + text + "\"");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (!host.contains(":")) {
                throw new IllegalArgumentException("brackets are for IPv6 addresses, got \"" + text + "\"");
            }
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("write an IPv6 address in brackets, \"[ADDRESS]:PORT\", got \"" + text + "\"");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host in \"" + text + "\"");
        }
        if (!host.chars().allMatch(c -> c > ' ' && c < 127 && c != '/' && c != '[' && c != ']')) {
            throw new IllegalArgumentException("not a host name or address: \"" + host + "\"");
        }
        String portText = t.substring(colon + 1);
        if (!portText.chars().allMatch(c -> c >= '0' && c <= '9') || portText.length() > 5) {
            throw new IllegalArgumentException("port \"" + portText + "\" is not a number");
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535");
        }
        return new TcpAddress(host, port);
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
        if (a == null) {
            return "-";
        }
        InetAddress ip = a.getAddress();
        if (ip == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        String host = ip.getHostAddress();
        int scope = host.indexOf('%');
        if (ip instanceof Inet6Address) {
            return "[" + (scope >= 0 ? host.substring(0, scope) : host) + "]:" + a.getPort();
        }
        return host + ":" + a.getPort();
    }
}
