package io.keymesh.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Known answers for {@link X25519}: RFC 7748 sections 5.2 and 6.1. */
class X25519Test {
    private static final HexFormat HEX = HexFormat.of();

    // RFC 7748 section 6.1.
    private static final byte[] ALICE_PRIVATE = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] ALICE_PUBLIC = hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] BOB_PRIVATE = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    private static final byte[] BOB_PUBLIC = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static final byte[] SHARED = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    private static byte[] x25519(byte[] k, byte[] u) {
        byte[] out = new byte[X25519.KEY_LENGTH];
        assertTrue(X25519.sharedSecret(k, u, out, 0), "non-zero result expected");
        return out;
    }

    /** RFC 7748 section 5.2, first X25519 vector. */
    @Test
    void rfc7748Section52FirstVector() {
        byte[] k = hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
        byte[] u = hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
        assertArrayEquals(hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"), x25519(k, u));
    }

    /** RFC 7748 section 5.2, second X25519 vector: its u has bit 255 set, which must be ignored. */
    @Test
    void rfc7748Section52SecondVectorIgnoresTopBitOfU() {
        byte[] k = hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
        byte[] u = hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493");
        assertArrayEquals(hex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"), x25519(k, u));
    }

    /**
     * RFC 7748 section 5.2, iterated: k = u = 9, then k, u = X25519(k, u), k. The values after one and
     * 1,000 iterations are the RFC's (the 1,000,000-iteration one is left out as too slow).
     */
    @Test
    void rfc7748Section52Iterated() {
        byte[] k = new byte[32];
        k[0] = 9;
        byte[] u = k.clone();
        for (int i = 1; i <= 1000; i++) {
            byte[] next = x25519(k, u);
            u = k;
            k = next;
            if (i == 1) {
                assertArrayEquals(hex("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"), k);
            }
        }
        assertArrayEquals(hex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"), k);
    }

    /** RFC 7748 section 6.1: both public keys, and the shared secret computed from both sides. */
    @Test
    void rfc7748Section61DiffieHellman() {
        assertArrayEquals(ALICE_PUBLIC, X25519.publicKey(ALICE_PRIVATE));
        assertArrayEquals(BOB_PUBLIC, X25519.publicKey(BOB_PRIVATE));
        assertArrayEquals(SHARED, x25519(ALICE_PRIVATE, BOB_PUBLIC));
        assertArrayEquals(SHARED, x25519(BOB_PRIVATE, ALICE_PUBLIC));
    }

    @Test
    void sharedSecretWritesAtTheOffsetAndNowhereElse() {
        byte[] out = new byte[40];
        Arrays.fill(out, (byte) 0x5a);
        assertTrue(X25519.sharedSecret(ALICE_PRIVATE, BOB_PUBLIC, out, 5));
        assertArrayEquals(SHARED, Arrays.copyOfRange(out, 5, 37));
        for (int i : new int[] {0, 1, 2, 3, 4, 37, 38, 39}) {
            assertTrue(out[i] == 0x5a, "byte " + i + " was overwritten");
        }
    }

    /** RFC 7748 section 5 decodeScalar25519: clear bits 0-2 and 255, set bit 254. */
    @Test
    void clampClearsLowBitsAndTopBitAndSetsBit254() {
        byte[] k = ALICE_PRIVATE.clone();
        X25519.clamp(k);
        assertArrayEquals(hex("70076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c6a"), k);

        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xff);
        X25519.clamp(ones);
        byte[] expected = new byte[32];
        Arrays.fill(expected, (byte) 0xff);
        expected[0] = (byte) 0xf8;
        expected[31] = 0x7f;
        assertArrayEquals(expected, ones);

        byte[] zeros = new byte[32];
        X25519.clamp(zeros);
        byte[] expectedZeros = new byte[32];
        expectedZeros[31] = 0x40;
        assertArrayEquals(expectedZeros, zeros);
    }

    @Test
    void clampedAndUnclampedScalarsGiveTheSamePublicKey() {
        byte[] clamped = ALICE_PRIVATE.clone();
        X25519.clamp(clamped);
        assertArrayEquals(ALICE_PUBLIC, X25519.publicKey(clamped));
        assertArrayEquals(SHARED, x25519(clamped, BOB_PUBLIC));
    }

    @Test
    void generatedPrivateKeysAreClamped() {
        SecureRandom allOnes = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                Arrays.fill(bytes, (byte) 0xff);
            }
        };
        byte[] expected = new byte[32];
        Arrays.fill(expected, (byte) 0xff);
        expected[0] = (byte) 0xf8;
        expected[31] = 0x7f;
        assertArrayEquals(expected, X25519.generatePrivateKey(allOnes));
    }

    /**
     * Small-order points (the seven u-coordinates of libsodium's x25519_ref10.c blocklist: 0, 1, the two
     * points of order 8, p-1, p and p+1): the result is all zeros, which RFC 7748 section 6.1 says to
     * check for, and sharedSecret reports it by returning false.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    })
    void lowOrderPointGivesFalse(String point) {
        byte[] out = new byte[32];
        assertFalse(X25519.sharedSecret(ALICE_PRIVATE, hex(point), out, 0));
        assertArrayEquals(new byte[32], out);
    }
}
