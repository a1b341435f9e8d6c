package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keymesh.crypto.Blake2s;
import io.keymesh.crypto.ChaCha20Poly1305;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.Bytes;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.HandshakeResponse;
import io.keymesh.wire.MessageType;
import io.keymesh.wire.TransportData;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Known-answer tests for {@link NoiseIKpsk2}: the cacophony vector for
 * {@code Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s}, WireGuard's initial chaining key and hash, and the
 * byte layout of the WireGuard messages the engine builds from the handshake.
 */
class NoiseVectorTest {
    private static final HexFormat HEX = HexFormat.of();

    // ------------------------------------------------------------------ the cacophony vector
    //
    // From the cacophony project's test vectors (https://github.com/haskell-cryptography/cacophony,
    // vectors/cacophony.txt), in the format with "init_psks"/"resp_psks" and "handshake_hash", as
    // vendored by snow: github.com/mcginty/snow, tests/vectors/cacophony.txt at commit
    // aabed3159deec0a0dfe3d5601c43322d84700c94 -- the entry whose "protocol_name" is exactly
    // "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s" (one psk, at position 2; init_psks == resp_psks).
    // Older copies of the file (format with a single "init_psk") carry the same ciphertexts but a
    // "handshake_hash" of fe20f6e8...: that is h at the psk token of message 1, not the final h.

    private static final String PROTOCOL_NAME = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    /** "John Galt". */
    private static final byte[] PROLOGUE = hex("4a6f686e2047616c74");
    /** init_psks[0] = resp_psks[0]: "This is my Austrian perspective!" */
    private static final byte[] PSK = hex("54686973206973206d7920417573747269616e20706572737065637469766521");
    private static final byte[] INIT_STATIC = hex("e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1");
    private static final byte[] INIT_EPHEMERAL = hex("893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a");
    private static final byte[] RESP_STATIC = hex("4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893");
    private static final byte[] RESP_EPHEMERAL = hex("bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b");
    /** The responder's static public key, as the initiator knows it beforehand. */
    private static final byte[] INIT_REMOTE_STATIC = hex("31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834f701b8f62");
    private static final byte[] HANDSHAKE_HASH = hex("f5191b875290abcd41347ac3622d9679688a7e980229cb937ef748336cfde0e5");

    /** {payload, ciphertext}: messages 0 and 1 are the handshake, 2.. alternate initiator/responder. */
    private static final String[][] MESSAGES = {
        {"4c756477696720766f6e204d69736573",
            "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944001e21de9f98ddd8e2ad57527207feb5"
                + "6253c9c94a9e496782ecfcb2a75fbcaf1b52948cc48daefe660c62119ab5000980c84831215f2441eba616548e8329"
                + "85464cf17e51ee93109008399a21f7e13f"},
        {"4d757272617920526f746862617264",
            "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843cb765f2caef0751b8f007572dab03222"
                + "17755c0632f365717edbf34d33e87a"},
        {"462e20412e20486179656b", "8153ca9833bc3c1b91a7e66e5f4d4f5b59bf9e64c2f20d15f0bba7"},
        {"4361726c204d656e676572", "07af0c9c86e1b4e80f36b04ff7688d51141af3debd0332f0a705ef"},
        {"4a65616e2d426170746973746520536179", "6ab1467c0448cc78394494abaaf23afce0e234315d6e2624dcbfa8a21c1c4d073d"},
        {"457567656e2042f6686d20766f6e2042617765726b",
            "dfc346c0d2296ae6cf1acf6f12b8456a1dba228cf8d8b774aacf1c47fc53aa80ebc7a4c292"},
    };

    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();

    @Test
    void vectorKeysAreConsistent() {
        assertArrayEquals(INIT_REMOTE_STATIC, PrivateKey.of(RESP_STATIC).publicKey().toBytes(),
                "init_remote_static is the public key of resp_static");
    }

    @Test
    void cacophonyIKpsk2HandshakeAndTransport() {
        PrivateKey initStatic = PrivateKey.of(INIT_STATIC);
        PrivateKey respStatic = PrivateKey.of(RESP_STATIC);
        PublicKey respPublic = PublicKey.of(INIT_REMOTE_STATIC);

        NoiseIKpsk2 initiator = NoiseIKpsk2.initiator(aead,
                NoiseIKpsk2.initialState(PROTOCOL_NAME, PROLOGUE, respPublic), initStatic, respPublic);
        NoiseIKpsk2 responder = NoiseIKpsk2.responder(aead,
                NoiseIKpsk2.initialState(PROTOCOL_NAME, PROLOGUE, respStatic.publicKey()), respStatic);

        // Message 0: -> e, es, s, ss
        byte[] msgA = initiator.writeMessageA(INIT_EPHEMERAL, hex(MESSAGES[0][0]));
        assertArrayEquals(hex(MESSAGES[0][1]), msgA, "message 0 ciphertext");
        assertEquals(NoiseIKpsk2.MESSAGE_A_OVERHEAD + hex(MESSAGES[0][0]).length, msgA.length);
        assertArrayEquals(hex(MESSAGES[0][0]), responder.readMessageA(msgA), "message 0 payload");
        assertArrayEquals(initStatic.publicKey().toBytes(), responder.remoteStatic().toBytes());

        // Message 1: <- e, ee, se, psk
        byte[] msgB = responder.writeMessageB(RESP_EPHEMERAL, PSK, hex(MESSAGES[1][0]));
        assertArrayEquals(hex(MESSAGES[1][1]), msgB, "message 1 ciphertext");
        assertArrayEquals(hex(MESSAGES[1][0]), initiator.readMessageB(msgB, PSK), "message 1 payload");

        assertArrayEquals(HANDSHAKE_HASH, initiator.handshakeHash(), "initiator handshake hash");
        assertArrayEquals(HANDSHAKE_HASH, responder.handshakeHash(), "responder handshake hash");

        // Split(): [initiator->responder, responder->initiator], the same on both sides.
        byte[][] iKeys = initiator.split();
        byte[][] rKeys = responder.split();
        assertArrayEquals(iKeys[0], rKeys[0]);
        assertArrayEquals(iKeys[1], rKeys[1]);

        long[] counters = new long[2];
        for (int m = 2; m < MESSAGES.length; m++) {
            int direction = m % 2 == 0 ? 0 : 1; // even: initiator -> responder
            byte[] payload = hex(MESSAGES[m][0]);
            byte[] expected = hex(MESSAGES[m][1]);
            long n = counters[direction]++;
            byte[] ct = aead.seal(iKeys[direction], n, null, payload);
            assertArrayEquals(expected, ct, "transport message " + m + " (nonce " + n + ")");
            assertArrayEquals(payload, aead.open(rKeys[direction], n, null, expected), "transport message " + m + " opens");
        }
        assertEquals(2, counters[0]);
        assertEquals(2, counters[1]);
    }

    @Test
    void responderRejectsTamperedMessageA() {
        byte[] msgA = hex(MESSAGES[0][1]);
        for (int i = 0; i < msgA.length; i++) {
            byte[] bad = msgA.clone();
            bad[i] ^= 0x01;
            NoiseIKpsk2 responder = NoiseIKpsk2.responder(aead,
                    NoiseIKpsk2.initialState(PROTOCOL_NAME, PROLOGUE, PublicKey.of(INIT_REMOTE_STATIC)),
                    PrivateKey.of(RESP_STATIC));
            assertNull(responder.readMessageA(bad), "flipped bit in byte " + i);
        }
        NoiseIKpsk2 responder = NoiseIKpsk2.responder(aead,
                NoiseIKpsk2.initialState(PROTOCOL_NAME, PROLOGUE, PublicKey.of(INIT_REMOTE_STATIC)),
                PrivateKey.of(RESP_STATIC));
        assertNull(responder.readMessageA(Arrays.copyOf(msgA, NoiseIKpsk2.MESSAGE_A_OVERHEAD - 1)), "too short");
    }

    @Test
    void initiatorRejectsWrongPskAndForgeryWithoutLosingTheHandshake() {
        PublicKey respPublic = PublicKey.of(INIT_REMOTE_STATIC);
        NoiseIKpsk2 initiator = NoiseIKpsk2.initiator(aead,
                NoiseIKpsk2.initialState(PROTOCOL_NAME, PROLOGUE, respPublic), PrivateKey.of(INIT_STATIC), respPublic);
        initiator.writeMessageA(INIT_EPHEMERAL, hex(MESSAGES[0][0]));
        byte[] msgB = hex(MESSAGES[1][1]);

        byte[] wrongPsk = PSK.clone();
        wrongPsk[0] ^= 1;
        assertNull(initiator.readMessageB(msgB, wrongPsk), "a different psk does not authenticate");
        byte[] forged = msgB.clone();
        forged[msgB.length - 1] ^= 0x80;
        assertNull(initiator.readMessageB(forged, PSK), "a forged tag does not authenticate");

        // The failed reads left the handshake untouched: the genuine message still gives the vector's result.
        assertArrayEquals(hex(MESSAGES[1][0]), initiator.readMessageB(msgB, PSK));
        assertArrayEquals(HANDSHAKE_HASH, initiator.handshakeHash());
    }

    // ------------------------------------------------------------------ WireGuard constants

    // WireGuard's initial chaining key C_i = HASH(CONSTRUCTION) and hash H_i = HASH(C_i || IDENTIFIER),
    // as published in boringtun (github.com/cloudflare/boringtun, boringtun/src/noise/handshake.rs,
    // INITIAL_CHAIN_KEY and INITIAL_CHAIN_HASH).
    private static final byte[] INITIAL_CHAIN_KEY = bytes(
            96, 226, 109, 174, 243, 39, 239, 192, 46, 195, 53, 226, 160, 37, 210, 208, 22, 235, 66, 6, 248,
            114, 119, 245, 45, 56, 209, 152, 139, 120, 205, 54);
    private static final byte[] INITIAL_CHAIN_HASH = bytes(
            34, 17, 179, 97, 8, 26, 197, 102, 105, 18, 67, 219, 69, 138, 213, 50, 45, 156, 108, 102, 34,
            147, 232, 183, 14, 225, 156, 101, 186, 7, 158, 243);

    @Test
    void wireGuardInitialChainingKeyAndHash() {
        assertArrayEquals(INITIAL_CHAIN_KEY, Blake2s.hash(ProtocolConstants.CONSTRUCTION.getBytes(StandardCharsets.US_ASCII)));
        SymmetricState s = SymmetricState.initialize(ProtocolConstants.CONSTRUCTION, ProtocolConstants.IDENTIFIER);
        assertArrayEquals(INITIAL_CHAIN_HASH, s.handshakeHash());
    }

    // ------------------------------------------------------------------ WireGuard message structure
    //
    // No published WireGuard handshake with fixed keys, ephemerals and timestamp was found, so the
    // engine's messages are checked for their structure (whitepaper section 5.4) instead.

    @Test
    void wireGuardMessagesHaveTheirLayout() {
        EnginePair w = new EnginePair(101);
        w.a.send(new byte[] {0x01, 'h', 'i'});
        byte[] init = w.a.transmitted.get(0).clone();
        w.flush();
        byte[] resp = w.b.transmitted.get(0).clone();
        byte[] data = w.a.transmitted.get(1).clone();

        // Initiation: 148 bytes, type 1 with three zero reserved bytes, mac1 keyed by the responder's key.
        assertEquals(HandshakeInitiation.LENGTH, init.length);
        assertEquals(148, init.length);
        assertArrayEquals(new byte[] {1, 0, 0, 0}, Arrays.copyOf(init, 4));
        assertArrayEquals(mac1(w.b.key.publicKey(), init, 116), Arrays.copyOfRange(init, 116, 132), "initiation mac1");
        assertArrayEquals(new byte[16], Arrays.copyOfRange(init, 132, 148), "mac2 is zero without a cookie");

        // Its noise part decrypts, for the responder, to the initiator's static key and the TAI64N time.
        NoiseIKpsk2 responder = NoiseIKpsk2.responder(aead, NoiseIKpsk2.initialState(
                ProtocolConstants.CONSTRUCTION, ProtocolConstants.IDENTIFIER, w.b.key.publicKey()), w.b.key);
        byte[] timestamp = responder.readMessageA(Arrays.copyOfRange(init, 8, 116));
        assertNotNull(timestamp);
        assertEquals(w.a.key.publicKey(), responder.remoteStatic());
        byte[] expectedTs = new byte[Tai64n.LENGTH];
        Tai64n.write(EnginePair.START + EnginePair.WALL_OFFSET, expectedTs, 0);
        assertArrayEquals(expectedTs, timestamp);
        assertEquals(0x4000000000000000L + 10 + 1_700_001_000L, Bytes.getLongLE(reverse(timestamp, 0, 8), 0),
                "TAI64 label: 2^62 + 10 + Unix seconds (as wireguard-go writes it)");

        // Response: 92 bytes, type 2, receiver = the initiation's sender, mac1 keyed by the initiator's key.
        assertEquals(HandshakeResponse.LENGTH, resp.length);
        assertEquals(92, resp.length);
        assertArrayEquals(new byte[] {2, 0, 0, 0}, Arrays.copyOf(resp, 4));
        assertEquals(HandshakeInitiation.sender(init, 0), HandshakeResponse.receiver(resp, 0));
        assertArrayEquals(mac1(w.a.key.publicKey(), resp, 60), Arrays.copyOfRange(resp, 60, 76), "response mac1");
        assertArrayEquals(new byte[16], Arrays.copyOfRange(resp, 76, 92));

        // Transport: type 4, receiver = the response's sender, counter 0, 16 + padded 16 + tag 16.
        assertEquals(MessageType.TRANSPORT_DATA, MessageType.of(data, 0, data.length));
        assertArrayEquals(new byte[] {4, 0, 0, 0}, Arrays.copyOf(data, 4));
        assertEquals(HandshakeResponse.sender(resp, 0), TransportData.receiver(data, 0));
        assertEquals(0, TransportData.counter(data, 0));
        assertEquals(16 + 16 + 16, data.length);
    }

    private static byte[] mac1(PublicKey responder, byte[] msg, int len) {
        byte[] key = Blake2s.hash("mac1----".getBytes(StandardCharsets.US_ASCII), responder.toBytes());
        byte[] out = new byte[16];
        Blake2s.mac(key, msg, 0, len, out, 0);
        return out;
    }

    private static byte[] reverse(byte[] b, int off, int len) {
        byte[] r = new byte[len];
        for (int i = 0; i < len; i++) {
            r[i] = b[off + len - 1 - i];
        }
        return r;
    }

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}
