/**
 * Byte layouts on the wire. WireGuard's four messages are described by offset constants and
 * static accessors over a caller's array (flyweights): no object is made per packet. All
 * multi-byte integers in WireGuard messages are little-endian.
 */
package io.keymesh.wire;
