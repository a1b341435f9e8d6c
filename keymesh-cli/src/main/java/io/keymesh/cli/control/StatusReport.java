package io.keymesh.cli.control;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keymesh.cli.PeerKeys;
import io.keymesh.config.HostPort;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.DiscoveryStats;
import io.keymesh.node.Found;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerStats;
import io.keymesh.node.RelayStats;
import io.keymesh.overlay.Seeks;
import io.keymesh.session.DropReason;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code status} operation's result, version 1 of its JSON: this node, every peer, and the
 * node's counters. The README's "The control socket" lists every field; fields are only ever added.
 * Times are milliseconds (ages: whole, round-trip times: fractional); an age or time not known is
 * {@code null}; enum-like values are lowercase words joined by dashes. Stateless.
 */
public final class StatusReport {
    /** A peer's {@code state}: a session, and not reported silent. */
    public static final String UP = "up";
    /** A peer's {@code state}: no session. */
    public static final String DOWN = "down";
    /**
     * A peer's {@code state}: it kept its path open with keepalives, then sent nothing for three of
     * their intervals and 5 s, and was reported down for it.
     */
    public static final String SILENT = "silent";

    private StatusReport() {}

    /**
     * The result object.
     *
     * @param uptimeNanos how long the daemon's node has been running
     */
    public static ObjectNode of(PublicKey self, InetSocketAddress listen, long uptimeNanos, List<PeerStats> peers,
            Map<DropReason, Long> drops, RelayStats relay, DiscoveryStats discovery) {
        return of(self, listen, uptimeNanos, peers, drops, relay, discovery, Map.of());
    }

    /**
     * The result object, with each peer's reliable connection ({@code channels}, by key; peers
     * without one have none) under {@code "channels"}.
     */
    public static ObjectNode of(PublicKey self, InetSocketAddress listen, long uptimeNanos, List<PeerStats> peers,
            Map<DropReason, Long> drops, RelayStats relay, DiscoveryStats discovery,
            Map<PublicKey, io.keymesh.channel.ChannelConnection.Stats> channels) {
        ObjectNode r = ControlProtocol.JSON.createObjectNode();
        ObjectNode node = r.putObject("node");
        node.put("publicKey", self.toBase64());
        node.put("listen", HostPort.format(listen));
        node.put("uptimeMs", uptimeNanos / 1_000_000);
        node.put("peers", peers.size());
        node.put("peersUp", peers.stream().filter(PeerStats::up).count());
        ArrayNode list = r.putArray("peers");
        for (PeerStats p : peers) {
            ObjectNode n = peer(p);
            io.keymesh.channel.ChannelConnection.Stats c = channels.get(p.publicKey());
            if (c != null) {
                n.set("channels", channels(c));
            }
            list.add(n);
        }
        ObjectNode d = r.putObject("drops");
        drops.forEach((reason, n) -> d.put(word(reason.name()), n));
        r.set("relay", relay(relay));
        r.set("discovery", discovery(discovery));
        return r;
    }

    /** A peer's reliable connection: its path's RTT, window, path MTU and ECN, and its packet counts. */
    static ObjectNode channels(io.keymesh.channel.ChannelConnection.Stats c) {
        ObjectNode n = ControlProtocol.JSON.createObjectNode();
        n.put("channels", c.channels());
        n.put("rttMs", millis(c.smoothedRttNanos()));
        n.put("windowBytes", c.congestionWindow());
        n.put("bytesInFlight", c.bytesInFlight());
        n.put("udpPayloadSize", c.udpPayloadSize());
        n.put("packetsSent", c.packetsSent());
        n.put("packetsReceived", c.packetsReceived());
        n.put("packetsLost", c.packetsLost());
        n.put("spuriousLosses", c.spuriousLosses());
        n.put("ecn", word(c.ecn().name()));
        n.put("ceMarks", c.ceMarks());
        return n;
    }

    /** {@link #UP}, {@link #DOWN} or {@link #SILENT}. */
    public static String state(PeerStats p) {
        return p.up() ? UP : p.silent() ? SILENT : DOWN;
    }

    static ObjectNode peer(PeerStats p) {
        ObjectNode n = ControlProtocol.JSON.createObjectNode();
        n.put("publicKey", p.publicKey().toBase64());
        n.put("shortKey", PeerKeys.shortForm(p.publicKey()));
        n.put("name", p.name());
        n.put("state", state(p));
        n.put("endpoint", p.endpoint() == null ? null : HostPort.format(p.endpoint()));
        PathInfo inUse = p.path();
        if (inUse == null) {
            n.putNull("path");
        } else {
            n.set("path", path(inUse));
        }
        ArrayNode others = n.putArray("otherPaths");
        for (PathInfo q : p.paths()) {
            if (!q.inUse()) {
                others.add(path(q));
            }
        }
        age(n, "lastHandshakeAgoMs", p.lastHandshakeAgoNanos());
        age(n, "lastHeardAgoMs", p.lastReceivedAgoNanos());
        n.put("handshakes", p.handshakes());
        n.put("rxBytes", p.rxBytes());
        n.put("txBytes", p.txBytes());
        n.put("rxPackets", p.rxPackets());
        n.put("txPackets", p.txPackets());
        n.put("datagramsIn", p.datagramsReceived());
        n.put("datagramsOut", p.datagramsSent());
        ArrayNode candidates = n.putArray("candidates");
        p.candidates().forEach(c -> candidates.add(HostPort.format(c)));
        age(n, "directForMs", p.directForNanos());
        ObjectNode found = n.putObject("found");
        Found f = p.found() == null ? Found.NOT_YET : p.found();
        found.put("how", word(f.how().name()));
        found.put("via", f.via() == null ? null : f.via().toBase64());
        return n;
    }

    /**
     * {@code {"kind":"direct","address":"192.0.2.1:51820",...}} or
     * {@code {"kind":"relayed","via":"KEY",...}}, with {@code rttMs} (null before a probe measured
     * it), {@code inUse} and {@code usable} (false: a candidate address not yet checked, or a circuit
     * still opening).
     */
    static ObjectNode path(PathInfo p) {
        ObjectNode n = ControlProtocol.JSON.createObjectNode();
        n.put("kind", p.relayed() ? "relayed" : "direct");
        if (p.relayed()) {
            n.put("via", p.via().toBase64());
        } else {
            n.put("address", HostPort.format(p.address()));
        }
        if (p.rttNanos() > 0) {
            n.put("rttMs", millis(p.rttNanos()));
        } else {
            n.putNull("rttMs");
        }
        n.put("inUse", p.inUse());
        n.put("usable", p.usable());
        return n;
    }

    private static ObjectNode relay(RelayStats r) {
        ObjectNode n = ControlProtocol.JSON.createObjectNode();
        n.put("circuits", r.circuits());
        n.put("packetsForwarded", r.packetsForwarded());
        n.put("bytesForwarded", r.bytesForwarded());
        n.put("refused", r.refused());
        n.put("packetsOverRate", r.packetsOverRate());
        n.put("ownCircuits", r.ownCircuits());
        n.put("ownRefused", r.ownRefused());
        n.put("relayedDropped", r.relayedDropped());
        n.put("notWireGuard", r.notWireGuard());
        n.put("malformedFrames", r.malformedFrames());
        n.put("unknownCircuitMessages", r.unknownCircuitMessages());
        n.put("inboundRefused", r.inboundRefused());
        return n;
    }

    private static ObjectNode discovery(DiscoveryStats d) {
        ObjectNode n = ControlProtocol.JSON.createObjectNode();
        n.put("started", d.started());
        n.put("sent", d.sent());
        n.put("unreachable", d.unreachable());
        n.put("received", d.received());
        n.put("passedOn", d.passedOn());
        n.put("spliced", d.spliced());
        ObjectNode dropped = n.putObject("dropped");
        for (Seeks.Dropped why : Seeks.Dropped.values()) {
            dropped.put(word(why.name()), d.dropped(why));
        }
        n.put("seen", d.seen());
        n.put("narrowed", d.narrowed());
        n.put("reachSent", d.reachSent());
        n.put("reachReceived", d.reachReceived());
        return n;
    }

    /** Milliseconds with microsecond precision. */
    static double millis(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }

    private static void age(ObjectNode n, String field, long nanos) {
        if (nanos < 0) {
            n.putNull(field);
        } else {
            n.put(field, nanos / 1_000_000);
        }
    }

    /** {@code BAD_MAC1} as {@code bad-mac1}. */
    static String word(String enumName) {
        return enumName.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
