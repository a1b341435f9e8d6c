package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.keymesh.cli.control.StatusReport;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.DiscoveryStats;
import io.keymesh.node.Found;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The status a person reads and the JSON a program reads, from the same snapshot: a peer relayed
 * with other paths (one a candidate not yet checked), a silent one, one never heard from.
 */
class StatusTextTest {
    private static final PublicKey SELF = key(9);
    private static final PublicKey RELAYED = key(1);
    private static final PublicKey SILENT = key(2);
    private static final PublicKey NEVER = key(3);
    private static final PublicKey RELAY = key(4);

    private static PublicKey key(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return PrivateKey.of(a).publicKey();
    }

    private static InetSocketAddress address(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private static JsonNode status() throws Exception {
        List<PathInfo> paths = List.of(new PathInfo(true, null, RELAY, 2_140_000, true),
                new PathInfo(false, address("192.0.2.1", 51820), null, 0, false, false),
                new PathInfo(false, address("198.51.100.7", 4000), null, 35_000_000, false, true));
        PeerStats relayed = new PeerStats(RELAYED, null, true, 12_000_000_000L, 3, 10, 20, 2048, 1_572_864, 1, 2, paths,
                List.of(address("192.0.2.1", 51820)), -1, new Found(Found.How.SOUGHT, RELAY), 450_000_000L, false);
        PeerStats silent = new PeerStats(SILENT, address("203.0.113.9", 51820), false, 200_000_000_000L, 1, 5, 5, 700, 800, 0, 0,
                List.of(new PathInfo(false, address("203.0.113.9", 51820), null, 0, true)), List.of(), 90_000_000_000L,
                new Found(Found.How.ENDPOINT, null), 95_000_000_000L, true);
        PeerStats never = new PeerStats(NEVER, null, false, -1, 0, 0, 0, 0, 0, 0, 0, List.of());
        return StatusReport.of(SELF, address("0.0.0.0", 51820), 3_723_000_000_000L, List.of(relayed, silent, never),
                Map.of(DropReason.values()[0], 4L), new RelayStats(1, 20, 3000, 0, 0, 2, 1, 0, 0, 0, 0, 0),
                new DiscoveryStats(2, 3, 1, 4, 5, 6, Map.of(), 7, 0, 0, 0));
    }

    @Test
    void thePersonsView() throws Exception {
        StringWriter s = new StringWriter();
        StatusText.print(new PrintWriter(s), status());
        String r = RELAY.toBase64().substring(0, 8) + "\u2026";
        assertEquals(String.join("\n",
                "node " + SELF,
                "  listening on 0.0.0.0:51820, up 62 min, 3 peers, 1 up",
                "",
                "peer                                          state   path                       rtt      heard       handshake  rx       tx",
                RELAYED + "  up      relay " + r + "            2.1 ms   450 ms ago  12 s ago   1.5 MiB  2.0 KiB",
                "                                                      candidate 192.0.2.1:51820  -",
                "                                                      direct 198.51.100.7:4000   35.0 ms",
                SILENT + "  silent  direct 203.0.113.9:51820   -        95 s ago    3 min ago  800 B    700 B",
                NEVER + "  down    -                          -        never       never      0 B      0 B",
                "",
                "drops: " + DropReason.values()[0].name().toLowerCase().replace('_', '-') + " 4",
                "relay service: 1 circuits now, 20 packets (2.9 KiB) forwarded, 0 circuits refused, 0 packets over the rate limit",
                "own circuits: 2 now, 1 refused or unanswered, 0 packets lost to closed circuits",
                "discovery: 2 keys sought (1 unreachable), 4 seeks received, 5 passed on, 6 answered, 0 dropped",
                ""), s.toString());
    }

    @Test
    void theProgramsView() throws Exception {
        JsonNode s = status();
        assertEquals("{\"publicKey\":\"" + SELF + "\",\"listen\":\"0.0.0.0:51820\",\"uptimeMs\":3723000,\"peers\":3,\"peersUp\":1}",
                s.path("node").toString());
        assertEquals("{\"publicKey\":\"" + RELAYED + "\",\"shortKey\":\"" + RELAYED.toBase64().substring(0, 8) + "\u2026\","
                + "\"name\":null,\"state\":\"up\",\"endpoint\":null,"
                + "\"path\":{\"kind\":\"relayed\",\"via\":\"" + RELAY + "\",\"rttMs\":2.14,\"inUse\":true,\"usable\":true},"
                + "\"otherPaths\":[{\"kind\":\"direct\",\"address\":\"192.0.2.1:51820\",\"rttMs\":null,\"inUse\":false,\"usable\":false},"
                + "{\"kind\":\"direct\",\"address\":\"198.51.100.7:4000\",\"rttMs\":35.0,\"inUse\":false,\"usable\":true}],"
                + "\"lastHandshakeAgoMs\":12000,\"lastHeardAgoMs\":450,\"handshakes\":3,\"rxBytes\":1572864,\"txBytes\":2048,"
                + "\"rxPackets\":20,\"txPackets\":10,\"datagramsIn\":2,\"datagramsOut\":1,\"candidates\":[\"192.0.2.1:51820\"],"
                + "\"directForMs\":null,\"found\":{\"how\":\"sought\",\"via\":\"" + RELAY + "\"}}",
                s.path("peers").get(0).toString());
        JsonNode silent = s.path("peers").get(1);
        assertEquals("silent", silent.path("state").asText());
        assertEquals(95_000, silent.path("lastHeardAgoMs").asLong());
        assertEquals(90_000, silent.path("directForMs").asLong());
        JsonNode never = s.path("peers").get(2);
        assertEquals("down", never.path("state").asText());
        assertEquals("null", never.path("path").toString());
        assertEquals("null", never.path("lastHeardAgoMs").toString());
        assertEquals("{\"how\":\"not-yet\",\"via\":null}", never.path("found").toString());
        assertEquals("{\"circuits\":1,\"packetsForwarded\":20,\"bytesForwarded\":3000,\"refused\":0,\"packetsOverRate\":0,"
                + "\"ownCircuits\":2,\"ownRefused\":1,\"relayedDropped\":0,\"notWireGuard\":0,\"malformedFrames\":0,"
                + "\"unknownCircuitMessages\":0,\"inboundRefused\":0}", s.path("relay").toString());
        assertEquals(7, s.path("discovery").path("seen").asInt());
        assertEquals(0, s.path("discovery").path("dropped").path("malformed").asInt());
    }
}
