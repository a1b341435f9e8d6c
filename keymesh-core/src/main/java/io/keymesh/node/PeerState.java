package io.keymesh.node;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.channel.RetiredChannels;
import io.keymesh.session.Peer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Node-side state of a peer; fields other than {@code session}'s key, {@code channels} and
 * {@code retiredChannels} are loop-thread only.
 */
final class PeerState {
    final Peer session;
    final Map<Long, Channel> channels = new ConcurrentHashMap<>();
    /**
     * The channel numbers retired on the current connection, kept by that connection (it empties
     * the set when it starts over or ends) and read here from any thread: each connection made
     * for the peer is given this set.
     */
    final RetiredChannels retiredChannels = new RetiredChannels();
    ChannelConnection connection;
    /** What the peer decodes, as its connection's latest COMPRESSION frame said (null: nothing known); read by senders. */
    volatile io.keymesh.wire.CompressionOffer peerCompression;
    /** The connection was made for a loopback path: path-MTU discovery may search up to 64 KiB. */
    boolean loopbackConnection;
    /** The address the I/O marks ECT(0) for this peer's connection, or null (loop thread). */
    java.net.InetSocketAddress ecnMarkedAddress;
    boolean up;
    /** The overlay picks this peer's paths (it has relays); false: it roams as in WireGuard. Set when added. */
    boolean overlayPaths;
    /** The largest datagram the peer's current path takes ({@link DatagramLimit}); written by the loop, read by senders. */
    volatile int maxDatagram = MeshNode.MAX_DATAGRAM_LENGTH;
    /** When the last authenticated packet from the peer arrived (loop clock), or {@link Long#MIN_VALUE}. */
    long lastReceivedNanos = Long.MIN_VALUE;
    /** Reported down for silence: the next authenticated packet on a live session brings it up again. */
    boolean silent;
    /**
     * The peer sent on a session this node does not hold (this node restarted), and a handshake was
     * started for that: when it completes, the channel connection speaks first (its new id tells
     * the peer at once that its connection with us is gone). Loop thread.
     */
    boolean announceConnection;
    /** Channel packets with data that the peer's connections that ended had sent (loop thread; {@link PeerConnections#dataPacketsSent}). */
    long dataPacketsOfEndedConnections;
    /** When the last keepalive from the peer arrived, or {@link Long#MIN_VALUE}. */
    long lastKeepaliveNanos = Long.MIN_VALUE;
    /**
     * A handshake just completed: the next keepalive may be the one that confirms it (the initiator's,
     * when it has nothing else to send), no sample of the peer's keepalive interval.
     */
    boolean confirmingHandshake;
    /** The gap between its last two keepalives, not yet confirmed by the gap before it, or 0. */
    long unconfirmedKeepaliveGapNanos;
    /** The gap between its last two keepalives (its persistent keepalive interval, as we see it), or 0. */
    long keepaliveGapNanos;
    /** Has no configured way to it (no endpoint, no relays; not a stock WireGuard peer): found by discovery, again when its paths are lost. */
    boolean discoverable;
    /** The peer's name from its {@link PeerConfig}, or null. */
    String name;
    /** How the node came to the peer; loop thread. */
    Found found = Found.NOT_YET;
    /** Let in as a member holding the network key, not listed: forgotten when its session expires. */
    boolean admitted;
    final AtomicLong datagramsSent = new AtomicLong();
    /** Datagrams to this peer queued for the loop thread; while there are any, later ones queue behind them. */
    final AtomicInteger pendingSends = new AtomicInteger();
    long datagramsReceived;
    /** Wakes the connection at its next deadline: one timer per peer, so a packet re-arms only its own. */
    Wakeup connectionWakeup;

    PeerState(Peer session) {
        this.session = session;
    }
}
