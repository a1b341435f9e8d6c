package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.channel.ConnectionPair.End;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One end's conversations, as a node's channel handles make them: each a new channel, a few
 * messages and its end; messages wait in a queue per channel until the connection takes them
 * (after a refusal: onWritable or onClosedIdle), and a channel the peer ended is ended here too.
 * The connection in use is the end's {@link End#live()} one. Once the end's connection is lost
 * nothing more is sent. For tests: {@link IdleCloseTest}, {@link IdleCloseFuzzTest}.
 */
final class Conversations {
    private final ConnectionPair p;
    private final End end;
    private long nextId;
    private final Map<Long, ArrayDeque<byte[]>> queued = new HashMap<>();
    private final Map<Long, Boolean> closing = new HashMap<>();
    private final Map<Long, List<byte[]>> sent = new HashMap<>();

    /** {@code firstId}: 1 for one end, 2 for the other (each takes every second number from it). */
    Conversations(ConnectionPair p, End end, long firstId) {
        this.p = p;
        this.end = end;
        this.nextId = firstId;
        Runnable previous = end.onSendable;
        end.onSendable = () -> {
            previous.run();
            p.at(p.now, this::pump); // after the event, not inside the connection's call
        };
    }

    /** Starts a conversation of {@code messages} messages (at least 1) on a new channel. */
    void converse(int messages) {
        long id = nextId;
        nextId += 2; // a's odd, b's even: the two ends never pick the same number
        ArrayDeque<byte[]> q = new ArrayDeque<>();
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            byte[] m = {(byte) id, (byte) (id >> 8), (byte) i, end.name.getBytes()[0]};
            q.add(m);
            all.add(m);
        }
        queued.put(id, q);
        closing.put(id, true);
        sent.put(id, all);
        pump();
    }

    /** Offers what waits, and ends the channels the peer ended. */
    void pump() {
        if (!end.lostReasons.isEmpty()) {
            return; // the connection was lost (told to the application): nothing more goes
        }
        for (var e : queued.entrySet()) {
            ArrayDeque<byte[]> q = e.getValue();
            ChannelConnection c = end.live();
            while (!q.isEmpty() && c.send(p.now, e.getKey(), q.peek())) {
                q.poll();
            }
            if (q.isEmpty() && closing.remove(e.getKey()) != null) {
                c.closeChannel(p.now, e.getKey());
            }
        }
        queued.values().removeIf(ArrayDeque::isEmpty);
        // the peer's channels that it ended: ended here too, so that they retire
        for (long[] closed : end.closed) {
            if (!end.connection.isLost()) {
                end.connection.closeChannel(p.now, closed[0]);
            }
        }
        end.closed.clear();
    }

    /** True if every message of every conversation arrived. */
    boolean delivered() {
        pump();
        End other = end.other;
        long received = 0;
        for (int i = 0; i < other.messageChannels.size(); i++) {
            received += (other.messageChannels.get(i) % 2 == nextId % 2) ? 1 : 0;
        }
        return queued.isEmpty() && received == sent.values().stream().mapToInt(List::size).sum();
    }

    /** Asserts that every message arrived once, whole and in order per channel. */
    void check() {
        Map<Long, List<byte[]>> got = received();
        assertEquals(sent.keySet(), got.keySet(), end.name + "'s channels that arrived");
        for (var e : sent.entrySet()) {
            List<byte[]> g = got.get(e.getKey());
            assertEquals(e.getValue().size(), g.size(), "channel " + e.getKey() + ": each message once");
            for (int i = 0; i < g.size(); i++) {
                assertArrayEquals(e.getValue().get(i), g.get(i), "channel " + e.getKey() + " message " + i + " in order");
            }
        }
    }

    /**
     * Asserts that what arrived of each channel is the start of what was sent on it, once, whole
     * and in order, and that nothing arrived that was not sent.
     */
    void checkPrefixes() {
        for (var e : received().entrySet()) {
            List<byte[]> sentOn = sent.get(e.getKey());
            assertTrue(sentOn != null, "channel " + e.getKey() + " was never used by " + end.name);
            List<byte[]> g = e.getValue();
            assertTrue(g.size() <= sentOn.size(), "channel " + e.getKey() + ": more arrived than was sent");
            for (int i = 0; i < g.size(); i++) {
                assertArrayEquals(sentOn.get(i), g.get(i), "channel " + e.getKey() + " message " + i + " in order");
            }
        }
    }

    /** What the other end received of this end's channels, per channel. */
    private Map<Long, List<byte[]>> received() {
        End other = end.other;
        Map<Long, List<byte[]>> got = new HashMap<>();
        for (int i = 0; i < other.messages.size(); i++) {
            long ch = other.messageChannels.get(i);
            if (ch % 2 == nextId % 2) {
                got.computeIfAbsent(ch, k -> new ArrayList<>()).add(other.messages.get(i));
            }
        }
        return got;
    }
}
