package io.keymesh.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.InnerPayload;
import io.keymesh.wire.MeshFrame;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link PayloadRouter}: each payload goes to the handler registered for it — whole by its first
 * frame from a current peer, else frame by frame — and what nobody takes is counted.
 */
class PayloadRouterTest {
    private static final PublicKey PEER = key(1);
    private static final PublicKey STRANGER = key(2);
    private static final int OFF = 3; // payloads sit inside a larger buffer, as in a received packet

    private final Map<PublicKey, PeerState> peers = new HashMap<>();
    private final PeerState peerState = new PeerState(null);
    private final PayloadRouter router = new PayloadRouter(peers);
    private final List<String> received = new ArrayList<>();

    PayloadRouterTest() {
        peers.put(PEER, peerState);
        router.registerPayload(MeshFrame.PACKET, (from, state, b, off, len) ->
                received.add("payload " + name(from, state) + " " + hex(b, off, len)));
        router.registerFrame(MeshFrame.DATAGRAM, (from, state, b, off, len) ->
                received.add("datagram " + name(from, state) + " " + hex(b, off, len)));
    }

    @Test
    void aPayloadFromAPeerGoesWholeToTheHandlerOfItsFirstFrame() {
        byte[] payload = frames(frame(MeshFrame.PACKET, 7, 8), frame(MeshFrame.DATAGRAM, 9));
        route(PEER, payload);
        assertEquals(List.of("payload peer " + hex(payload, 0, payload.length)), received);
        assertCounters(0, 0, 0);
    }

    @Test
    void aPayloadFromAKeyThatIsNoLongerAPeerIsWalkedFrameByFrame() {
        route(STRANGER, frames(frame(MeshFrame.PACKET, 7, 8), frame(MeshFrame.DATAGRAM, 9)));
        assertEquals(List.of("datagram stranger 09"), received);
        assertCounters(1, 0, 0);
    }

    @Test
    void framesGoToTheirHandlersInOrderAndUnknownOnesAreSkippedAndCounted() {
        route(PEER, frames(frame(MeshFrame.DATAGRAM, 1, 2), frame(0x7e, 5), frame(MeshFrame.DATAGRAM),
                frame(MeshFrame.PING), frame(MeshFrame.DATAGRAM, 3), new byte[] {0, 0, MeshFrame.DATAGRAM}));
        assertEquals(List.of("datagram peer 0102", "datagram peer ", "datagram peer 03"), received,
                "padding ends the payload");
        assertCounters(2, 0, 0);
    }

    @Test
    void aTruncatedFrameMakesThePayloadMalformedAfterTheFramesBeforeIt() {
        byte[] truncated = frame(MeshFrame.DATAGRAM, 4, 5, 6);
        route(PEER, frames(frame(MeshFrame.DATAGRAM, 1), Arrays.copyOf(truncated, truncated.length - 1)));
        assertEquals(List.of("datagram peer 01"), received);
        assertCounters(0, 1, 0);
    }

    @Test
    void ipPacketsAreIgnoredAndCounted() {
        route(PEER, new byte[] {0x45, 0, 0, 20});
        route(PEER, new byte[] {0x60, 0, 0, 0});
        assertEquals(List.of(), received);
        assertCounters(0, 0, 2);
    }

    @Test
    void aHandlerMayRouteAPayloadOfItsOwnAndTheOuterWalkGoesOnAsItWas() {
        PayloadRouter nested = new PayloadRouter(peers);
        nested.registerFrame(MeshFrame.DATAGRAM, (from, state, b, off, len) -> {
            received.add("datagram " + name(from, state) + " " + hex(b, off, len));
            if (b[off] == 1) {
                nested.route(STRANGER, InnerPayload.MESH_FRAMES, frames(frame(MeshFrame.DATAGRAM, 2)), 0, 3);
            }
        });
        nested.route(PEER, InnerPayload.MESH_FRAMES, frames(frame(MeshFrame.DATAGRAM, 1), frame(MeshFrame.DATAGRAM, 3)), 0, 6);
        assertEquals(List.of("datagram peer 01", "datagram stranger 02", "datagram peer 03"), received);
    }

    @Test
    void aFrameTypeTakesOneHandlerOfEachKindAndOnlyValidTypesAreTaken() {
        PayloadRouter.Handler h = (from, state, b, off, len) -> { };
        assertThrows(IllegalStateException.class, () -> router.registerPayload(MeshFrame.PACKET, h));
        assertThrows(IllegalStateException.class, () -> router.registerFrame(MeshFrame.DATAGRAM, h));
        router.registerFrame(MeshFrame.PACKET, h);
        for (int invalid : new int[] {MeshFrame.PADDING, 0x45, 0x60, 256, -1}) {
            assertThrows(IllegalArgumentException.class, () -> router.registerFrame(invalid, h), "type " + invalid);
            assertThrows(IllegalArgumentException.class, () -> router.registerPayload(invalid, h), "type " + invalid);
        }
    }

    private void route(PublicKey from, byte[] payload) {
        byte[] packet = new byte[OFF + payload.length + 5];
        Arrays.fill(packet, (byte) 0x31); // bytes around the payload must not be read
        System.arraycopy(payload, 0, packet, OFF, payload.length);
        // as the session layer classifies it
        router.route(from, InnerPayload.kind(packet, OFF, payload.length), packet, OFF, payload.length);
    }

    private void assertCounters(long unknownFrames, long malformedPayloads, long ipPacketsIgnored) {
        assertArrayEquals(new long[] {unknownFrames, malformedPayloads, ipPacketsIgnored}, router.counters());
    }

    private String name(PublicKey from, PeerState state) {
        if (from.equals(PEER) && state == peerState) {
            return "peer";
        }
        return from.equals(STRANGER) && state == null ? "stranger" : "wrong sender " + from + " " + state;
    }

    private static byte[] frame(int type, int... body) {
        byte[] b = new byte[MeshFrame.frameLength(body.length)];
        int bodyOff = MeshFrame.writeHeader(b, 0, type, body.length);
        for (int i = 0; i < body.length; i++) {
            b[bodyOff + i] = (byte) body[i];
        }
        return b;
    }

    private static byte[] frames(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private static String hex(byte[] b, int off, int len) {
        StringBuilder s = new StringBuilder();
        for (int i = off; i < off + len; i++) {
            s.append(String.format("%02x", b[i]));
        }
        return s.toString();
    }

    private static PublicKey key(int fill) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return PublicKey.of(k);
    }
}
