package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Exact bytes of the SEEK frame against a hand-written known answer, and its rejection of bad bodies. */
class SeekFrameTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] key(int fill) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return k;
    }

    /** A handshake initiation as far as the frame cares: type 1 (u32 LE), then 144 bytes. */
    private static byte[] initiation() {
        byte[] m = new byte[HandshakeInitiation.LENGTH];
        m[0] = 1;
        for (int i = 4; i < m.length; i++) {
            m[i] = (byte) (i - 4);
        }
        return m;
    }

    private static String initiationHex() {
        return HEX.formatHex(initiation());
    }

    @Test
    void seekTypeIsLegalAndUnused() {
        assertEquals(0x5A, MeshFrame.SEEK);
        assertTrue(MeshFrame.isValidType(MeshFrame.SEEK));
    }

    @Test
    void seekBytes() {
        byte[] b = new byte[400];
        // body: id 8 + hops 1 + origin 32 + target 32 + one passed key 32 + initiation 148 = 253 = varint 40fd
        int n = SeekFrame.write(b, 2, 0x0102030405060708L, 3, key(0x11), key(0x22), key(0x33), 0, 1, initiation(), 0);
        String expected = "5a 40fd 0102030405060708 03" + "11".repeat(32) + "22".repeat(32) + "33".repeat(32)
                + initiationHex();
        assertArrayEquals(HEX.parseHex(expected.replace(" ", "")), Arrays.copyOfRange(b, 2, 2 + n));
        assertEquals(n, SeekFrame.frameLength(1));

        SeekFrame f = new SeekFrame();
        assertTrue(f.decode(b, 5, n - 3));
        assertEquals(0x0102030405060708L, f.seekId());
        assertEquals(3, f.hopsLeft());
        assertArrayEquals(key(0x11), f.origin());
        assertArrayEquals(key(0x22), f.target());
        assertEquals(1, f.passedCount());
        assertArrayEquals(key(0x33), f.passed(0));
        assertArrayEquals(initiation(), Arrays.copyOf(f.initiation(), HandshakeInitiation.LENGTH));
        assertThrows(IndexOutOfBoundsException.class, () -> f.passed(1));
    }

    @Test
    void aSeekFromItsOriginHasNoPassedKeysAndAFullOneThree() {
        byte[] passed = new byte[1 + 96];
        for (int i = 0; i < 3; i++) {
            Arrays.fill(passed, 1 + 32 * i, 33 + 32 * i, (byte) (0xa0 + i));
        }
        byte[] b = new byte[SeekFrame.frameLength(3)];
        int n = SeekFrame.write(b, 0, -1L, 1, key(1), key(2), passed, 1, 3, initiation(), 0);
        SeekFrame f = new SeekFrame();
        assertTrue(f.decode(b, 3, n - 3));
        assertEquals(-1L, f.seekId(), "all 64 bits of the id");
        assertEquals(3, f.passedCount());
        assertArrayEquals(key(0xa2), f.passed(2));

        byte[] b0 = new byte[SeekFrame.frameLength(0)];
        int n0 = SeekFrame.write(b0, 0, 7, SeekFrame.MAX_HOPS, key(1), key(2), new byte[0], 0, 0, initiation(), 0);
        assertEquals(3 + 8 + 1 + 64 + 148, n0); // body 221 needs a two-byte length
        assertTrue(f.decode(b0, 3, n0 - 3));
        assertEquals(0, f.passedCount());
        assertEquals(SeekFrame.MAX_HOPS, f.hopsLeft());
    }

    @Test
    void badBodiesAreRejectedNeverThrown() {
        byte[] b = new byte[SeekFrame.frameLength(1)];
        int n = SeekFrame.write(b, 0, 9, 2, key(1), key(2), key(3), 0, 1, initiation(), 0);
        int body = 3;
        int len = n - body;
        SeekFrame f = new SeekFrame();
        assertTrue(f.decode(b, body, len));
        for (int cut = 1; cut < len; cut++) {
            // 32 short would be one passed key fewer, but then the initiation would start inside the
            // passed key (03…), which is no type-1 message; any other cut leaves no whole key
            assertFalse(f.decode(b, body, len - cut), "cut " + cut);
        }
        byte[] hops0 = b.clone();
        hops0[body + 8] = 0;
        assertFalse(f.decode(hops0, body, len), "no hops left");
        byte[] hops5 = b.clone();
        hops5[body + 8] = (byte) (SeekFrame.MAX_HOPS + 1);
        assertFalse(f.decode(hops5, body, len), "more hops than a route holds");
        byte[] notInit = b.clone();
        notInit[body + len - 148] = 4;
        assertFalse(f.decode(notInit, body, len), "a transport message is not an initiation");
        byte[] three = new byte[SeekFrame.frameLength(3)];
        int n3 = SeekFrame.write(three, 0, 9, 1, key(1), key(2), new byte[96], 0, 3, initiation(), 0);
        byte[] four = new byte[n3 + 32];
        System.arraycopy(three, body, four, body, 9 + 64 + 96);
        System.arraycopy(three, body + 9 + 64 + 96, four, body + 9 + 64 + 128, 148); // a fourth passed key, zeros
        assertTrue(f.decode(three, body, n3 - body));
        assertFalse(f.decode(four, body, n3 - body + 32), "more passed keys than a seek can have");
        assertFalse(f.decode(b, body, 220), "shorter than the fixed part and an initiation");
        assertFalse(f.decode(b, body, len + 1), "beyond the array");
        assertFalse(f.decode(b, -1, len));
    }

    @Test
    void writingRejectsWhatCannotBeASeek() {
        byte[] b = new byte[600];
        assertThrows(IllegalArgumentException.class,
                () -> SeekFrame.write(b, 0, 1, 0, key(1), key(2), new byte[0], 0, 0, initiation(), 0));
        assertThrows(IllegalArgumentException.class,
                () -> SeekFrame.write(b, 0, 1, 5, key(1), key(2), new byte[0], 0, 0, initiation(), 0));
        assertThrows(IllegalArgumentException.class,
                () -> SeekFrame.write(b, 0, 1, 1, key(1), key(2), new byte[128], 0, 4, initiation(), 0));
        assertThrows(IllegalArgumentException.class,
                () -> SeekFrame.write(b, 0, 1, 1, new byte[31], key(2), new byte[0], 0, 0, initiation(), 0));
        byte[] data = initiation();
        data[0] = 4;
        assertThrows(IllegalArgumentException.class,
                () -> SeekFrame.write(b, 0, 1, 1, key(1), key(2), new byte[0], 0, 0, data, 0));
    }
}
