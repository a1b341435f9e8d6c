package io.keymesh.metrics;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * How {@link KeymeshMetrics} binds a node's meters.
 *
 * @param maxPeers peers that get meters of their own, at most: the first met, while they are peers
 *     (a peer that goes away frees its place). 0: the node's totals only. The totals cover every
 *     peer either way, so a node with thousands of members makes a bounded number of series.
 * @param tags added to every meter, e.g. {@code node=KEY} when one registry holds several nodes'
 *     meters (meters of the same name and tags are one meter)
 */
public record MetricsOptions(int maxPeers, Tags tags) {
    /** Per-peer meters for up to 256 peers, no extra tags. */
    public static final MetricsOptions DEFAULT = new MetricsOptions(256, Tags.empty());

    public MetricsOptions {
        if (maxPeers < 0) {
            throw new IllegalArgumentException("maxPeers must not be negative, got " + maxPeers);
        }
        java.util.Objects.requireNonNull(tags, "tags");
        for (Tag t : tags) {
            if (t.getKey().equals(MeterNames.PEER) || t.getKey().equals(MeterNames.DIRECTION)
                    || t.getKey().equals(MeterNames.REASON) || t.getKey().equals(MeterNames.STATE)) {
                throw new IllegalArgumentException("tag " + t.getKey() + " is one of the meters' own");
            }
        }
    }

    public MetricsOptions withMaxPeers(int n) {
        return new MetricsOptions(n, tags);
    }

    public MetricsOptions withTags(Tags t) {
        return new MetricsOptions(maxPeers, t);
    }
}
