package io.keymesh.overlay;

import static io.keymesh.overlay.RecordingLinks.key;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.RelayReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bound on circuit ends relays open to a node ({@link Circuits}' {@code maxInbound}) driven to
 * the limit and one past it, with the node's own limit of 1,024 (the node package checks that it
 * is the one a node uses).
 */
class CircuitsLimitsTest {
    private static final long NOW = 1_000_000_000_000L;
    private static final int MAX_INBOUND = 1024;

    @Test
    void theInboundEndPastTheLimitIsRefusedWithCapacityCountedAndOneClosedMakesRoom() {
        PublicKey self = key(0);
        PublicKey relay = key(1);
        RecordingLinks links = new RecordingLinks();
        links.connected.add(relay);
        List<RelayedEndpoint> closed = new ArrayList<>();
        Circuits circuits = new Circuits(self, links, new CircuitIds(self, 0), new Circuits.Listener() {
            @Override
            public void opened(long now, RelayedEndpoint end, PublicKey target, int maxMessage) {}

            @Override
            public void refused(long now, RelayedEndpoint end, PublicKey target, int reason) {}

            @Override
            public void closed(long now, RelayedEndpoint end, PublicKey target, int reason) {
                closed.add(end);
            }

            @Override
            public void received(RelayedEndpoint end, byte[] buf, int off, int len) {}
        }, MAX_INBOUND, RelayConfig.DEFAULT.idleTimeoutNanos());

        for (int i = 0; i < MAX_INBOUND; i++) {
            circuits.onOpenAsTarget(NOW, relay, 2 * i + 1);
        }
        assertEquals(MAX_INBOUND, circuits.inbound());
        assertEquals(MAX_INBOUND, links.sent("opened").size());
        assertEquals(0, circuits.inboundRefused());

        circuits.onOpenAsTarget(NOW, relay, 2 * MAX_INBOUND + 1);
        assertEquals(List.of("refused " + (2 * MAX_INBOUND + 1) + " " + RelayReason.CAPACITY),
                links.sent("refused").stream().map(s -> "refused " + s.circuit() + " " + s.detail()).toList());
        assertEquals(1, circuits.inboundRefused());
        assertEquals(MAX_INBOUND, circuits.inbound());

        circuits.onOpenAsTarget(NOW, relay, 1); // a repeated OPEN of a known end is answered, not refused
        assertEquals(MAX_INBOUND + 1, links.sent("opened").size());
        assertEquals(1, circuits.inboundRefused());
        assertEquals(true, circuits.isOpen(new RelayedEndpoint(relay, 1)), "known ends stay open");

        circuits.onClose(NOW, relay, 3, RelayReason.IDLE);
        assertEquals(List.of(new RelayedEndpoint(relay, 3)), closed);
        assertEquals(MAX_INBOUND - 1, circuits.inbound());
        circuits.onOpenAsTarget(NOW, relay, 2 * MAX_INBOUND + 3);
        assertEquals(MAX_INBOUND, circuits.inbound(), "one closed makes room for one");
        circuits.onOpenAsTarget(NOW, relay, 2 * MAX_INBOUND + 5);
        assertEquals(2, circuits.inboundRefused());
        assertEquals(MAX_INBOUND, circuits.inbound());
    }
}
