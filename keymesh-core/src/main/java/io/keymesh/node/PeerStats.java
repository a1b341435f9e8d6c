package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;

/**
 * A snapshot of one peer's state and counters. Bytes count whole UDP payloads (WireGuard headers,
 * padding and tags included).
 *
 * @param lastHandshakeAgoNanos time since the last completed handshake, or -1 if none
 */
public record PeerStats(PublicKey publicKey, InetSocketAddress endpoint, boolean up, long lastHandshakeAgoNanos,
        long handshakes, long txPackets, long rxPackets, long txBytes, long rxBytes, long datagramsSent,
        long datagramsReceived) {}
