/**
 * A node's counters as Micrometer meters ({@link io.keymesh.metrics.KeymeshMetrics}), read from
 * one snapshot of the node refreshed at most once a second ({@link io.keymesh.metrics.NodeSnapshots}).
 */
package io.keymesh.metrics;
