package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.keymesh.crypto.ChaCha20Poly1305;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.crypto.X25519;
import io.keymesh.testing.TestKeys;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.HandshakeResponse;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Handshake secrets are zeroed where their owner is done with them: {@link NoiseIKpsk2#wipe} leaves
 * neither the handshake hash nor the keys of Split(); {@link Handshake#clear} wipes the handshake in
 * flight; a responder wipes its handshake once the response is written and the keypair derived.
 */
class HandshakeWipeTest {
    private static final long NOW = EnginePair.START;
    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final SplittableRandom random = new SplittableRandom(3);
    private final PrivateKey initiatorKey = TestKeys.key(random);
    private final PrivateKey responderKey = TestKeys.key(random);

    @Test
    void aWipedHandshakeGivesNeitherItsHashNorItsKeys() {
        byte[] psk = new byte[32];
        random.nextBytes(psk);
        SymmetricState initial = NoiseIKpsk2.initialState(
                ProtocolConstants.CONSTRUCTION, ProtocolConstants.IDENTIFIER, responderKey.publicKey());
        NoiseIKpsk2 initiator = NoiseIKpsk2.initiator(aead, initial, initiatorKey, responderKey.publicKey());
        NoiseIKpsk2 responder = NoiseIKpsk2.responder(aead, initial, responderKey);
        assertNotNull(responder.readMessageA(initiator.writeMessageA(ephemeral(), new byte[12])));
        assertNotNull(initiator.readMessageB(responder.writeMessageB(ephemeral(), psk, new byte[0]), psk));

        for (NoiseIKpsk2 side : new NoiseIKpsk2[] {initiator, responder}) {
            byte[][] keys = side.split();
            assertFalse(Arrays.equals(new byte[32], side.handshakeHash()), "a live handshake hash is not zero");
            side.wipe();
            assertArrayEquals(new byte[32], side.handshakeHash());
            byte[][] after = side.split();
            assertFalse(Arrays.equals(keys[0], after[0]) || Arrays.equals(keys[1], after[1]), "keys derivable after wipe");
        }
    }

    @Test
    void clearingAHandshakeInFlightWipesIt() {
        NoiseIKpsk2 noise = NoiseIKpsk2.initiator(aead, NoiseIKpsk2.initialState(
                ProtocolConstants.CONSTRUCTION, ProtocolConstants.IDENTIFIER, responderKey.publicKey()),
                initiatorKey, responderKey.publicKey());
        noise.writeMessageA(ephemeral(), new byte[12]);
        Handshake hs = new Handshake();
        hs.noise = noise;
        hs.state = Handshake.State.INITIATION_CREATED;
        hs.clear();
        assertArrayEquals(new byte[32], noise.handshakeHash());
        assertSame(Handshake.State.ZEROED, hs.state);
    }

    /** Driven through {@link HandshakeMessages} directly: the engine never lets the responder's handshake out. */
    @Test
    void theResponderWipesItsHandshakeOnceTheResponseIsWritten() {
        Side a = new Side(initiatorKey, responderKey.publicKey());
        Side b = new Side(responderKey, initiatorKey.publicKey());
        byte[] initiation = new byte[HandshakeInitiation.LENGTH];
        a.messages.createInitiation(NOW, a.peer, initiation);

        HandshakeMessages.Initiation in = b.messages.consumeInitiation(NOW, initiation, 0, CookieChecker.MAC1_STANDARD,
                new UdpEndpoint(new InetSocketAddress("192.0.2.7", 51820)));
        assertNotNull(in);
        assertFalse(Arrays.equals(new byte[32], in.noise().handshakeHash()));
        byte[] response = new byte[HandshakeResponse.LENGTH];
        b.messages.createResponse(NOW, in, response);
        assertArrayEquals(new byte[32], in.noise().handshakeHash(), "the responder's handshake is wiped");

        assertSame(a.peer, a.messages.consumeResponse(NOW, response, 0, CookieChecker.MAC1_STANDARD,
                new UdpEndpoint(new InetSocketAddress("192.0.2.8", 51820))), "the response is the protocol's");
    }

    /** One side's handshake messages with one peer. */
    private final class Side {
        final IndexTable indices = new IndexTable(new SplittableRandom(random.nextLong()));
        final Map<PublicKey, Peer> peers = new HashMap<>();
        final Peer peer;
        final HandshakeMessages messages;

        Side(PrivateKey local, PublicKey remote) {
            peer = new Peer(remote, PresharedKey.ZERO,
                    NoiseIKpsk2.initialState(ProtocolConstants.CONSTRUCTION, ProtocolConstants.IDENTIFIER, remote),
                    new SendPath(new AtomicLong()), random);
            peers.put(remote, peer);
            messages = new HandshakeMessages(local, new SplittableRandom(random.nextLong()), EnginePair.WALL_OFFSET, indices,
                    new KeyRotation(indices), new DropCounters(), peers, (p, from, kind, payload, off, len) -> {});
        }
    }

    private byte[] ephemeral() {
        byte[] e = new byte[32];
        random.nextBytes(e);
        X25519.clamp(e);
        return e;
    }
}
