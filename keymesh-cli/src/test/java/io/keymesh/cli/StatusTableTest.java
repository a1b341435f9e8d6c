package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerStats;
import io.keymesh.node.RelayStats;
import io.keymesh.session.DropReason;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link StatusTable}: the path column (direct or relayed, with the RTT when known, "-" when none),
 * whatever the locale, and the relay lines only when they have something to say.
 */
class StatusTableTest {
    private static final PublicKey SELF = key(9);
    private static final PublicKey PEER = key(1);
    private static final PublicKey RELAY = key(2);
    private static final RelayStats QUIET = new RelayStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private static PublicKey key(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return PrivateKey.of(a).publicKey();
    }

    private static InetSocketAddress address(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private static String table(List<PeerStats> peers, RelayStats relay) throws Exception {
        StringWriter s = new StringWriter();
        StatusTable.print(new PrintWriter(s), SELF, address("127.0.0.1", 5), peers, Map.of(), relay);
        return s.toString();
    }

    private static PeerStats peer(InetSocketAddress endpoint, List<PathInfo> paths) {
        return new PeerStats(PEER, endpoint, true, 1_000_000_000L, 1, 2, 3, 4, 5, 6, 7, paths, List.of(), -1,
                io.keymesh.node.Found.NOT_YET, 250_000_000L, false);
    }

    @Test
    void thePathColumn() throws Exception {
        assertEquals("-", StatusTable.path(null));
        assertEquals("direct 192.0.2.1:51820", StatusTable.path(new PathInfo(false, address("192.0.2.1", 51820), null, 0, true)));
        assertEquals("direct [2001:db8:0:0:0:0:0:1]:7 3.1 ms",
                StatusTable.path(new PathInfo(false, address("2001:db8::1", 7), null, 3_140_000, true)));
        assertEquals("relay " + RELAY.toBase64().substring(0, 8) + "\u2026 0.42 ms",
                StatusTable.path(new PathInfo(true, null, RELAY, 420_000, true)));
        assertEquals("relay " + RELAY.toBase64().substring(0, 8) + "\u2026",
                StatusTable.path(new PathInfo(true, null, RELAY, 0, true)));
    }

    @Test
    void roundTripTimes() {
        assertEquals("<0.01 ms", StatusTable.rtt(4_000));
        assertEquals("0.05 ms", StatusTable.rtt(50_000));
        assertEquals("12.5 ms", StatusTable.rtt(12_500_000));
        assertEquals("250 ms", StatusTable.rtt(250_000_000));
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY); // a decimal comma
            assertEquals("12.5 ms", StatusTable.rtt(12_500_000));
        } finally {
            Locale.setDefault(before);
        }
    }

    /** Rows show the path in use, not the others; a peer without a path shows "-". */
    @Test
    void eachRowEndsWithThePathInUse() throws Exception {
        List<PathInfo> paths = List.of(new PathInfo(true, null, RELAY, 2_000_000, true),
                new PathInfo(false, address("192.0.2.1", 51820), null, 0, false));
        List<String> lines = table(List.of(peer(null, paths)), QUIET).lines().toList();
        assertTrue(lines.get(1).matches("peer +endpoint +state +handshake +heard .* dg in +path"), lines.get(1));
        assertTrue(lines.get(2).matches("\\Q" + PEER + "\\E +- +up +1 s ago +250 ms ago +2 +3 +4 +5 +6 +7 +relay \\Q"
                + RELAY.toBase64().substring(0, 8) + "\u2026\\E 2\\.0 ms"), lines.get(2));
        assertTrue(table(List.of(peer(null, List.of())), QUIET).lines().toList().get(2).endsWith("7  -"));
        assertEquals("drops: none", lines.get(3));
        assertEquals(4, lines.size(), "no relay lines: " + lines);
    }

    /** A peer reported down for going quiet shows as silent, with how long ago it was last heard. */
    @Test
    void aSilentPeerSaysSo() throws Exception {
        PeerStats silent = new PeerStats(PEER, null, false, 100_000_000_000L, 1, 2, 3, 4, 5, 6, 7, List.of(), List.of(), -1,
                io.keymesh.node.Found.NOT_YET, 85_000_000_000L, true);
        String row = table(List.of(silent), QUIET).lines().toList().get(2);
        assertTrue(row.matches("\\Q" + PEER + "\\E +- +silent +100 s ago +85 s ago .*"), row);
        PeerStats never = new PeerStats(PEER, null, false, -1, 0, 0, 0, 0, 0, 0, 0, List.of());
        row = table(List.of(never), QUIET).lines().toList().get(2);
        assertTrue(row.matches("\\Q" + PEER + "\\E +- +down +never +never( +0){6} +-"), row);
    }

    /** With a name for any peer, a first column shows the names, "-" for a peer without one; without, no column. */
    @Test
    void namesComeFirstWhenAnyPeerHasOne() throws Exception {
        PublicKey other = key(3);
        PeerStats named = peer(null, List.of());
        PeerStats unnamed = new PeerStats(other, null, false, -1, 0, 0, 0, 0, 0, 0, 0, List.of());
        StringWriter s = new StringWriter();
        StatusTable.print(new PrintWriter(s), SELF, address("127.0.0.1", 5), List.of(named, unnamed), Map.of(), QUIET,
                Map.of(PEER, "db-eu"));
        List<String> lines = s.toString().lines().toList();
        assertTrue(lines.get(1).matches("name {3}peer +endpoint +state .*"), lines.get(1));
        assertTrue(lines.get(2).startsWith("db-eu  " + PEER + " "), lines.get(2));
        assertTrue(lines.get(3).startsWith("-      " + other + " "), lines.get(3));
        assertEquals("drops: none", lines.get(4));
        assertEquals(5, lines.size(), s.toString());
        StringWriter none = new StringWriter();
        StatusTable.print(new PrintWriter(none), SELF, address("127.0.0.1", 5), List.of(unnamed), Map.of(), QUIET,
                Map.of(PEER, "db-eu")); // names of peers not in the table make no column
        assertTrue(none.toString().lines().toList().get(1).startsWith("peer "), none.toString());
    }

    @Test
    void theRelayLinesAppearWhenThereIsSomethingToCount() throws Exception {
        String carried = table(List.of(), new RelayStats(2, 1500, 180_000, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertTrue(carried.endsWith("drops: none\nrelay service: 2 circuits now, 1500 packets (180000 bytes) forwarded, "
                + "0 circuits refused, 0 packets over the rate limit\n"), carried);
        String refused = table(List.of(), new RelayStats(0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0));
        assertTrue(refused.contains("relay service: 0 circuits now, 0 packets (0 bytes) forwarded, 3 circuits refused, "
                + "0 packets over the rate limit\n"), refused);
        assertFalse(refused.contains("own circuits"), refused);
        String own = table(List.of(), new RelayStats(0, 0, 0, 0, 0, 2, 1, 4, 0, 0, 0, 0));
        assertTrue(own.endsWith("drops: none\nown circuits: 2 now, 1 refused or unanswered, 4 packets lost to closed circuits\n"), own);
        assertFalse(own.contains("relay service"), own);
        StringWriter s = new StringWriter();
        StatusTable.print(new PrintWriter(s), SELF, address("127.0.0.1", 5), List.of(), Map.of(DropReason.values()[0], 3L), QUIET);
        assertTrue(s.toString().endsWith("drops: " + DropReason.values()[0].name() + " 3\n"), s.toString());
    }
}
