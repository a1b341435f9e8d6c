package io.keymesh.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Base32}: RFC 4648 section 10 vectors (lowercased, padding stripped), round trips, rejections. */
class Base32Test {

    /** RFC 4648 section 10: BASE32("foobar") and its prefixes, lowercased and without '='. */
    @ParameterizedTest
    @CsvSource({
        "'', ''",
        "f, my",
        "fo, mzxq",
        "foo, mzxw6",
        "foob, mzxw6yq",
        "fooba, mzxw6ytb",
        "foobar, mzxw6ytboi",
    })
    void rfc4648Section10(String plain, String encoded) {
        byte[] data = plain.getBytes(StandardCharsets.US_ASCII);
        assertEquals(encoded, Base32.encode(data));
        assertArrayEquals(data, Base32.decode(encoded));
        assertArrayEquals(data, Base32.decode(encoded.toUpperCase(Locale.ROOT)));
    }

    /** Each of the 32 quintet values once, in order; python3's base64.b32decode agrees. */
    @Test
    void wholeAlphabet() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        byte[] bytes = HexFormat.of().parseHex("00443214c74254b635cf84653a56d7c675be77df");
        assertEquals(alphabet, Base32.encode(bytes));
        assertArrayEquals(bytes, Base32.decode(alphabet));
    }

    private static void checkKey(byte[] key) {
        String text = Base32.encode(key);
        assertEquals(52, text.length());
        assertTrue(text.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')), text);
        assertArrayEquals(key, Base32.decode(text));
        assertArrayEquals(key, Base32.decode(text.toUpperCase(Locale.ROOT)));
    }

    @Test
    void thirtyTwoByteKeysRoundTripIn52Characters() {
        SeededProperty.forAll(1000, r -> checkKey(Gen.bytes(r, 32, 32)));
    }

    /** Keys of one repeated byte, for each byte value. */
    @Test
    void uniformKeysRoundTripIn52Characters() {
        for (int v = 0; v < 256; v++) {
            byte[] key = new byte[32];
            Arrays.fill(key, (byte) v);
            checkKey(key);
        }
    }

    private static void checkRoundTrip(byte[] data) {
        String text = Base32.encode(data);
        assertEquals((data.length * 8 + 4) / 5, text.length());
        assertArrayEquals(data, Base32.decode(text));
    }

    @Test
    void anyLengthRoundTrips() {
        SeededProperty.forAll(1000, r -> checkRoundTrip(Gen.bytes(r, 0, 70)));
    }

    /** Every length up to 70, each filled with an edge byte (0, 1, -1, 127, -128). */
    @Test
    void anyLengthOfUniformBytesRoundTrips() {
        for (byte fill : new byte[] {0, 1, -1, Byte.MAX_VALUE, Byte.MIN_VALUE}) {
            for (int length = 0; length <= 70; length++) {
                byte[] data = new byte[length];
                Arrays.fill(data, fill);
                checkRoundTrip(data);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mzxw6yt0", "mzxw6yt1", "mzxw6yt8", "mzxw6yt9", "mzxw6yt=", "mzxw6yt ", "mzxw6yt-", "mzxw6ytä"})
    void rejectsCharactersOutsideTheAlphabet(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Base32.decode(text));
        assertTrue(e.getMessage().contains("character") && e.getMessage().contains("at 7"), e.getMessage());
    }

    /** RFC 4648 padding is not accepted: keymesh's form is unpadded. */
    @Test
    void rejectsPadding() {
        assertThrows(IllegalArgumentException.class, () -> Base32.decode("my======"));
    }

    /** Lengths 1, 3 and 6 mod 8 cannot come from any byte count. */
    @ParameterizedTest
    @ValueSource(strings = {"a", "abc", "abcdef", "abcdefgha", "abcdefghabc", "abcdefghabcdef"})
    void rejectsImpossibleLengths(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Base32.decode(text));
        assertTrue(e.getMessage().contains("impossible length " + text.length()), e.getMessage());
    }

    /**
     * Unused trailing bits must be zero, so that each byte string has exactly one text form. "my" is
     * "f"; "mz" differs only in the two unused bits.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mz", "mzxr", "mzxw7", "mzxw6yr", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"})
    void rejectsNonZeroTrailingBits(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Base32.decode(text));
        assertTrue(e.getMessage().contains("trailing bits"), e.getMessage());
    }
}
