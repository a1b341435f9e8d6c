package io.keymesh.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Known answers for {@link Blake2s}: the unkeyed 32-byte HASH and the keyed 16-byte MAC. */
class Blake2sTest {
    private static final HexFormat HEX = HexFormat.of();
    /** The key of the BLAKE2 reference keyed test vectors: 00 01 02 .. 1f. */
    private static final byte[] KAT_KEY = sequence(32);

    /** 00 01 02 .. (n-1), the input pattern of the BLAKE2 reference test vectors. */
    private static byte[] sequence(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /** RFC 7693 Appendix B: BLAKE2s-256("abc"). */
    @Test
    void rfc7693AppendixB() {
        assertArrayEquals(
                HEX.parseHex("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982"),
                Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * Unkeyed BLAKE2s-256 of 00 01 .. (len-1), from the BLAKE2 reference test vectors
     * (github.com/BLAKE2/BLAKE2, testvectors/blake2-kat.json, "hash": "blake2s", "key": "").
     * Lengths 64 and 65 straddle the block boundary.
     */
    @ParameterizedTest
    @CsvSource({
        "0, 69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9",
        "1, e34d74dbaf4ff4c6abd871cc220451d2ea2648846c7757fbaac82fe51ad64bea",
        "2, ddad9ab15dac4549ba42f49d262496bef6c0bae1dd342a8808f8ea267c6e210c",
        "3, e8f91c6ef232a041452ab0e149070cdd7dd1769e75b3a5921be37876c45c9900",
        "32, 05825607d7fdf2d82ef4c3c8c2aea961ad98d60edff7d018983e21204c0d93d1",
        "63, e57cb79487dd57902432b250733813bd96a84efce59f650fac26e6696aefafc3",
        "64, 56f34e8b96557e90c1f24b52d0c89d51086acf1b00f634cf1dde9233b8eaaa3e",
        "65, 1b53ee94aaf34e4b159d48de352c7f0661d0a40edff95a0b1639b4090e974472",
    })
    void referenceUnkeyedVectors(int len, String expected) {
        byte[] in = sequence(len);
        assertArrayEquals(HEX.parseHex(expected), Blake2s.hash(in));

        byte[] out = new byte[Blake2s.HASH_LENGTH + 3];
        byte[] padded = new byte[len + 7];
        System.arraycopy(in, 0, padded, 5, len);
        Blake2s.hash(padded, 5, len, out, 3);
        assertArrayEquals(HEX.parseHex(expected), Arrays.copyOfRange(out, 3, out.length));
        assertArrayEquals(new byte[3], Arrays.copyOfRange(out, 0, 3));
    }

    /** HASH over several inputs is HASH over their concatenation. */
    @Test
    void hashOfSeveralInputsIsHashOfTheirConcatenation() {
        byte[] in = sequence(65);
        assertArrayEquals(
                HEX.parseHex("1b53ee94aaf34e4b159d48de352c7f0661d0a40edff95a0b1639b4090e974472"),
                Blake2s.hash(Arrays.copyOfRange(in, 0, 10), new byte[0], Arrays.copyOfRange(in, 10, 65)));
    }

    /**
     * Keyed BLAKE2s with a 16-byte output (BLAKE2s-128, which WireGuard's mac1/mac2 use) over
     * 00 01 .. (len-1) with key 00 01 .. 1f. The expected values are the {@code hashes128} table of
     * golang.org/x/crypto/blake2s/blake2s_test.go (entries 0, 1, 2, 3, 63, 64, 65), and python3's
     * {@code hashlib.blake2s(data, key=key, digest_size=16)} gives the same. Note that BLAKE2s-128 is
     * not BLAKE2s-256 truncated: the digest length is part of the parameter block.
     */
    @ParameterizedTest
    @CsvSource({
        "0, 9536f9b267655743dee97b8a670f9f53",
        "1, 13bacfb85b48a1223c595f8c1e7e82cb",
        "2, d47a9b1645e2feae501cd5fe44ce6333",
        "3, 1e2a79436a7796a3e9826bfedf07659f",
        "63, ece382a8bd5018f1de5da44b72cea75b",
        "64, f1efa90d2547036841ecd3627fafbc36",
        "65, 811ff8686d23a435ecbd0bdafcd27b1b",
    })
    void keyed16ByteMacVectors(int len, String expected) {
        byte[] data = new byte[len + 4];
        System.arraycopy(sequence(len), 0, data, 2, len);
        byte[] out = new byte[Blake2s.MAC_LENGTH + 2];
        Blake2s.mac(KAT_KEY, data, 2, len, out, 1);
        assertArrayEquals(HEX.parseHex(expected), Arrays.copyOfRange(out, 1, 1 + Blake2s.MAC_LENGTH));
        assertEquals(0, out[0]);
        assertEquals(0, out[out.length - 1]);
    }
}
