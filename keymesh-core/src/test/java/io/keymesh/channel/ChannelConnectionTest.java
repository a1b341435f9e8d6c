package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.wire.MeshFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The channel connection end to end over a simulated link: exactly once, in order, byte-exact. */
class ChannelConnectionTest {
    private static final long SECOND = 1_000_000_000L;

    static List<byte[]> messages(long seed, int count, int maxSize) {
        SplittableRandom r = new SplittableRandom(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int size = r.nextInt(10) == 0 ? r.nextInt(maxSize) : r.nextInt(2000);
            byte[] m = new byte[size];
            r.nextBytes(m);
            out.add(m);
        }
        return out;
    }

    static void assertDelivered(List<byte[]> sent, List<byte[]> received) {
        assertEquals(sent.size(), received.size(), "message count");
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), received.get(i), "message " + i);
        }
    }

    @Test
    void messagesArriveInOrderOnACleanLink() {
        ConnectionPair w = new ConnectionPair(1, ChannelConfig.DEFAULT);
        List<byte[]> m = messages(1, 500, 100_000);
        w.transfer(7, m, w.now + 60 * SECOND);
        assertDelivered(m, w.b.messages);
        assertEquals(List.of(7L), w.b.opened);
        assertTrue(w.a.lostReasons.isEmpty() && w.b.lostReasons.isEmpty());
    }

    @ParameterizedTest(name = "loss {0}, one-way latency {1} ms")
    @CsvSource({"0.0, 0.5", "0.01, 0.5", "0.05, 50", "0.10, 0.5", "0.30, 50"})
    void messagesSurviveLossReorderingAndDuplication(double loss, double latencyMs) {
        ConnectionPair w = new ConnectionPair(2, ChannelConfig.DEFAULT);
        w.loss = loss;
        w.duplication = 0.02;
        w.reordering = 0.05;
        w.latencyNanos = (long) (latencyMs * 1_000_000);
        List<byte[]> m = messages(3, 300, 50_000);
        w.transfer(1, m, w.now + 600 * SECOND);
        assertDelivered(m, w.b.messages);
    }

    @Test
    void aSeveralMebibyteMessage() {
        ConnectionPair w = new ConnectionPair(4, ChannelConfig.DEFAULT);
        w.loss = 0.02;
        byte[] big = new byte[5 << 20];
        new SplittableRandom(5).nextBytes(big);
        w.transfer(3, List.of(big, new byte[] {1, 2, 3}), w.now + 300 * SECOND);
        assertDelivered(List.of(big, new byte[] {1, 2, 3}), w.b.messages);
    }

    private static long delivered(List<byte[]> received) {
        long n = 0;
        for (byte[] m : received) {
            n += m.length;
        }
        return n;
    }

    @ParameterizedTest(name = "{0} congestion control")
    @CsvSource({"cubic", "newreno"})
    void bulkTransferRunsNearTheBottleneckRate(String cc) {
        ConnectionPair w = new ConnectionPair(6, ChannelConfig.DEFAULT.withCongestion(cc));
        w.bandwidthBitsPerSecond = 20_000_000; // 20 Mbit/s
        w.maxQueuedPackets = 100;
        w.latencyNanos = 10_000_000; // 20 ms RTT
        List<byte[]> m = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            m.add(new byte[25_000]); // 10 MB
        }
        long start = w.now;
        w.transfer(1, m, w.now + 120 * SECOND);
        assertDelivered(m, w.b.messages);
        double seconds = (w.now - start) / 1e9;
        double goodput = delivered(w.b.messages) * 8 / seconds;
        double utilisation = goodput / w.bandwidthBitsPerSecond;
        System.out.printf("%s: 10 MB over 20 Mbit/s, 20 ms RTT: %.2f s, goodput %.1f Mbit/s, utilisation %.2f, lost %d of %d packets%n",
                cc, seconds, goodput / 1e6, utilisation, w.a.connection.stats().packetsLost(), w.a.connection.stats().packetsSent());
        assertTrue(utilisation > 0.75, "no collapse: utilisation " + utilisation);
    }

    /**
     * Bulk on channel 1 over a 20 Mbit/s bottleneck with a deep queue (1,000 packets, over half a
     * second), a 64-byte message on channel 2 every 250 ms: loss-based control alone would fill the
     * queue and each message would wait behind it; the standing-queue signal keeps the queue near
     * its target (a quarter of the 20 ms RTT), so the messages arrive close to the one-way delay,
     * and the bottleneck stays busy.
     */
    @ParameterizedTest(name = "{0} congestion control")
    @CsvSource({"cubic", "newreno"})
    void aSmallMessageDoesNotWaitBehindAnotherChannelsBulk(String cc) {
        ConnectionPair w = new ConnectionPair(22, ChannelConfig.DEFAULT.withCongestion(cc));
        w.bandwidthBitsPerSecond = 20_000_000;
        w.maxQueuedPackets = 1000;
        w.latencyNanos = 10_000_000;
        byte[] chunk = new byte[25_000];
        Runnable pump = () -> {
            while (w.a.connection.send(w.now, 1, chunk)) {
                // keep channel 1 full
            }
        };
        pump.run();
        long start = w.now;
        List<Long> sentAt = new ArrayList<>();
        long nextPing = start + 5 * SECOND; // after slow start
        while (w.now < start + 15 * SECOND) {
            int writable = w.a.writable.size();
            long until = Math.min(nextPing, start + 15 * SECOND);
            w.runUntil(until, () -> w.a.writable.size() > writable);
            pump.run();
            if (w.now >= nextPing) {
                w.a.connection.send(w.now, 2, new byte[64]);
                sentAt.add(w.now);
                nextPing += 250_000_000L;
            }
        }
        long worst = 0;
        int got = 0;
        long bulkBytes = 0;
        for (int i = 0; i < w.b.messages.size(); i++) {
            if (w.b.messageChannels.get(i) == 2) {
                worst = Math.max(worst, w.b.messageTimes.get(i) - sentAt.get(got++));
            } else if (w.b.messageTimes.get(i) >= start + 5 * SECOND) {
                bulkBytes += w.b.messages.get(i).length;
            }
        }
        double utilisation = bulkBytes * 8 / 10.0 / w.bandwidthBitsPerSecond;
        ChannelConnection.Stats stats = w.a.connection.stats();
        System.out.printf("%s: small messages behind bulk over a 1000-packet queue: worst %.1f ms one way (%d messages),"
                + " bulk utilisation %.2f, %d standing queues signalled, lost %d%n", cc, worst / 1e6, got, utilisation,
                stats.standingQueues(), stats.packetsLost());
        assertEquals(sentAt.size() - 1, got, "every message but maybe the last arrived");
        assertTrue(worst < 10_000_000 + 15_000_000, "one way within the 10 ms delay and a small queue: " + worst);
        assertTrue(utilisation > 0.85, "the bottleneck stays busy: " + utilisation);
    }

    /**
     * Up to 10 ms of jitter each way on a 20 ms RTT path with a bottleneck: the jitter widens the
     * standing-queue target instead of reading as a queue, so the sender is not starved.
     */
    @ParameterizedTest(name = "{0} congestion control")
    @CsvSource({"cubic", "newreno"})
    void jitterDoesNotStarveTheSender(String cc) {
        ConnectionPair w = new ConnectionPair(23, ChannelConfig.DEFAULT.withCongestion(cc));
        w.bandwidthBitsPerSecond = 20_000_000;
        w.maxQueuedPackets = 100;
        w.latencyNanos = 10_000_000;
        w.jitterNanos = 10_000_000;
        List<byte[]> m = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            m.add(new byte[25_000]);
        }
        long start = w.now;
        w.transfer(1, m, w.now + 120 * SECOND);
        assertDelivered(m, w.b.messages);
        double seconds = (w.now - start) / 1e9;
        double utilisation = delivered(w.b.messages) * 8 / seconds / w.bandwidthBitsPerSecond;
        ChannelConnection.Stats stats = w.a.connection.stats();
        System.out.printf("%s: 10 MB over 20 Mbit/s, 20 ms RTT, 0-10 ms jitter each way: %.2f s, utilisation %.2f,"
                + " %d standing queues signalled, lost %d%n", cc, seconds, utilisation, stats.standingQueues(), stats.packetsLost());
        assertTrue(utilisation > 0.75, "not starved: utilisation " + utilisation);
    }

    /**
     * Bytes in flight never grow past the congestion window: a full packet is checked against the
     * window with WireGuard's overhead, as bytes in flight count it, and an ACK that is due while
     * the window (or the pacer) holds data back goes alone.
     */
    @Test
    void theWindowBoundsBytesInFlightWhileAcksArrive() {
        ConnectionPair w = new ConnectionPair(27, ChannelConfig.DEFAULT);
        w.bandwidthBitsPerSecond = 50_000_000;
        w.latencyNanos = 5_000_000;
        long[] previous = {0};
        int[] overruns = {0};
        w.a.onTransmit = () -> {
            ChannelConnection.Stats s = w.a.connection.stats();
            if (s.bytesInFlight() > previous[0] && s.bytesInFlight() > s.congestionWindow()) {
                overruns[0]++;
            }
            previous[0] = s.bytesInFlight();
        };
        List<byte[]> m = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            m.add(new byte[50_000]);
        }
        w.transfer(1, m, w.now + 60 * SECOND);
        assertDelivered(m, w.b.messages);
        assertEquals(0, overruns[0], "packets that took bytes in flight past the window");
    }

    @Test
    void twoChannelsShareTheBottleneckFairly() {
        ConnectionPair w = new ConnectionPair(7, ChannelConfig.DEFAULT);
        w.bandwidthBitsPerSecond = 10_000_000;
        w.latencyNanos = 5_000_000;
        byte[] chunk = new byte[10_000];
        // Both channels always have data queued.
        for (int i = 0; i < 50; i++) {
            w.a.connection.send(w.now, 1, chunk);
            w.a.connection.send(w.now, 2, chunk);
        }
        w.runUntil(w.now + 3 * SECOND, () -> false);
        long one = 0;
        long two = 0;
        for (int i = 0; i < w.b.messages.size(); i++) {
            if (w.b.messageChannels.get(i) == 1) {
                one += w.b.messages.get(i).length;
            } else {
                two += w.b.messages.get(i).length;
            }
        }
        double ratio = (double) Math.min(one, two) / Math.max(one, two);
        System.out.printf("two channels over 10 Mbit/s: %d and %d bytes, ratio %.3f%n", one, two, ratio);
        assertTrue(ratio > 0.9, "fair share: " + one + " vs " + two);
    }

    @ParameterizedTest(name = "path of {0}-byte IPv4 MTU")
    @CsvSource({"1280", "1420"})
    void pathMtuIsFound(int ipMtu) {
        ChannelConfig config = ChannelConfig.DEFAULT;
        ConnectionPair w = new ConnectionPair(8, config);
        w.mtuUdpPayload = ipMtu - 28;
        List<byte[]> m = messages(9, 2000, 20_000);
        w.transfer(1, m, w.now + 120 * SECOND);
        assertDelivered(m, w.b.messages);
        int found = w.a.connection.stats().udpPayloadSize();
        System.out.printf("IPv4 MTU %d: UDP payload found %d (path carries %d)%n", ipMtu, found, w.mtuUdpPayload);
        assertTrue(found <= w.mtuUdpPayload, "never above the path");
        int best = Math.min(w.mtuUdpPayload, config.maxUdpPayload());
        assertTrue(best - found <= PmtuDiscovery.SEARCH_GRANULARITY + 16, "close to the path: " + found + " for " + best);
    }

    @Test
    void aShrinkingPathIsDetectedAndRecovered() {
        ConnectionPair w = new ConnectionPair(10, ChannelConfig.DEFAULT);
        List<byte[]> first = messages(11, 500, 20_000);
        w.transfer(1, first, w.now + 60 * SECOND);
        // The path carries the maximum; full packets are that, rounded down to WireGuard's padding.
        assertEquals(((PmtuDiscovery.DEFAULT_MAX_UDP_PAYLOAD - 32) & -16) + 32, w.a.connection.stats().udpPayloadSize());
        w.mtuUdpPayload = 1300; // a tunnel appears on the path
        List<byte[]> second = messages(12, 500, 20_000);
        w.transfer(1, second, w.now + 120 * SECOND);
        List<byte[]> third = messages(13, 2000, 20_000); // traffic while the search runs again
        w.transfer(1, third, w.now + 120 * SECOND);
        List<byte[]> all = new ArrayList<>(first);
        all.addAll(second);
        all.addAll(third);
        assertDelivered(all, w.b.messages);
        assertEquals(1, w.a.connection.stats().blackHoles(), "one black hole detected");
        int found = w.a.connection.stats().udpPayloadSize();
        assertTrue(found <= 1300 && 1300 - found <= PmtuDiscovery.SEARCH_GRANULARITY + 16, "found again: " + found);
    }

    @Test
    void aLargeCeilingIsSearchedAndARestartSearchesAgainBelowANewOne() {
        ConnectionPair w = new ConnectionPair(24, ChannelConfig.DEFAULT.withMaxUdpPayload(65_507));
        List<byte[]> first = messages(25, 300, 200_000);
        w.transfer(1, first, w.now + 60 * SECOND);
        assertEquals(((65_507 - 32) & -16) + 32, w.a.connection.stats().udpPayloadSize(), "a loopback-sized path");
        // The peer moves to a path of an Ethernet MTU: the owner restarts the search below it.
        w.mtuUdpPayload = 1452;
        w.a.connection.restartPathMtuDiscovery(1452);
        List<byte[]> second = messages(26, 300, 200_000);
        w.transfer(1, second, w.now + 120 * SECOND);
        List<byte[]> all = new ArrayList<>(first);
        all.addAll(second);
        assertDelivered(all, w.b.messages);
        int found = w.a.connection.stats().udpPayloadSize();
        assertTrue(found <= 1452 && 1452 - found <= PmtuDiscovery.SEARCH_GRANULARITY + 16, "found again: " + found);
    }

    @Test
    void aPeerRestartKeepsTheCeilingTheOwnerLowered() {
        ChannelConfig loopback = ChannelConfig.DEFAULT.withMaxUdpPayload(65_507);
        ConnectionPair w = new ConnectionPair(40, loopback);
        w.transfer(1, messages(41, 50, 100_000), w.now + 60 * SECOND);
        w.a.connection.restartPathMtuDiscovery(1452); // the owner's ceiling for this peer from now on

        // b restarts and speaks first: a starts over, below the same ceiling
        ConnectionPair.End b = w.b;
        b.connection = new ChannelConnection(loopback, new SplittableRandom(98), w.now, b::transmit, b);
        b.messages.clear();
        b.connection.send(w.now, 4, new byte[] {1});
        int before = w.a.messages.size();
        w.runUntil(w.now + 10 * SECOND, () -> w.a.messages.size() > before);
        assertEquals(1, w.a.connection.stats().connectionResets());
        List<byte[]> again = messages(42, 300, 200_000);
        w.transfer(5, again, w.now + 120 * SECOND);
        assertDelivered(again, b.messages);
        int size = w.a.connection.stats().udpPayloadSize();
        assertTrue(size <= 1452, "the path the link would carry is larger, but the ceiling is 1452: " + size);
    }

    @Test
    void aSilentPeerIsLostAfterTheIdleTimeout() {
        ConnectionPair w = new ConnectionPair(13, ChannelConfig.DEFAULT);
        w.transfer(1, messages(14, 10, 1000), w.now + 10 * SECOND);
        w.loss = 1.0; // the peer vanishes
        w.runUntil(w.now + 60 * SECOND, () -> !w.a.lostReasons.isEmpty());
        assertEquals(1, w.a.lostReasons.size());
        assertTrue(w.a.lostReasons.get(0).startsWith("idle"), w.a.lostReasons.get(0));
    }

    @Test
    void aConnectionQuietWithoutChannelsPastTheIdleTimeoutIsNotLostWhenItSendsAgain() {
        // RFC 9000 section 10.1: the idle timer restarts with the first ack-eliciting packet sent
        // after the peer's last one, so the silence of a connection with nothing to say is not held
        // against the channel it opens.
        ConnectionPair w = new ConnectionPair(21, ChannelConfig.DEFAULT);
        w.transfer(1, messages(22, 3, 100), w.now + 10 * SECOND);
        assertTrue(w.a.connection.closeChannel(w.now, 1));
        assertTrue(w.b.connection.closeChannel(w.now, 1));
        w.runUntil(w.now + 5 * SECOND, () -> false);
        assertFalse(w.a.connection.hasChannels() || w.b.connection.hasChannels());
        int[] proposals = new int[1];
        for (ConnectionPair.End e : List.of(w.a, w.b)) {
            e.dropIf = payload -> {
                MeshFrame.forEach(payload, 0, payload.length, (type, b, off, len) -> proposals[0] += type == MeshFrame.IDLE_CLOSE ? 1 : 0);
                return false;
            };
        }
        w.runUntil(w.now + 5 * ChannelConfig.DEFAULT.idleTimeoutNanos(), () -> false);
        assertEquals(0, proposals[0], "idle close is off by default: the connection is kept");
        w.latencyNanos = 500_000_000L; // the first packet after the silence takes a while to be answered
        List<byte[]> more = messages(23, 3, 100);
        w.transfer(2, more, w.now + 10 * SECOND);
        assertTrue(w.a.lostReasons.isEmpty() && w.b.lostReasons.isEmpty(), w.a.lostReasons + " " + w.b.lostReasons);
        assertEquals(6, w.b.messages.size());
    }

    @Test
    void anIdleConnectionWithOpenChannelsStaysAliveWithPings() {
        ConnectionPair w = new ConnectionPair(15, ChannelConfig.DEFAULT);
        w.transfer(1, messages(16, 10, 1000), w.now + 10 * SECOND);
        w.runUntil(w.now + 300 * SECOND, () -> false);
        assertTrue(w.a.lostReasons.isEmpty() && w.b.lostReasons.isEmpty());
        List<byte[]> more = messages(17, 10, 1000);
        w.transfer(1, more, w.now + 10 * SECOND);
        assertEquals(20, w.b.messages.size());
    }

    @Test
    void aRestartedPeerEndsTheOldConnectionAndANewOneWorks() {
        ConnectionPair w = new ConnectionPair(18, ChannelConfig.DEFAULT);
        w.transfer(1, messages(19, 20, 1000), w.now + 10 * SECOND);
        // b restarts: a new connection state with a new id.
        ConnectionPair.End b = w.b;
        b.connection = new ChannelConnection(ChannelConfig.DEFAULT, new SplittableRandom(99), w.now, b::transmit, b);
        b.messages.clear();
        List<byte[]> again = messages(20, 20, 1000);
        for (byte[] m : again) {
            b.connection.send(w.now, 5, m); // b speaks first, as a restarted node does
        }
        w.runUntil(w.now + 10 * SECOND, () -> !w.a.lostReasons.isEmpty() && w.a.messages.size() >= 20);
        assertEquals(List.of("the peer restarted"), w.a.lostReasons);
        assertDelivered(again, w.a.messages.subList(w.a.messages.size() - 20, w.a.messages.size()));
        // And a's new connection carries messages to b.
        List<byte[]> back = messages(21, 20, 1000);
        w.transfer(1, back, w.now + 10 * SECOND);
        assertDelivered(back, b.messages);
    }

    /** Channel 3 used and closed by both sides until each connection has retired it. */
    private static ConnectionPair retiredChannel3(long seed, RetiredChannels aRetired) {
        ConnectionPair w = new ConnectionPair(seed, ChannelConfig.DEFAULT);
        ConnectionPair.End a = w.a;
        a.connection = new ChannelConnection(ChannelConfig.DEFAULT, new SplittableRandom(seed + 10), w.now, a::transmit, a,
                aRetired);
        w.transfer(3, messages(seed, 5, 100), w.now + 10 * SECOND);
        w.a.connection.closeChannel(w.now, 3);
        w.b.connection.closeChannel(w.now, 3);
        w.runUntil(w.now + 10 * SECOND, () -> w.a.connection.isRetired(3) && w.b.connection.isRetired(3));
        assertTrue(w.a.connection.isRetired(3) && w.b.connection.isRetired(3), "retired by both");
        return w;
    }

    @Test
    void aPeerRestartingWithNoChannelOpenLeavesNoNumberRetired() {
        RetiredChannels owners = new RetiredChannels();
        ConnectionPair w = retiredChannel3(30, owners);
        assertTrue(owners.contains(3), "the owner's set is the connection's");
        assertThrows(IllegalStateException.class, () -> w.a.connection.send(w.now, 3, new byte[1]));

        // b restarts and speaks first on another channel: a starts over; with no channel open there
        // is no loss to report, and the new state has retired nothing.
        ConnectionPair.End b = w.b;
        b.connection = new ChannelConnection(ChannelConfig.DEFAULT, new SplittableRandom(97), w.now, b::transmit, b);
        b.messages.clear();
        b.connection.send(w.now, 4, new byte[] {1});
        int before = w.a.messages.size();
        w.runUntil(w.now + 10 * SECOND, () -> w.a.messages.size() > before);
        assertEquals(1, w.a.connection.stats().connectionResets());
        assertEquals(List.of(), w.a.lostReasons);
        assertFalse(w.a.connection.isRetired(3));
        assertFalse(owners.contains(3));

        List<byte[]> again = messages(31, 5, 100);
        w.transfer(3, again, w.now + 10 * SECOND);
        assertDelivered(again, b.messages);
    }

    @Test
    void anEndedConnectionKeepsNoNumberRetired() {
        RetiredChannels owners = new RetiredChannels();
        ConnectionPair w = retiredChannel3(32, owners);
        w.a.connection.close(w.now, "done");
        assertTrue(w.a.connection.isLost());
        assertFalse(w.a.connection.isRetired(3));
        assertFalse(owners.contains(3), "the owner may open channel 3 on its next connection");

        w.runUntil(w.now + SECOND, () -> !w.b.lostReasons.isEmpty()); // lost through the peer's CONNECTION_CLOSE
        assertEquals(List.of("the peer closed the connection: done"), w.b.lostReasons);
        assertFalse(w.b.connection.isRetired(3));
    }

    /**
     * a resets channel 6 with much of a large message unsent: b hears the channel closed with a's
     * error code and receives no part of that message; b's side still carries messages to a, and
     * once b closes its side both connections retire the number.
     */
    @Test
    void aResetChannelEndsAtOnceWithItsErrorCodeAndTheOtherSideStillSends() {
        ConnectionPair w = new ConnectionPair(40, ChannelConfig.DEFAULT);
        List<byte[]> first = messages(41, 3, 100);
        w.transfer(6, first, w.now + 10 * SECOND);
        assertTrue(w.a.connection.send(w.now, 6, new byte[3 << 20]));
        assertTrue(w.a.connection.resetChannel(w.now, 6, 42));
        assertThrows(IllegalStateException.class, () -> w.a.connection.send(w.now, 6, new byte[1]));
        w.runUntil(w.now + 10 * SECOND, () -> !w.b.closed.isEmpty());
        assertEquals(1, w.b.closed.size());
        assertArrayEquals(new long[] {6, 42}, w.b.closed.getFirst());
        assertDelivered(first, w.b.messages);

        List<byte[]> back = messages(43, 5, 100);
        for (byte[] m : back) {
            assertTrue(w.b.connection.send(w.now, 6, m));
        }
        w.runUntil(w.now + 10 * SECOND, () -> w.a.messages.size() == back.size());
        assertDelivered(back, w.a.messages);
        assertFalse(w.a.connection.isRetired(6), "b's side is still open");

        w.b.connection.closeChannel(w.now, 6);
        w.runUntil(w.now + 10 * SECOND, () -> w.a.connection.isRetired(6) && w.b.connection.isRetired(6));
        assertTrue(w.a.connection.isRetired(6) && w.b.connection.isRetired(6), "retired by both");
        assertEquals(1, w.b.closed.size(), "reported once");
        assertArrayEquals(new long[] {6, 0}, w.a.closed.getFirst());
    }

    @Test
    void resettingAChannelTheConnectionDoesNotHaveDoesNothing() {
        ConnectionPair w = new ConnectionPair(44, ChannelConfig.DEFAULT);
        assertFalse(w.a.connection.resetChannel(w.now, 9, 1));
        w.runUntil(w.now + SECOND, () -> false);
        assertEquals(List.of(), w.b.opened);
    }
}
