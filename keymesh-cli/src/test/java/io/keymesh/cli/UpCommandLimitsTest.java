package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link UpCommand#MAX_QUEUED_DATAGRAM_EVENTS} driven to the limit: received-datagram log events
 * past 1,024 waiting for the command's thread are dropped; one taken makes room for one; other
 * events are still queued.
 */
class UpCommandLimitsTest {
    @Test
    void datagramEventsPastTheLimitAreDroppedAndOneTakenMakesRoom() {
        assertEquals(1024, UpCommand.MAX_QUEUED_DATAGRAM_EVENTS);
        UpCommand up = new UpCommand();
        UpCommand.Events events = up.new Events(Set.of());
        byte[] k = new byte[32];
        k[1] = 9;
        PublicKey from = PrivateKey.of(k).publicKey();
        byte[] announcement = (UpCommand.ANNOUNCE_PREFIX + from.toBase64()).getBytes(StandardCharsets.UTF_8);

        for (int i = 0; i < UpCommand.MAX_QUEUED_DATAGRAM_EVENTS; i++) {
            events.onDatagram(from, announcement, 0, announcement.length);
        }
        assertEquals(1024, up.events.size());
        events.onDatagram(from, announcement, 0, announcement.length);
        events.onDatagram(from, announcement, 0, announcement.length);
        assertEquals(1024, up.events.size(), "the 1,025th and 1,026th are dropped");

        events.onPeerDown(from, "test");
        assertEquals(1025, up.events.size(), "other events are not bounded by it");

        up.events.poll().accept(null); // the command's thread logs one
        events.onDatagram(from, announcement, 0, announcement.length);
        assertEquals(1025, up.events.size(), "one taken makes room for one");
        events.onDatagram(from, announcement, 0, announcement.length);
        assertEquals(1025, up.events.size());
    }
}
