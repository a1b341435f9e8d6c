package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.MAX_STAGED_PACKETS;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT_JITTER_MAX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link ProtocolConstants#MAX_STAGED_PACKETS} driven to the limit: packets for a peer without a
 * session wait, 128 at most; the 129th and 130th push out the oldest, each counted as
 * {@link DropReason#STAGED_QUEUE_FULL}, and once the handshake completes the 128 kept arrive in order.
 */
class StagedPacketsLimitsTest {
    @Test
    void thePacketPastTheLimitDropsTheOldestAndIsCounted() {
        assertEquals(128, MAX_STAGED_PACKETS);
        EnginePair pair = new EnginePair(11);
        pair.wireUp = false; // the handshake is lost: everything waits
        // payloads of two bytes, the first 1: no IP version, so the receiver takes them as they are
        for (int i = 0; i < MAX_STAGED_PACKETS; i++) {
            assertTrue(pair.a.send(new byte[] {1, (byte) i}));
        }
        pair.flush();
        assertEquals(MAX_STAGED_PACKETS, pair.a.peer.stagedPackets());
        assertEquals(0, pair.a.engine.dropped(DropReason.STAGED_QUEUE_FULL));

        assertTrue(pair.a.send(new byte[] {1, (byte) 128}));
        assertEquals(MAX_STAGED_PACKETS, pair.a.peer.stagedPackets());
        assertEquals(1, pair.a.engine.dropped(DropReason.STAGED_QUEUE_FULL));
        assertTrue(pair.a.send(new byte[] {1, (byte) 129}));
        assertEquals(MAX_STAGED_PACKETS, pair.a.peer.stagedPackets());
        assertEquals(2, pair.a.engine.dropped(DropReason.STAGED_QUEUE_FULL));
        assertEquals(2, pair.a.engine.droppedTotal(), "nothing else was dropped");

        pair.wireUp = true;
        pair.advance(REKEY_TIMEOUT + REKEY_TIMEOUT_JITTER_MAX + 1); // the initiation is sent again and answered
        assertEquals(0, pair.a.peer.stagedPackets());
        assertEquals(MAX_STAGED_PACKETS, pair.b.delivered.size(), () -> {
            StringBuilder d = new StringBuilder();
            for (DropReason r : DropReason.values()) {
                d.append(r).append('=').append(pair.b.engine.dropped(r)).append(' ').append(pair.a.engine.dropped(r)).append("; ");
            }
            return d + " transmitted " + pair.a.transmitted.size();
        });
        for (int i = 0; i < MAX_STAGED_PACKETS; i++) {
            assertEquals((byte) (i + 2), pair.b.delivered.get(i)[1], "the two oldest went; the rest in order");
        }
    }
}
