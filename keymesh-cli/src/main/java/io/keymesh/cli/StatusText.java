package io.keymesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.keymesh.crypto.PublicKey;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code keymesh status} for a person, from the {@code status} operation's JSON
 * ({@link io.keymesh.cli.control.StatusReport}): this node; a table of the peers — key, state, the
 * path in use (its other paths on lines of their own below it), round-trip time, when the peer was
 * last heard from and last completed a handshake, bytes each way; then the drop, relay and
 * discovery counters. Columns are as wide as their widest cell. Stateless.
 */
final class StatusText {
    private StatusText() {}

    static void print(PrintWriter out, JsonNode status) {
        JsonNode node = status.path("node");
        out.printf("node %s%n", node.path("publicKey").asText());
        out.printf("  listening on %s, up %s, %d peers, %d up%n", node.path("listen").asText(),
                duration(node.path("uptimeMs").asLong()), node.path("peers").asLong(), node.path("peersUp").asLong());
        out.println();

        boolean named = false;
        for (JsonNode p : status.path("peers")) {
            named |= p.hasNonNull("name");
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(withName(named, "name", new String[] {"peer", "state", "path", "rtt", "heard", "handshake", "rx", "tx"}));
        for (JsonNode p : status.path("peers")) {
            JsonNode inUse = p.path("path");
            rows.add(withName(named, p.hasNonNull("name") ? p.path("name").asText() : "-", new String[] {
                    p.path("publicKey").asText(), p.path("state").asText(), path(inUse), rtt(inUse),
                    age(p.path("lastHeardAgoMs")), age(p.path("lastHandshakeAgoMs")), bytes(p.path("rxBytes").asLong()),
                    bytes(p.path("txBytes").asLong())}));
            for (JsonNode other : p.path("otherPaths")) {
                rows.add(withName(named, "", new String[] {"", "", path(other), rtt(other), "", "", "", ""}));
            }
        }
        if (rows.size() == 1) {
            out.println("no peers");
        } else {
            table(out, rows);
        }
        out.println();

        JsonNode drops = status.path("drops");
        List<String> d = new ArrayList<>();
        drops.properties().forEach(e -> d.add(e.getKey() + " " + e.getValue().asLong()));
        out.println("drops: " + (d.isEmpty() ? "none" : String.join(", ", d)));
        JsonNode r = status.path("relay");
        out.printf("relay service: %d circuits now, %d packets (%s) forwarded, %d circuits refused, %d packets over the rate limit%n",
                r.path("circuits").asLong(), r.path("packetsForwarded").asLong(), bytes(r.path("bytesForwarded").asLong()),
                r.path("refused").asLong(), r.path("packetsOverRate").asLong());
        out.printf("own circuits: %d now, %d refused or unanswered, %d packets lost to closed circuits%n",
                r.path("ownCircuits").asLong(), r.path("ownRefused").asLong(), r.path("relayedDropped").asLong());
        JsonNode s = status.path("discovery");
        long dropped = 0;
        for (Map.Entry<String, JsonNode> e : s.path("dropped").properties()) {
            dropped += e.getValue().asLong();
        }
        out.printf("discovery: %d keys sought (%d unreachable), %d seeks received, %d passed on, %d answered, %d dropped%n",
                s.path("started").asLong(), s.path("unreachable").asLong(), s.path("received").asLong(),
                s.path("passedOn").asLong(), s.path("spliced").asLong(), dropped);
        out.flush();
    }

    /** {@code row} with a first column {@code name} when any peer has a name. */
    private static String[] withName(boolean named, String name, String[] row) {
        if (!named) {
            return row;
        }
        String[] r = new String[row.length + 1];
        r[0] = name;
        System.arraycopy(row, 0, r, 1, row.length);
        return r;
    }

    /** Left-aligned columns two spaces apart, the last one not padded. */
    private static void table(PrintWriter out, List<String[]> rows) {
        int[] width = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(width[i] - row[i].length() + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** "direct ADDRESS", "candidate ADDRESS" (not checked yet), "relay KEY…" (the first relay), or "-". */
    static String path(JsonNode p) {
        if (p == null || p.isNull() || p.isMissingNode()) {
            return "-";
        }
        if ("relayed".equals(p.path("kind").asText())) {
            return "relay " + PeerKeys.shortForm(PublicKey.fromBase64(p.path("via").asText()));
        }
        return (p.path("usable").asBoolean(true) ? "direct " : "candidate ") + p.path("address").asText();
    }

    private static String rtt(JsonNode p) {
        JsonNode ms = p.path("rttMs");
        return ms.isNumber() ? StatusTable.rtt(Math.round(ms.asDouble() * 1e6)) : "-";
    }

    private static String age(JsonNode ms) {
        return ms.isNumber() ? StatusTable.age(ms.asLong() * 1_000_000) : "never";
    }

    /** "0 B", "850 B", "1.2 KiB", "3.4 MiB", "5.0 GiB". */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** "42 s", "17 min", "5 h", "3 d". */
    static String duration(long ms) {
        long s = ms / 1000;
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return s / 60 + " min";
        }
        if (s < 172_800) {
            return s / 3600 + " h";
        }
        return s / 86_400 + " d";
    }
}
