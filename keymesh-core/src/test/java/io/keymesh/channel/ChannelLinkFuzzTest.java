package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes two channel connections over a hostile link. The input chooses the link (loss up to 25 %,
 * duplication, reordering, jitter, latency, a bandwidth cap with its queue, the MTU), the settings
 * both ends share (congestion controller, windows, send buffer, largest message, channel limit),
 * the seed of the link's randomness, and up to 48 messages from either side on up to four channels,
 * each up to 24 KiB.
 *
 * <p>Invariant: every message is delivered to the other side exactly once, byte-exact and in order
 * per channel, before a deadline of ten virtual minutes; nothing arrives that was not sent; neither
 * side loses the connection or sees a protocol violation; and what a side holds of messages being
 * assembled never exceeds its {@link ChannelConfig#maxIncompleteBytes()}. Regression inputs are in
 * {@code ChannelLinkFuzzTestInputs/link/}.
 */
class ChannelLinkFuzzTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int MAX_MESSAGES = 48;
    private static final int MAX_SIZE = 24 * 1024;

    @FuzzTest
    void link(FuzzedDataProvider d) {
        ChannelConfig config = ChannelConfig.DEFAULT
                .withCongestion(d.consumeBoolean() ? "cubic" : "newreno")
                .withMaxChannels(d.consumeInt(4, 64));
        int channelWindow = d.consumeInt(4096, 256 * 1024);
        config = new ChannelConfig(d.consumeInt(1280, 65_507), channelWindow,
                channelWindow + (long) d.consumeInt(0, 1 << 20), d.consumeInt(4096, 128 * 1024), MAX_SIZE,
                config.idleTimeoutNanos(), config.congestion(), config.maxChannels(),
                MAX_SIZE + (long) d.consumeInt(0, 1 << 20));
        ConnectionPair w = new ConnectionPair(d.consumeLong(), config);
        w.loss = d.consumeInt(0, 25) / 100.0;
        w.duplication = d.consumeInt(0, 20) / 100.0;
        w.reordering = d.consumeInt(0, 30) / 100.0;
        w.latencyNanos = d.consumeLong(10_000, 100_000_000);
        w.jitterNanos = d.consumeLong(0, w.latencyNanos);
        w.bandwidthBitsPerSecond = d.consumeBoolean() ? 0 : d.consumeLong(1_000_000, 10_000_000_000L);
        w.maxQueuedPackets = d.consumeInt(4, 1000);
        w.mtuUdpPayload = d.consumeInt(1280, 65_507);

        Side a = new Side(w.a, w.b);
        Side b = new Side(w.b, w.a);
        int count = d.consumeInt(1, MAX_MESSAGES);
        for (int i = 0; i < count && d.remainingBytes() > 0; i++) {
            (d.consumeBoolean() ? a : b).queue(d.consumeInt(0, 3), d.consumeInt(0, MAX_SIZE));
        }
        long deadline = w.now + 600 * SECOND;
        int expectedAtA = b.queued.size();
        int expectedAtB = a.queued.size();
        while (w.now < deadline && (w.a.messages.size() < expectedAtA || w.b.messages.size() < expectedAtB)) {
            a.pump(w.now);
            b.pump(w.now);
            int writable = w.a.writable.size() + w.b.writable.size();
            int arrived = w.a.messages.size() + w.b.messages.size();
            w.runUntil(deadline, () -> w.a.writable.size() + w.b.writable.size() > writable
                    || w.a.messages.size() + w.b.messages.size() > arrived);
            assertTrue(w.a.connection.incompleteBytesHeld() <= config.maxIncompleteBytes());
            assertTrue(w.b.connection.incompleteBytesHeld() <= config.maxIncompleteBytes());
        }
        b.assertReceivedAllOf(a);
        a.assertReceivedAllOf(b);
        assertEquals(List.of(), w.a.lostReasons);
        assertEquals(List.of(), w.b.lostReasons);
        assertEquals(0, w.a.connection.protocolViolations());
        assertEquals(0, w.b.connection.protocolViolations());
    }

    /** One end: what it is to send, in order, and what it sent. */
    private static final class Side {
        final ConnectionPair.End end;
        final ConnectionPair.End peer;
        final ArrayDeque<long[]> pending = new ArrayDeque<>(); // {channel, index into queued}
        final List<byte[]> queued = new ArrayList<>();
        final List<Long> channels = new ArrayList<>();

        Side(ConnectionPair.End end, ConnectionPair.End peer) {
            this.end = end;
            this.peer = peer;
        }

        /** A message of {@code size} bytes on {@code channel}, its bytes naming its sender, channel and number. */
        void queue(long channel, int size) {
            byte[] m = new byte[size];
            int n = queued.size();
            for (int i = 0; i < size; i++) {
                m[i] = (byte) (end.name.charAt(0) * 31 + channel * 7 + n * 13 + i);
            }
            pending.add(new long[] {channel, n});
            queued.add(m);
            channels.add(channel);
        }

        /** Offers what is pending, in order, until a channel refuses (back-pressure: onWritable follows). */
        void pump(long now) {
            while (!pending.isEmpty()) {
                long[] next = pending.peek();
                if (!end.connection.send(now, next[0], queued.get((int) next[1]))) {
                    return;
                }
                pending.poll();
            }
        }

        /** This side received exactly what {@code sender} sent to it: per channel, the same messages in the same order. */
        void assertReceivedAllOf(Side sender) {
            assertEquals(sender.queued.size(), end.messages.size(), end.name + " received");
            for (long channel = 0; channel < 4; channel++) {
                List<byte[]> sent = new ArrayList<>();
                for (int i = 0; i < sender.queued.size(); i++) {
                    if (sender.channels.get(i) == channel) {
                        sent.add(sender.queued.get(i));
                    }
                }
                List<byte[]> got = new ArrayList<>();
                for (int i = 0; i < end.messages.size(); i++) {
                    if (end.messageChannels.get(i) == channel) {
                        got.add(end.messages.get(i));
                    }
                }
                assertEquals(sent.size(), got.size(), end.name + " on channel " + channel);
                for (int i = 0; i < sent.size(); i++) {
                    assertArrayEquals(sent.get(i), got.get(i), end.name + " channel " + channel + " message " + i);
                }
            }
        }
    }
}
