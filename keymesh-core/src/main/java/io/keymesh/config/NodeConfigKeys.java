package io.keymesh.config;

import java.util.Set;

/**
 * The names of the keys in a node's {@code keymesh} block, and what a peer's optional keys mean
 * when absent: the one place they are spelled, for {@link NodeConfigLoader}, which reads the block,
 * and for {@link NodeConfigRenderer} and {@link LoadedNodeConfig#render()}, which write it. The
 * top-level keys and their defaults are documented in {@code reference.conf}; a peer object's keys
 * only in its comments, so their defaults are here.
 */
final class NodeConfigKeys {
    static final String PRIVATE_KEY = "private-key";
    static final String NETWORK_KEY = "network-key";
    /** Appended to {@link #PRIVATE_KEY} or {@link #NETWORK_KEY}: the key names a file holding the secret. */
    static final String FILE_SUFFIX = "-file";
    static final String LISTEN = "listen";
    static final String AEAD = "aead";
    static final String PEERS = "peers";

    static final String PUBLIC_KEY = "public-key";
    static final String ENDPOINT = "endpoint";
    static final String PERSISTENT_KEEPALIVE = "persistent-keepalive";
    static final String WIREGUARD = "wireguard";
    /** Every key of one peer object. */
    static final Set<String> PEER_KEYS = Set.of(PUBLIC_KEY, ENDPOINT, PERSISTENT_KEEPALIVE, WIREGUARD);

    /** A peer without {@link #PERSISTENT_KEEPALIVE}: no keepalive packets. */
    static final int DEFAULT_PERSISTENT_KEEPALIVE_SECONDS = 0;
    /** A peer without {@link #WIREGUARD}: a keymesh peer (network-bound mac1). */
    static final boolean DEFAULT_WIREGUARD = false;

    private NodeConfigKeys() {}
}
