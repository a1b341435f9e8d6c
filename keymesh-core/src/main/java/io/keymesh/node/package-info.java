/**
 * A keymesh node: the session engine driven over a {@link io.keymesh.io.NodeIo} (real UDP or a
 * simulated network), with configuration, a public API by public key, events and statistics.
 */
package io.keymesh.node;
