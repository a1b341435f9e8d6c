package io.keymesh.node;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.DropReason;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.UdpEndpoint;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Snapshots of a node's per-peer statistics, session drops and connection measurements, gathered
 * from the session engine and the peers' {@link PeerState}s for {@link MeshNode}'s statistics
 * methods. Loop thread; each call returns a new snapshot, the caller's to keep.
 */
final class NodeStats {
    private final Map<PublicKey, PeerState> peers;
    /** The overlay, for each peer's paths; set once, before the loop starts. */
    MeshOverlay overlay;

    NodeStats(Map<PublicKey, PeerState> peers) {
        this.peers = peers;
    }

    /** {@link MeshNode#peerStats()}: every peer the engine has, at {@code now}. */
    List<PeerStats> peers(SessionEngine engine, long now) {
        List<PeerStats> out = new ArrayList<>();
        for (Peer p : engine.peers()) {
            PeerState s = peers.get(p.publicKey());
            long hs = p.lastHandshakeNanos();
            long heard = s == null || s.lastReceivedNanos == Long.MIN_VALUE ? -1 : now - s.lastReceivedNanos;
            out.add(new PeerStats(p.publicKey(), UdpEndpoint.addressOf(p.endpoint()), s != null && s.up, hs < 0 ? -1 : now - hs,
                    p.handshakesCompleted(), p.txPackets(), p.rxPackets(), p.txBytes(), p.rxBytes(),
                    s == null ? 0 : s.datagramsSent.get(), s == null ? 0 : s.datagramsReceived, overlay.paths(p),
                    overlay.remoteCandidates(p), overlay.directFor(p, now), s == null ? Found.NOT_YET : s.found,
                    heard, s != null && s.silent && !s.up, s == null ? null : s.name));
        }
        return out;
    }

    /** {@link MeshNode#drops()}: the engine's drops by reason, only reasons that occurred. */
    Map<DropReason, Long> drops(SessionEngine engine) {
        Map<DropReason, Long> out = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            if (engine.dropped(r) > 0) {
                out.put(r, engine.dropped(r));
            }
        }
        return out;
    }

    /** {@link MeshNode#channelStats()}: the measurements of every peer's connection, for the peers that have one. */
    Map<PublicKey, ChannelConnection.Stats> channels() {
        Map<PublicKey, ChannelConnection.Stats> out = new java.util.HashMap<>();
        peers.forEach((key, s) -> {
            if (s.connection != null) {
                out.put(key, s.connection.stats());
            }
        });
        return out;
    }

    /** {@link MeshNode#tableSizes()}: the engine's, the peers', the channels' and the overlay's tables. */
    TableSizes tables(SessionEngine engine, int admittedMembers, int outbox, int pings) {
        int staged = 0;
        int paths = 0;
        for (Peer p : engine.peers()) {
            staged += p.stagedPackets();
            paths += overlay.paths(p).size();
        }
        int handles = 0;
        int connections = 0;
        int channels = 0;
        for (PeerState s : peers.values()) {
            handles += s.channels.size();
            if (s.connection != null) {
                connections++;
                channels += s.connection.stats().channels();
            }
        }
        var o = overlay.overlay();
        var seeks = o.seeks();
        return new TableSizes(engine.peers().size(), admittedMembers, engine.indicesInUse(), staged, handles, connections,
                channels, o.peerCount(), paths, o.relay().circuits(), o.circuits().size(), o.relay().splicedOrigins(),
                seeks.pendingSize(), seeks.seenSize(), seeks.originsSize(), seeks.linksSize(), o.reach().size(), outbox,
                pings);
    }

    /** {@link MeshNode#channelStats}: {@code peer}'s connection's measurements, or null if none. */
    ChannelConnection.Stats channel(PublicKey peer) {
        PeerState s = peers.get(peer);
        return s == null || s.connection == null ? null : s.connection.stats();
    }
}
