package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exact bytes of the channel frames (STREAM, MAX_DATA, MAX_STREAM_DATA, *_BLOCKED, RESET_STREAM) and their rejection of bad bodies. */
class ChannelFramesTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    // ------------------------------------------------------------------ types

    @Test
    void channelFrameTypesAreLegalAndDistinct() {
        int[] types = {MeshFrame.RESET_STREAM, MeshFrame.STREAM, MeshFrame.STREAM_FIN, MeshFrame.MAX_DATA,
            MeshFrame.MAX_STREAM_DATA, MeshFrame.MAX_STREAMS, MeshFrame.DATA_BLOCKED, MeshFrame.STREAM_DATA_BLOCKED, MeshFrame.DATAGRAM};
        for (int t : types) {
            assertTrue(MeshFrame.isValidType(t), "type " + t);
        }
        assertEquals(types.length, Arrays.stream(types).distinct().count());
        assertArrayEquals(new int[] {0x04, 0x08, 0x09, 0x10, 0x11, 0x12, 0x14, 0x15},
                Arrays.copyOf(types, 8), "RFC 9000 frame type numbers");
    }

    // ------------------------------------------------------------------ STREAM

    @Test
    void streamFrameBytes() {
        byte[] b = new byte[32];
        int n = StreamFrame.write(b, 0, 5, 0, false, "hi".getBytes(), 0, 2);
        assertArrayEquals(hex("08 04 05 00 68 69"), Arrays.copyOf(b, n));
        n = StreamFrame.write(b, 0, 5, 0, true, "hi".getBytes(), 0, 2);
        assertArrayEquals(hex("09 04 05 00 68 69"), Arrays.copyOf(b, n));
        // an empty frame carrying only the end
        n = StreamFrame.write(b, 0, 0, 37, true, new byte[0], 0, 0);
        assertArrayEquals(hex("09 02 00 25"), Arrays.copyOf(b, n));
    }

    @Test
    void streamFrameBytesWithMultiByteVarints() {
        // varints from RFC 9000 appendix A.1: 15293 = 7bbd, 494878333 = 9d7f3e7d, 151288809941952652 = c2197c5eff14e88c
        byte[] b = new byte[64];
        int n = StreamFrame.write(b, 3, 15293, 494878333L, false, new byte[] {1, 2, 3}, 0, 3);
        assertArrayEquals(hex("08 09 7bbd 9d7f3e7d 010203"), Arrays.copyOfRange(b, 3, 3 + n));
        n = StreamFrame.write(b, 0, 1, 151288809941952652L, true, new byte[] {(byte) 0xff}, 0, 1);
        assertArrayEquals(hex("09 0a 01 c2197c5eff14e88c ff"), Arrays.copyOf(b, n));
        assertEquals(n, StreamFrame.frameLength(1, 151288809941952652L, 1));
    }

    @Test
    void streamFrameLengthVarintGrowsAt64ByteBodies() {
        byte[] data = new byte[100];
        byte[] b = new byte[200];
        // body = 1 (id) + 1 (offset) + 61 = 63: one-byte length
        int n = StreamFrame.write(b, 0, 1, 0, false, data, 0, 61);
        assertEquals(65, n);
        assertEquals(63, b[1]);
        // body 64: two-byte length 0x4040
        n = StreamFrame.write(b, 0, 1, 0, false, data, 0, 62);
        assertEquals(67, n);
        assertArrayEquals(hex("08 4040 01 00"), Arrays.copyOf(b, 5));
    }

    @Test
    void maxDataLengthFillsButNeverOverflows() {
        assertEquals(6, StreamFrame.maxDataLength(10, 1, 0, 1000));
        assertEquals(3, StreamFrame.maxDataLength(10, 1, 0, 3));
        assertEquals(61, StreamFrame.maxDataLength(65, 1, 0, 1000));
        assertEquals(61, StreamFrame.maxDataLength(66, 1, 0, 1000)); // 62 would need a two-byte length
        assertEquals(62, StreamFrame.maxDataLength(67, 1, 0, 1000));
        assertEquals(0, StreamFrame.maxDataLength(4, 1, 0, 1000));   // room for an empty frame only
        assertEquals(-1, StreamFrame.maxDataLength(3, 1, 0, 1000));
        assertEquals(-1, StreamFrame.maxDataLength(0, 1, 0, 1000));
        for (int max = 0; max < 20_000; max += 7) {
            for (long off : new long[] {0, 63, 64, 16383, 16384, 1L << 30, VarInt.MAX - 100_000}) {
                int d = StreamFrame.maxDataLength(max, 77, off, 1 << 20);
                if (d < 0) {
                    assertTrue(StreamFrame.frameLength(77, off, 0) > max);
                } else {
                    assertTrue(StreamFrame.frameLength(77, off, d) <= max, "fits");
                    assertTrue(StreamFrame.frameLength(77, off, d + 1) > max, "largest at " + max + "/" + off);
                }
            }
        }
    }

    @Test
    void streamFrameDecodesWhatItWrote() {
        byte[] b = new byte[64];
        int n = StreamFrame.write(b, 2, 15293, 494878333L, true, new byte[] {9, 8, 7}, 0, 3);
        List<String> seen = new ArrayList<>();
        StreamFrame f = new StreamFrame();
        assertTrue(MeshFrame.forEach(b, 2, n, (type, buf, off, len) -> {
            assertTrue(f.decode(type, buf, off, len));
            seen.add(f.channelId() + "/" + f.offset() + "/" + f.dataLength() + "/" + f.fin()
                    + "/" + buf[f.dataOffset()]);
        }));
        assertEquals(List.of("15293/494878333/3/true/9"), seen);
    }

    @Test
    void streamFrameRejectsBadBodies() {
        StreamFrame f = new StreamFrame();
        assertFalse(f.decode(MeshFrame.DATAGRAM, hex("05 00 68"), 0, 3), "not a STREAM type");
        assertFalse(f.decode(MeshFrame.STREAM, new byte[0], 0, 0), "no channel id");
        assertFalse(f.decode(MeshFrame.STREAM, hex("05"), 0, 1), "no offset");
        assertFalse(f.decode(MeshFrame.STREAM, hex("05 40"), 0, 2), "truncated offset");
        assertFalse(f.decode(MeshFrame.STREAM, hex("05 00"), 0, 2), "empty without FIN");
        assertTrue(f.decode(MeshFrame.STREAM_FIN, hex("05 00"), 0, 2), "empty with FIN");
        assertFalse(f.decode(MeshFrame.STREAM, hex("05 ffffffffffffffff 00"), 0, 10), "offset + length > 2^62-1");
        assertTrue(f.decode(MeshFrame.STREAM_FIN, hex("05 ffffffffffffffff"), 0, 9), "final size 2^62-1");
        assertFalse(f.decode(MeshFrame.STREAM, hex("05 00 68"), 2, 5), "body beyond the array");
        assertFalse(f.decode(MeshFrame.STREAM, hex("05 00 68"), -1, 2), "negative offset");
    }

    @Test
    void streamFrameWriteRejectsProgrammingErrors() {
        byte[] b = new byte[32];
        assertThrows(IllegalArgumentException.class, () -> StreamFrame.writeHeader(b, 0, 1, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> StreamFrame.writeHeader(b, 0, 1, VarInt.MAX, 1, false));
    }

    // ------------------------------------------------------------------ flow-control frames

    @Test
    void maxDataBytes() {
        byte[] b = new byte[16];
        int n = MaxDataFrame.write(b, 0, 16384);
        assertArrayEquals(hex("10 04 80004000"), Arrays.copyOf(b, n));
        assertEquals(n, MaxDataFrame.frameLength(16384));
        assertEquals(16384, MaxDataFrame.read(b, 2, n - 2));
        assertEquals(-1, MaxDataFrame.read(b, 2, 3), "truncated");
        assertEquals(-1, MaxDataFrame.read(hex("25 00"), 0, 2), "trailing byte");
        assertEquals(-1, MaxDataFrame.read(b, 0, 0), "empty");
    }

    @Test
    void maxStreamsBytes() {
        byte[] b = new byte[16];
        int n = MaxStreamsFrame.write(b, 0, 1536);
        assertArrayEquals(hex("12 02 4600"), Arrays.copyOf(b, n));
        assertEquals(n, MaxStreamsFrame.frameLength(1536));
        assertEquals(1536, MaxStreamsFrame.read(b, 2, n - 2));
        assertEquals(-1, MaxStreamsFrame.read(b, 2, 1), "truncated");
        assertEquals(-1, MaxStreamsFrame.read(hex("05 00"), 0, 2), "trailing byte");
        assertEquals(-1, MaxStreamsFrame.read(b, 0, 0), "empty");
    }

    @Test
    void dataBlockedBytes() {
        byte[] b = new byte[16];
        int n = DataBlockedFrame.write(b, 0, 63);
        assertArrayEquals(hex("14 01 3f"), Arrays.copyOf(b, n));
        assertEquals(63, DataBlockedFrame.read(b, 2, 1));
        assertEquals(-1, DataBlockedFrame.read(hex("7b"), 0, 1));
    }

    @Test
    void maxStreamDataBytes() {
        byte[] b = new byte[16];
        int n = MaxStreamDataFrame.write(b, 0, 7, 1 << 20);
        assertArrayEquals(hex("11 05 07 80100000"), Arrays.copyOf(b, n));
        assertEquals(n, MaxStreamDataFrame.frameLength(7, 1 << 20));
        MaxStreamDataFrame f = new MaxStreamDataFrame();
        assertTrue(f.decode(b, 2, n - 2));
        assertEquals(7, f.channelId());
        assertEquals(1 << 20, f.maximum());
        assertFalse(f.decode(b, 2, n - 3), "truncated");
        assertFalse(f.decode(hex("07 25 00"), 0, 3), "trailing byte");
        assertFalse(f.decode(hex("07"), 0, 1), "one varint");
    }

    @Test
    void streamDataBlockedBytes() {
        byte[] b = new byte[16];
        int n = StreamDataBlockedFrame.write(b, 0, 0, 64);
        assertArrayEquals(hex("15 03 00 4040"), Arrays.copyOf(b, n));
        StreamDataBlockedFrame f = new StreamDataBlockedFrame();
        assertTrue(f.decode(b, 2, n - 2));
        assertEquals(0, f.channelId());
        assertEquals(64, f.limit());
    }

    @Test
    void resetStreamBytes() {
        byte[] b = new byte[16];
        int n = ResetStreamFrame.write(b, 0, 3, 10, 494);
        assertArrayEquals(hex("04 04 03 0a 41ee"), Arrays.copyOf(b, n));
        assertEquals(n, ResetStreamFrame.frameLength(3, 10, 494));
        ResetStreamFrame f = new ResetStreamFrame();
        assertTrue(f.decode(b, 2, n - 2));
        assertEquals(3, f.channelId());
        assertEquals(10, f.errorCode());
        assertEquals(494, f.finalSize());
        assertFalse(f.decode(b, 2, n - 3));
        assertFalse(f.decode(hex("03 0a 41ee 00"), 0, 5));
    }
}
