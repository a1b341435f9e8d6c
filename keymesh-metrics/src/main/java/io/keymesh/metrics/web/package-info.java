/**
 * A small HTTP server on the JDK's {@code com.sun.net.httpserver}: the live topology page and its
 * JSON ({@link io.keymesh.metrics.web.TopologyJson}), and a Prometheus scrape, for a daemon to
 * serve on localhost.
 */
package io.keymesh.metrics.web;
