package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes what an authenticated peer can put in the packets of a channel connection, mixed with an
 * honest connection's traffic. Two connections a and b share a link; the input is a sequence of
 * steps: a or b sends a message, virtual time passes (the link delivers and the timers run), a
 * payload chosen by the input is given to b as if it came from a, or a copy of a's last packet with
 * bytes changed, cut short or extended is. Settings are small (8 channels, 16 KiB messages, 64 KiB
 * of incomplete messages) so that the limits are within reach.
 *
 * <p>Invariant: no exception escapes b's or a's handling of a payload or a timer; b never holds more
 * incomplete message bytes than its {@link ChannelConfig#maxIncompleteBytes()} nor more open peer
 * channels than its {@link ChannelConfig#maxChannels()}; b's connection going lost is reported to its
 * owner, and nothing is delivered while it is lost (a lost connection lives again when the peer starts
 * a new connection state, as a restarted peer does).
 * Regression inputs are in {@code ChannelPacketsFuzzTestInputs/packets/}.
 */
class ChannelPacketsFuzzTest {
    private static final int MAX_MESSAGE = 16 * 1024;
    private static final ChannelConfig CONFIG = ChannelConfig.DEFAULT.withMaxChannels(8)
            .withMaxMessage(MAX_MESSAGE, 64 * 1024);

    @FuzzTest
    void packets(FuzzedDataProvider d) {
        ConnectionPair w = new ConnectionPair(d.consumeLong(), CONFIG);
        int steps = 0;
        boolean wasLost = false;
        int reportedBefore = 0;
        while (d.remainingBytes() > 0 && steps++ < 200) {
            switch (d.consumeInt(0, 5)) {
                case 0 -> send(w.a, w.now, d);
                case 1 -> send(w.b, w.now, d);
                case 2 -> w.runUntil(w.now + d.consumeLong(0, 2_000_000_000L), () -> false);
                case 3 -> {
                    byte[] payload = d.consumeBytes(d.consumeInt(0, 1500));
                    w.b.connection.onPayload(w.now, payload, 0, payload.length, d.consumeInt(0, 3));
                }
                default -> {
                    if (w.a.lastPacket != null) {
                        byte[] changed = change(w.a.lastPacket.clone(), d);
                        w.b.connection.onPayload(w.now, changed, 0, changed.length, d.consumeInt(0, 3));
                    }
                }
            }
            assertTrue(w.b.connection.incompleteBytesHeld() <= CONFIG.maxIncompleteBytes(),
                    "incomplete bytes " + w.b.connection.incompleteBytesHeld());
            assertTrue(w.b.connection.channelsOpenedByPeer() <= CONFIG.maxChannels(),
                    "peer channels " + w.b.connection.channelsOpenedByPeer());
            boolean lost = w.b.connection.isLost();
            int reported = w.b.lostReasons.size() - reportedBefore;
            assertEquals(0, w.b.deliveredWhileLost, "delivered while the connection was lost");
            if (!wasLost && lost) {
                assertTrue(reported >= 1, "lost without a report");
            }
            wasLost = lost;
            reportedBefore = w.b.lostReasons.size();
        }
    }

    /** {@code side} sends a message of the input's size on one of 10 channels, if its connection lives. */
    private static void send(ConnectionPair.End side, long now, FuzzedDataProvider d) {
        int channel = d.consumeInt(0, 9);
        byte[] message = new byte[d.consumeInt(0, MAX_MESSAGE)];
        if (!side.connection.isLost() && !side.connection.isRetired(channel)) {
            try {
                side.connection.send(now, channel, message);
            } catch (IllegalStateException closed) {
                // the channel was closed by the peer's RESET or a limit: the API says so, nothing to check
            }
        }
    }

    /** {@code p} with up to 8 bytes changed, then cut short or extended by the input. */
    private static byte[] change(byte[] p, FuzzedDataProvider d) {
        int n = d.consumeInt(0, 8);
        for (int i = 0; i < n && p.length > 0; i++) {
            p[d.consumeInt(0, p.length - 1)] = d.consumeByte();
        }
        int length = d.consumeInt(0, p.length + 64);
        byte[] out = new byte[length];
        System.arraycopy(p, 0, out, 0, Math.min(length, p.length));
        byte[] tail = d.consumeBytes(Math.max(0, length - p.length)); // empty unless extended
        System.arraycopy(tail, 0, out, Math.min(length, p.length), tail.length);
        return out;
    }
}
