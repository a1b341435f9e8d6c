package io.keymesh.forward;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a {@link Forwarder} exposes, forwards and grants, and its limits. Immutable.
 *
 * @param services the services this node exposes (nothing else is reachable through it)
 * @param forwards local listeners forwarding to peers' services
 * @param remoteForwards listeners this node asks peers to open on their side
 * @param remoteListenGrants the listeners peers may ask this node to open
 * @param window the bytes a connection's peer may send before this side grants more: what a
 *     connection buffers at most on the receiving side ({@value #MIN_WINDOW}..{@value #MAX_WINDOW})
 * @param connectTimeout how long a TCP connection to a target may take
 * @param openTimeout how long a forwarded connection waits for the peer's answer to its OPEN
 * @param maxConnections forwarded connections at once (both directions together); more are refused
 * @param socks where SOCKS5 front ends listen (hosts name services: {@code SERVICE.KEY})
 */
public record ForwardingConfig(List<Service> services, List<LocalForward> forwards, List<RemoteForward> remoteForwards,
        List<RemoteListenGrant> remoteListenGrants, int window, Duration connectTimeout, Duration openTimeout,
        int maxConnections, List<java.net.InetSocketAddress> socks) {
    public static final int MIN_WINDOW = 64 << 10;
    public static final int MAX_WINDOW = 64 << 20;
    public static final int DEFAULT_WINDOW = 1 << 20;
    public static final int MAX_CONNECTIONS_LIMIT = 1 << 20;
    /** Nothing exposed or forwarded; a 1 MiB window, 10 s to connect, 15 s for an answer, 1,024 connections. */
    public static final ForwardingConfig DEFAULT = new ForwardingConfig(List.of(), List.of(), List.of(), List.of(),
            DEFAULT_WINDOW, Duration.ofSeconds(10), Duration.ofSeconds(15), 1024, List.of());

    public ForwardingConfig {
        services = List.copyOf(services);
        forwards = List.copyOf(forwards);
        remoteForwards = List.copyOf(remoteForwards);
        remoteListenGrants = List.copyOf(remoteListenGrants);
        socks = List.copyOf(socks);
        Set<String> names = new HashSet<>();
        for (Service s : services) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("service " + s.name() + " is listed twice");
            }
        }
        Set<java.net.InetSocketAddress> listens = new HashSet<>();
        for (LocalForward f : forwards) {
            if (f.listen().getPort() != 0 && !listens.add(f.listen())) {
                throw new IllegalArgumentException("two forwards listen on " + TcpAddress.format(f.listen()));
            }
        }
        Set<List<Object>> remote = new HashSet<>();
        for (RemoteForward r : remoteForwards) {
            if (!remote.add(List.of(r.peer(), r.listen()))) {
                throw new IllegalArgumentException("two remote forwards ask " + r.peer().toBase64() + " for " + r.listen());
            }
        }
        if (window < MIN_WINDOW || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window must be " + MIN_WINDOW + ".." + MAX_WINDOW + " bytes, got " + window);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || openTimeout.isNegative() || openTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS_LIMIT) {
            throw new IllegalArgumentException("max connections must be 1.." + MAX_CONNECTIONS_LIMIT + ", got " + maxConnections);
        }
    }

    public ForwardingConfig withServices(List<Service> s) {
        return new ForwardingConfig(s, forwards, remoteForwards, remoteListenGrants, window, connectTimeout, openTimeout,
                maxConnections, socks);
    }

    public ForwardingConfig withForwards(List<LocalForward> f) {
        return new ForwardingConfig(services, f, remoteForwards, remoteListenGrants, window, connectTimeout, openTimeout,
                maxConnections, socks);
    }

    public ForwardingConfig withRemoteForwards(List<RemoteForward> r) {
        return new ForwardingConfig(services, forwards, r, remoteListenGrants, window, connectTimeout, openTimeout,
                maxConnections, socks);
    }

    public ForwardingConfig withRemoteListenGrants(List<RemoteListenGrant> g) {
        return new ForwardingConfig(services, forwards, remoteForwards, g, window, connectTimeout, openTimeout,
                maxConnections, socks);
    }

    public ForwardingConfig withWindow(int w) {
        return new ForwardingConfig(services, forwards, remoteForwards, remoteListenGrants, w, connectTimeout, openTimeout,
                maxConnections, socks);
    }

    public ForwardingConfig withTimeouts(Duration connect, Duration open) {
        return new ForwardingConfig(services, forwards, remoteForwards, remoteListenGrants, window, connect, open,
                maxConnections, socks);
    }

    public ForwardingConfig withMaxConnections(int n) {
        return new ForwardingConfig(services, forwards, remoteForwards, remoteListenGrants, window, connectTimeout, openTimeout, n, socks);
    }

    public ForwardingConfig withSocks(List<java.net.InetSocketAddress> s) {
        return new ForwardingConfig(services, forwards, remoteForwards, remoteListenGrants, window, connectTimeout, openTimeout,
                maxConnections, s);
    }

    /** True if nothing is exposed, forwarded or granted. */
    public boolean isEmpty() {
        return services.isEmpty() && forwards.isEmpty() && remoteForwards.isEmpty() && remoteListenGrants.isEmpty()
                && socks.isEmpty();
    }
}
