package io.keymesh.cli;

import io.keymesh.config.HostPort;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerStats;
import io.keymesh.node.RelayStats;
import io.keymesh.session.DropReason;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A node's state as text: a heading line, one row per peer (full public key, endpoint, up, down or
 * silent, handshake age, when it was last heard from (its last authenticated packet), packets and
 * bytes each way, datagrams each way, and the path in use), the drop counters, and the relay
 * counters when there is something to count. When any peer has a name, a first column "name" shows
 * it ("-" for those without). Stateless.
 */
final class StatusTable {
    private StatusTable() {}

    /** Characters of a relay's base64 key shown in the path column. */
    static final int RELAY_KEY_CHARS = 8;

    static void print(PrintWriter out, PublicKey self, InetSocketAddress bound, List<PeerStats> peers,
            Map<DropReason, Long> drops, RelayStats relay) {
        print(out, self, bound, peers, drops, relay, Map.of());
    }

    /** With the peers' {@code names} (peers without one are not in the map). */
    static void print(PrintWriter out, PublicKey self, InetSocketAddress bound, List<PeerStats> peers,
            Map<DropReason, Long> drops, RelayStats relay, Map<PublicKey, String> names) {
        long up = peers.stream().filter(PeerStats::up).count();
        int nameWidth = peers.stream().map(p -> names.get(p.publicKey())).filter(n -> n != null)
                .mapToInt(String::length).max().orElse(0);
        String name = nameWidth == 0 ? "" : "%-" + Math.max(nameWidth, 4) + "s  ";
        out.printf("status of node %s on %s: %d peers, %d up%n", self.toBase64(), HostPort.format(bound), peers.size(), up);
        int endpointWidth = Math.max(22, peers.stream().mapToInt(p -> HostPort.format(p.endpoint()).length()).max().orElse(0));
        String row = "%-44s  %-" + endpointWidth + "s  %-6s %13s %13s %9s %9s %11s %11s %7s %7s  %s%n";
        out.printf(name, "name");
        out.printf(row, "peer", "endpoint", "state", "handshake", "heard", "tx pkts", "rx pkts", "tx bytes", "rx bytes",
                "dg out", "dg in", "path");
        for (PeerStats p : peers) {
            out.printf(name, names.getOrDefault(p.publicKey(), "-"));
            out.printf(row, p.publicKey().toBase64(), HostPort.format(p.endpoint()), p.up() ? "up" : p.silent() ? "silent" : "down",
                    age(p.lastHandshakeAgoNanos()), age(p.lastReceivedAgoNanos()), p.txPackets(), p.rxPackets(), p.txBytes(),
                    p.rxBytes(), p.datagramsSent(), p.datagramsReceived(), path(p.path()));
        }
        out.println("drops: " + (drops.isEmpty() ? "none" : drops.entrySet().stream()
                .map(e -> e.getKey().name() + " " + e.getValue()).collect(Collectors.joining(", "))));
        if (relay != null && (relay.circuits() > 0 || relay.packetsForwarded() > 0 || relay.refused() > 0
                || relay.packetsOverRate() > 0)) {
            out.printf("relay service: %d circuits now, %d packets (%d bytes) forwarded, %d circuits refused, "
                    + "%d packets over the rate limit%n", relay.circuits(), relay.packetsForwarded(), relay.bytesForwarded(),
                    relay.refused(), relay.packetsOverRate());
        }
        if (relay != null && (relay.ownCircuits() > 0 || relay.ownRefused() > 0 || relay.relayedDropped() > 0)) {
            out.printf("own circuits: %d now, %d refused or unanswered, %d packets lost to closed circuits%n",
                    relay.ownCircuits(), relay.ownRefused(), relay.relayedDropped());
        }
        out.flush();
    }

    /**
     * The path column: "direct ADDRESS" or "relay KEY…" (the first relay, its key cut to {@value
     * #RELAY_KEY_CHARS} characters), with the round-trip time when a probe measured it; "-" if none.
     */
    static String path(PathInfo p) {
        if (p == null) {
            return "-";
        }
        String where = p.relayed() ? "relay " + p.via().toBase64().substring(0, RELAY_KEY_CHARS) + "\u2026"
                : "direct " + HostPort.format(p.address());
        return p.rttNanos() > 0 ? where + " " + rtt(p.rttNanos()) : where;
    }

    /** "0.42 ms", "3.1 ms", "120 ms": three significant digits at most, whatever the locale. */
    static String rtt(long nanos) {
        double ms = nanos / 1e6;
        if (ms < 0.01) {
            return "<0.01 ms";
        }
        return String.format(Locale.ROOT, ms < 1 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms", ms);
    }

    /** "never", "850 ms ago", "42 s ago", "17 min ago", "5 h ago". */
    static String age(long agoNanos) {
        if (agoNanos < 0) {
            return "never";
        }
        long ms = agoNanos / 1_000_000;
        if (ms < 1000) {
            return ms + " ms ago";
        }
        long s = ms / 1000;
        if (s < 120) {
            return s + " s ago";
        }
        if (s < 7200) {
            return s / 60 + " min ago";
        }
        return s / 3600 + " h ago";
    }
}
