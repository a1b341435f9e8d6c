package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One allowed peer: its public key, where to reach it if known, and how to keep the path open.
 *
 * @param publicKey the peer's identity
 * @param endpoint where to send first; null if unknown (the peer must reach us, then roaming follows it)
 * @param persistentKeepaliveSeconds 0 (off) or 1..65535: an authenticated empty packet after this
 *     much silence, to hold NAT bindings open
 * @param wireGuardCompatible true for a stock WireGuard peer: it uses WireGuard's standard mac1
 *     instead of the network-bound one (see {@code SessionEngine#setMembershipKey})
 */
public record PeerConfig(PublicKey publicKey, InetSocketAddress endpoint, int persistentKeepaliveSeconds,
        boolean wireGuardCompatible) {
    public PeerConfig {
        Objects.requireNonNull(publicKey, "publicKey");
        if (persistentKeepaliveSeconds < 0 || persistentKeepaliveSeconds > 65535) {
            throw new IllegalArgumentException("persistent keepalive must be 0..65535 seconds, got " + persistentKeepaliveSeconds);
        }
        if (endpoint != null && endpoint.isUnresolved()) {
            throw new IllegalArgumentException("endpoint " + endpoint.getHostString() + " does not resolve");
        }
    }

    /** A mesh peer at {@code endpoint} (may be null), no keepalive. */
    public static PeerConfig of(PublicKey publicKey, InetSocketAddress endpoint) {
        return new PeerConfig(publicKey, endpoint, 0, false);
    }

    public PeerConfig withPersistentKeepalive(int seconds) {
        return new PeerConfig(publicKey, endpoint, seconds, wireGuardCompatible);
    }

    public PeerConfig withEndpoint(InetSocketAddress newEndpoint) {
        return new PeerConfig(publicKey, newEndpoint, persistentKeepaliveSeconds, wireGuardCompatible);
    }
}
