package io.keymesh.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

/**
 * Known answers for {@link ChaCha20Poly1305} with WireGuard's nonce (4 zero bytes, then the counter
 * little-endian).
 *
 * <p>The vector is RFC 8439 Appendix A.5 ("ChaCha20-Poly1305 AEAD Decryption"), whose nonce
 * 00000000 0102030405060708 has the 4 zero bytes WireGuard's nonce has, so it maps to counter
 * 0x0807060504030201. (The section 2.8.2 vector's nonce starts with the constant 07000000, which this
 * class cannot express.)
 */
class ChaCha20Poly1305Test {
    private static final HexFormat HEX = HexFormat.of();

    private static final byte[] KEY = HEX.parseHex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
    /** Bytes 4..12 of the A.5 nonce, 01 02 .. 08, read little-endian. */
    private static final long COUNTER = 0x0807060504030201L;
    private static final byte[] AAD = HEX.parseHex("f33388860000000000004e91");
    private static final byte[] PLAINTEXT = ("Internet-Drafts are draft documents valid for a maximum of six months"
            + " and may be updated, replaced, or obsoleted by other documents at any time. It is"
            + " inappropriate to use Internet-Drafts as reference material or to cite them other than"
            + " as /\u201cwork in progress./\u201d").getBytes(StandardCharsets.UTF_8);
    private static final byte[] CIPHERTEXT = HEX.parseHex(
            "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
            + "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
            + "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
            + "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
            + "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
            + "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
            + "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
            + "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
            + "a6ad5cb4022b02709b");
    private static final byte[] TAG = HEX.parseHex("eead9d67890cbb22392336fea1851f38");
    private static final byte[] SEALED = concat(CIPHERTEXT, TAG);

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void vectorLengths() {
        assertEquals(265, PLAINTEXT.length);
        assertEquals(265, CIPHERTEXT.length);
    }

    @Test
    void rfc8439AppendixA5Seal() {
        assertArrayEquals(SEALED, new ChaCha20Poly1305().seal(KEY, COUNTER, AAD, PLAINTEXT));
    }

    @Test
    void rfc8439AppendixA5Open() {
        assertArrayEquals(PLAINTEXT, new ChaCha20Poly1305().open(KEY, COUNTER, AAD, SEALED));
    }

    @Test
    void sealAndOpenAtOffsets() {
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        SecretKey key = ChaCha20Poly1305.key(concat(new byte[3], KEY), 3);
        byte[] in = new byte[PLAINTEXT.length + 10];
        System.arraycopy(PLAINTEXT, 0, in, 7, PLAINTEXT.length);
        byte[] out = new byte[SEALED.length + 20];

        assertEquals(SEALED.length, aead.seal(key, COUNTER, AAD, in, 7, PLAINTEXT.length, out, 11));
        assertArrayEquals(SEALED, Arrays.copyOfRange(out, 11, 11 + SEALED.length));
        assertArrayEquals(new byte[11], Arrays.copyOfRange(out, 0, 11));

        byte[] plain = new byte[PLAINTEXT.length + 4];
        assertEquals(PLAINTEXT.length, aead.open(key, COUNTER, AAD, out, 11, SEALED.length, plain, 2));
        assertArrayEquals(PLAINTEXT, Arrays.copyOfRange(plain, 2, 2 + PLAINTEXT.length));
    }

    /** The data path seals and opens in place: input and output are one array at one offset. */
    @Test
    void sealAndOpenInPlace() {
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        SecretKey key = ChaCha20Poly1305.key(KEY);
        int off = 16;
        byte[] buf = new byte[off + SEALED.length];
        System.arraycopy(PLAINTEXT, 0, buf, off, PLAINTEXT.length);

        assertEquals(SEALED.length, aead.seal(key, COUNTER, AAD, buf, off, PLAINTEXT.length, buf, off));
        assertArrayEquals(SEALED, Arrays.copyOfRange(buf, off, buf.length));

        assertEquals(PLAINTEXT.length, aead.open(key, COUNTER, AAD, buf, off, SEALED.length, buf, off));
        assertArrayEquals(PLAINTEXT, Arrays.copyOfRange(buf, off, off + PLAINTEXT.length));
    }

    @Test
    void everyFlippedBitFailsToOpenAndTheInstanceStaysUsable() {
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        SecretKey key = ChaCha20Poly1305.key(KEY);
        byte[] out = new byte[SEALED.length];
        for (int bit = 0; bit < SEALED.length * 8; bit++) {
            byte[] tampered = SEALED.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            assertEquals(-1, aead.open(key, COUNTER, AAD, tampered, 0, tampered.length, out, 0), "bit " + bit);
        }
        for (int bit = 0; bit < AAD.length * 8; bit++) {
            byte[] aad = AAD.clone();
            aad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertEquals(-1, aead.open(key, COUNTER, aad, SEALED, 0, SEALED.length, out, 0), "aad bit " + bit);
        }
        assertEquals(PLAINTEXT.length, aead.open(key, COUNTER, AAD, SEALED, 0, SEALED.length, out, 0));
        assertArrayEquals(PLAINTEXT, Arrays.copyOf(out, PLAINTEXT.length));
    }

    @Test
    void wrongKeyCounterOrAadFailsToOpen() {
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        byte[] otherKey = KEY.clone();
        otherKey[31] ^= 1;
        assertNull(aead.open(otherKey, COUNTER, AAD, SEALED));
        assertNull(aead.open(KEY, COUNTER + 1, AAD, SEALED));
        assertNull(aead.open(KEY, COUNTER ^ (1L << 63), AAD, SEALED));
        assertNull(aead.open(KEY, COUNTER, null, SEALED));
        assertNull(aead.open(KEY, COUNTER, Arrays.copyOf(AAD, AAD.length + 1), SEALED));
    }

    @Test
    void truncatedInputFailsToOpen() {
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        SecretKey key = ChaCha20Poly1305.key(KEY);
        byte[] out = new byte[SEALED.length];
        for (int len = 0; len < SEALED.length; len++) {
            assertEquals(-1, aead.open(key, COUNTER, AAD, SEALED, 0, len, out, 0), "length " + len);
        }
        // Shorter than a tag: rejected before the cipher runs.
        for (int len = 0; len < ChaCha20Poly1305.TAG_LENGTH; len++) {
            assertNull(aead.open(KEY, COUNTER, AAD, Arrays.copyOf(SEALED, len)), "length " + len);
        }
        // Dropping the first byte shifts everything: still rejected.
        assertNull(aead.open(KEY, COUNTER, AAD, Arrays.copyOfRange(SEALED, 1, SEALED.length)));
    }

    @Test
    void nullAndEmptyAadAreTheSame() {
        byte[] withNull = new ChaCha20Poly1305().seal(KEY, 0, null, PLAINTEXT);
        byte[] withEmpty = new ChaCha20Poly1305().seal(KEY, 0, new byte[0], PLAINTEXT);
        assertArrayEquals(withNull, withEmpty);
        assertArrayEquals(PLAINTEXT, new ChaCha20Poly1305().open(KEY, 0, new byte[0], withNull));
    }

    @Test
    void emptyPlaintextIsJustATag() {
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        byte[] sealed = aead.seal(KEY, 7, AAD, new byte[0]);
        assertEquals(ChaCha20Poly1305.TAG_LENGTH, sealed.length);
        assertArrayEquals(new byte[0], aead.open(KEY, 7, AAD, sealed));
        sealed[0] ^= 1;
        assertNull(aead.open(KEY, 7, AAD, sealed));
    }

    /** The counter is the nonce: the same plaintext under another counter gives another ciphertext. */
    @Test
    void counterChangesTheCiphertext() {
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        byte[] a = aead.seal(KEY, 0, null, PLAINTEXT);
        byte[] b = aead.seal(KEY, 1, null, PLAINTEXT);
        byte[] c = aead.seal(KEY, Long.MIN_VALUE, null, PLAINTEXT);
        assertEquals(false, Arrays.equals(a, b));
        assertEquals(false, Arrays.equals(a, c));
        assertArrayEquals(PLAINTEXT, aead.open(KEY, Long.MIN_VALUE, null, c));
    }

    /** A repeated key and counter on one instance is a caller bug; the class documents the refusal. */
    @Test
    void sealingTwiceWithTheSameKeyAndCounterIsRefused() {
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        aead.seal(KEY, 42, null, PLAINTEXT);
        assertThrows(IllegalStateException.class, () -> aead.seal(KEY, 42, null, PLAINTEXT));
    }
}
