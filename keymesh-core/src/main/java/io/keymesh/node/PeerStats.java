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
 * @param paths the paths to the peer the node knows, the one in use first (candidates included)
 * @param candidates the candidate addresses the peer last sent us (for going direct), in its order
 * @param directForNanos how long the peer's packets have taken a direct path since they last moved
 *     there from a relayed one (or from none), or -1 while they do not take a direct path or the
 *     peer roams as in WireGuard
 * @param found how the node came to the peer: configured, it reached us, or sought through a member
 * @param lastReceivedAgoNanos time since the last authenticated packet from the peer (any: data,
 *     keepalive, handshake, probe), or -1 if none came since it was added
 * @param silent the peer kept its path open with keepalives and then went quiet, and was reported
 *     down for it ({@code up} is false); its next authenticated packet on a live session brings it up
 * @param name the peer's name ({@link PeerConfig#name()}), or null if it has none
 */
public record PeerStats(PublicKey publicKey, InetSocketAddress endpoint, boolean up, long lastHandshakeAgoNanos,
        long handshakes, long txPackets, long rxPackets, long txBytes, long rxBytes, long datagramsSent,
        long datagramsReceived, List<PathInfo> paths, List<InetSocketAddress> candidates, long directForNanos,
        Found found, long lastReceivedAgoNanos, boolean silent, String name) {
    public PeerStats {
        paths = List.copyOf(paths);
        candidates = List.copyOf(candidates);
    }

    /** Without a name. */
    public PeerStats(PublicKey publicKey, InetSocketAddress endpoint, boolean up, long lastHandshakeAgoNanos,
            long handshakes, long txPackets, long rxPackets, long txBytes, long rxBytes, long datagramsSent,
            long datagramsReceived, List<PathInfo> paths, List<InetSocketAddress> candidates, long directForNanos,
            Found found, long lastReceivedAgoNanos, boolean silent) {
        this(publicKey, endpoint, up, lastHandshakeAgoNanos, handshakes, txPackets, rxPackets, txBytes, rxBytes,
                datagramsSent, datagramsReceived, paths, candidates, directForNanos, found, lastReceivedAgoNanos, silent, null);
    }

    /** Never heard from, not silent. */
    public PeerStats(PublicKey publicKey, InetSocketAddress endpoint, boolean up, long lastHandshakeAgoNanos,
            long handshakes, long txPackets, long rxPackets, long txBytes, long rxBytes, long datagramsSent,
            long datagramsReceived, List<PathInfo> paths, List<InetSocketAddress> candidates, long directForNanos,
            Found found) {
        this(publicKey, endpoint, up, lastHandshakeAgoNanos, handshakes, txPackets, rxPackets, txBytes, rxBytes,
                datagramsSent, datagramsReceived, paths, candidates, directForNanos, found, -1, false);
    }

    /** Without candidates, not direct. */
    public PeerStats(PublicKey publicKey, InetSocketAddress endpoint, boolean up, long lastHandshakeAgoNanos,
            long handshakes, long txPackets, long rxPackets, long txBytes, long rxBytes, long datagramsSent,
            long datagramsReceived, List<PathInfo> paths) {
        this(publicKey, endpoint, up, lastHandshakeAgoNanos, handshakes, txPackets, rxPackets, txBytes, rxBytes,
                datagramsSent, datagramsReceived, paths, List.of(), -1, Found.NOT_YET);
    }

    /** The path in use, or null if there is none. */
    public PathInfo path() {
        return paths.stream().filter(PathInfo::inUse).findFirst().orElse(null);
    }
}
