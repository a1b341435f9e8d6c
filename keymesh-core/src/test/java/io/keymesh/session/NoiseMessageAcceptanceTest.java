package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keymesh.crypto.ChaCha20Poly1305;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.X25519;
import io.keymesh.testing.TestKeys;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What {@link NoiseIKpsk2} accepts as message A (the initiation): the shortest message, an empty
 * payload, is read; anything shorter is refused without an exception; and an ephemeral key of low
 * order is refused even when every other field of the message is built to match it.
 */
class NoiseMessageAcceptanceTest {
    /** Points of small order on Curve25519 (u = 0, u = 1 and a point of order 8): X25519 with them is all zeros. */
    private static final byte[][] LOW_ORDER_POINTS = {
        new byte[32],
        HexFormat.of().parseHex("0100000000000000000000000000000000000000000000000000000000000000"),
        HexFormat.of().parseHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    };

    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final SplittableRandom random = new SplittableRandom(7);
    private final PrivateKey initiatorKey = TestKeys.key(random);
    private final PrivateKey responderKey = TestKeys.key(random);

    private NoiseIKpsk2 responder() {
        return NoiseIKpsk2.responder(aead, wireGuardInitial(), responderKey);
    }

    private SymmetricState wireGuardInitial() {
        return NoiseIKpsk2.initialState(ProtocolConstants.CONSTRUCTION, ProtocolConstants.IDENTIFIER, responderKey.publicKey());
    }

    private byte[] ephemeral() {
        byte[] e = new byte[32];
        random.nextBytes(e);
        X25519.clamp(e);
        return e;
    }

    /** A message A with an empty payload is exactly {@link NoiseIKpsk2#MESSAGE_A_OVERHEAD} long and is read. */
    @Test
    void theShortestMessageAnEmptyPayloadIsRead() {
        NoiseIKpsk2 initiator = NoiseIKpsk2.initiator(aead, wireGuardInitial(), initiatorKey, responderKey.publicKey());
        byte[] msgA = initiator.writeMessageA(ephemeral(), new byte[0]);
        assertEquals(NoiseIKpsk2.MESSAGE_A_OVERHEAD, msgA.length);
        NoiseIKpsk2 responder = responder();
        assertArrayEquals(new byte[0], responder.readMessageA(msgA));
        assertEquals(initiatorKey.publicKey(), responder.remoteStatic());
    }

    /** Every prefix of a valid message A shorter than the overhead is refused (null), none throws. */
    @Test
    void everyShorterPrefixIsRefused() {
        NoiseIKpsk2 initiator = NoiseIKpsk2.initiator(aead, wireGuardInitial(), initiatorKey, responderKey.publicKey());
        byte[] msgA = initiator.writeMessageA(ephemeral(), new byte[0]);
        for (int len = 0; len < msgA.length; len++) {
            assertNull(responder().readMessageA(Arrays.copyOf(msgA, len)), "length " + len);
        }
    }

    /**
     * An initiator that knows its own static key can build a message A around a low-order ephemeral
     * key: the {@code es} token then mixes nothing anyone could not compute, so the encrypted static
     * key and payload authenticate unless the all-zero Diffie-Hellman result is refused. The same
     * construction with a real ephemeral key and its {@code es} is read, which shows the message is
     * otherwise well made.
     */
    @Test
    void aLowOrderEphemeralIsRefusedEvenWhenTheRestOfTheMessageMatchesIt() {
        byte[] payload = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

        byte[] ePrivate = ephemeral();
        byte[] genuine = craftMessageA(X25519.publicKey(ePrivate), ePrivate, payload);
        assertArrayEquals(payload, responder().readMessageA(genuine), "the construction is the protocol's");

        for (byte[] point : LOW_ORDER_POINTS) {
            byte[] forged = craftMessageA(point, null, payload);
            assertNull(responder().readMessageA(forged), "low-order ephemeral " + HexFormat.of().formatHex(point));
        }
    }

    /** {@code -> e, es, s, ss} and the payload, by hand; {@code es} is skipped when {@code ePrivate} is null. */
    private byte[] craftMessageA(byte[] ePublic, byte[] ePrivate, byte[] payload) {
        SymmetricState s = wireGuardInitial();
        s.mixHash(ePublic);
        s.mixKey(ePublic);
        if (ePrivate != null) {
            byte[] es = new byte[32];
            X25519.sharedSecret(ePrivate, responderKey.publicKey().toBytes(), es, 0);
            s.mixKey(es);
        }
        byte[] encStatic = s.encryptAndHash(aead, initiatorKey.publicKey().toBytes());
        byte[] ss = new byte[32];
        initiatorKey.sharedSecret(responderKey.publicKey(), ss, 0);
        s.mixKey(ss);
        byte[] encPayload = s.encryptAndHash(aead, payload);
        byte[] out = new byte[32 + encStatic.length + encPayload.length];
        System.arraycopy(ePublic, 0, out, 0, 32);
        System.arraycopy(encStatic, 0, out, 32, encStatic.length);
        System.arraycopy(encPayload, 0, out, 32 + encStatic.length, encPayload.length);
        return out;
    }
}
