package io.keymesh.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The allocation-free ChaCha20, Poly1305 and their AEAD against RFC 8439's vectors, and the AEAD
 * against the JDK's cipher on random inputs (the implementations of {@link Aead}, and the split
 * one that picks between them by length, must agree byte for byte).
 */
class PortableChaCha20Poly1305Test {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * RFC 8439 appendix A.3, test vectors 5 to 11: accumulators that reach or pass 2^130 - 5, so the
     * final carry and the choice between h and h - p are exercised (the vectors of section 2.5.2
     * never need them). The tags were checked against an independent implementation
     * (the {@code cryptography} package's Poly1305).
     */
    @Test
    void poly1305Rfc8439EdgeCasesOfTheFinalReduction() {
        String[][] vectors = {
            {"02000000000000000000000000000000" + "00000000000000000000000000000000",
                "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000"},
            {"02000000000000000000000000000000" + "ffffffffffffffffffffffffffffffff",
                "02000000000000000000000000000000", "03000000000000000000000000000000"},
            {"01000000000000000000000000000000" + "00000000000000000000000000000000",
                "ffffffffffffffffffffffffffffffff" + "f0ffffffffffffffffffffffffffffff" + "11000000000000000000000000000000",
                "05000000000000000000000000000000"},
            {"01000000000000000000000000000000" + "00000000000000000000000000000000",
                "ffffffffffffffffffffffffffffffff" + "fbfefefefefefefefefefefefefefefe" + "01010101010101010101010101010101",
                "00000000000000000000000000000000"},
            {"02000000000000000000000000000000" + "00000000000000000000000000000000",
                "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff"},
            {"01000000000000000400000000000000" + "00000000000000000000000000000000",
                "e33594d7505e43b90000000000000000" + "3394d7505e4379cd0100000000000000"
                    + "00000000000000000000000000000000" + "01000000000000000000000000000000",
                "14000000000000005500000000000000"},
            {"01000000000000000400000000000000" + "00000000000000000000000000000000",
                "e33594d7505e43b90000000000000000" + "3394d7505e4379cd0100000000000000"
                    + "00000000000000000000000000000000",
                "13000000000000000000000000000000"},
        };
        Poly1305 p = new Poly1305();
        byte[] tag = new byte[16];
        for (int v = 0; v < vectors.length; v++) {
            byte[] key = HEX.parseHex(vectors[v][0]);
            byte[] msg = HEX.parseHex(vectors[v][1]);
            byte[] expected = HEX.parseHex(vectors[v][2]);
            for (int chunk : new int[] {msg.length, 1, 15, 16, 17}) {
                p.init(key, 0);
                for (int off = 0; off < msg.length; off += chunk) {
                    p.update(msg, off, Math.min(chunk, msg.length - off));
                }
                p.finish(tag, 0);
                assertArrayEquals(expected, tag, "vector " + (v + 5) + " in chunks of " + chunk);
            }
        }
    }

    @Test
    void poly1305Rfc8439Section252() {
        byte[] key = HEX.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] msg = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        Poly1305 p = new Poly1305();
        p.init(key, 0);
        p.update(msg, 0, msg.length);
        byte[] tag = new byte[16];
        p.finish(tag, 0);
        assertArrayEquals(HEX.parseHex("a8061dc1305136c6c22b8baf0c0127a9"), tag);
        // The same in pieces of every split point.
        for (int split = 0; split <= msg.length; split++) {
            p.init(key, 0);
            p.update(msg, 0, split);
            p.update(msg, split, msg.length - split);
            p.finish(tag, 0);
            assertArrayEquals(HEX.parseHex("a8061dc1305136c6c22b8baf0c0127a9"), tag, "split " + split);
        }
    }

    @Test
    void poly1305Rfc8439AppendixA3EdgeCases() {
        // A.3 test vector #11 and #5 (carries and the final reduction).
        Poly1305 p = new Poly1305();
        byte[] tag = new byte[16];
        byte[] k5 = HEX.parseHex("0200000000000000000000000000000000000000000000000000000000000000");
        byte[] m5 = HEX.parseHex("ffffffffffffffffffffffffffffffff");
        p.init(k5, 0);
        p.update(m5, 0, 16);
        p.finish(tag, 0);
        assertArrayEquals(HEX.parseHex("03000000000000000000000000000000"), tag);
        byte[] k6 = HEX.parseHex("02000000000000000000000000000000ffffffffffffffffffffffffffffffff");
        byte[] m6 = HEX.parseHex("02000000000000000000000000000000");
        p.init(k6, 0);
        p.update(m6, 0, 16);
        p.finish(tag, 0);
        assertArrayEquals(HEX.parseHex("03000000000000000000000000000000"), tag);
        byte[] k7 = HEX.parseHex("0100000000000000000000000000000000000000000000000000000000000000");
        byte[] m7 = HEX.parseHex("ffffffffffffffffffffffffffffffff"
                + "f0ffffffffffffffffffffffffffffff11000000000000000000000000000000");
        p.init(k7, 0);
        p.update(m7, 0, m7.length);
        p.finish(tag, 0);
        assertArrayEquals(HEX.parseHex("05000000000000000000000000000000"), tag);
        byte[] m8 = HEX.parseHex("ffffffffffffffffffffffffffffffff"
                + "fbfefefefefefefefefefefefefefefe01010101010101010101010101010101");
        p.init(k7, 0);
        p.update(m8, 0, m8.length);
        p.finish(tag, 0);
        assertArrayEquals(HEX.parseHex("00000000000000000000000000000000"), tag);
    }

    @Test
    void chacha20Rfc8439Section242() {
        byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] pt = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future,"
                + " sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
        ChaCha20 c = new ChaCha20();
        c.setKey(key, 0);
        byte[] out = new byte[pt.length];
        // nonce 00:00:00:00:00:00:00:4a:00:00:00:00 as three little-endian words
        c.xor(1, 0, 0x4a000000, 0, pt, 0, pt.length, out, 0);
        assertArrayEquals(HEX.parseHex("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
                + "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
                + "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
                + "5af90bbf74a35be6b40b8eedf2785e42874d"), out);
    }

    @Test
    void aeadRfc8439AppendixA5() {
        byte[] key = HEX.parseHex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
        byte[] aad = HEX.parseHex("f33388860000000000004e91");
        byte[] sealed = HEX.parseHex(
                "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
                + "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
                + "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
                + "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
                + "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
                + "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
                + "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
                + "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
                + "a6ad5cb4022b02709b" + "eead9d67890cbb22392336fea1851f38");
        Aead a = Aead.portable();
        byte[] pt = new byte[sealed.length - 16];
        assertEquals(pt.length, a.open(key, 0x0807060504030201L, aad, aad.length, sealed, 0, sealed.length, pt, 0));
        assertEquals("Internet-Drafts are draft documents", new String(pt, 0, 35, StandardCharsets.UTF_8));
        byte[] again = new byte[sealed.length];
        assertEquals(sealed.length, a.seal(key, 0x0807060504030201L, aad, aad.length, pt, 0, pt.length, again, 0));
        assertArrayEquals(sealed, again);
        sealed[sealed.length - 1] ^= 1;
        assertEquals(-1, a.open(key, 0x0807060504030201L, aad, aad.length, sealed, 0, sealed.length, pt, 0));
    }

    @Test
    void portableAndJdkAgree() {
        SeededProperty.forAll(300, r -> checkAgree(Gen.ints(r, 0, 1500), Gen.ints(r, 0, 40), Gen.anyLong(r), r.nextLong()));
    }

    /**
     * Lengths at the ends of the range, around a 64-byte ChaCha20 block, a 16-byte Poly1305 block
     * and the split implementation's threshold; associated data empty, one byte and the longest;
     * counters at the edges of the long range.
     */
    @Test
    void portableAndJdkAgreeAtTheEdges() {
        int threshold = SplitChaCha20Poly1305.JDK_FROM_LENGTH;
        int[] lengths = {0, 1, 15, 16, 17, 63, 64, 65, threshold - 1, threshold, threshold + 1, 1499, 1500};
        for (int len : lengths) {
            for (int aadLen : new int[] {0, 1, 40}) {
                for (long counter : Gen.edges(Long.MIN_VALUE, Long.MAX_VALUE)) {
                    checkAgree(len, aadLen, counter, len * 41L + aadLen);
                }
            }
        }
    }

    /** Inputs from {@code seed}: the implementations agree, open each other's output, and refuse a flipped bit. */
    private static void checkAgree(int len, int aadLen, long counter, long seed) {
        String what = "length " + len + ", aad " + aadLen + ", counter " + counter + ", seed " + seed;
        SplittableRandom r = new SplittableRandom(seed);
        byte[] key = new byte[32];
        byte[] aad = new byte[aadLen];
        byte[] pt = new byte[len];
        r.nextBytes(key);
        r.nextBytes(aad);
        r.nextBytes(pt);
        byte[] a = new byte[len + 16];
        byte[] b = new byte[len + 16];
        Aead.portable().seal(key, counter, aad, aadLen, pt, 0, len, a, 0);
        new ChaCha20Poly1305().seal(key, counter, aad, aadLen, pt, 0, len, b, 0);
        assertArrayEquals(b, a, what);
        byte[] c = new byte[len + 16]; // the split one (Aead.jdk()), whichever side of its threshold
        assertEquals(len + 16, Aead.jdk().seal(key, counter, aad, aadLen, pt, 0, len, c, 0), what);
        assertArrayEquals(b, c, what);
        byte[] opened = new byte[len];
        assertEquals(len, Aead.jdk().open(key, counter, aad, aadLen, c, 0, c.length, opened, 0), what);
        assertArrayEquals(pt, opened, what);
        // In place, both ways, and a flipped bit anywhere is refused.
        byte[] buf = Arrays.copyOf(a, a.length);
        assertEquals(len, Aead.portable().open(key, counter, aad, aadLen, buf, 0, buf.length, buf, 0), what);
        assertArrayEquals(pt, Arrays.copyOf(buf, len), what);
        a[r.nextInt(a.length)] ^= (byte) (1 << r.nextInt(8));
        assertEquals(-1, Aead.portable().open(key, counter, aad, aadLen, a, 0, a.length, new byte[len], 0), what);
        assertEquals(-1, new ChaCha20Poly1305().open(key, counter, aad, aadLen, a, 0, a.length, new byte[len], 0), what);
        assertEquals(-1, Aead.jdk().open(key, counter, aad, aadLen, a, 0, a.length, new byte[len], 0), what);
    }
}
