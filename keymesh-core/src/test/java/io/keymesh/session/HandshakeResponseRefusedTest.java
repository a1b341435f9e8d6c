package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.testing.TestKeys;
import io.keymesh.wire.MessageType;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Handshake responses an initiator refuses after their mac1 verified: one that answers no
 * handshake in flight is counted as {@link DropReason#UNEXPECTED_MESSAGE} and reported to no one;
 * one from a peer that is not a member of the network (it used WireGuard's standard mac1 and is not
 * marked WireGuard-compatible) is counted as {@link DropReason#NOT_A_MEMBER} and reported with the
 * peer's key. Neither completes the handshake.
 */
class HandshakeResponseRefusedTest {
    private static final UdpEndpoint FROM_A = new UdpEndpoint(new InetSocketAddress("192.0.2.7", 51820));
    private static final UdpEndpoint FROM_B = new UdpEndpoint(new InetSocketAddress("192.0.2.8", 51820));
    private final SplittableRandom random = new SplittableRandom(11);
    private final PresharedKey network = TestKeys.networkKey(random);

    private record Refusal(DropReason reason, int messageType, Endpoint from, PublicKey key) {}

    /** An engine with what it sent and what it reported. */
    private final class Node implements Transmit, SessionEvents {
        final PrivateKey key = TestKeys.key(random);
        final SessionEngine engine = new SessionEngine(key, new SplittableRandom(random.nextLong()), EnginePair.WALL_OFFSET, this, this);
        final List<byte[]> sent = new ArrayList<>();
        final List<Refusal> refusals = new ArrayList<>();

        @Override
        public void send(Endpoint to, byte[] buf, int off, int len) {
            sent.add(Arrays.copyOfRange(buf, off, off + len));
        }

        @Override
        public void deliver(Peer peer, Endpoint from, int kind, byte[] payload, int off, int len) {}

        @Override
        public void handshakeRefused(DropReason reason, int messageType, Endpoint from, PublicKey key) {
            refusals.add(new Refusal(reason, messageType, from, key));
        }

        void receive(byte[] packet, Endpoint from) {
            engine.receive(EnginePair.START, packet.clone(), 0, packet.length, from);
        }
    }

    /** {@code a} initiates to {@code b}; returns b's response, not yet delivered. */
    private static byte[] responseOf(Node a, Node b, Peer bAtA) {
        bAtA.setEndpoint(FROM_B);
        assertTrue(a.engine.initiateHandshake(EnginePair.START, bAtA));
        b.receive(a.sent.removeLast(), FROM_A);
        assertEquals(List.of(), b.refusals);
        byte[] response = b.sent.removeLast();
        assertEquals(MessageType.HANDSHAKE_RESPONSE, MessageType.of(response, 0, response.length));
        return response;
    }

    /** A response delivered twice: the second answers a handshake that is no longer in flight. */
    @Test
    void aRepeatedResponseIsUnexpectedAndReportedToNoOne() {
        Node a = new Node();
        Node b = new Node();
        Peer bAtA = a.engine.addPeer(b.key.publicKey(), network);
        b.engine.addPeer(a.key.publicKey(), network);
        byte[] response = responseOf(a, b, bAtA);

        a.receive(response, FROM_B);
        assertEquals(1, bAtA.handshakesCompleted);
        assertEquals(0, a.engine.dropped(DropReason.UNEXPECTED_MESSAGE));

        a.receive(response, FROM_B);
        assertEquals(1, a.engine.dropped(DropReason.UNEXPECTED_MESSAGE));
        assertEquals(1, bAtA.handshakesCompleted, "the handshake is not completed again");
        assertEquals(List.of(), a.refusals);
    }

    /**
     * A node that joins a network (sets the membership key) while its initiation to a peer is in
     * flight refuses that peer's response under WireGuard's standard mac1, although another peer
     * marked WireGuard-compatible makes the standard mac1 pass admission.
     */
    @Test
    void aResponseUnderTheStandardMac1FromAPeerThatIsNotAMemberIsRefusedAndReported() {
        Node a = new Node();
        Node b = new Node();
        Node stock = new Node();
        Peer bAtA = a.engine.addPeer(b.key.publicKey(), PresharedKey.ZERO);
        b.engine.addPeer(a.key.publicKey(), PresharedKey.ZERO);
        byte[] response = responseOf(a, b, bAtA);

        a.engine.setMembershipKey(network);
        a.engine.setWireGuardCompatible(a.engine.addPeer(stock.key.publicKey(), PresharedKey.ZERO), true);
        a.receive(response, FROM_B);

        assertEquals(List.of(new Refusal(DropReason.NOT_A_MEMBER, MessageType.HANDSHAKE_RESPONSE, FROM_B, b.key.publicKey())),
                a.refusals);
        assertEquals(1, a.engine.dropped(DropReason.NOT_A_MEMBER));
        assertEquals(0, bAtA.handshakesCompleted);
        assertNull(bAtA.current, "no keypair");
    }
}
