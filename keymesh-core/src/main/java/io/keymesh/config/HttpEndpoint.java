package io.keymesh.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A local HTTP endpoint that {@code keymesh up} serves when asked to: the Prometheus scrape
 * ({@code keymesh.metrics.prometheus}) or the topology page ({@code keymesh.web}). Off unless
 * enabled; what it shows (peers, their addresses, traffic) is for this machine, so the loader
 * refuses a non-loopback {@code listen} unless {@code allowNonLoopback} is set, and warns when it is.
 *
 * @param enabled whether the daemon serves it
 * @param listen the TCP address to bind (port 0: any free port)
 * @param allowNonLoopback true to let {@code listen} be an address other hosts can reach
 */
public record HttpEndpoint(boolean enabled, InetSocketAddress listen, boolean allowNonLoopback) {
    public HttpEndpoint {
        Objects.requireNonNull(listen, "listen");
    }

    /** True if {@link #listen} is a loopback address (127.0.0.0/8, ::1), reachable from this host only. */
    public boolean loopback() {
        return listen.getAddress() != null && listen.getAddress().isLoopbackAddress();
    }
}
