package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The COMPRESSION frame's exact bytes and what its reader refuses, and STREAM's coded types. */
class CompressionFrameTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void knownBytes() {
        byte[] hash = new byte[32];
        for (int i = 0; i < hash.length; i++) {
            hash[i] = (byte) i;
        }
        CompressionOffer offer = new CompressionOffer(3, true, List.of(new DictionaryRef(0xDEADBEEFL, hash)));
        byte[] b = new byte[CompressionFrame.frameLength(offer)];
        assertEquals(b.length, CompressionFrame.write(b, 0, offer));
        assertEquals("32" + "16" + "03" + "01" + "deadbeef" + "000102030405060708090a0b0c0d0e0f", HEX.formatHex(b));
        assertEquals(offer, CompressionFrame.read(b, 2, b.length - 2));
        CompressionOffer none = new CompressionOffer(0, false, List.of());
        byte[] n = new byte[CompressionFrame.frameLength(none)];
        CompressionFrame.write(n, 0, none);
        assertEquals("32020000", HEX.formatHex(n));
    }

    @Test
    void randomOffersRoundTrip() {
        for (long seed = 0; seed < 200; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            List<DictionaryRef> refs = new ArrayList<>();
            int n = r.nextInt(CompressionFrame.MAX_DICTIONARIES + 1);
            for (int i = 0; i < n; i++) {
                byte[] h = new byte[16];
                r.nextBytes(h);
                refs.add(new DictionaryRef(r.nextLong(1L << 32), h));
            }
            CompressionOffer o = new CompressionOffer(r.nextLong(VarInt.MAX), r.nextBoolean(), refs);
            byte[] b = new byte[CompressionFrame.frameLength(o) + 3];
            int len = CompressionFrame.write(b, 3, o);
            int[] body = new int[2];
            assertTrue(MeshFrame.forEach(b, 3, len, (type, buf, off, bodyLen) -> {
                assertEquals(MeshFrame.COMPRESSION, type);
                body[0] = off;
                body[1] = bodyLen;
            }));
            assertEquals(o, CompressionFrame.read(b, body[0], body[1]), "seed " + seed);
        }
    }

    @Test
    void malformedBodiesReadAsNull() {
        assertNull(CompressionFrame.read(new byte[0], 0, 0), "empty");
        assertNull(CompressionFrame.read(new byte[] {0x40}, 0, 1), "truncated version");
        assertNull(CompressionFrame.read(new byte[] {1}, 0, 1), "no flags");
        assertNull(CompressionFrame.read(new byte[] {1, 1, 7}, 0, 3), "a partial dictionary");
        byte[] tooMany = new byte[2 + 33 * DictionaryRef.WIRE_LENGTH];
        assertNull(CompressionFrame.read(tooMany, 0, tooMany.length), "33 dictionaries");
        assertNull(CompressionFrame.read(new byte[4], 2, 4), "out of the array");
        CompressionOffer unknownFlags = CompressionFrame.read(new byte[] {1, (byte) 0xfe}, 0, 2);
        assertFalse(unknownFlags.zstd(), "other flag bits are ignored");
    }

    @Test
    void codedStreamFramesHaveTheirOwnTypes() {
        byte[] b = new byte[16];
        int p = StreamFrame.writeHeader(b, 0, 5, 0, 2, true, true);
        b[p] = 7;
        b[p + 1] = 8;
        assertEquals("0b04050007080000", HEX.formatHex(Arrays.copyOf(b, 8)));
        StreamFrame f = new StreamFrame();
        assertTrue(f.decode(0x0b, b, 2, 4));
        assertTrue(f.coded());
        assertTrue(f.fin());
        assertArrayEquals(new byte[] {7, 8}, Arrays.copyOfRange(b, f.dataOffset(), f.dataOffset() + f.dataLength()));
        assertTrue(f.decode(0x0a, b, 2, 4));
        assertTrue(f.coded());
        assertFalse(f.fin());
        assertTrue(f.decode(0x08, b, 2, 4));
        assertFalse(f.coded());
        assertFalse(f.decode(0x0c, b, 2, 4), "0x0c is not a STREAM type");
        assertEquals(0x08, StreamFrame.type(false, false));
        assertEquals(0x0b, StreamFrame.type(true, true));
    }
}
