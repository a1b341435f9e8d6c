package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.wire.CompressionOffer;
import io.keymesh.wire.DictionaryRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The channel layer's part in compression: coded channel directions (STREAM_CODED frames) reach the
 * owner as coded messages, in order with the plain ones, and each side's COMPRESSION offer reaches
 * the other reliably, once per connection state.
 */
class CodedChannelTest {
    private static final long SECOND = 1_000_000_000L;

    private static CompressionOffer offer(long version, int dictionaries) {
        List<DictionaryRef> refs = new ArrayList<>();
        for (int i = 0; i < dictionaries; i++) {
            byte[] hash = new byte[32];
            Arrays.fill(hash, (byte) (i + 1));
            refs.add(new DictionaryRef(1000 + i, hash));
        }
        return new CompressionOffer(version, true, refs);
    }

    private static List<byte[]> messages(int n, int seed) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] m = new byte[1 + (i * 37 + seed) % 3000];
            Arrays.fill(m, (byte) (i + seed));
            out.add(m);
        }
        return out;
    }

    @Test
    void codedAndPlainChannelsArriveMarkedAndInOrder() {
        ConnectionPair pair = new ConnectionPair(1, ChannelConfig.DEFAULT);
        pair.loss = 0.1;
        pair.reordering = 0.1;
        List<byte[]> coded = messages(200, 1);
        List<byte[]> plain = messages(200, 2);
        for (int i = 0; i < coded.size(); i++) {
            assertTrue(pair.a.connection.offer(4, coded.get(i), true));
            assertTrue(pair.a.connection.offer(6, plain.get(i), false));
        }
        pair.a.connection.flush(pair.now);
        pair.runUntil(pair.now + 60 * SECOND, () -> pair.b.messages.size() == 400);
        List<byte[]> gotCoded = new ArrayList<>();
        List<byte[]> gotPlain = new ArrayList<>();
        for (int i = 0; i < pair.b.messages.size(); i++) {
            boolean isCoded = pair.b.messageCoded.get(i);
            assertEquals(pair.b.messageChannels.get(i) == 4, isCoded, "message " + i);
            (isCoded ? gotCoded : gotPlain).add(pair.b.messages.get(i));
        }
        ChannelConnectionTest.assertDelivered(coded, gotCoded);
        ChannelConnectionTest.assertDelivered(plain, gotPlain);
    }

    @Test
    void eachDirectionOfAChannelIsMarkedByItsOwnSender() {
        ConnectionPair pair = new ConnectionPair(2, ChannelConfig.DEFAULT);
        pair.a.connection.offer(8, new byte[] {1}, true);
        pair.a.connection.flush(pair.now);
        pair.runUntil(pair.now + SECOND, () -> pair.b.messages.size() == 1);
        pair.b.connection.offer(8, new byte[] {2}, false);
        pair.b.connection.flush(pair.now);
        pair.runUntil(pair.now + SECOND, () -> pair.a.messages.size() == 1);
        assertEquals(List.of(true), pair.b.messageCoded);
        assertEquals(List.of(false), pair.a.messageCoded);
    }

    @Test
    void aChannelDirectionCannotChangeItsMarkAfterItsFirstMessage() {
        ConnectionPair pair = new ConnectionPair(3, ChannelConfig.DEFAULT);
        assertTrue(pair.a.connection.offer(2, new byte[] {1}, true));
        assertThrows(IllegalArgumentException.class, () -> pair.a.connection.offer(2, new byte[] {1}, false));
        assertTrue(pair.a.connection.offer(2, new byte[] {2}, true));
    }

    @Test
    void offersReachThePeerReliablyAndTheNewestWins() {
        ConnectionPair pair = new ConnectionPair(4, ChannelConfig.DEFAULT);
        pair.loss = 0.5;
        CompressionOffer first = offer(1, 3);
        pair.a.connection.setCompressionOffer(first);
        pair.a.connection.send(pair.now, 0, new byte[] {1});
        pair.runUntil(pair.now + 30 * SECOND, () -> pair.b.connection.peerCompression() != null);
        assertEquals(first, pair.b.connection.peerCompression());
        CompressionOffer second = offer(2, 32);
        pair.a.connection.setCompressionOffer(second);
        pair.a.connection.flush(pair.now);
        pair.runUntil(pair.now + 30 * SECOND, () -> second.equals(pair.b.connection.peerCompression()));
        assertEquals(second, pair.b.connection.peerCompression());
        assertEquals(List.of(first, second), pair.b.peerOffers);
        assertNull(pair.a.connection.peerCompression(), "b offered nothing");
    }

    @Test
    void aRestartedPeerIsToldTheOfferAgainAndItsOldOneIsForgotten() {
        ConnectionPair pair = new ConnectionPair(5, ChannelConfig.DEFAULT);
        CompressionOffer offerA = offer(1, 1);
        CompressionOffer offerB = offer(7, 2);
        pair.a.connection.setCompressionOffer(offerA);
        pair.b.connection.setCompressionOffer(offerB);
        pair.a.connection.send(pair.now, 0, new byte[] {1});
        pair.runUntil(pair.now + SECOND, () -> pair.a.connection.peerCompression() != null && pair.b.connection.peerCompression() != null);
        assertEquals(offerB, pair.a.connection.peerCompression());
        // b restarts: a fresh connection without an offer
        pair.b.connection = new ChannelConnection(ChannelConfig.DEFAULT, new java.util.SplittableRandom(99), pair.now,
                pair.b::transmit, pair.b);
        pair.b.connection.send(pair.now, 1, new byte[] {2});
        pair.runUntil(pair.now + SECOND, () -> pair.a.messages.size() == 1 && pair.b.connection.peerCompression() != null);
        assertNull(pair.a.connection.peerCompression(), "the restarted peer offered nothing");
        assertEquals(offerA, pair.b.connection.peerCompression(), "told again in the new connection state");
        assertNull(pair.a.peerOffers.getLast());
    }

    @Test
    void aMalformedOfferIsAProtocolViolation() {
        ConnectionPair pair = new ConnectionPair(6, ChannelConfig.DEFAULT);
        pair.a.connection.send(pair.now, 0, new byte[] {1});
        pair.runUntil(pair.now + SECOND, () -> pair.b.messages.size() == 1);
        byte[] packet = new byte[64];
        int p = io.keymesh.wire.PacketHeaderFrame.write(packet, 0, 12345, 0, 0);
        packet[p++] = (byte) io.keymesh.wire.MeshFrame.COMPRESSION;
        packet[p++] = 3;
        packet[p++] = 1; // version
        packet[p++] = 1; // flags
        packet[p++] = 9; // a partial dictionary
        ChannelConnection fresh = new ChannelConnection(ChannelConfig.DEFAULT, new java.util.SplittableRandom(7), pair.now,
                (b, o, l) -> { }, pair.b);
        fresh.onPayload(pair.now, packet, 0, p);
        assertTrue(fresh.isLost());
        assertTrue(pair.b.lostReasons.getLast().contains("bad COMPRESSION"), pair.b.lostReasons.toString());
    }

    @Test
    void codedFramesOnAPlainChannelAreAProtocolViolation() {
        ConnectionPair pair = new ConnectionPair(7, ChannelConfig.DEFAULT);
        byte[] packet = new byte[64];
        int p = io.keymesh.wire.PacketHeaderFrame.write(packet, 0, 12345, 0, 0);
        p += io.keymesh.wire.StreamFrame.write(packet, p, 3, 0, false, new byte[] {1, 9}, 0, 2);
        int q = io.keymesh.wire.StreamFrame.writeHeader(packet, p, 3, 2, 1, false, true);
        packet[q] = 5;
        pair.b.connection.onPayload(pair.now, packet, 0, q + 1);
        assertTrue(pair.b.connection.isLost());
        assertArrayEquals(new byte[] {9}, pair.b.messages.getFirst(), "the plain message before it was delivered");
    }
}
