package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.Blake2s;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.testing.TestKeys;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.MessageType;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link SessionEvents#handshakeRefused}: each refusal a person can act on is reported once per
 * message, with its reason, source and, where the message proves it, the sender's key; it is
 * counted as before, and nothing is answered. A handshake response is refused the same way: one
 * that answers no handshake in flight is counted as {@link DropReason#UNEXPECTED_MESSAGE} and
 * reported to no one; one from a peer that is not a member is counted and reported as
 * {@link DropReason#NOT_A_MEMBER}; neither completes the handshake.
 */
class HandshakeRefusedTest {
    private static final UdpEndpoint FROM_A = new UdpEndpoint(new InetSocketAddress("192.0.2.7", 51820));
    private static final UdpEndpoint FROM_B = new UdpEndpoint(new InetSocketAddress("192.0.2.8", 51820));
    private final SplittableRandom random = new SplittableRandom(42);
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

        /** The initiation this node sends {@code to} (at {@code at}), taken off its wire. */
        byte[] initiationTo(Node to, Endpoint at) {
            Peer p = engine.peer(to.key.publicKey());
            p.setEndpoint(at);
            assertTrue(engine.initiateHandshake(EnginePair.START, p));
            return sent.removeLast();
        }
    }

    private static void receive(Node node, byte[] packet, Endpoint from) {
        node.engine.receive(EnginePair.START, packet.clone(), 0, packet.length, from);
    }

    @Test
    void anInitiationMadeWithAnotherNetworkKeyIsABadMac1FromItsAddress() {
        Node a = new Node();
        Node b = new Node();
        a.engine.setMembershipKey(TestKeys.networkKey(random));
        b.engine.setMembershipKey(network);
        a.engine.addPeer(b.key.publicKey(), network);
        b.engine.addPeer(a.key.publicKey(), network);
        byte[] init = a.initiationTo(b, FROM_B);
        receive(b, init, FROM_A);
        receive(b, init, FROM_A);
        assertEquals(List.of(new Refusal(DropReason.BAD_MAC1, MessageType.HANDSHAKE_INITIATION, FROM_A, null),
                new Refusal(DropReason.BAD_MAC1, MessageType.HANDSHAKE_INITIATION, FROM_A, null)), b.refusals);
        assertEquals(2, b.engine.dropped(DropReason.BAD_MAC1));
        assertEquals(List.of(), b.sent, "nothing answered");
    }

    @Test
    void anInitiationFromAKeyThatIsNotAPeerNamesThatKey() {
        Node a = new Node();
        Node b = new Node();
        a.engine.setMembershipKey(network);
        b.engine.setMembershipKey(network);
        a.engine.addPeer(b.key.publicKey(), network);
        byte[] init = a.initiationTo(b, FROM_B);
        receive(b, init, FROM_A);
        assertEquals(List.of(new Refusal(DropReason.UNKNOWN_PEER, MessageType.HANDSHAKE_INITIATION, FROM_A, a.key.publicKey())),
                b.refusals);
        assertEquals(1, b.engine.dropped(DropReason.UNKNOWN_PEER));
        assertEquals(List.of(), b.sent);
    }

    /** A timestamp that does not decrypt proves no key: the refusal names none. */
    @Test
    void anInitiationThatDoesNotDecryptNamesNoKey() {
        Node a = new Node();
        Node b = new Node();
        a.engine.setMembershipKey(network);
        b.engine.setMembershipKey(network);
        a.engine.addPeer(b.key.publicKey(), network);
        byte[] init = a.initiationTo(b, FROM_B);
        init[HandshakeInitiation.TIMESTAMP] ^= 1;
        byte[] mac1Key = CookieChecker.memberMac1Key(b.key.publicKey().toBytes(), network.toBytes());
        Blake2s.mac(mac1Key, init, 0, HandshakeInitiation.MAC1, init, HandshakeInitiation.MAC1); // mac1 passes again
        receive(b, init, FROM_A);
        assertEquals(List.of(new Refusal(DropReason.UNKNOWN_PEER, MessageType.HANDSHAKE_INITIATION, FROM_A, null)), b.refusals);
    }

    /** A peer that uses WireGuard's standard mac1 while this node demands the network key. */
    @Test
    void aPeerWithoutTheNetworkKeyIsNotAMember() {
        Node a = new Node();
        Node b = new Node();
        Node stock = new Node();
        b.engine.setMembershipKey(network);
        a.engine.addPeer(b.key.publicKey(), PresharedKey.ZERO); // no membership key: standard mac1
        b.engine.addPeer(a.key.publicKey(), network);
        b.engine.setWireGuardCompatible(b.engine.addPeer(stock.key.publicKey(), network), true); // standard mac1 is checked
        byte[] init = a.initiationTo(b, FROM_B);
        receive(b, init, FROM_A);
        assertEquals(List.of(new Refusal(DropReason.NOT_A_MEMBER, MessageType.HANDSHAKE_INITIATION, FROM_A, a.key.publicKey())),
                b.refusals);
        assertEquals(List.of(), b.sent);
    }

    /** A stock WireGuard peer with another pre-shared key answers; the answer does not authenticate. */
    @Test
    void aResponseWithAnotherPresharedKeyFailsAndNamesThePeerInitiatedTo() {
        Node a = new Node();
        Node b = new Node();
        Peer bAtA = a.engine.addPeer(b.key.publicKey(), network);
        b.engine.addPeer(a.key.publicKey(), TestKeys.networkKey(random));
        byte[] init = a.initiationTo(b, FROM_B);
        receive(b, init, FROM_A);
        assertEquals(List.of(), b.refusals, "the initiation does not use the pre-shared key");
        byte[] response = b.sent.removeLast();
        receive(a, response, FROM_B);
        assertEquals(List.of(new Refusal(DropReason.HANDSHAKE_FAILED, MessageType.HANDSHAKE_RESPONSE, FROM_B, bAtA.publicKey())),
                a.refusals);
        assertEquals(1, a.engine.dropped(DropReason.HANDSHAKE_FAILED));
    }

    /** {@code a} initiates to {@code b}; returns b's response, not yet delivered. */
    private static byte[] responseOf(Node a, Node b, Peer bAtA) {
        bAtA.setEndpoint(FROM_B);
        assertTrue(a.engine.initiateHandshake(EnginePair.START, bAtA));
        receive(b, a.sent.removeLast(), FROM_A);
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

        receive(a, response, FROM_B);
        assertEquals(1, bAtA.handshakesCompleted);
        assertEquals(0, a.engine.dropped(DropReason.UNEXPECTED_MESSAGE));

        receive(a, response, FROM_B);
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
        receive(a, response, FROM_B);

        assertEquals(List.of(new Refusal(DropReason.NOT_A_MEMBER, MessageType.HANDSHAKE_RESPONSE, FROM_B, b.key.publicKey())),
                a.refusals);
        assertEquals(1, a.engine.dropped(DropReason.NOT_A_MEMBER));
        assertEquals(0, bAtA.handshakesCompleted);
        assertNull(bAtA.current, "no keypair");
    }
}
