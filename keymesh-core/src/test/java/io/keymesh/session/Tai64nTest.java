package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Tai64nTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final long MS = 1_000_000L;

    private static byte[] stamp(long epochNanos) {
        byte[] out = new byte[Tai64n.LENGTH];
        Tai64n.write(epochNanos, out, 0);
        return out;
    }

    @ParameterizedTest(name = "{0} ns -> {1}")
    @CsvSource({
        // epoch 0: label 2^62 + 10, no nanoseconds
        "0,                   400000000000000a00000000",
        // 2^24 - 1 ns whitens to 0
        "16777215,            400000000000000a00000000",
        // 2^24 ns survives whitening
        "16777216,            400000000000000a01000000",
        // 999,999,999 ns = 0x3b9ac9ff -> 0x3b000000
        "999999999,           400000000000000a3b000000",
        "1000000000,          400000000000000b00000000",
        // 2023-11-14T22:13:20.123456789Z: 1,700,000,000 s = 0x6553f100; 123,456,789 ns = 0x075bcd15
        "1700000000123456789, 400000006553f10a07000000",
        // one nanosecond before the epoch: second -1, 999,999,999 ns
        "-1,                  40000000000000093b000000",
        // Long.MAX_VALUE ns = 9,223,372,036 s (0x225c17d04) + 854,775,807 ns (0x32f2d7ff)
        "9223372036854775807, 4000000225c17d0e32000000",
    })
    void knownBytes(long epochNanos, String hex) {
        assertEquals(hex, HEX.formatHex(stamp(epochNanos)));
    }

    @Test
    void writesAtOffsetAndNothingElse() {
        byte[] out = new byte[Tai64n.LENGTH + 6];
        Arrays.fill(out, (byte) 0x5a);
        Tai64n.write(1_700_000_000_123_456_789L, out, 3);
        assertEquals("5a5a5a" + "400000006553f10a07000000" + "5a5a5a", HEX.formatHex(out));
    }

    @Test
    void rejectsShortBuffer() {
        assertThrows(IndexOutOfBoundsException.class, () -> Tai64n.write(0, new byte[Tai64n.LENGTH + 2], 3));
    }

    /**
     * The cases of wireguard-go's tai64n/tai64n_test.go TestMonotonic, as data: from 123,456,789 ns
     * after the epoch, whitening hides steps of up to 10 ms but not 20 ms.
     */
    @ParameterizedTest(name = "+{0} ns newer: {1}")
    @CsvSource({"10, false", "10000, false", "1000000, false", "10000000, false", "20000000, true"})
    void whiteningGranularity(long deltaNanos, boolean newer) {
        long start = 123_456_789L;
        assertEquals(newer, Tai64n.isAfter(stamp(start + deltaNanos), 0, stamp(start), 0));
    }

    @Test
    void whiteningRoundsDownToMultipleOf2To24() {
        long quantum = 1L << 24;
        assertArrayEquals(stamp(5 * quantum), stamp(5 * quantum + quantum - 1));
        assertTrue(Tai64n.isAfter(stamp(6 * quantum), 0, stamp(6 * quantum - 1), 0));
    }

    @Test
    void isAfterIsStrictAndComparesUnsigned() {
        byte[] a = HEX.parseHex("400000006553f10a07000000");
        assertFalse(Tai64n.isAfter(a, 0, a.clone(), 0), "equal is not after");
        // A 0x80 byte is larger than 0x7f when compared unsigned.
        byte[] high = HEX.parseHex("800000000000000000000000");
        byte[] low = HEX.parseHex("7fffffffffffffffffffffff");
        assertTrue(Tai64n.isAfter(high, 0, low, 0));
        assertFalse(Tai64n.isAfter(low, 0, high, 0));
        // The last byte decides when all others are equal.
        byte[] x = HEX.parseHex("0000000000000000000000ff");
        byte[] y = HEX.parseHex("0000000000000000000000fe");
        assertTrue(Tai64n.isAfter(x, 0, y, 0));
        assertFalse(Tai64n.isAfter(y, 0, x, 0));
    }

    @Test
    void isAfterHonoursOffsets() {
        byte[] buf = new byte[2 + 2 * Tai64n.LENGTH];
        Tai64n.write(1_000 * MS, buf, 2);
        Tai64n.write(2_000 * MS, buf, 2 + Tai64n.LENGTH);
        assertTrue(Tai64n.isAfter(buf, 2 + Tai64n.LENGTH, buf, 2));
        assertFalse(Tai64n.isAfter(buf, 2, buf, 2 + Tai64n.LENGTH));
    }
}
