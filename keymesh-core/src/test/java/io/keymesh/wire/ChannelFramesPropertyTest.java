package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Channel frames round-trip, and arbitrary bodies never make a decoder throw. */
class ChannelFramesPropertyTest {
    private static final long MAX_ROUND_TRIP_OFFSET = 1L << 40;
    private static final long MAX_OFFSET = 1L << 61;
    private static final long MAX_AVAILABLE = 1L << 20;
    /** Where a varint grows: 1, 2, 4 and 8 bytes. */
    private static final long[] VARINT_STEPS = {63, 64, 16_383, 16_384, (1L << 30) - 1, 1L << 30};

    /** The edges of {@code [0, max]} and the varint steps within it. */
    private static long[] edgesAndVarintSteps(long max) {
        return LongStream.concat(LongStream.of(Gen.edges(0, max)), LongStream.of(VARINT_STEPS).filter(v -> v <= max))
                .sorted().distinct().toArray();
    }

    /** {@code data} empty only with {@code fin}: an empty frame without fin carries nothing. */
    private static void checkStreamFrame(long channelId, long offset, byte[] data, boolean fin, int at) {
        Supplier<String> what =
                () -> "channel " + channelId + " offset " + offset + " length " + data.length + " fin " + fin + " at " + at;
        byte[] b = new byte[at + StreamFrame.frameLength(channelId, offset, data.length)];
        int n = StreamFrame.write(b, at, channelId, offset, fin, data, 0, data.length);
        assertEquals(b.length - at, n, what);
        StreamFrame f = new StreamFrame();
        int[] frames = {0};
        assertTrue(MeshFrame.forEach(b, at, n, (type, buf, off, len) -> {
            frames[0]++;
            assertTrue(f.decode(type, buf, off, len), what);
        }), what);
        assertEquals(1, frames[0], what);
        assertEquals(channelId, f.channelId(), what);
        assertEquals(offset, f.offset(), what);
        assertEquals(fin, f.fin(), what);
        assertArrayEquals(data, Arrays.copyOfRange(b, f.dataOffset(), f.dataOffset() + f.dataLength()), what);
    }

    @Test
    void streamFrameRoundTrips() {
        SeededProperty.forAll(1000, r -> {
            long channelId = Gen.longs(r, 0, VarInt.MAX);
            long offset = Gen.longs(r, 0, MAX_ROUND_TRIP_OFFSET);
            byte[] data = Gen.bytes(r, 0, 300);
            boolean fin = data.length == 0 || r.nextBoolean();
            checkStreamFrame(channelId, offset, data, fin, Gen.ints(r, 0, 7));
        });
    }

    /**
     * Channel ids and offsets at the ends of their ranges and where varints grow; no data, one
     * byte or 300; with and without fin; at either end of the buffer offset's range.
     */
    @Test
    void streamFrameRoundTripsAtTheEdges() {
        for (long channelId : edgesAndVarintSteps(VarInt.MAX)) {
            for (long offset : edgesAndVarintSteps(MAX_ROUND_TRIP_OFFSET)) {
                for (int length : new int[] {0, 1, 300}) {
                    byte[] data = new byte[length];
                    Arrays.fill(data, (byte) 0xa5);
                    for (int at : new int[] {0, 7}) {
                        checkStreamFrame(channelId, offset, data, true, at);
                        if (length > 0) {
                            checkStreamFrame(channelId, offset, data, false, at);
                        }
                    }
                }
            }
        }
    }

    private static void checkMaxDataLength(int maxLen, long channelId, long offset, long available) {
        Supplier<String> what =
                () -> "maxLen " + maxLen + " channel " + channelId + " offset " + offset + " available " + available;
        int d = StreamFrame.maxDataLength(maxLen, channelId, offset, available);
        if (d < 0) {
            assertTrue(StreamFrame.frameLength(channelId, offset, 0) > maxLen, what);
        } else {
            assertTrue(d <= available, what);
            assertTrue(StreamFrame.frameLength(channelId, offset, d) <= maxLen, what);
            assertTrue(d == available || StreamFrame.frameLength(channelId, offset, d + 1) > maxLen, what);
        }
    }

    @Test
    void maxDataLengthIsTheLargestThatFits() {
        SeededProperty.forAll(1000, r -> checkMaxDataLength(Gen.ints(r, 0, 70_000), Gen.longs(r, 0, VarInt.MAX),
                Gen.longs(r, 0, MAX_OFFSET), Gen.longs(r, 0, MAX_AVAILABLE)));
    }

    /**
     * Every maxLen up to 40 (where headers stop fitting) and the ends of its range, against edge
     * channel ids, offsets and amounts available.
     */
    @Test
    void maxDataLengthIsTheLargestThatFitsAtTheEdges() {
        int[] maxLens = LongStream.concat(LongStream.rangeClosed(0, 40), LongStream.of(Gen.edges(0, 70_000)))
                .distinct().mapToInt(v -> (int) v).toArray();
        for (int maxLen : maxLens) {
            for (long channelId : edgesAndVarintSteps(VarInt.MAX)) {
                for (long offset : edgesAndVarintSteps(MAX_OFFSET)) {
                    for (long available : edgesAndVarintSteps(MAX_AVAILABLE)) {
                        checkMaxDataLength(maxLen, channelId, offset, available);
                    }
                }
            }
        }
    }

    private static void checkDecoders(byte[] body, int type) {
        new StreamFrame().decode(type, body, 0, body.length);
        new MaxStreamDataFrame().decode(body, 0, body.length);
        new StreamDataBlockedFrame().decode(body, 0, body.length);
        new ResetStreamFrame().decode(body, 0, body.length);
        MaxDataFrame.read(body, 0, body.length);
        DataBlockedFrame.read(body, 0, body.length);
        StreamFrame f = new StreamFrame();
        MeshFrame.forEach(body, 0, body.length, (t, b, off, len) -> {
            if (f.decode(t, b, off, len)) {
                assertTrue(f.dataOffset() + f.dataLength() <= off + len, () -> HexFormat.of().formatHex(body));
                assertTrue(f.offset() + f.dataLength() <= VarInt.MAX, () -> HexFormat.of().formatHex(body));
            }
        });
    }

    @Test
    void decodersNeverThrow() {
        SeededProperty.forAll(1000, r -> checkDecoders(Gen.bytes(r, 0, 40), Gen.ints(r, 0, 0xff)));
    }

    /** Every type with every body of up to one byte, and with bodies of every length up to 40 filled with one edge byte. */
    @Test
    void decodersNeverThrowOnShortAndUniformBodies() {
        for (int type = 0; type <= 0xff; type++) {
            checkDecoders(new byte[0], type);
            for (int v = 0; v < 1 << 8; v++) {
                checkDecoders(new byte[] {(byte) v}, type);
            }
            for (byte fill : new byte[] {0, 1, -1, Byte.MAX_VALUE, Byte.MIN_VALUE}) {
                for (int length = 0; length <= 40; length++) {
                    byte[] body = new byte[length];
                    Arrays.fill(body, fill);
                    checkDecoders(body, type);
                }
            }
        }
    }
}
