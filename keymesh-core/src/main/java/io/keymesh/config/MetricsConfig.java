package io.keymesh.config;

import java.util.Objects;

/**
 * The daemon's metrics: how many peers get meters of their own, and the Prometheus endpoint
 * ({@code keymesh.metrics} in the configuration).
 *
 * @param maxPeers peers that get per-peer meters, at most (0: node totals only); the totals always
 *     cover every peer, so a node with thousands of members does not make thousands of series
 * @param prometheus the endpoint serving the meters in Prometheus's text format at {@code /metrics}
 */
public record MetricsConfig(int maxPeers, HttpEndpoint prometheus) {
    /** The most {@link #maxPeers} the loader takes. */
    public static final int MAX_PEERS_LIMIT = 65_536;

    public MetricsConfig {
        Objects.requireNonNull(prometheus, "prometheus");
        if (maxPeers < 0 || maxPeers > MAX_PEERS_LIMIT) {
            throw new IllegalArgumentException("maxPeers must be 0.." + MAX_PEERS_LIMIT + ", got " + maxPeers);
        }
    }
}
