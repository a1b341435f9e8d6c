package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.keymesh.crypto.Aead;
import io.keymesh.wire.Bytes;
import io.keymesh.wire.TransportData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link InboundBatch} by example: bad packets among good ones, and a rekey inside one batch. */
class InboundBatchTest {
    private static byte[] payload(int n) {
        byte[] p = new byte[600];
        p[0] = 0x10; // mesh frames: delivered whole
        p[1] = (byte) n;
        return p;
    }

    /** A sends {@code n} payloads numbered from {@code first}; their packets, in order. */
    private static List<byte[]> send(EnginePair pair, int first, int n) {
        pair.a.transmitted.clear();
        for (int i = 0; i < n; i++) {
            pair.a.send(payload(first + i));
        }
        pair.inFlight.clear();
        List<byte[]> out = new ArrayList<>(pair.a.transmitted);
        pair.a.transmitted.clear();
        return out;
    }

    /** Prepares, opens every packet (on this thread), receives each in order. */
    private static InboundBatch receive(SessionEngine engine, long now, List<byte[]> datagrams) {
        InboundBatch batch = new InboundBatch(4);
        for (byte[] d : datagrams) {
            batch.add(d, 0, d.length, EnginePair.ADDR_A);
        }
        engine.prepare(now, batch);
        Aead aead = Aead.jdk();
        for (int j = 0; j < batch.openings(); j++) {
            batch.open(j, aead);
        }
        for (int i = 0; i < batch.size(); i++) {
            assertFalse(batch.isOpening(i));
            engine.receive(now, batch, i);
        }
        return batch;
    }

    @Test
    void badPacketsAreDroppedAndCountedAndTheGoodOnesAroundThemDelivered() {
        EnginePair pair = new EnginePair(1);
        pair.handshake();
        pair.b.delivered.clear();
        List<byte[]> p = send(pair, 0, 5);
        byte[] badTag = p.get(1).clone();
        badTag[badTag.length - 1] ^= 1;
        byte[] unknownIndex = p.get(3).clone();
        Bytes.putIntLE(unknownIndex, TransportData.RECEIVER, TransportData.receiver(unknownIndex, 0) + 1);
        byte[] malformed = {4, 0, 0, 0, 1, 2, 3};
        List<byte[]> batch = List.of(p.get(0), badTag, p.get(2), p.get(0).clone(), unknownIndex, malformed, p.get(4));
        receive(pair.b.engine, pair.now, batch.stream().map(byte[]::clone).toList());

        assertEquals(3, pair.b.delivered.size());
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(payload(new int[] {0, 2, 4}[k]), java.util.Arrays.copyOf(pair.b.delivered.get(k), 600), "delivery " + k);
        }
        assertEquals(1, pair.b.engine.dropped(DropReason.BAD_TAG));
        assertEquals(1, pair.b.engine.dropped(DropReason.REPLAY));
        assertEquals(1, pair.b.engine.dropped(DropReason.UNKNOWN_INDEX));
        assertEquals(1, pair.b.engine.dropped(DropReason.MALFORMED));
        assertEquals(4, pair.b.engine.droppedTotal());
        // p1 and p3 are still fresh: the damaged copies did not touch the replay window.
        receive(pair.b.engine, pair.now, List.of(p.get(1).clone(), p.get(3).clone()));
        assertEquals(5, pair.b.delivered.size());
    }

    /**
     * Packets of the old keypair, A's new initiation, packets of the new keypair (the first of
     * which confirms it at B), and old ones again, all in one batch: every one delivered in order.
     */
    @Test
    void aKeypairRotatesInsideTheBatch() {
        EnginePair source = new EnginePair(2);
        EnginePair receiver = new EnginePair(2);
        source.handshake();
        receiver.handshake();
        receiver.b.delivered.clear();
        receiver.b.transmitted.clear();
        List<byte[]> old = send(source, 0, 3);
        source.now += ProtocolConstants.REKEY_TIMEOUT + ProtocolConstants.SECOND;
        receiver.now = source.now;
        source.a.transmitted.clear();
        source.handshake(); // initiation, response, A's first packet (a keepalive) on the new keypair
        List<byte[]> rekey = new ArrayList<>(source.a.transmitted);
        List<byte[]> fresh = send(source, 3, 3);
        Keypair before = receiver.b.peer.current;

        List<byte[]> batch = new ArrayList<>();
        batch.add(old.get(0));
        batch.add(rekey.get(0)); // the initiation
        batch.addAll(fresh);
        batch.add(old.get(1));
        batch.add(rekey.get(1)); // the keepalive, on the new keypair
        batch.add(old.get(2));
        receive(receiver.b.engine, receiver.now, batch.stream().map(byte[]::clone).toList());

        int[] order = {0, 3, 4, 5, 1, 2};
        assertEquals(order.length, receiver.b.delivered.size());
        for (int k = 0; k < order.length; k++) {
            assertEquals(order[k], receiver.b.delivered.get(k)[1], "delivery " + k);
        }
        assertEquals(0, receiver.b.engine.droppedTotal());
        assertEquals(before, receiver.b.peer.previous, "the old keypair is the previous one now");
        assertEquals(2, receiver.b.handshakes);
        assertEquals(1, receiver.b.transmitted.size(), "B answered the initiation");
    }
}
