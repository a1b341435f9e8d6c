package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.keymesh.testing.RecordingListener;
import io.keymesh.testing.RecordingListener.ChannelRef;
import io.keymesh.testing.RecordingListener.ChannelsLost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reliable channels between {@link MeshNode}s over real UDP on 127.0.0.1: a bulk transfer with
 * back-pressure, both directions and several channels at once, many small messages, a lossy
 * reordering relay, a restarted peer and a clean channel close. Every message must arrive exactly
 * once, in order, byte for byte (SHA-256 of each message, in order, per channel). Throughput is
 * printed, never asserted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshNodeChannelLoopbackTest {
    private static final int MIB = 1 << 20;

    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();

    // ------------------------------------------------------------ bulk

    @Test
    void bulkTransferOf64MiBInMixedSizesArrivesExactlyOnceInOrderWithBackPressure() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        int[] sizes = mixedSizes(64, 64L * MIB,
                MIB + 1, 2 * MIB, 3 * MIB + 5, 4 * MIB, 6 * MIB - 3, 8 * MIB);
        Flow flow = new Flow(a, b, 7);
        receiveInto(b, List.of(flow));

        long start = System.nanoTime();
        send(flow, sizes.length, i -> randomBytes(i, sizes[i]));
        awaitAll(flow);
        flow.assertExact();

        assertTrue(flow.refusals > 0, "send refused at least once: back-pressure was exercised");
        assertEquals(List.of(new ChannelRef(a.publicKey(), 7)), List.copyOf(b.events().channelsOpened));
        assertNoLoss(a, b);
        report("bulk 1 channel, " + sizes.length + " messages", flow.sentBytes, start, flow.lastReceivedNanos, a, b);
    }

    @Test
    void aMessageOfTheMaximumSizeArrivesIntactAndALargerOneIsRefused() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        int max = a.mesh().maxMessage();
        Channel ch = a.mesh().channel(b.publicKey(), 1);
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class, () -> ch.send(new byte[max + 1]));
        assertEquals("message of " + (max + 1) + " bytes; at most " + max, tooBig.getMessage());

        Flow flow = new Flow(a, b, 1);
        receiveInto(b, List.of(flow));
        long start = System.nanoTime();
        send(flow, 3, i -> randomBytes(100 + i, i == 1 ? max : 1000));
        awaitAll(flow);
        flow.assertExact();
        assertNoLoss(a, b);
        report("one " + max / MIB + " MiB message", flow.sentBytes, start, flow.lastReceivedNanos, a, b);
    }

    @Test
    void closingWithADrainTimeoutDeliversEverythingTheChannelsTookFirst() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        Flow flow = new Flow(a, b, 1);
        receiveInto(b, List.of(flow));
        send(flow, 24, i -> randomBytes(7_000 + i, 256 * 1024)); // 6 MiB; send returns once all were taken
        assertTrue(a.mesh().close(java.time.Duration.ofSeconds(60)), "everything acknowledged before the node stopped");
        awaitAll(flow); // (with close() instead, most of it never arrives)
        flow.assertExact();
    }

    // ------------------------------------------------------------ several channels, both ways

    @Test
    void fourChannelsEachWayAtOnceKeepPerChannelOrder() throws Exception {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        List<Flow> aToB = new ArrayList<>();
        List<Flow> bToA = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            // Both ends use the same channel numbers, so each channel carries traffic both ways.
            aToB.add(new Flow(a, b, 10 + c));
            bToA.add(new Flow(b, a, 10 + c));
        }
        receiveInto(b, aToB);
        receiveInto(a, bToA);
        List<Flow> all = new ArrayList<>(aToB);
        all.addAll(bToA);

        ExecutorService senders = Executors.newFixedThreadPool(all.size());
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int f = 0; f < all.size(); f++) {
                Flow flow = all.get(f);
                int[] sizes = mixedSizes(200 + f, 4L * MIB, MIB + 17, 2 * MIB);
                long seed = 1_000L * (f + 1);
                done.add(senders.submit(() -> send(flow, sizes.length, i -> randomBytes(seed + i, sizes[i]))));
            }
            for (Future<?> d : done) {
                d.get(Loopback.TIMEOUT.toSeconds() * 3, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }
        for (Flow f : all) {
            awaitAll(f);
        }
        long end = all.stream().mapToLong(f -> f.lastReceivedNanos).max().orElseThrow();
        for (Flow f : all) {
            f.assertExact();
        }
        // A channel both sides start at the same moment is announced to neither: only at most once.
        List<ChannelRef> opened = new ArrayList<>(a.events().channelsOpened);
        opened.addAll(b.events().channelsOpened);
        assertEquals(opened.stream().map(ChannelRef::channelId).distinct().count(), opened.size(),
                "each channel announced at most once: " + opened);
        assertTrue(opened.stream().allMatch(r -> r.channelId() >= 10 && r.channelId() < 14), "" + opened);
        assertNoLoss(a, b);
        report("4 channels each way", all.stream().mapToLong(f -> f.sentBytes).sum(), start, end, a, b);
    }

    // ------------------------------------------------------------ many small messages

    @Test
    void twoHundredThousandSmallMessagesArriveInOrder() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        int count = 200_000;
        Flow flow = new Flow(a, b, 3);
        receiveInto(b, List.of(flow));
        long start = System.nanoTime();
        send(flow, count, i -> {
            byte[] m = randomBytes(i, 64);
            ByteBuffer.wrap(m).putInt(i); // the sequence number, to make any reordering obvious
            return m;
        });
        awaitAll(flow);
        flow.assertExact();
        assertNoLoss(a, b);
        double secs = (flow.lastReceivedNanos - start) / 1e9;
        System.out.printf("loopback channel, %d x 64 B: %.2f s, %.0f messages/s%n", count, secs, count / secs);
    }

    // ------------------------------------------------------------ loss, reordering, duplication

    @Test
    void throughALossyReorderingRelayEveryMessageArrivesOnceInOrder() throws Exception {
        Node a = net.start(newKey(), network, List.of());
        LossyRelay relay = net.track(new LossyRelay(a.address(), 5, 0.05, 0.02, 0.01));
        // b reaches a through the relay; a learns b's endpoint (the relay) from b's handshake.
        Node b = net.start(newKey(), network, List.of(PeerConfig.of(a.publicKey(), relay.address())));
        get(a.mesh().addPeer(PeerConfig.of(b.publicKey(), null)));

        Flow bToA = new Flow(b, a, 4);
        Flow aToB = new Flow(a, b, 4);
        receiveInto(a, List.of(bToA));
        receiveInto(b, List.of(aToB));
        int[] sizes = mixedSizes(5, 4L * MIB, MIB + 3);
        long start = System.nanoTime();
        send(bToA, sizes.length, i -> randomBytes(5_000 + i, sizes[i]));
        // a's first message waits for b's first packets, which tell a where b is.
        int[] replies = mixedSizes(6, MIB, 300_000);
        send(aToB, replies.length, i -> randomBytes(6_000 + i, replies[i]));
        awaitAll(bToA);
        awaitAll(aToB);
        bToA.assertExact();
        aToB.assertExact();

        ChannelConnection.Stats sa = get(a.mesh().channelStats(b.publicKey()));
        ChannelConnection.Stats sb = get(b.mesh().channelStats(a.publicKey()));
        assertTrue(relay.dropped.get() > 0 && relay.reordered.get() > 0 && relay.duplicated.get() > 0,
                "the relay dropped, reordered and duplicated packets: " + relay);
        assertTrue(sb.packetsLost() > 0, "b's sender saw losses: " + sb);
        assertNoLoss(a, b);
        System.out.println("lossy relay: " + relay);
        report("through 5 % loss", bToA.sentBytes + aToB.sentBytes, start,
                Math.max(bToA.lastReceivedNanos, aToB.lastReceivedNanos), a, b);
    }

    // ------------------------------------------------------------ a restarted peer

    /**
     * b crashes (its CONNECTION_CLOSE never reaches a) and comes back with the same key on a new
     * port: when its channel packets reach a, a learns that the peer restarted, once; a's old
     * handle refuses to send; the same channel number works again both ways.
     */
    @Test
    void aPeerThatRestartedIsReportedOnceItsChannelTrafficArrivesAndANewChannelWorksBothWays() throws Exception {
        PrivateKey keyB = newKey();
        Node a = net.start(newKey(), network, List.of());
        LossyRelay relay = net.track(new LossyRelay(a.address(), 9, 0, 0, 0));
        Node b = net.start(keyB, network, List.of(PeerConfig.of(a.publicKey(), relay.address())));
        get(a.mesh().addPeer(PeerConfig.of(keyB.publicKey(), null)));

        Channel bOld = b.mesh().channel(a.publicKey(), 1);
        exchange(b, bOld, a, 0, 20);
        Channel aOld = a.mesh().channel(keyB.publicKey(), 1);
        exchange(a, aOld, b, 0, 20);
        awaitHandshakeAgeAbove30Ms();

        relay.cut = true; // b dies: nothing it sends from now on reaches a
        b.mesh().close();
        Node b2 = net.start(keyB, network, List.of(a.asPeer())); // a new port, straight to a
        assertEquals(List.of(), List.copyOf(a.events().channelsLost), "a has heard nothing of the crash yet");
        assertTrue(aOld.isWritable(10), "a's old handle does not know yet");

        Channel bNew = b2.mesh().channel(a.publicKey(), 1);
        exchange(b2, bNew, a, 20, 20);
        await("a is told the peer restarted", () -> !a.events().channelsLost.isEmpty());
        assertEquals(List.of(new ChannelsLost(keyB.publicKey(), "the peer restarted")),
                List.copyOf(a.events().channelsLost));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> aOld.send(bytes("late")));
        assertEquals("channel 1 to " + keyB.publicKey() + " is lost: the peer restarted", e.getMessage());
        assertEquals("the peer restarted", aOld.lostReason());

        Channel aNew = a.mesh().channel(keyB.publicKey(), 1);
        assertNotSame(aOld, aNew);
        exchange(a, aNew, b2, 0, 20);
        exchange(b2, bNew, a, 40, 20);
        exchange(a, aNew, b2, 20, 20);

        assertEquals(numbered(0, 60), strings(a.events().messages(keyB.publicKey(), 1)),
                "a got b's messages in order, from before and after the restart");
        assertEquals(numbered(0, 40), strings(b2.events().messages(a.publicKey(), 1)));
        assertEquals(List.of(new ChannelsLost(keyB.publicKey(), "the peer restarted")),
                List.copyOf(a.events().channelsLost), "reported once");
        assertEquals(List.of(), List.copyOf(b2.events().channelsLost));
        assertEquals(1, get(a.mesh().channelStats(keyB.publicKey())).connectionResets());
    }

    /** b closes cleanly: a is told at once; b comes back on a new port and the channel works again. */
    @Test
    void aPeerThatClosesIsReportedAtOnceAndItsSuccessorGetsANewConnection() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        PrivateKey keyB = b.key();
        Channel aOld = a.mesh().channel(keyB.publicKey(), 2);
        exchange(a, aOld, b, 0, 10);
        awaitHandshakeAgeAbove30Ms();

        b.mesh().close();
        await("a is told b closed", () -> !a.events().channelsLost.isEmpty());
        assertEquals(List.of(new ChannelsLost(keyB.publicKey(), "the peer closed the connection: node closing")),
                List.copyOf(a.events().channelsLost));
        assertThrows(IllegalStateException.class, () -> aOld.send(bytes("late")));

        Node b2 = net.start(keyB, network, List.of(a.asPeer()));
        exchange(b2, b2.mesh().channel(a.publicKey(), 2), a, 0, 10);
        exchange(a, a.mesh().channel(keyB.publicKey(), 2), b2, 10, 10);
        assertEquals(numbered(10, 10), strings(b2.events().messages(a.publicKey(), 2)));
        assertEquals(numbered(0, 10), strings(a.events().messages(keyB.publicKey(), 2)));
        assertEquals(1, a.events().channelsLost.size(), "no further loss: " + a.events().channelsLost);
        assertEquals(List.of(), List.copyOf(b2.events().channelsLost));
    }

    // ------------------------------------------------------------ close

    @Test
    void closeReachesThePeerAfterAllMessagesAndTheOtherDirectionStaysOpen() {
        Loopback.Pair pair = net.pair(network);
        Node a = pair.a();
        Node b = pair.b();
        Channel ch = a.mesh().channel(b.publicKey(), 5);
        int count = 300;
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(randomBytes(i, i == count - 1 ? 3 * MIB : i * 37)); // the last one is large
        }
        Semaphore writable = a.events().writableSignal(b.publicKey(), 5);
        for (byte[] m : sent) {
            sendOrWait(ch, writable, m);
        }
        ch.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ch.send(new byte[1]));
        assertEquals("channel 5 to " + b.publicKey() + " is closed", e.getMessage());
        assertFalse(ch.isWritable(1), "a closed channel is not writable");

        await("b is told channel 5 closed", () -> !b.events().channelsClosed.isEmpty());
        assertEquals(List.of(new RecordingListener.ChannelClosed(a.publicKey(), 5, 0, count)),
                List.copyOf(b.events().channelsClosed), "closed cleanly, after all " + count + " messages");
        List<byte[]> got = b.events().messages(a.publicKey(), 5);
        assertEquals(count, got.size());
        for (int i = 0; i < count; i++) {
            assertTrue(Arrays.equals(sent.get(i), got.get(i)), "message " + i);
        }

        // Half-closed: b's side of channel 5 still carries messages to a, until b closes it too.
        Channel back = b.mesh().channel(a.publicKey(), 5);
        exchange(b, back, a, 0, 5);
        back.close();
        await("a is told channel 5 closed", () -> !a.events().channelsClosed.isEmpty());
        assertEquals(List.of(new RecordingListener.ChannelClosed(b.publicKey(), 5, 0, 5)),
                List.copyOf(a.events().channelsClosed));
        assertEquals(List.of(), List.copyOf(a.events().channelsLost));
        assertEquals(List.of(), List.copyOf(b.events().channelsLost));

        // Finished both ways, the channel is retired on both sides: forgotten, its number not reused.
        await("channel 5 retired by both", () -> get(a.mesh().channelStats(b.publicKey())).channels() == 0
                && get(b.mesh().channelStats(a.publicKey())).channels() == 0);
        IllegalArgumentException reuse = assertThrows(IllegalArgumentException.class, () -> a.mesh().channel(b.publicKey(), 5));
        assertTrue(reuse.getMessage().contains("channel 5 to " + b.publicKey() + " was used and closed"), reuse.getMessage());
        exchange(a, a.mesh().channel(b.publicKey(), 6), b, 0, 3); // other numbers go on working
    }

    // ------------------------------------------------------------ flows

    /**
     * The messages of one channel in one direction: the SHA-256 of each message sent, in order, and
     * of each message received, in order. Equal lists: every message exactly once, in order, intact.
     */
    private static final class Flow {
        final Node from;
        final Node to;
        final long channelId;
        final List<byte[]> sent = new ArrayList<>();       // sender's thread
        final ConcurrentLinkedQueue<byte[]> received = new ConcurrentLinkedQueue<>(); // receiver's loop
        final AtomicLong receivedCount = new AtomicLong();
        volatile long lastReceivedNanos;
        volatile int expected = -1;
        volatile long sentBytes;
        volatile int refusals;

        Flow(Node from, Node to, long channelId) {
            this.from = from;
            this.to = to;
            this.channelId = channelId;
        }

        void onReceived(byte[] digest) {
            received.add(digest);
            lastReceivedNanos = System.nanoTime();
            receivedCount.incrementAndGet();
        }

        void assertExact() {
            List<byte[]> got = List.copyOf(received);
            List<byte[]> want;
            synchronized (this) {
                want = List.copyOf(sent);
            }
            for (int i = 0; i < Math.min(got.size(), want.size()); i++) {
                if (!Arrays.equals(want.get(i), got.get(i))) {
                    int k = i;
                    int elsewhere = java.util.stream.IntStream.range(0, want.size())
                            .filter(j -> Arrays.equals(want.get(j), got.get(k))).findFirst().orElse(-1);
                    fail(this + ": message " + i + " differs from the one sent"
                            + (elsewhere >= 0 ? " (it is message " + elsewhere + ")" : " (sent by nobody)"));
                }
            }
            assertEquals(want.size(), got.size(), this + ": messages received");
        }

        @Override
        public String toString() {
            return "channel " + channelId + " " + from.address().getPort() + "->" + to.address().getPort();
        }
    }

    /** {@code receiver} checks messages as they come: the SHA-256 of each goes to its flow. */
    private static void receiveInto(Node receiver, List<Flow> flows) {
        Map<ChannelRef, Flow> byChannel = new HashMap<>();
        for (Flow f : flows) {
            byChannel.put(new ChannelRef(f.from.publicKey(), f.channelId), f);
        }
        MessageDigest sha = sha256();
        receiver.events().messageSink = (from, channelId, message) -> {
            Flow f = byChannel.get(new ChannelRef(from, channelId));
            if (f == null) {
                throw new AssertionError("a message on an unexpected channel " + channelId);
            }
            f.onReceived(sha.digest(message));
        };
    }

    /**
     * Sends {@code count} messages on the flow's channel, honouring back-pressure: a refused message
     * is sent again after {@link NodeListener#onChannelWritable}, with no other wake-up.
     */
    private static void send(Flow flow, int count, IntFunction<byte[]> message) {
        Channel ch = flow.from.mesh().channel(flow.to.publicKey(), flow.channelId);
        Semaphore writable = flow.from.events().writableSignal(flow.to.publicKey(), flow.channelId);
        MessageDigest sha = sha256();
        long bytes = 0;
        int refusals = 0;
        for (int i = 0; i < count; i++) {
            byte[] m = message.apply(i);
            synchronized (flow) {
                flow.sent.add(sha.digest(m));
            }
            bytes += m.length;
            refusals += sendOrWait(ch, writable, m);
        }
        flow.sentBytes = bytes;
        flow.refusals = refusals;
        flow.expected = count;
    }

    /** Sends {@code m}, waiting for the writable signal after each refusal; returns the refusals. */
    private static int sendOrWait(Channel ch, Semaphore writable, byte[] m) {
        int refusals = 0;
        while (!ch.send(m)) {
            refusals++;
            try {
                if (!writable.tryAcquire(Loopback.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    fail(ch + " refused a message of " + m.length + " bytes and onChannelWritable did not follow within "
                            + Loopback.TIMEOUT.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return refusals;
    }

    private static void awaitAll(Flow f) {
        await(() -> f + ": " + f.receivedCount.get() + " of " + f.expected + " messages; sender's connection "
                        + get(f.from.mesh().channelStats(f.to.publicKey())),
                () -> f.expected >= 0 && f.receivedCount.get() >= f.expected);
    }

    /** Sends {@code count} numbered text messages on {@code ch} and waits until {@code to} has them. */
    private static void exchange(Node from, Channel ch, Node to, int first, int count) {
        RecordingListener events = to.events();
        int target = events.messageCount() + count;
        for (int i = first; i < first + count; i++) {
            assertTrue(ch.send(bytes("message " + i)), "a few short messages fit in an empty channel");
        }
        await(() -> "node " + to.address().getPort() + " to have " + target + " messages, has " + events.messageCount()
                        + "; sender's connection: " + get(from.mesh().channelStats(to.publicKey()))
                        + "; receiver's: " + get(to.mesh().channelStats(from.publicKey())),
                () -> events.messageCount() >= target);
    }

    private static void awaitHandshakeAgeAbove30Ms() {
        // WireGuard takes a new initiation from a key only with a newer TAI64N timestamp (whitened
        // to ~16.8 ms) and at most one per 20 ms: a real restart takes longer than both.
        long t = System.nanoTime();
        await("30 ms since the handshake", () -> System.nanoTime() - t > 30_000_000L);
    }

    private static void assertNoLoss(Node a, Node b) {
        assertEquals(List.of(), List.copyOf(a.events().channelsLost), "channels lost at a");
        assertEquals(List.of(), List.copyOf(b.events().channelsLost), "channels lost at b");
    }

    private static void report(String what, long bytes, long startNanos, long endNanos, Node a, Node b) {
        double secs = (endNanos - startNanos) / 1e9;
        System.out.printf("loopback channel, %s: %.1f MiB in %.2f s = %.1f MB/s; a: %s; b: %s%n", what,
                bytes / (double) MIB, secs, bytes / 1e6 / secs,
                get(a.mesh().channelStats(b.publicKey())), get(b.mesh().channelStats(a.publicKey())));
    }

    // ------------------------------------------------------------ messages

    /**
     * Message sizes adding up to about {@code totalBytes}: the {@code big} ones spread evenly among
     * small and medium ones (empty, a few bytes, up to a packet, up to 64 KiB, up to 256 KiB).
     */
    private static int[] mixedSizes(long seed, long totalBytes, int... big) {
        SplittableRandom r = new SplittableRandom(seed);
        long rest = totalBytes - Arrays.stream(big).asLongStream().sum();
        List<Integer> sizes = new ArrayList<>();
        long sum = 0;
        while (sum < rest) {
            int s = switch (r.nextInt(10)) {
                case 0 -> r.nextInt(0, 16);
                case 1, 2, 3 -> r.nextInt(16, 256);
                case 4, 5, 6 -> r.nextInt(256, 1500);
                case 7, 8 -> r.nextInt(1500, 65_536);
                default -> r.nextInt(65_536, 262_144);
            };
            sizes.add(s);
            sum += s;
        }
        for (int k = 0; k < big.length; k++) {
            sizes.add((int) ((k + 1L) * sizes.size() / (big.length + 1)), big[k]);
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static byte[] randomBytes(long seed, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed * 0x9E3779B97F4A7C15L + length).nextBytes(b);
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> strings(List<byte[]> messages) {
        return messages.stream().map(m -> new String(m, StandardCharsets.UTF_8)).toList();
    }

    private static List<String> numbered(int first, int count) {
        List<String> out = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            out.add("message " + i);
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------ a lossy relay

    /**
     * A UDP relay on loopback between one server (a node) and one client (whoever last sent from
     * another address), that drops, duplicates and reorders WireGuard transport packets (type 4)
     * pseudo-randomly from a fixed seed. Handshake messages pass untouched: a lost one costs
     * WireGuard's 5 s REKEY_TIMEOUT, which is not what this relay is for. {@link #cut} drops
     * everything. One thread; counters are thread-safe.
     */
    static final class LossyRelay implements AutoCloseable {
        private final DatagramChannel channel;
        private final InetSocketAddress server;
        private final SplittableRandom random;
        private final double drop;
        private final double reorder;
        private final double duplicate;
        private final Thread thread;
        final AtomicLong forwarded = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong reordered = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();
        volatile boolean cut;
        private volatile SocketAddress client;

        LossyRelay(InetSocketAddress server, long seed, double drop, double reorder, double duplicate) {
            this.server = server;
            this.random = new SplittableRandom(seed);
            this.drop = drop;
            this.reorder = reorder;
            this.duplicate = duplicate;
            try {
                channel = DatagramChannel.open(StandardProtocolFamily.INET);
                channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
                channel.bind(new InetSocketAddress(Loopback.LOCALHOST, 0));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            thread = Thread.ofPlatform().name("lossy-relay-" + address().getPort()).daemon().start(this::relay);
        }

        InetSocketAddress address() {
            try {
                return (InetSocketAddress) channel.getLocalAddress();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void relay() {
            ByteBuffer buf = ByteBuffer.allocate(65535);
            ByteBuffer[] held = new ByteBuffer[2]; // per direction: a packet held back to go after the next
            try {
                while (true) {
                    buf.clear();
                    SocketAddress from = channel.receive(buf);
                    buf.flip();
                    int dir;
                    SocketAddress to;
                    if (from.equals(server)) {
                        dir = 0;
                        to = client;
                    } else {
                        client = from;
                        dir = 1;
                        to = server;
                    }
                    if (to == null || cut) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    boolean transport = buf.remaining() > 0 && buf.get(0) == 4;
                    double x = transport ? random.nextDouble() : 1;
                    if (x < drop) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    if (x < drop + reorder && held[dir] == null) {
                        held[dir] = ByteBuffer.allocate(buf.remaining()).put(buf).flip();
                        reordered.incrementAndGet();
                        continue;
                    }
                    if (x < drop + reorder + duplicate) {
                        duplicated.incrementAndGet();
                        channel.send(buf.duplicate(), to);
                    }
                    channel.send(buf, to);
                    forwarded.incrementAndGet();
                    if (held[dir] != null) {
                        channel.send(held[dir], to);
                        held[dir] = null;
                        forwarded.incrementAndGet();
                    }
                }
            } catch (ClosedChannelException e) {
                // closed: done
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws InterruptedException, IOException {
            channel.close();
            thread.join(5_000);
        }

        @Override
        public String toString() {
            return "forwarded " + forwarded + ", dropped " + dropped + ", reordered " + reordered
                    + ", duplicated " + duplicated;
        }
    }
}
