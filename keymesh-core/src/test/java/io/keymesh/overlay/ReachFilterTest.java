package io.keymesh.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.ReachFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reach filter's bits against a hand-computed answer, its false-positive rate, and the REACH frame's bytes. */
class ReachFilterTest {
    private static PublicKey raw(long first, long second) {
        byte[] k = new byte[32];
        io.keymesh.wire.Bytes.putLongLE(k, 0, first);
        io.keymesh.wire.Bytes.putLongLE(k, 8, second);
        return PublicKey.of(k);
    }

    @Test
    void bitsAreTheKeysOwnHashesKnownAnswer() {
        // one key: 8 bytes = 64 bits; k = round(64 / 1 × ln 2) = 44 → capped at 16 positions:
        // h1 = 3, h2 = 5 | 1 = 5 → bits 3, 8, 13, ..., (3 + 15 × 5) mod 64 = 78 mod 64 = 14
        ReachFilter f = ReachFilter.of(List.of(raw(3, 4)));
        assertEquals(16, f.hashes());
        assertEquals(8, f.length());
        long expected = 0;
        for (int i = 0; i < 16; i++) {
            expected |= 1L << ((3 + 5L * i) % 64);
        }
        byte[] want = new byte[8];
        io.keymesh.wire.Bytes.putLongLE(want, 0, expected);
        assertArrayEquals(want, f.bits());
        assertTrue(f.mayContain(raw(3, 4)));
        assertFalse(f.mayContain(raw(4, 4)), "a key whose positions are not all set");
    }

    @Test
    void aFullSizedFilterHoldsItsKeysAndAboutOnePercentOfOthers() {
        SplittableRandom r = new SplittableRandom(9);
        List<PublicKey> members = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            members.add(raw(r.nextLong(), r.nextLong()));
        }
        ReachFilter f = ReachFilter.of(members);
        assertEquals(600, f.length(), "500 keys × 9.59 bits, in whole 8-byte words");
        for (PublicKey k : members) {
            assertTrue(f.mayContain(k), "never no for a key it holds");
        }
        int yes = 0;
        for (int i = 0; i < 100_000; i++) {
            if (f.mayContain(raw(r.nextLong(), r.nextLong()))) {
                yes++;
            }
        }
        assertTrue(yes > 500 && yes < 1_600, "about 1 % false positives, got " + yes + " in 100,000");
        ReachFilter huge = ReachFilter.of(java.util.Collections.nCopies(5000, raw(1, 2)));
        assertEquals(ReachFilter.MAX_BYTES, huge.length(), "capped");
    }

    @Test
    void theReachFrameCarriesTheFilterAsIs() {
        ReachFilter f = ReachFilter.of(List.of(raw(3, 4)));
        byte[] b = new byte[20];
        int n = ReachFrame.write(b, 0, f.hashes(), f.bits(), 0, f.length());
        assertEquals("5b0910" + HexFormat.of().formatHex(f.bits()), HexFormat.of().formatHex(Arrays.copyOf(b, n)));
        ReachFrame in = new ReachFrame();
        assertTrue(in.decode(b, 2, n - 2));
        assertEquals(ReachFilter.of(in.hashes(), b, in.bitsOffset(), in.bitsLength()), f);
        assertFalse(in.decode(b, 2, n - 3), "7 filter bytes");
        b[2] = 0;
        assertFalse(in.decode(b, 2, n - 2), "no hashes");
        b[2] = 17;
        assertFalse(in.decode(b, 2, n - 2), "too many hashes");
        assertFalse(in.decode(new byte[2000], 0, 1 + 1032), "too large");
        assertThrows(IllegalArgumentException.class, () -> ReachFrame.write(new byte[40], 0, 1, new byte[12], 0, 12));
        assertEquals(0x5B, MeshFrame.REACH);
    }
}
