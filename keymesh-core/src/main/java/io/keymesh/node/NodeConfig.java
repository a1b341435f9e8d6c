package io.keymesh.node;

import io.keymesh.channel.ChannelConfig;
import io.keymesh.compress.CompressionConfig;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.io.UdpIo;
import io.keymesh.overlay.DiscoveryConfig;
import io.keymesh.overlay.RelayConfig;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a node needs to start: its key, where to listen, the network key and the peers it allows.
 * Validated when built; an invalid value throws {@link IllegalArgumentException} naming it.
 *
 * @param privateKey the node's identity; the node does not close it
 * @param listen the UDP address to bind (port 0: any free port)
 * @param networkKey the mesh's shared key: in WireGuard's pre-shared-key slot and binding mac1,
 *     so only holders of it get any answer; null for plain WireGuard (no psk, standard mac1)
 * @param peers the allow-list: only these keys get answers; keys and names are unique
 * @param aead "jdk" (faster) or "portable" (allocation-free) ChaCha20-Poly1305 for data packets
 * @param channels settings of the reliable channels (the same on every node of a mesh)
 * @param relay the relay service this node offers its peers
 * @param acceptMembers false: only the peers listed get answers (an allow-list); true: any node
 *     holding the network key is let in when it starts a handshake (up to
 *     {@link #MAX_ADMITTED_MEMBERS} at once; forgotten when its session expires), and the peers
 *     listed name bootstrap nodes, relays and preferences. Strangers get silence either way.
 * @param discovery finding peers with no known path through the members ({@link DiscoveryConfig})
 * @param compression channel compression: zstd, its level, the dictionaries ({@link CompressionConfig})
 * @param udpIo the socket I/O for {@link MeshNode#start(NodeConfig, NodeListener)}: batched
 *     system calls where available ({@link UdpIo.Mode#AUTO}), or one of the two by name
 * @param ecn whether channels try ECN on direct paths where the I/O can mark and read the bits
 *     (RFC 9000 section 13.4: marked ECT(0), validated, CE marks a congestion signal)
 * @param cryptoWorkers threads that open received transport packets together with the loop thread
 *     (0: only the loop thread; {@link #CRYPTO_WORKERS_AUTO}: as many as suit the machine,
 *     {@link #defaultCryptoWorkers()}); at most {@link #MAX_CRYPTO_WORKERS}
 */
public record NodeConfig(PrivateKey privateKey, InetSocketAddress listen, PresharedKey networkKey,
        List<PeerConfig> peers, String aead, ChannelConfig channels, RelayConfig relay, boolean acceptMembers,
        DiscoveryConfig discovery, CompressionConfig compression, UdpIo.Mode udpIo, boolean ecn, int cryptoWorkers) {
    /** Members let in without being listed, at most, at once. */
    public static final int MAX_ADMITTED_MEMBERS = 4096;
    /** {@link #cryptoWorkers}: chosen for the machine where the node starts ({@link #defaultCryptoWorkers()}). */
    public static final int CRYPTO_WORKERS_AUTO = -1;
    /** The most crypto worker threads a node may be given. */
    public static final int MAX_CRYPTO_WORKERS = 64;

    public NodeConfig {
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(discovery, "discovery");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(udpIo, "udpIo");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(listen, "listen");
        peers = List.copyOf(peers);
        Set<PublicKey> seen = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (PeerConfig p : peers) {
            if (p.publicKey().equals(privateKey.publicKey())) {
                throw new IllegalArgumentException("peers: " + p.publicKey() + " is this node's own key");
            }
            if (!seen.add(p.publicKey())) {
                throw new IllegalArgumentException("peers: " + p.publicKey() + " is listed twice");
            }
            if (p.name() != null && !names.add(p.name())) {
                throw new IllegalArgumentException("peers: the name " + p.name() + " is given to two peers");
            }
        }
        if (acceptMembers && networkKey == null) {
            throw new IllegalArgumentException("accepting members needs a network key");
        }
        if (cryptoWorkers < CRYPTO_WORKERS_AUTO || cryptoWorkers > MAX_CRYPTO_WORKERS) {
            throw new IllegalArgumentException("cryptoWorkers must be 0.." + MAX_CRYPTO_WORKERS + " or CRYPTO_WORKERS_AUTO, got "
                    + cryptoWorkers);
        }
        if (!aead.equals("jdk") && !aead.equals("portable")) {
            throw new IllegalArgumentException("aead must be 'jdk' or 'portable', got '" + aead + "'");
        }
    }

    /** With the crypto workers chosen where the node starts ({@link #CRYPTO_WORKERS_AUTO}). */
    public NodeConfig(PrivateKey privateKey, InetSocketAddress listen, PresharedKey networkKey,
            List<PeerConfig> peers, String aead, ChannelConfig channels, RelayConfig relay, boolean acceptMembers,
            DiscoveryConfig discovery, CompressionConfig compression, UdpIo.Mode udpIo, boolean ecn) {
        this(privateKey, listen, networkKey, peers, aead, channels, relay, acceptMembers, discovery, compression, udpIo, ecn,
                CRYPTO_WORKERS_AUTO);
    }

    /** With the socket I/O chosen where the node starts ({@link UdpIo.Mode#AUTO}). */
    public NodeConfig(PrivateKey privateKey, InetSocketAddress listen, PresharedKey networkKey,
            List<PeerConfig> peers, String aead, ChannelConfig channels, RelayConfig relay, boolean acceptMembers,
            DiscoveryConfig discovery, CompressionConfig compression) {
        this(privateKey, listen, networkKey, peers, aead, channels, relay, acceptMembers, discovery, compression, UdpIo.Mode.AUTO,
                true);
    }

    /** With the default {@link CompressionConfig}. */
    public NodeConfig(PrivateKey privateKey, InetSocketAddress listen, PresharedKey networkKey,
            List<PeerConfig> peers, String aead, ChannelConfig channels, RelayConfig relay, boolean acceptMembers,
            DiscoveryConfig discovery) {
        this(privateKey, listen, networkKey, peers, aead, channels, relay, acceptMembers, discovery, CompressionConfig.DEFAULT);
    }

    /** With the default {@link DiscoveryConfig}. */
    public NodeConfig(PrivateKey privateKey, InetSocketAddress listen, PresharedKey networkKey,
            List<PeerConfig> peers, String aead, ChannelConfig channels, RelayConfig relay, boolean acceptMembers) {
        this(privateKey, listen, networkKey, peers, aead, channels, relay, acceptMembers, DiscoveryConfig.DEFAULT);
    }

    /** With the default {@link RelayConfig}. */
    public NodeConfig(PrivateKey privateKey, InetSocketAddress listen, PresharedKey networkKey,
            List<PeerConfig> peers, String aead, ChannelConfig channels) {
        this(privateKey, listen, networkKey, peers, aead, channels, RelayConfig.DEFAULT, false);
    }

    /** With the default {@link ChannelConfig}. */
    public NodeConfig(PrivateKey privateKey, InetSocketAddress listen, PresharedKey networkKey,
            List<PeerConfig> peers, String aead) {
        this(privateKey, listen, networkKey, peers, aead, ChannelConfig.DEFAULT);
    }

    /** A node on {@code listen} in the network of {@code networkKey}, with no peers yet. */
    public static NodeConfig of(PrivateKey privateKey, InetSocketAddress listen, PresharedKey networkKey) {
        return new NodeConfig(privateKey, listen, networkKey, List.of(), "jdk");
    }

    public NodeConfig withPeers(List<PeerConfig> newPeers) {
        return new NodeConfig(privateKey, listen, networkKey, newPeers, aead, channels, relay, acceptMembers, discovery, compression, udpIo, ecn, cryptoWorkers);
    }

    public NodeConfig withAead(String newAead) {
        return new NodeConfig(privateKey, listen, networkKey, peers, newAead, channels, relay, acceptMembers, discovery, compression, udpIo, ecn, cryptoWorkers);
    }

    public NodeConfig withChannels(ChannelConfig newChannels) {
        return new NodeConfig(privateKey, listen, networkKey, peers, aead, newChannels, relay, acceptMembers, discovery, compression, udpIo, ecn, cryptoWorkers);
    }

    /** Any holder of the network key let in ({@code true}), or only the peers listed. */
    public NodeConfig withAcceptMembers(boolean accept) {
        return new NodeConfig(privateKey, listen, networkKey, peers, aead, channels, relay, accept, discovery, compression, udpIo, ecn, cryptoWorkers);
    }

    public NodeConfig withRelay(RelayConfig newRelay) {
        return new NodeConfig(privateKey, listen, networkKey, peers, aead, channels, newRelay, acceptMembers, discovery, compression, udpIo, ecn, cryptoWorkers);
    }

    public NodeConfig withDiscovery(DiscoveryConfig newDiscovery) {
        return new NodeConfig(privateKey, listen, networkKey, peers, aead, channels, relay, acceptMembers, newDiscovery, compression, udpIo, ecn, cryptoWorkers);
    }

    public NodeConfig withCompression(CompressionConfig newCompression) {
        return new NodeConfig(privateKey, listen, networkKey, peers, aead, channels, relay, acceptMembers, discovery,
                newCompression, udpIo, ecn, cryptoWorkers);
    }

    /** The socket I/O to start on ({@link UdpIo.Mode}). */
    public NodeConfig withUdpIo(UdpIo.Mode newUdpIo) {
        return new NodeConfig(privateKey, listen, networkKey, peers, aead, channels, relay, acceptMembers, discovery, compression,
                newUdpIo, ecn, cryptoWorkers);
    }

    /** Whether channels try ECN ({@code ecn}). */
    public NodeConfig withEcn(boolean newEcn) {
        return new NodeConfig(privateKey, listen, networkKey, peers, aead, channels, relay, acceptMembers, discovery, compression,
                udpIo, newEcn, cryptoWorkers);
    }

    /**
     * With {@code threads} crypto workers: 0 opens every received packet on the loop thread,
     * {@link #CRYPTO_WORKERS_AUTO} picks for the machine ({@link #defaultCryptoWorkers()}).
     */
    public NodeConfig withCryptoWorkers(int threads) {
        return new NodeConfig(privateKey, listen, networkKey, peers, aead, channels, relay, acceptMembers, discovery, compression,
                udpIo, ecn, threads);
    }

    /** The crypto workers the node starts with: {@link #cryptoWorkers}, or for auto {@link #defaultCryptoWorkers()}. */
    public int effectiveCryptoWorkers() {
        return cryptoWorkers == CRYPTO_WORKERS_AUTO ? defaultCryptoWorkers() : cryptoWorkers;
    }

    /** What {@link #CRYPTO_WORKERS_AUTO} means on this machine. */
    public static int defaultCryptoWorkers() {
        return CryptoWorkers.defaultCount(Runtime.getRuntime().availableProcessors());
    }
}
