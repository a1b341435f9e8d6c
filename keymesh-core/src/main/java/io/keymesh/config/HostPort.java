package io.keymesh.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * UDP addresses as text: {@code HOST:PORT}, with an IPv6 address in brackets ({@code [::]:51820}).
 * Host names are resolved once, when parsed. Stateless.
 */
public final class HostPort {
    private HostPort() {}

    /**
     * Parses {@code text}.
     *
     * @param allowPortZero true for a listen address (port 0: any free port), false for an endpoint
     * @throws IllegalArgumentException saying what is wrong, without naming the setting
     */
    public static InetSocketAddress parse(String text, boolean allowPortZero) {
        InetSocketAddress unresolved = parseUnresolved(text, allowPortZero);
        try {
            return new InetSocketAddress(InetAddress.getByName(unresolved.getHostString()), unresolved.getPort());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host " + unresolved.getHostString());
        }
    }

    /**
     * Parses {@code text} as {@link #parse} does, without resolving the host: an unresolved address
     * whose host string is the name or address literal (without brackets).
     *
     * @throws IllegalArgumentException saying what is wrong, without naming the setting
     */
    public static InetSocketAddress parseUnresolved(String text, boolean allowPortZero) {
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
            throw new IllegalArgumentException("no host in \"" + text + "\" (all addresses: \"0.0.0.0:PORT\" or \"[::]:PORT\")");
        }
        if (!host.chars().allMatch(c -> c > ' ' && c < 127 && c != '/' && c != '[' && c != ']')) {
            throw new IllegalArgumentException("not a host name or address: \"" + host + "\"");
        }
        String portText = t.substring(colon + 1);
        if (!portText.chars().allMatch(c -> c >= '0' && c <= '9') || portText.length() > 9) {
            throw new IllegalArgumentException("port \"" + portText + "\" is not a number");
        }
        int port = Integer.parseInt(portText);
        int min = allowPortZero ? 0 : 1;
        if (port < min || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range " + min + "..65535");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** {@code address:port}, an IPv6 address in brackets; the inverse of {@link #parse} for resolved addresses. */
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
