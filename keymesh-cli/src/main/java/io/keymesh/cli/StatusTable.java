package io.keymesh.cli;

import io.keymesh.config.HostPort;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.PeerStats;
import io.keymesh.session.DropReason;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A node's state as text: a heading line, one row per peer (full public key, endpoint, up or down,
 * handshake age, packets and bytes each way, datagrams each way), and the drop counters. Stateless.
 */
final class StatusTable {
    private StatusTable() {}

    static void print(PrintWriter out, PublicKey self, InetSocketAddress bound, List<PeerStats> peers,
            Map<DropReason, Long> drops) {
        long up = peers.stream().filter(PeerStats::up).count();
        out.printf("status of node %s on %s: %d peers, %d up%n", self.toBase64(), HostPort.format(bound), peers.size(), up);
        int endpointWidth = Math.max(22, peers.stream().mapToInt(p -> HostPort.format(p.endpoint()).length()).max().orElse(0));
        String row = "%-44s  %-" + endpointWidth + "s  %-5s %13s %9s %9s %11s %11s %7s %7s%n";
        out.printf(row, "peer", "endpoint", "state", "handshake", "tx pkts", "rx pkts", "tx bytes", "rx bytes", "dg out", "dg in");
        for (PeerStats p : peers) {
            out.printf(row, p.publicKey().toBase64(), HostPort.format(p.endpoint()), p.up() ? "up" : "down",
                    age(p.lastHandshakeAgoNanos()), p.txPackets(), p.rxPackets(), p.txBytes(), p.rxBytes(),
                    p.datagramsSent(), p.datagramsReceived());
        }
        out.println("drops: " + (drops.isEmpty() ? "none" : drops.entrySet().stream()
                .map(e -> e.getKey().name() + " " + e.getValue()).collect(Collectors.joining(", "))));
        out.flush();
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
