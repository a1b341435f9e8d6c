package io.keymesh.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Known answers for {@link XChaCha20Poly1305}: draft-irtf-cfrg-xchacha-03 Appendix A.3.1. */
class XChaCha20Poly1305Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] PLAINTEXT = HEX.parseHex(
            "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
            + "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
            + "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
            + "637265656e20776f756c642062652069742e");
    private static final byte[] AAD = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
    private static final byte[] KEY = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    private static final byte[] NONCE = HEX.parseHex("404142434445464748494a4b4c4d4e4f5051525354555657");
    private static final byte[] CIPHERTEXT = HEX.parseHex(
            "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
            + "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
            + "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
            + "21f9664c97637da9768812f615c68b13b52e");
    private static final byte[] TAG = HEX.parseHex("c0875924c1c7987947deafd8780acf49");
    private static final byte[] SEALED = concat(CIPHERTEXT, TAG);

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void draftAppendixA31Seal() {
        assertArrayEquals(SEALED, new XChaCha20Poly1305().seal(KEY, NONCE, AAD, PLAINTEXT));
    }

    @Test
    void draftAppendixA31Open() {
        assertArrayEquals(PLAINTEXT, new XChaCha20Poly1305().open(KEY, NONCE, AAD, SEALED));
    }

    @Test
    void tamperingFailsToOpen() {
        XChaCha20Poly1305 aead = new XChaCha20Poly1305();
        for (int i = 0; i < SEALED.length; i++) {
            byte[] tampered = SEALED.clone();
            tampered[i] ^= (byte) 0x80;
            assertNull(aead.open(KEY, NONCE, AAD, tampered), "byte " + i);
        }
        assertNull(aead.open(KEY, NONCE, AAD, Arrays.copyOf(SEALED, SEALED.length - 1)));
        assertNull(aead.open(KEY, NONCE, AAD, Arrays.copyOf(SEALED, 15)));
        assertNull(aead.open(KEY, NONCE, null, SEALED));
    }

    /** Both halves of the 24-byte nonce matter: the first 16 bytes feed HChaCha20, the last 8 the AEAD. */
    @Test
    void everyNonceByteMatters() {
        XChaCha20Poly1305 aead = new XChaCha20Poly1305();
        for (int i = 0; i < NONCE.length; i++) {
            byte[] nonce = NONCE.clone();
            nonce[i] ^= 1;
            assertNull(aead.open(KEY, nonce, AAD, SEALED), "nonce byte " + i);
        }
        byte[] key = KEY.clone();
        key[0] ^= 1;
        assertNull(aead.open(key, NONCE, AAD, SEALED));
    }
}
