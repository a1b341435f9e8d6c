package io.keymesh.channel;

import io.keymesh.wire.TransportData;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Two {@link ChannelConnection}s joined by a simulated link with a virtual clock: one-way latency,
 * jitter (uniform in {@code [0, jitterNanos]}, each direction first in first out), loss, duplication,
 * reordering, a bandwidth cap with a bounded queue, and an MTU on the UDP payload (WireGuard's
 * overhead counted). Deterministic for a seed. For tests.
 */
final class ConnectionPair {
    final SplittableRandom random;
    long now = 1_000_000_000L;
    private long seq;
    private final PriorityQueue<long[]> events = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
    private final List<Runnable> actions = new ArrayList<>();

    long latencyNanos = 500_000;
    long jitterNanos;
    double loss;
    double duplication;
    double reordering;
    long bandwidthBitsPerSecond; // 0: unlimited
    int maxQueuedPackets = 1000;
    int mtuUdpPayload = 65_507;

    final End a;
    final End b;

    /** One side: its connection and what it heard. */
    final class End implements ChannelConnection.Events {
        final String name;
        ChannelConnection connection;
        End other;
        final List<byte[]> messages = new ArrayList<>();
        final List<Long> messageChannels = new ArrayList<>();
        final List<Long> messageTimes = new ArrayList<>();
        final List<Long> writable = new ArrayList<>();
        final List<Long> opened = new ArrayList<>();
        final List<String> lostReasons = new ArrayList<>();
        /** {@code {channelId, errorCode}} of each onChannelClosed, in order. */
        final List<long[]> closed = new ArrayList<>();
        /** Per message in {@link #messages}: whether it came on a coded channel. */
        final List<Boolean> messageCoded = new ArrayList<>();
        /** Every offer the peer's COMPRESSION frames told (null: forgotten). */
        final List<io.keymesh.wire.CompressionOffer> peerOffers = new ArrayList<>();
        long linkFreeAt;
        long lastArrival;
        long sentPackets;
        long droppedPackets;
        long mtuDrops;
        /**
         * What the path does to the ECN codepoint of this side's packets (marked ECT(0) while the
         * connection says so): given the codepoint sent and the packets queued on the link ahead
         * of it, the codepoint delivered. By default the path carries it unchanged.
         */
        java.util.function.IntBinaryOperator ecnPath = (sent, queuedAhead) -> sent;
        /** Runs after each packet this side sends (the connection's state includes it). */
        Runnable onTransmit = () -> { };
        /** The payload of the last packet this side sent that fit the MTU (a copy), or null. */
        byte[] lastPacket;
        /** Messages delivered while this side's connection said it was lost (a contract breach). */
        int deliveredWhileLost;
        /** Times this side's connection ended by agreement ({@link ChannelConnection.Events#onClosedIdle}). */
        int closedIdle;
        /**
         * Set: this side acts as a node does after {@link #onClosedIdle} or a lost connection: a new
         * connection (idle close on, ids from {@link #renewIds}) is made for the next packet that
         * {@linkplain ChannelConnection#needsConnection needs one} or the next {@link #live()} call;
         * other packets are dropped.
         */
        ChannelConfig renewConfig;
        SplittableRandom renewIds;
        private boolean forgotten;
        /** Changes each packet this side sends before the link carries it (null: none). */
        java.util.function.UnaryOperator<byte[]> rewrite;
        /** Packets this side sends that the link drops, whatever its loss (null: none). */
        java.util.function.Predicate<byte[]> dropIf;
        /** Runs after {@link #onClosedIdle}, {@link #onWritable} and {@link #onChannelClosed} (a test's sender acts on them). */
        Runnable onSendable = () -> { };

        End(String name) {
            this.name = name;
        }

        @Override
        public void onMessage(long channelId, byte[] message) {
            if (connection.isLost()) {
                deliveredWhileLost++;
            }
            messages.add(message);
            messageChannels.add(channelId);
            messageTimes.add(now);
            messageCoded.add(false);
        }

        @Override
        public void onCodedMessage(long channelId, byte[] message) {
            onMessage(channelId, message);
            messageCoded.set(messageCoded.size() - 1, true);
        }

        @Override
        public void onPeerCompression(io.keymesh.wire.CompressionOffer offer) {
            peerOffers.add(offer);
        }

        @Override
        public void onWritable(long channelId) {
            writable.add(channelId);
            onSendable.run();
        }

        @Override
        public void onClosedIdle() {
            closedIdle++;
            forgotten = renewConfig != null;
            onSendable.run();
        }

        /** The connection to use now: a new one if the last was forgotten (see {@link #renewConfig}). */
        ChannelConnection live() {
            if (forgotten) {
                forgotten = false;
                connection = new ChannelConnection(renewConfig, renewIds, now, this::transmit, this);
                connection.setIdleClose(true);
            }
            return connection;
        }

        /** A packet arrives at this side. */
        void arrive(byte[] payload, int ecn) {
            if (forgotten && !ChannelConnection.needsConnection(payload, 0, payload.length)) {
                return;
            }
            live().onPayload(now, payload, 0, payload.length, ecn);
        }

        @Override
        public void onChannelOpened(long channelId) {
            opened.add(channelId);
        }

        @Override
        public void onChannelClosed(long channelId, long errorCode) {
            closed.add(new long[] {channelId, errorCode});
            onSendable.run();
        }

        @Override
        public void onConnectionLost(String reason) {
            lostReasons.add(reason);
            if (renewConfig != null && connection.isLost()) {
                forgotten = true; // as a node drops a lost connection: the next use makes a new one
            }
        }

        void transmit(byte[] buf, int off, int len) {
            sentPackets++;
            onTransmit.run();
            int udp = TransportData.paddedLength(len, 0) + TransportData.MIN_LENGTH;
            if (udp > mtuUdpPayload) {
                mtuDrops++;
                return;
            }
            byte[] copy = rewrite == null ? Arrays.copyOfRange(buf, off, off + len)
                    : rewrite.apply(Arrays.copyOfRange(buf, off, off + len));
            lastPacket = copy;
            if (dropIf != null && dropIf.test(copy)) {
                droppedPackets++;
                return;
            }
            long depart = now;
            long queuedAhead = 0;
            if (bandwidthBitsPerSecond > 0) {
                long serialization = udp * 8L * 1_000_000_000L / bandwidthBitsPerSecond;
                long queued = Math.max(0, linkFreeAt - now);
                queuedAhead = queued / Math.max(1, serialization);
                if (queuedAhead >= maxQueuedPackets) {
                    droppedPackets++;
                    return;
                }
                depart = Math.max(now, linkFreeAt) + serialization;
                linkFreeAt = depart;
            }
            if (random.nextDouble() < loss) {
                droppedPackets++;
                return;
            }
            int copies = random.nextDouble() < duplication ? 2 : 1;
            if (jitterNanos > 0) {
                depart = Math.max(lastArrival - latencyNanos, depart + random.nextLong(jitterNanos + 1));
                lastArrival = depart + latencyNanos;
            }
            int ecn = ecnPath.applyAsInt(connection.ecnMarking() ? 2 : 0, (int) Math.min(Integer.MAX_VALUE, queuedAhead));
            for (int i = 0; i < copies; i++) {
                long extra = random.nextDouble() < reordering ? random.nextLong(latencyNanos + 1) + latencyNanos : 0;
                End to = other;
                at(depart + latencyNanos + extra, () -> to.arrive(copy, ecn));
            }
        }
    }

    ConnectionPair(long seed, ChannelConfig config) {
        this(seed, config, config);
    }

    /** A pair whose ends differ in their settings ({@code configA} for a, {@code configB} for b): a peer that breaks b's limits. */
    ConnectionPair(long seed, ChannelConfig configA, ChannelConfig configB) {
        random = new SplittableRandom(seed);
        a = new End("a");
        b = new End("b");
        a.other = b;
        b.other = a;
        a.connection = new ChannelConnection(configA, new SplittableRandom(seed + 1), now, a::transmit, a);
        b.connection = new ChannelConnection(configB, new SplittableRandom(seed + 2), now, b::transmit, b);
    }

    void at(long time, Runnable action) {
        actions.add(action);
        events.add(new long[] {time, seq++, actions.size() - 1});
    }

    /** Runs events and timers until {@code until} or until {@code done} holds. */
    void runUntil(long until, java.util.function.BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            long tA = a.connection.nextTimeout();
            long tB = b.connection.nextTimeout();
            long tE = events.isEmpty() ? Long.MAX_VALUE : events.peek()[0];
            long next = Math.min(tE, Math.min(tA, tB));
            if (next > until || next == Long.MAX_VALUE) {
                now = Math.max(now, Math.min(until, next));
                return;
            }
            now = Math.max(now, next);
            if (tE == next) {
                long[] e = events.poll();
                Runnable r = actions.get((int) e[2]);
                actions.set((int) e[2], null);
                r.run();
            } else if (tA == next) {
                a.connection.onTimeout(now);
            } else {
                b.connection.onTimeout(now);
            }
        }
    }

    /**
     * Sends {@code messages} from a to b on {@code channel}, honouring back-pressure (a refused message
     * is offered again after onWritable), and runs until all arrived or {@code deadline} passes.
     */
    void transfer(long channel, List<byte[]> messages, long deadline) {
        ArrayDeque<byte[]> queue = new ArrayDeque<>(messages);
        int expected = b.messages.size() + messages.size();
        Runnable pump = () -> {
            while (!queue.isEmpty() && a.connection.send(now, channel, queue.peek())) {
                queue.poll();
            }
        };
        pump.run();
        while (b.messages.size() < expected && now < deadline) {
            int writableBefore = a.writable.size();
            runUntil(deadline, () -> b.messages.size() >= expected || a.writable.size() > writableBefore);
            pump.run();
            if (a.writable.size() == writableBefore && b.messages.size() < expected && events.isEmpty()
                    && a.connection.nextTimeout() == Long.MAX_VALUE && b.connection.nextTimeout() == Long.MAX_VALUE) {
                break; // stuck: nothing will happen any more
            }
        }
    }
}
