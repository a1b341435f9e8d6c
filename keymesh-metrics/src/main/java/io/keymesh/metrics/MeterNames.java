package io.keymesh.metrics;

/**
 * The names and tags of the meters {@link KeymeshMetrics} registers: the one place they are spelled.
 * Names are Micrometer's (dots); Prometheus writes them with underscores, counters ending in
 * {@code _total} and times in {@code _seconds} ({@code keymesh.peer.bytes} is scraped as
 * {@code keymesh_peer_bytes_total}). docs/architecture.md lists them with their units.
 */
public final class MeterNames {
    private MeterNames() {}

    /** Tag: the peer's public key, base64 (44 characters), as configured and as {@code keymesh status} prints it. */
    public static final String PEER = "peer";
    /** Tag: {@link #TX} (sent by this node) or {@link #RX} (received). */
    public static final String DIRECTION = "direction";
    public static final String TX = "tx";
    public static final String RX = "rx";
    /** Tag of {@link #DROPS}: a {@code DropReason} name; of {@link #DISCOVERY_SEEKS_DROPPED}: a {@code Seeks.Dropped} name. */
    public static final String REASON = "reason";
    /** Tag of {@link #PEERS}: {@code up} or {@code down}. */
    public static final String STATE = "state";

    // Per peer, tagged peer (and direction where it says so).
    /** Gauge: 1 while the peer's session is up, else 0. */
    public static final String PEER_UP = "keymesh.peer.up";
    /** Counter, by direction: WireGuard packets (transport data, keepalives included). */
    public static final String PEER_PACKETS = "keymesh.peer.packets";
    /** Counter, bytes, by direction: whole UDP payloads of those packets. */
    public static final String PEER_BYTES = "keymesh.peer.bytes";
    /** Counter, by direction: datagrams of the datagram API. */
    public static final String PEER_DATAGRAMS = "keymesh.peer.datagrams";
    /** Counter: handshakes completed. */
    public static final String PEER_HANDSHAKES = "keymesh.peer.handshakes";
    /** Time gauge: since the last completed handshake; NaN before the first. */
    public static final String PEER_HANDSHAKE_AGE = "keymesh.peer.handshake.age";
    /** Time gauge: the probed round-trip time of the path in use; NaN without one or before a probe was answered. */
    public static final String PEER_RTT = "keymesh.peer.rtt";
    /** Gauge: 1 if the path in use is relayed, 0 if direct, NaN if there is none. */
    public static final String PEER_PATH_RELAYED = "keymesh.peer.path.relayed";
    /** Counter, by direction: packets of the peer's reliable connection (data, acknowledgements, probes). */
    public static final String PEER_CHANNEL_PACKETS = "keymesh.peer.channel.packets";
    /** Counter: packets of the reliable connection declared lost (their frames are retransmitted). */
    public static final String PEER_CHANNEL_LOST = "keymesh.peer.channel.packets.lost";
    /** Counter: packets the reliable connection received twice (retransmissions that were not needed). */
    public static final String PEER_CHANNEL_DUPLICATES = "keymesh.peer.channel.duplicates";
    /** Time gauge: the reliable connection's smoothed RTT; NaN without a connection. */
    public static final String PEER_CHANNEL_RTT = "keymesh.peer.channel.rtt";

    // The node, every peer counted (peers removed included).
    /** Gauge, by state: peers up, peers down. */
    public static final String PEERS = "keymesh.peers";
    /** Gauge: peers without meters of their own (beyond the bound on metered peers). */
    public static final String PEERS_UNMETERED = "keymesh.peers.unmetered";
    /** Counter, by direction: {@link #PEER_PACKETS} of every peer, now and before. */
    public static final String PACKETS = "keymesh.packets";
    /** Counter, bytes, by direction. */
    public static final String BYTES = "keymesh.bytes";
    /** Counter, by direction. */
    public static final String DATAGRAMS = "keymesh.datagrams";
    /** Counter. */
    public static final String HANDSHAKES = "keymesh.handshakes";
    /** Counter. */
    public static final String CHANNEL_LOST = "keymesh.channel.packets.lost";
    /** Counter, by reason: packets the session layer dropped (every reason, zeros included). */
    public static final String DROPS = "keymesh.drops";
    /** Counter: datagram sends refused because too much waited for the loop. */
    public static final String SENDS_REFUSED = "keymesh.sends.refused";

    // The relay service and this node's own circuits.
    /** Gauge: circuits through this node now. */
    public static final String RELAY_CIRCUITS = "keymesh.relay.circuits";
    /** Counter: messages passed along circuits. */
    public static final String RELAY_PACKETS = "keymesh.relay.forwarded.packets";
    /** Counter, bytes: their bytes. */
    public static final String RELAY_BYTES = "keymesh.relay.forwarded.bytes";
    /** Counter: circuit openings refused. */
    public static final String RELAY_REFUSED = "keymesh.relay.refused";
    /** Counter: messages dropped over their circuit's rate. */
    public static final String RELAY_OVER_RATE = "keymesh.relay.over.rate";
    /** Gauge: circuit ends of this node's own now (its relayed paths). */
    public static final String RELAY_OWN_CIRCUITS = "keymesh.relay.own.circuits";
    /** Counter: circuits this node opened that were refused or never answered. */
    public static final String RELAY_OWN_REFUSED = "keymesh.relay.own.refused";

    // Discovery by key.
    /** Counter: keys this node sought. */
    public static final String DISCOVERY_SEEKS_STARTED = "keymesh.discovery.seeks.started";
    /** Counter: SEEK frames sent for this node's own seeks. */
    public static final String DISCOVERY_SEEKS_SENT = "keymesh.discovery.seeks.sent";
    /** Counter: keys sought that no member knew in time. */
    public static final String DISCOVERY_SEEKS_UNREACHABLE = "keymesh.discovery.seeks.unreachable";
    /** Counter: SEEK frames received from members. */
    public static final String DISCOVERY_SEEKS_RECEIVED = "keymesh.discovery.seeks.received";
    /** Counter: SEEK frames passed on for others. */
    public static final String DISCOVERY_SEEKS_PASSED_ON = "keymesh.discovery.seeks.passed.on";
    /** Counter: seeks of others answered with a circuit. */
    public static final String DISCOVERY_SEEKS_SPLICED = "keymesh.discovery.seeks.spliced";
    /** Counter, by reason: seeks of others dropped. */
    public static final String DISCOVERY_SEEKS_DROPPED = "keymesh.discovery.seeks.dropped";
}
