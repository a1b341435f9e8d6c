package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A snapshot of one peer's state and counters. Bytes count whole UDP payloads (WireGuard headers,
 * padding and tags included).
 *
 * @param endpoint the peer's UDP address while its packets go there directly, else null
 * @param lastHandshakeAgoNanos time since the last completed handshake, or -1 if none
 * @param paths the paths to the peer the node knows, the one in use first
 */
public record PeerStats(PublicKey publicKey, InetSocketAddress endpoint, boolean up, long lastHandshakeAgoNanos,
        long handshakes, long txPackets, long rxPackets, long txBytes, long rxBytes, long datagramsSent,
        long datagramsReceived, List<PathInfo> paths) {
    public PeerStats {
        paths = List.copyOf(paths);
    }

    /** The path in use, or null if there is none. */
    public PathInfo path() {
        return paths.stream().filter(PathInfo::inUse).findFirst().orElse(null);
    }
}
