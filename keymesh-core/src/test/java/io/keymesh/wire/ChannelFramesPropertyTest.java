package io.keymesh.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Channel frames round-trip, and arbitrary bodies never make a decoder throw. */
class ChannelFramesPropertyTest {

    @Property
    void streamFrameRoundTrips(@ForAll @LongRange(max = (1L << 62) - 1) long channelId,
                               @ForAll @LongRange(max = (1L << 40)) long offset,
                               @ForAll @Size(max = 300) byte[] data,
                               @ForAll boolean fin,
                               @ForAll @IntRange(max = 7) int at) {
        if (data.length == 0 && !fin) {
            return;
        }
        byte[] b = new byte[at + StreamFrame.frameLength(channelId, offset, data.length)];
        int n = StreamFrame.write(b, at, channelId, offset, fin, data, 0, data.length);
        assertEquals(b.length - at, n);
        StreamFrame f = new StreamFrame();
        int[] frames = {0};
        assertTrue(MeshFrame.forEach(b, at, n, (type, buf, off, len) -> {
            frames[0]++;
            assertTrue(f.decode(type, buf, off, len));
        }));
        assertEquals(1, frames[0]);
        assertEquals(channelId, f.channelId());
        assertEquals(offset, f.offset());
        assertEquals(fin, f.fin());
        assertArrayEquals(data, Arrays.copyOfRange(b, f.dataOffset(), f.dataOffset() + f.dataLength()));
    }

    @Property
    void maxDataLengthIsTheLargestThatFits(@ForAll @IntRange(max = 70_000) int maxLen,
                                           @ForAll @LongRange(max = (1L << 62) - 1) long channelId,
                                           @ForAll @LongRange(max = (1L << 61)) long offset,
                                           @ForAll @LongRange(max = 1L << 20) long available) {
        int d = StreamFrame.maxDataLength(maxLen, channelId, offset, available);
        if (d < 0) {
            assertTrue(StreamFrame.frameLength(channelId, offset, 0) > maxLen);
        } else {
            assertTrue(d <= available);
            assertTrue(StreamFrame.frameLength(channelId, offset, d) <= maxLen);
            assertTrue(d == available || StreamFrame.frameLength(channelId, offset, d + 1) > maxLen);
        }
    }

    @Property
    void decodersNeverThrow(@ForAll @Size(max = 40) byte[] body, @ForAll @IntRange(max = 0xff) int type) {
        new StreamFrame().decode(type, body, 0, body.length);
        new MaxStreamDataFrame().decode(body, 0, body.length);
        new StreamDataBlockedFrame().decode(body, 0, body.length);
        new ResetStreamFrame().decode(body, 0, body.length);
        MaxDataFrame.read(body, 0, body.length);
        DataBlockedFrame.read(body, 0, body.length);
        StreamFrame f = new StreamFrame();
        MeshFrame.forEach(body, 0, body.length, (t, b, off, len) -> {
            if (f.decode(t, b, off, len)) {
                assertTrue(f.dataOffset() + f.dataLength() <= off + len);
                assertTrue(f.offset() + f.dataLength() <= VarInt.MAX);
            }
        });
    }
}
