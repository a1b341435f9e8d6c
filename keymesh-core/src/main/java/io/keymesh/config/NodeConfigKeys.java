package io.keymesh.config;

import java.time.Duration;
import java.util.Set;

/**
 * The names of the keys in a node's {@code keymesh} block, what a peer's optional keys mean
 * when absent, and the bounds of the relay settings: the one place they are spelled, for {@link
 * NodeConfigLoader}, which reads the block, and for {@link NodeConfigRenderer} and {@link
 * LoadedNodeConfig#render()}, which write it. The top-level keys and the relay object's, with their
 * defaults, are documented in {@code reference.conf}; a peer object's keys only in its comments, so
 * their defaults are here.
 */
final class NodeConfigKeys {
    static final String PRIVATE_KEY = "private-key";
    static final String NETWORK_KEY = "network-key";
    /** Appended to {@link #PRIVATE_KEY} or {@link #NETWORK_KEY}: the key names a file holding the secret. */
    static final String FILE_SUFFIX = "-file";
    static final String LISTEN = "listen";
    static final String AEAD = "aead";
    static final String UDP_IO = "udp-io";
    static final String CRYPTO_WORKERS = "crypto-workers";
    static final String ECN = "ecn";
    static final String ACCEPT_MEMBERS = "accept-members";
    static final String PEERS = "peers";
    static final String RELAY = "relay";
    static final String DISCOVERY = "discovery";
    static final String COMPRESSION = "compression";

    /**
     * Every key of the {@code keymesh} block: the one list a configuration is checked against (a
     * key not in it is refused, with the nearest as a suggestion). A new key or block is added here
     * and, with its defaults, to {@code reference.conf} (a test checks that the two agree). {@code
     * copyOf}: a name listed twice is harmless.
     */
    static final Set<String> KEYMESH_KEYS = Set.copyOf(java.util.List.of(
            PRIVATE_KEY, PRIVATE_KEY + FILE_SUFFIX, NETWORK_KEY, NETWORK_KEY + FILE_SUFFIX, LISTEN, AEAD, UDP_IO, ECN, CRYPTO_WORKERS, ACCEPT_MEMBERS, PEERS,
            RELAY, DISCOVERY, COMPRESSION, "services", "forwards", "remote-forwards", "remote-listen", "socks", "forwarding",
            "control", "metrics", "web"));

    static final String PUBLIC_KEY = "public-key";
    static final String ENDPOINT = "endpoint";
    static final String PERSISTENT_KEEPALIVE = "persistent-keepalive";
    static final String WIREGUARD = "wireguard";
    static final String VIA = "via";
    static final String NAME = "name";
    /** Every key of one peer object. */
    static final Set<String> PEER_KEYS = Set.of(PUBLIC_KEY, ENDPOINT, PERSISTENT_KEEPALIVE, WIREGUARD, VIA, NAME);

    /** The keys of the {@link #RELAY} object (their defaults are in {@code reference.conf}). */
    static final String ENABLED = "enabled";
    static final String MAX_CIRCUITS = "max-circuits";
    static final String MAX_CIRCUITS_PER_LINK = "max-circuits-per-link";
    static final String BYTES_PER_SECOND = "bytes-per-second";
    static final String IDLE_TIMEOUT = "idle-timeout";
    static final Set<String> RELAY_KEYS = Set.of(ENABLED, MAX_CIRCUITS, MAX_CIRCUITS_PER_LINK, BYTES_PER_SECOND, IDLE_TIMEOUT);
    /** The most {@link #MAX_CIRCUITS} ({@code RelayConfig} takes no more). */
    static final int MAX_CIRCUITS_LIMIT = 1 << 20;
    /**
     * The most {@link #BYTES_PER_SECOND} short of no limit: 8 GiB/s, far above any link, and low
     * enough that a circuit's token bucket (rate times nanoseconds elapsed, up to a second) stays
     * within a long.
     */
    static final long MAX_BYTES_PER_SECOND = 8L << 30;
    /**
     * The shortest {@link #IDLE_TIMEOUT}: more than twice the time between the probes of a path not
     * in use (4 s, {@code PeerPaths.STANDBY_PROBE_INTERVAL_NANOS}), which are what keeps its circuit
     * open while it carries nothing else.
     */
    static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(10);
    /** The longest {@link #IDLE_TIMEOUT}. */
    static final Duration MAX_IDLE_TIMEOUT = Duration.ofDays(1);

    /** The keys of the {@link #DISCOVERY} object (their defaults are in {@code reference.conf}; also {@link #ENABLED}). */
    static final String MAX_HOPS = "max-hops";
    static final String TIMEOUT = "timeout";
    static final Set<String> DISCOVERY_KEYS = Set.of(ENABLED, MAX_HOPS, TIMEOUT);
    /** The bounds of {@link #TIMEOUT} ({@code DiscoveryConfig} takes no other). */
    static final Duration MIN_SEEK_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_SEEK_TIMEOUT = Duration.ofSeconds(60);

    /** The daemon's metrics object and the endpoint objects in it and beside it (defaults in {@code reference.conf}). */
    static final String METRICS = "metrics";
    static final String MAX_PEERS = "max-peers";
    static final String PROMETHEUS = "prometheus";
    static final Set<String> METRICS_KEYS = Set.of(MAX_PEERS, PROMETHEUS);
    static final String WEB = "web";
    /** The keys of an HTTP endpoint object ({@link #PROMETHEUS}, {@link #WEB}); also {@link #ENABLED} and {@link #LISTEN}. */
    static final String ALLOW_NON_LOOPBACK = "allow-non-loopback";
    static final Set<String> HTTP_ENDPOINT_KEYS = Set.of(ENABLED, LISTEN, ALLOW_NON_LOOPBACK);
    /** The {@code control} object, {@code keymesh up}'s control socket (also {@link #ENABLED}). */
    static final String CONTROL = "control";
    static final String SOCKET = "socket";
    static final Set<String> CONTROL_KEYS = Set.of(ENABLED, SOCKET);
    /** Service forwarding (their defaults are in {@code reference.conf}; read by {@code ForwardingConfigReader}). */
    static final String SERVICES = "services";
    static final String FORWARDS = "forwards";
    static final String REMOTE_FORWARDS = "remote-forwards";
    static final String REMOTE_LISTEN = "remote-listen";
    static final String FORWARDING = "forwarding";
    static final String SOCKS = "socks";
    /** The keys of one service object (or a string: its target). */
    static final String TARGET = "target";
    static final String ALLOW = "allow";
    static final Set<String> SERVICE_KEYS = Set.of(TARGET, ALLOW);
    /** The keys of one forward object ({@link #LISTEN} too). */
    static final String TO = "to";
    static final Set<String> FORWARD_KEYS = Set.of(LISTEN, TO);
    /** The keys of one remote forward object ({@link #LISTEN}, {@link #TARGET} too). */
    static final String PEER = "peer";
    static final Set<String> REMOTE_FORWARD_KEYS = Set.of(PEER, LISTEN, TARGET);
    /** The keys of one remote-listen grant ({@link #LISTEN} too). */
    static final String FROM = "from";
    static final Set<String> REMOTE_LISTEN_KEYS = Set.of(FROM, LISTEN);
    /** The keys of the {@link #FORWARDING} object. */
    static final String WINDOW = "window";
    static final String CONNECT_TIMEOUT = "connect-timeout";
    static final String OPEN_TIMEOUT = "open-timeout";
    static final String MAX_CONNECTIONS = "max-connections";
    static final Set<String> FORWARDING_KEYS = Set.of(WINDOW, CONNECT_TIMEOUT, OPEN_TIMEOUT, MAX_CONNECTIONS);
    /** The bounds of {@link #CONNECT_TIMEOUT} and {@link #OPEN_TIMEOUT}. */
    static final Duration MIN_FORWARD_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_FORWARD_TIMEOUT = Duration.ofMinutes(10);
    /** The keys of the {@link #COMPRESSION} object (defaults in {@code reference.conf}; also {@link #ENABLED}). */
    static final String LEVEL = "level";
    static final String DICTIONARIES = "dictionaries";
    static final Set<String> COMPRESSION_KEYS = Set.of(ENABLED, LEVEL, DICTIONARIES);
    /** The keys of one dictionary object of {@link #DICTIONARIES}: a name, and a file or a class-path resource. */
    static final String FILE = "file";
    static final String RESOURCE = "resource";
    static final Set<String> DICTIONARY_KEYS = Set.of(NAME, FILE, RESOURCE);

    /** A peer without {@link #PERSISTENT_KEEPALIVE}: no keepalive packets. */
    static final int DEFAULT_PERSISTENT_KEEPALIVE_SECONDS = 0;
    /** A peer without {@link #WIREGUARD}: a keymesh peer (network-bound mac1). */
    static final boolean DEFAULT_WIREGUARD = false;

    private NodeConfigKeys() {}
}
