package io.keymesh.node;

import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.crypto.PublicKey;
import io.keymesh.overlay.Circuits;
import io.keymesh.testing.Loopback;
import io.keymesh.wire.RelayReason;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MeshOverlay#MAX_INBOUND_CIRCUITS} in a running node: the 1,025th circuit end a relay opens
 * to it is refused and counted in {@link RelayStats#inboundRefused()}; one closed makes room.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MeshOverlayLimitsTest {
    @AutoClose
    private final Loopback net = new Loopback();

    @Test
    void theInboundEndPastMaxInboundCircuitsIsRefusedAndCountedInTheNodesRelayStats() {
        assertEquals(1024, MeshOverlay.MAX_INBOUND_CIRCUITS);
        MeshNode node = net.start(newKey(), newNetworkKey(), List.of()).mesh();
        PublicKey relay = newKey().publicKey();
        int max = MeshOverlay.MAX_INBOUND_CIRCUITS;
        List<Integer> inbound = get(node.withEngine((engine, now) -> {
            Circuits circuits = node.overlay().overlay().circuits();
            for (int i = 0; i <= max; i++) {
                circuits.onOpenAsTarget(now, relay, 2 * i + 1);
            }
            return List.of(circuits.inbound());
        }));
        assertEquals(List.of(max), inbound);
        assertEquals(1, get(node.relayStats()).inboundRefused());

        List<Integer> after = get(node.withEngine((engine, now) -> {
            Circuits circuits = node.overlay().overlay().circuits();
            circuits.onClose(now, relay, 1, RelayReason.IDLE);
            int freed = circuits.inbound();
            circuits.onOpenAsTarget(now, relay, 2 * max + 3);
            int retaken = circuits.inbound();
            circuits.onOpenAsTarget(now, relay, 2 * max + 5);
            return List.of(freed, retaken, circuits.inbound());
        }));
        assertEquals(List.of(max - 1, max, max), after);
        assertEquals(2, get(node.relayStats()).inboundRefused());
    }
}
