package io.keymesh.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.NodeListener;
import io.keymesh.node.PeerConfig;
import io.keymesh.overlay.DiscoveryConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Fuzzes the control socket's request handling with one request line, answered by the operations of
 * a running node on loopback ({@link NodeOperations}: status, ping, peer.add, peer.remove) as the
 * daemon answers them. The node has one peer, {@code PEER} (address 127.0.0.1:9, nothing there),
 * and discovery off; a ping waits at most 20 ms (a longer timeout in the request is lowered), and
 * peers the request added are removed after it, so that each input starts from the same node.
 *
 * <p>Invariant: the answer is one JSON object with {@code v} 1 and {@code ok}; a failure has a code
 * of the protocol's and a non-blank message, and is never {@code internal} (an operation that
 * threw: every bad request must be answered with what is wrong with it). Regression inputs are in
 * {@code ControlRequestFuzzTestInputs/line/}.
 */
class ControlRequestFuzzTest {
    private static final Set<String> CODES = Set.of(ControlError.BAD_REQUEST, ControlError.TOO_LARGE,
            ControlError.UNSUPPORTED_VERSION, ControlError.UNKNOWN_OP, ControlError.NOT_A_PEER, ControlError.NOT_FOUND,
            ControlError.ALREADY_A_PEER, ControlError.REFUSED, ControlError.TIMEOUT, ControlError.BUSY,
            ControlError.UNAVAILABLE);
    private static final long PING_MS = 20;
    static final PublicKey PEER = PrivateKey.of(filled(1)).publicKey();
    private static final MeshNode NODE = MeshNode.start(NodeConfig.of(PrivateKey.of(filled(9)),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), PresharedKey.generate(new SecureRandom()))
            .withDiscovery(DiscoveryConfig.OFF)
            .withPeers(List.of(PeerConfig.of(PEER, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)))),
            new NodeListener() {});
    private static final ControlOperations OPS = NodeOperations.of(NODE, System.nanoTime());

    private static byte[] filled(int b) {
        byte[] a = new byte[32];
        java.util.Arrays.fill(a, (byte) b);
        return a;
    }

    @FuzzTest
    @DictionaryEntries({"{\"v\":1,", "\"op\":", "\"id\":", "\"status\"", "\"ping\"", "\"peer.add\"", "\"peer.remove\"",
        "\"hello\"", "\"peer\":", "\"endpoint\":", "\"via\":", "\"name\":", "\"persistentKeepaliveSeconds\":",
        "\"timeoutMs\":", "\"pOCSkrZRwni5dyxWn1+puxPZBrRqtoyd+dwrRAn4ogk=\"", "\"127.0.0.1:4000\"", "\"[::1]:4000\"",
        "null", "true", "[", "]", "}"})
    void line(byte[] input) throws Exception {
        String line = lowerPingTimeout(new String(input, StandardCharsets.UTF_8).strip());
        ObjectNode answer = ControlConnection.respond(OPS, line);
        JsonNode again = ControlProtocol.JSON.readTree(ControlProtocol.line(answer));
        assertEquals(1, again.path("v").asInt(), line);
        assertTrue(again.path("ok").isBoolean(), line);
        if (!again.path("ok").asBoolean()) {
            String code = again.path("error").path("code").asText();
            assertNotEquals(ControlError.INTERNAL, code, "an operation failed unexpectedly on " + line + ": " + again);
            assertTrue(CODES.contains(code), "unknown code " + code);
            assertFalse(again.path("error").path("message").asText().isBlank(), "no message: " + again);
        }
        for (PublicKey added : peersBeyondTheFirst()) {
            NODE.removePeer(added).get(10, TimeUnit.SECONDS);
        }
    }

    /** The line with a ping's {@code timeoutMs} lowered to {@value #PING_MS} if it asks for more (or gives none). */
    private static String lowerPingTimeout(String line) {
        try {
            JsonNode json = ControlProtocol.JSON.readTree(line);
            if (json instanceof ObjectNode o && NodeOperations.PING.equals(o.path(ControlProtocol.OP).asText(null))) {
                JsonNode t = o.get(NodeOperations.TIMEOUT_MS);
                if (t == null || t.isNull() || (t.isIntegralNumber() && t.asLong() > PING_MS)) {
                    o.put(NodeOperations.TIMEOUT_MS, PING_MS);
                    return ControlProtocol.line(o);
                }
            }
        } catch (Exception notJson) {
            // answered as it is
        }
        return line;
    }

    private static List<PublicKey> peersBeyondTheFirst() throws Exception {
        return NODE.peerStats().get(10, TimeUnit.SECONDS).stream().map(p -> p.publicKey())
                .filter(k -> !k.equals(PEER)).toList();
    }
}
