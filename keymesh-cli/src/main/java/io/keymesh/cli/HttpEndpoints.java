package io.keymesh.cli;

import io.keymesh.config.HostPort;
import io.keymesh.config.HttpEndpoint;
import io.keymesh.config.MetricsConfig;
import io.keymesh.metrics.KeymeshMetrics;
import io.keymesh.metrics.MetricsOptions;
import io.keymesh.metrics.NodeSnapshots;
import io.keymesh.metrics.web.MeshHttpServer;
import io.keymesh.node.MeshNode;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code keymesh up} serves over HTTP, each only if enabled: the node's meters (and the JVM's)
 * in Prometheus's text format at {@code /metrics} ({@code keymesh.metrics.prometheus}), and the
 * topology page at {@code /} with its JSON at {@code /api/topology} ({@code keymesh.web}). Both on
 * the same listen address share one server. Started after the node, closed before it. Not
 * thread-safe.
 */
final class HttpEndpoints implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpEndpoints.class);

    /** An enabled endpoint whose address could not be bound; {@code key} is its config key path. */
    static final class BindFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final String key;

        BindFailure(String key, InetSocketAddress address, IOException cause) {
            super("cannot bind TCP " + HostPort.format(address) + ": " + cause.getMessage(), cause);
            this.key = key;
        }
    }

    private KeymeshMetrics metrics;
    private MeshHttpServer prometheusServer;
    private MeshHttpServer webServer;

    private HttpEndpoints() {}

    /** Starts what {@code metrics} and {@code web} enable for {@code node}; nothing if neither is. */
    static HttpEndpoints start(MeshNode node, MetricsConfig metricsConfig, HttpEndpoint web) throws BindFailure {
        HttpEndpoints e = new HttpEndpoints();
        HttpEndpoint prometheus = metricsConfig.prometheus();
        if (!prometheus.enabled() && !web.enabled()) {
            return e;
        }
        NodeSnapshots snapshots = new NodeSnapshots(node);
        try {
            MeshHttpServer.Builder first = null;
            if (prometheus.enabled()) {
                PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                new JvmMemoryMetrics().bindTo(registry);
                new JvmThreadMetrics().bindTo(registry);
                new ProcessorMetrics().bindTo(registry);
                new UptimeMetrics().bindTo(registry);
                e.metrics = KeymeshMetrics.bindTo(snapshots, registry, MetricsOptions.DEFAULT.withMaxPeers(metricsConfig.maxPeers()));
                first = MeshHttpServer.on(prometheus.listen()).prometheus(() -> {
                    snapshots.current(); // a stale snapshot is taken again (and new peers get meters) before the scrape
                    return registry.scrape();
                });
            }
            boolean shared = first != null && web.enabled() && web.listen().equals(prometheus.listen());
            if (shared) {
                first.topology(snapshots);
            }
            if (first != null) {
                e.prometheusServer = start(first, "keymesh.metrics.prometheus.listen", prometheus.listen());
                log.info("serving Prometheus metrics on http://{}/metrics", HostPort.format(e.prometheusServer.address()));
            }
            if (shared) {
                e.webServer = e.prometheusServer;
            } else if (web.enabled()) {
                e.webServer = start(MeshHttpServer.on(web.listen()).topology(snapshots), "keymesh.web.listen", web.listen());
            }
            if (e.webServer != null) {
                log.info("serving the topology page on http://{}/", HostPort.format(e.webServer.address()));
            }
            return e;
        } catch (BindFailure | RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    private static MeshHttpServer start(MeshHttpServer.Builder b, String key, InetSocketAddress address) throws BindFailure {
        try {
            return b.start();
        } catch (IOException ex) {
            throw new BindFailure(key, address, ex);
        }
    }

    /** Where {@code /metrics} is served, or null if it is not. */
    InetSocketAddress prometheusAddress() {
        return prometheusServer == null ? null : prometheusServer.address();
    }

    /** Where the topology page is served, or null if it is not. */
    InetSocketAddress webAddress() {
        return webServer == null ? null : webServer.address();
    }

    @Override
    public void close() {
        if (webServer != null && webServer != prometheusServer) {
            webServer.close();
        }
        if (prometheusServer != null) {
            prometheusServer.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }
}
