package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.keymesh.wire.MaxDataFrame;
import io.keymesh.wire.MaxStreamDataFrame;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.StreamFrame;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A {@link SendStream} and a {@link ReceiveStream} joined by a lossy, duplicating, reordering link
 * with a step clock, standing in for the connection: every STREAM frame sent is later reported
 * acknowledged or lost (or lost and then acknowledged, as a spurious loss is), MAX_STREAM_DATA and
 * MAX_DATA travel back over the same kind of link, and the receiving application sometimes pauses.
 */
final class StreamLink {
    /** The link and the streams' sizes. Probabilities are per frame; delays in steps. */
    record Config(long seed, double loss, double duplicate, double ackLoss, double spuriousLoss, int maxDelay,
                  int minFrame, int maxFrame, int burst, int sendBuffer, int window, long connectionWindow,
                  int maxMessage, double appPause) {}

    private record Event(long time, long seq, Runnable action) {}

    private final Config c;
    private final Random rnd;
    private final PriorityQueue<Event> events = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private long seq;
    private long now;

    final FlowControl.Send connectionSend;
    final FlowControl.Receive connectionReceive;
    final SendStream sender;
    final ReceiveStream receiver;

    /** Stream ranges reported acknowledged to the sender: it must never send them again. */
    private final RangeSet ackedModel = new RangeSet();

    long framesSent;
    long framesLost;
    long refusals;
    long writableSignals;

    StreamLink(Config c) {
        this.c = c;
        this.rnd = new Random(c.seed());
        connectionSend = new FlowControl.Send(c.connectionWindow());
        connectionReceive = new FlowControl.Receive(c.connectionWindow());
        sender = new SendStream(9, c.sendBuffer(), c.maxMessage(), c.window(), connectionSend);
        receiver = new ReceiveStream(9, c.window(), c.maxMessage(), connectionReceive);
    }

    /** Steps without any progress (bytes acknowledged, consumed or delivered) after which the transfer is declared stuck. */
    static final int STALL_STEPS = 5_000;

    /**
     * Sends {@code messages}, closes, and checks that each arrives once, in order, byte-exact, and both
     * sides finish, failing if nothing moves for {@link #STALL_STEPS} steps or after {@code maxSteps}.
     */
    void transfer(List<byte[]> messages, long maxSteps) {
        long lastProgress = 0;
        long progressMark = -1;
        byte[] buf = new byte[c.maxFrame()];
        int offered = 0;
        int checked = 0;
        boolean waitingWritable = false;
        for (now = 0; now < maxSteps; now++) {
            // the sending application: offer until refused, then wait for the writable signal
            while (offered < messages.size()) {
                if (waitingWritable) {
                    if (!sender.pollWritable()) {
                        break;
                    }
                    writableSignals++;
                    waitingWritable = false;
                    assertTrue(sender.offer(messages.get(offered)), "refused after the writable signal");
                    offered++;
                    continue;
                }
                if (sender.offer(messages.get(offered))) {
                    offered++;
                } else {
                    refusals++;
                    waitingWritable = true;
                }
            }
            if (offered == messages.size() && !sender.isClosed()) {
                sender.close();
            }
            // the sending connection
            for (int k = 0; k < c.burst(); k++) {
                int maxLen = c.minFrame() + rnd.nextInt(c.maxFrame() - c.minFrame() + 1);
                int n = sender.writeFrame(buf, 0, maxLen);
                if (n == 0) {
                    break;
                }
                assertTrue(n <= maxLen, "frame longer than asked");
                long o = sender.lastFrameOffset();
                assertEquals(0, ackedModel.countIn(o, o + sender.lastFrameLength()), "acknowledged bytes sent again");
                sendStreamFrame(Arrays.copyOf(buf, n), sender.lastFrameOffset(), sender.lastFrameLength(),
                        sender.lastFrameFin());
            }
            // the receiving connection's flow-control updates
            int n = receiver.writeMaxStreamDataFrame(buf, 0, buf.length);
            if (n > 0) {
                sendMaxStreamData(Arrays.copyOf(buf, n), receiver.maxStreamData());
            }
            n = connectionReceive.writeMaxDataFrame(buf, 0, buf.length);
            if (n > 0) {
                sendMaxData(Arrays.copyOf(buf, n), connectionReceive.limit());
            }
            // the link
            while (!events.isEmpty() && events.peek().time <= now) {
                events.poll().action.run();
            }
            // the receiving application
            if (rnd.nextDouble() >= c.appPause()) {
                for (byte[] m; (m = receiver.pollMessage()) != null; checked++) {
                    assertTrue(checked < messages.size(), "more messages than sent");
                    assertArrayEquals(messages.get(checked), m, "message " + checked);
                }
            }
            assertNull(receiver.violation());
            long mark = sender.ackedOffset() + receiver.consumed() + checked + (sender.isFinished() ? 1 : 0);
            if (mark != progressMark) {
                progressMark = mark;
                lastProgress = now;
            } else if (now - lastProgress > STALL_STEPS) {
                break;
            }
            if (checked == messages.size() && receiver.isFinished() && sender.isFinished()) {
                assertEquals(sender.writeOffset(), receiver.finalSize());
                assertEquals(0, sender.bufferedBytes());
                return;
            }
        }
        fail("stuck at step " + now + ": " + checked + "/" + messages.size() + " delivered, offered " + offered
                + ", sender sent " + sender.sentOffset() + " acked " + sender.ackedOffset() + " of " + sender.writeOffset()
                + " peer limit " + sender.peerMaxStreamData() + " credit " + connectionSend.credit()
                + ", receiver highest " + receiver.highestReceived() + " consumed " + receiver.consumed()
                + " limit " + receiver.maxStreamData() + " ready " + receiver.readyMessages()
                + ", events " + events.size());
    }

    private void at(long time, Runnable action) {
        events.add(new Event(time, seq++, action));
    }

    private long delay() {
        return 1 + rnd.nextInt(c.maxDelay());
    }

    private void sendStreamFrame(byte[] frame, long offset, int length, boolean fin) {
        framesSent++;
        if (rnd.nextDouble() < c.loss()) {
            framesLost++;
            at(now + c.maxDelay() + delay(), () -> sender.onLost(offset, length, fin));
            return;
        }
        long arrival = now + delay();
        at(arrival, () -> deliver(frame));
        if (rnd.nextDouble() < c.duplicate()) {
            at(now + delay(), () -> deliver(frame));
        }
        double r = rnd.nextDouble();
        if (r < c.ackLoss()) {
            at(arrival + c.maxDelay() + delay(), () -> sender.onLost(offset, length, fin));
        } else if (r < c.ackLoss() + c.spuriousLoss()) {
            long lostAt = arrival + 1;
            at(lostAt, () -> sender.onLost(offset, length, fin));
            at(lostAt + delay(), () -> acked(offset, length, fin));
        } else {
            at(arrival + delay(), () -> acked(offset, length, fin));
        }
    }

    private void acked(long offset, int length, boolean fin) {
        ackedModel.add(offset, offset + length);
        sender.onAcked(offset, length, fin);
    }

    private void deliver(byte[] frame) {
        StreamFrame f = new StreamFrame();
        assertTrue(MeshFrame.forEach(frame, 0, frame.length, (type, b, off, len) -> {
            assertTrue(f.decode(type, b, off, len), "bad STREAM frame");
            assertEquals(9, f.channelId());
            assertTrue(receiver.receive(f.offset(), b, f.dataOffset(), f.dataLength(), f.fin()),
                    () -> "refused: " + receiver.violation());
        }));
    }

    private void sendMaxStreamData(byte[] frame, long value) {
        if (rnd.nextDouble() < c.loss()) {
            at(now + c.maxDelay() + delay(), () -> receiver.onMaxStreamDataLost(value));
            return;
        }
        at(now + delay(), () -> MeshFrame.forEach(frame, 0, frame.length, (type, b, off, len) -> {
            assertEquals(MeshFrame.MAX_STREAM_DATA, type);
            MaxStreamDataFrame m = new MaxStreamDataFrame();
            assertTrue(m.decode(b, off, len));
            sender.onMaxStreamData(m.maximum());
        }));
    }

    private void sendMaxData(byte[] frame, long value) {
        if (rnd.nextDouble() < c.loss()) {
            at(now + c.maxDelay() + delay(), () -> connectionReceive.onMaxDataLost(value));
            return;
        }
        at(now + delay(), () -> MeshFrame.forEach(frame, 0, frame.length, (type, b, off, len) -> {
            assertEquals(MeshFrame.MAX_DATA, type);
            connectionSend.onMaxData(MaxDataFrame.read(b, off, len));
        }));
    }

    /** {@code length} random bytes for message {@code index}. */
    static byte[] message(long seed, int index, int length) {
        byte[] m = new byte[length];
        new Random(seed * 1_000_003L + index).nextBytes(m);
        return m;
    }
}
