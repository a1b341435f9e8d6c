package io.keymesh.metrics.web;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.config.HostPort;
import io.keymesh.crypto.PublicKey;
import io.keymesh.metrics.NodeSnapshot;
import io.keymesh.metrics.NodeSnapshots;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerStats;
import io.keymesh.node.RelayStats;
import io.keymesh.session.DropReason;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The topology page's data, {@code GET /api/topology}: this node, its peers (sorted by key) with
 * their paths and counters, and bytes per second each way between the latest snapshot and the one
 * before it. The schema is documented in docs/architecture.md ("The topology page"). Stateless.
 */
public final class TopologyJson {
    /** Characters of a base64 key in {@code short}: as {@code keymesh status} shows relays. */
    public static final int SHORT_KEY_CHARS = 8;

    private TopologyJson() {}

    /**
     * @param names a name for a peer that has none of its own ({@link io.keymesh.node.PeerStats#name()}),
     *     or null for none (the page shows the short key then)
     */
    public static String of(NodeSnapshots.Latest latest, Function<PublicKey, String> names) {
        NodeSnapshot s = latest.current();
        NodeSnapshot prev = latest.previous();
        double seconds = prev == null ? 0 : (s.takenAtNanos() - prev.takenAtNanos()) / 1e9;
        Json j = new Json().beginObject();
        j.name("node").beginObject();
        key(j, s.node(), names.apply(s.node()));
        j.name("address").value(HostPort.format(s.localAddress()));
        j.endObject();
        j.name("takenAtMillis").value(s.takenAtMillis());
        j.name("intervalMillis");
        if (seconds > 0) {
            j.value(Math.round(seconds * 1000));
        } else {
            j.nullValue();
        }
        j.name("peers").beginArray();
        List<PeerStats> peers = s.peers().stream().sorted(Comparator.comparing(p -> p.publicKey().toBase64())).toList();
        for (PeerStats p : peers) {
            PeerStats before = prev == null ? null : prev.peer(p.publicKey());
            peer(j, p, before, seconds, s.channel(p.publicKey()), names);
        }
        j.endArray();
        j.name("drops").beginObject();
        for (Map.Entry<DropReason, Long> e : s.drops().entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            j.name(e.getKey().name()).value(e.getValue());
        }
        j.endObject();
        RelayStats r = s.relay();
        j.name("relay").beginObject()
                .name("circuits").value(r.circuits())
                .name("packetsForwarded").value(r.packetsForwarded())
                .name("bytesForwarded").value(r.bytesForwarded())
                .name("refused").value(r.refused())
                .name("ownCircuits").value(r.ownCircuits())
                .endObject();
        j.name("sendsRefused").value(s.sendsRefused());
        return j.endObject().toString();
    }

    private static void peer(Json j, PeerStats p, PeerStats before, double seconds, ChannelConnection.Stats c,
            Function<PublicKey, String> names) {
        j.beginObject();
        key(j, p.publicKey(), p.name() != null ? p.name() : names.apply(p.publicKey()));
        j.name("state").value(p.up() ? "up" : "down");
        j.name("endpoint").value(p.endpoint() == null ? null : HostPort.format(p.endpoint()));
        j.name("found").value(p.found().toString());
        j.name("lastHandshakeAgoMillis");
        if (p.lastHandshakeAgoNanos() < 0) {
            j.nullValue();
        } else {
            j.value(p.lastHandshakeAgoNanos() / 1_000_000);
        }
        j.name("handshakes").value(p.handshakes());
        j.name("txPackets").value(p.txPackets());
        j.name("rxPackets").value(p.rxPackets());
        j.name("txBytes").value(p.txBytes());
        j.name("rxBytes").value(p.rxBytes());
        j.name("datagramsSent").value(p.datagramsSent());
        j.name("datagramsReceived").value(p.datagramsReceived());
        j.name("txBytesPerSecond").value(rate(p.txBytes(), before == null ? -1 : before.txBytes(), seconds));
        j.name("rxBytesPerSecond").value(rate(p.rxBytes(), before == null ? -1 : before.rxBytes(), seconds));
        j.name("paths").beginArray();
        for (PathInfo path : p.paths()) {
            j.beginObject();
            j.name("kind").value(path.relayed() ? "relayed" : path.usable() ? "direct" : "candidate");
            j.name("address").value(path.address() == null ? null : HostPort.format(path.address()));
            j.name("via").value(path.via() == null ? null : path.via().toBase64());
            j.name("rttMillis").value(path.rttNanos() > 0 ? path.rttNanos() / 1e6 : Double.NaN);
            j.name("inUse").value(path.inUse());
            j.name("usable").value(path.usable());
            j.endObject();
        }
        j.endArray();
        j.name("channel");
        if (c == null) {
            j.nullValue();
        } else {
            j.beginObject()
                    .name("rttMillis").value(c.smoothedRttNanos() > 0 ? c.smoothedRttNanos() / 1e6 : Double.NaN)
                    .name("packetsSent").value(c.packetsSent())
                    .name("packetsReceived").value(c.packetsReceived())
                    .name("packetsLost").value(c.packetsLost())
                    .name("duplicates").value(c.duplicatesDropped())
                    .endObject();
        }
        j.endObject();
    }

    private static void key(Json j, PublicKey key, String name) {
        String b64 = key.toBase64();
        j.name("key").value(b64);
        j.name("short").value(b64.substring(0, SHORT_KEY_CHARS));
        j.name("name").value(name);
    }

    /** Per second, or NaN (null) without a value before, or when the counter started again. */
    private static double rate(long now, long before, double seconds) {
        if (before < 0 || seconds <= 0 || now < before) {
            return Double.NaN;
        }
        return Math.round((now - before) / seconds * 10) / 10.0;
    }
}
