package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.KEEPALIVE_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.REJECT_AFTER_MESSAGES;
import static io.keymesh.session.ProtocolConstants.REJECT_AFTER_TIME;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.SECOND;
import static io.keymesh.session.ProtocolConstants.ZERO_KEY_MATERIAL_AFTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.keymesh.crypto.Aead;
import io.keymesh.wire.HandshakeResponse;
import io.keymesh.wire.TransportData;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * What a keypair's age and counter allow on the receiving side (whitepaper section 6.2 and 6.4):
 * transport packets are refused from REJECT_AFTER_TIME and from REJECT_AFTER_MESSAGES on, the
 * initiator starts a last-minute handshake once when it receives on a keypair older than
 * REJECT_AFTER_TIME − KEEPALIVE_TIMEOUT − REKEY_TIMEOUT, and a handshake schedules the zeroing of
 * key material on both sides. Packets are sealed here with the sender's keys at chosen counters, so
 * each boundary is hit exactly.
 */
class KeypairLifetimeTest {
    private static final byte[] PING = {0x01, 'p', 'i', 'n', 'g', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    /** A transport packet from the side whose current keypair is {@code kp}, sealed at {@code counter}. */
    private static byte[] seal(Keypair kp, long counter, byte[] payload) {
        byte[] p = new byte[TransportData.HEADER_LENGTH + payload.length + TransportData.TAG_LENGTH];
        TransportData.writeHeader(p, 0, kp.remoteIndex, counter);
        System.arraycopy(payload, 0, p, TransportData.HEADER_LENGTH, payload.length);
        Aead.jdk().seal(kp.sendKey, counter, null, 0, p, TransportData.HEADER_LENGTH, payload.length, p,
                TransportData.HEADER_LENGTH);
        return p;
    }

    private static void receive(EnginePair w, EnginePair.Side to, byte[] packet, long now) {
        to.engine.receive(now, packet.clone(), 0, packet.length, to == w.b ? EnginePair.ADDR_A : EnginePair.ADDR_B);
    }

    @Test
    void transportIsRefusedFromRejectAfterTimeOn() {
        EnginePair w = new EnginePair(51);
        w.handshake();
        long created = w.now;
        Keypair a = w.a.peer.current;
        assertEquals(created, w.b.peer.current.createdNanos);
        receive(w, w.b, seal(a, 10, PING), created + REJECT_AFTER_TIME - 1);
        assertEquals(1, w.b.delivered.size(), "the last nanosecond");
        receive(w, w.b, seal(a, 11, PING), created + REJECT_AFTER_TIME);
        assertEquals(1, w.b.delivered.size());
        assertEquals(1, w.b.engine.dropped(DropReason.KEYPAIR_EXPIRED));
        assertEquals(1, w.b.engine.droppedTotal());
    }

    @Test
    void transportIsRefusedFromRejectAfterMessagesOnAndOldCountersAreReplays() {
        EnginePair w = new EnginePair(52);
        w.handshake();
        Keypair a = w.a.peer.current;
        receive(w, w.b, seal(a, REJECT_AFTER_MESSAGES, PING), w.now);
        assertEquals(1, w.b.engine.dropped(DropReason.KEYPAIR_EXPIRED), "the first counter past the limit");
        receive(w, w.b, seal(a, -1L, PING), w.now);
        assertEquals(2, w.b.engine.dropped(DropReason.KEYPAIR_EXPIRED), "2^64 - 1, unsigned");
        assertEquals(0, w.b.delivered.size());
        receive(w, w.b, seal(a, REJECT_AFTER_MESSAGES - 1, PING), w.now);
        assertEquals(1, w.b.delivered.size(), "the last counter allowed");
        receive(w, w.b, seal(a, REJECT_AFTER_MESSAGES - 1 - ReplayWindow.WINDOW_SIZE - 1, PING), w.now);
        assertEquals(1, w.b.engine.dropped(DropReason.REPLAY), "behind the window");
        receive(w, w.b, seal(a, REJECT_AFTER_MESSAGES - 1 - ReplayWindow.WINDOW_SIZE, PING), w.now);
        assertEquals(2, w.b.delivered.size(), "the oldest counter the window still holds");
        assertEquals(3, w.b.engine.droppedTotal());
    }

    @Test
    void theInitiatorStartsOneLastMinuteHandshakeWhenReceivingOnAnOldKeypair() {
        EnginePair w = new EnginePair(53);
        w.handshake();
        long created = w.now;
        w.wireUp = false; // a's initiations go nowhere: the old keypair stays current
        Keypair b = w.b.peer.current;
        long threshold = REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT;
        assertEquals(165 * SECOND, threshold);

        receive(w, w.a, seal(b, 0, PING), created + threshold);
        assertEquals(1, w.a.engine.initiationsSent(), "165 s old is not older than the threshold");
        receive(w, w.a, seal(b, 1, PING), created + threshold + 1);
        assertEquals(2, w.a.engine.initiationsSent(), "a nanosecond older: a new handshake");
        receive(w, w.a, seal(b, 2, PING), created + threshold + REKEY_TIMEOUT + 1);
        assertEquals(2, w.a.engine.initiationsSent(), "only once for this keypair");
        assertEquals(3, w.a.delivered.size(), "all delivered meanwhile");

        // The responder never does this.
        Keypair a = w.a.peer.current;
        receive(w, w.b, seal(a, 5, PING), created + threshold + 2 * SECOND);
        assertEquals(0, w.b.engine.initiationsSent());
        assertEquals(1, w.b.delivered.size());
    }

    @Test
    void aHandshakeSchedulesZeroingOnBothSidesAndTheResponderLearnsTheInitiatorsAddress() {
        EnginePair w = new EnginePair(54);
        UdpEndpoint moved = UdpEndpoint.of(new InetSocketAddress("10.0.0.77", 4242));
        w.a.addr = moved;
        long t = w.now;
        w.a.engine.initiateHandshake(t, w.a.peer);
        byte[] init = w.a.transmitted.getFirst();
        w.inFlight.clear();
        w.b.engine.receive(t, init.clone(), 0, init.length, moved);
        assertEquals(moved, w.b.peer.endpoint(), "learnt from the initiation, before any transport packet");
        assertEquals(1, w.b.engine.responsesSent());
        byte[] response = w.b.transmitted.getLast();
        assertEquals(HandshakeResponse.LENGTH, response.length);
        assertSame(null, w.b.peer.current, "the responder's keypair waits as next");
        assertEquals(t + ZERO_KEY_MATERIAL_AFTER, w.b.peer.timers.nextDeadline(), "the responder: zeroing only");

        long t2 = t + 3 * SECOND;
        w.inFlight.clear();
        w.a.engine.receive(t2, response.clone(), 0, response.length, EnginePair.ADDR_B);
        assertEquals(1, w.a.handshakes);
        assertEquals(t2 + ZERO_KEY_MATERIAL_AFTER, w.a.peer.timers.nextDeadline(), "the initiator: zeroing only");
        assertEquals(t2, w.a.peer.current.createdNanos);
    }
}
