package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;
import java.util.List;
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
 * @param relays routes to the peer through relays, each the relays in order (one to three, other
 *     members, not the peer); with any, the node keeps a circuit open on each and picks the best
 *     working path, direct or relayed; without, the peer roams as in WireGuard
 * @param name what people call the peer in logs and tables, or null: 1..{@value #MAX_NAME_LENGTH}
 *     letters, digits, '-', '_' and '.', beginning with a letter or digit ({@link #nameProblem});
 *     unique among a node's peers ({@link NodeConfig}). Never sent anywhere.
 */
public record PeerConfig(PublicKey publicKey, InetSocketAddress endpoint, int persistentKeepaliveSeconds,
        boolean wireGuardCompatible, List<List<PublicKey>> relays, String name) {
    /** The most relays on one route. */
    public static final int MAX_RELAYS = 3;
    /** The longest {@link #name}: shorter than any key's text, so that a name never reads as a key. */
    public static final int MAX_NAME_LENGTH = 32;

    public PeerConfig {
        Objects.requireNonNull(publicKey, "publicKey");
        if (name != null && nameProblem(name) != null) {
            throw new IllegalArgumentException("peer name " + nameProblem(name));
        }
        relays = relays.stream().map(List::copyOf).toList();
        for (List<PublicKey> route : relays) {
            if (route.isEmpty() || route.size() > MAX_RELAYS) {
                throw new IllegalArgumentException("a route has 1.." + MAX_RELAYS + " relays, got " + route.size());
            }
            if (route.contains(publicKey) || route.stream().distinct().count() != route.size()) {
                throw new IllegalArgumentException("a route to " + publicKey + " names the peer itself or a relay twice");
            }
        }
        if (wireGuardCompatible && !relays.isEmpty()) {
            throw new IllegalArgumentException("a stock WireGuard peer cannot be reached through relays");
        }
        if (persistentKeepaliveSeconds < 0 || persistentKeepaliveSeconds > 65535) {
            throw new IllegalArgumentException("persistent keepalive must be 0..65535 seconds, got " + persistentKeepaliveSeconds);
        }
        if (endpoint != null && endpoint.isUnresolved()) {
            throw new IllegalArgumentException("endpoint " + endpoint.getHostString() + " does not resolve");
        }
    }

    /** Without a name. */
    public PeerConfig(PublicKey publicKey, InetSocketAddress endpoint, int persistentKeepaliveSeconds,
            boolean wireGuardCompatible, List<List<PublicKey>> relays) {
        this(publicKey, endpoint, persistentKeepaliveSeconds, wireGuardCompatible, relays, null);
    }

    /** Without relays or a name. */
    public PeerConfig(PublicKey publicKey, InetSocketAddress endpoint, int persistentKeepaliveSeconds,
            boolean wireGuardCompatible) {
        this(publicKey, endpoint, persistentKeepaliveSeconds, wireGuardCompatible, List.of());
    }

    /**
     * Why {@code name} is no peer name ("must be ...", naming it), or null if it is one: 1..{@value
     * #MAX_NAME_LENGTH} ASCII letters, digits, '-', '_' and '.', beginning with a letter or digit.
     */
    public static String nameProblem(String name) {
        boolean ok = !name.isEmpty() && name.length() <= MAX_NAME_LENGTH && Character.isLetterOrDigit(name.charAt(0))
                && name.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.'));
        return ok ? null : "must be 1.." + MAX_NAME_LENGTH + " characters: letters, digits, '-', '_' and '.', beginning with "
                + "a letter or digit; got \"" + name + "\"";
    }

    /** Named {@code newName} (null: no name). */
    public PeerConfig withName(String newName) {
        return new PeerConfig(publicKey, endpoint, persistentKeepaliveSeconds, wireGuardCompatible, relays, newName);
    }

    /** A mesh peer at {@code endpoint} (may be null), no keepalive. */
    public static PeerConfig of(PublicKey publicKey, InetSocketAddress endpoint) {
        return new PeerConfig(publicKey, endpoint, 0, false);
    }

    /** Reached also through these relays: each a route of one to three relays. */
    public PeerConfig withRelays(List<List<PublicKey>> routes) {
        return new PeerConfig(publicKey, endpoint, persistentKeepaliveSeconds, wireGuardCompatible, routes, name);
    }

    /** Reached also through each of these relays (one route per relay). */
    public PeerConfig via(PublicKey... relay) {
        return withRelays(java.util.Arrays.stream(relay).map(List::of).toList());
    }

    public PeerConfig withPersistentKeepalive(int seconds) {
        return new PeerConfig(publicKey, endpoint, seconds, wireGuardCompatible, relays, name);
    }

    public PeerConfig withEndpoint(InetSocketAddress newEndpoint) {
        return new PeerConfig(publicKey, newEndpoint, persistentKeepaliveSeconds, wireGuardCompatible, relays, name);
    }
}
