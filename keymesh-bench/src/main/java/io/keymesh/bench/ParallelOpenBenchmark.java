package io.keymesh.bench;

import io.keymesh.crypto.Aead;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.io.DatagramBatch;
import io.keymesh.io.NodeIo;
import io.keymesh.node.EngineLoop;
import io.keymesh.session.Endpoint;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.SessionEvents;
import io.keymesh.session.SessionTestAccess;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.testing.TestKeys;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The receiver alone: batches of sealed transport packets handed to an {@link EngineLoop} as one
 * receive call of the batched I/O would hand them ({@link NodeIo.Receiver#receive(DatagramBatch)}),
 * with {@code workers} crypto workers (0: the loop thread opens every packet, as before). The score is
 * batches per second; times {@code packets} it is packets per second. Each batch is first copied
 * from a ring of pre-sealed packets into the batch's buffer (decryption destroys it), in every
 * variant; the receiver's replay window is emptied whenever the ring wraps.
 *
 * <p>The loop's I/O is a stand-in ({@link BenchIo}): a fixed clock (the keypair never ages), sends
 * kept (only during the handshake), tasks run at once. The engine looks up each packet's keypair,
 * the workers and the benchmark thread (the loop thread here) open the packets, and the benchmark
 * thread takes each through the replay window, timers and delivery (to a counter), in order. Every
 * iteration checks that every packet was delivered and none dropped.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class ParallelOpenBenchmark {
    private static final int RING = 1024;
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("127.0.0.2", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("127.0.0.1", 51820);

    @Param({"0", "1"})
    int workers;

    @Param({"4", "16", "64"})
    int packets;

    @Param({"1400"})
    int payload;

    @Param({"jdk"})
    String aead;

    private EngineLoop loop;
    private BenchIo io;
    private Peer peerOnB;
    private final long[] delivered = new long[1];
    private long expected;
    private byte[] ring;
    private int packetLength;
    private int ringNext;
    private DatagramBatch batch;

    /** The loop's world, reduced to what the benchmark needs. */
    static final class BenchIo implements NodeIo {
        final long now = 1_000_000_000_000L;
        final RandomGenerator random = new SplittableRandom(2);
        final List<byte[]> sent = new ArrayList<>();
        Receiver receiver;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public long wallClockOffsetNanos() {
            return 1_700_000_000L * 1_000_000_000L;
        }

        @Override
        public RandomGenerator random() {
            return random;
        }

        @Override
        public InetSocketAddress localAddress() {
            return ADDR_B;
        }

        @Override
        public void start(Receiver r) {
            receiver = r;
        }

        @Override
        public void send(InetSocketAddress to, byte[] buf, int off, int len) {
            sent.add(java.util.Arrays.copyOfRange(buf, off, off + len));
        }

        @Override
        public boolean concurrentSends() {
            return true;
        }

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public Timer schedule(long atNanos, Runnable task) {
            return () -> { };
        }

        @Override
        public boolean inLoop() {
            return true;
        }

        @Override
        public void close() {}
    }

    @Setup(Level.Trial)
    public void setUp() {
        PrivateKey keyA = TestKeys.key(new SplittableRandom(11));
        PrivateKey keyB = TestKeys.key(new SplittableRandom(12));
        io = new BenchIo();
        loop = new EngineLoop(io, keyB, new SessionEvents() {
            @Override
            public void deliver(Peer peer, Endpoint from, int kind, byte[] payload, int off, int len) {
                delivered[0]++;
            }
        });
        loop.openOnWorkers(workers, aead);
        loop.start();
        SessionEngine b = loop.engine();
        b.setTransportAead(Aead.named(aead));
        List<byte[]> fromA = new ArrayList<>();
        SessionEngine a = new SessionEngine(keyA, new SplittableRandom(3), io.wallClockOffsetNanos(),
                (to, buf, off, len) -> fromA.add(java.util.Arrays.copyOfRange(buf, off, off + len)),
                (peer, from, kind, p, off, len) -> { });
        a.setTransportAead(Aead.named(aead));
        Peer peerOnA = a.addPeer(keyB.publicKey(), PresharedKey.ZERO);
        peerOnA.setEndpoint(new UdpEndpoint(ADDR_B));
        peerOnB = b.addPeer(keyA.publicKey(), PresharedKey.ZERO);
        peerOnB.setEndpoint(new UdpEndpoint(ADDR_A));
        long now = io.now;
        a.initiateHandshake(now, peerOnA);
        deliverToB(fromA);
        for (byte[] p : io.sent) {
            a.receive(now, p, 0, p.length, new UdpEndpoint(ADDR_B));
        }
        io.sent.clear();
        deliverToB(fromA); // A's first packet on the new keypair confirms it at B
        if (peerOnB.rxPackets() == 0) {
            throw new IllegalStateException("no session: B received nothing from A");
        }
        packetLength = SessionEngine.SEND_HEADROOM + payload + a.sendTailroom(payload);
        ring = new byte[RING * packetLength];
        for (int i = 0; i < RING; i++) {
            byte[] buf = new byte[packetLength];
            new SplittableRandom(i).nextBytes(buf);
            buf[SessionEngine.SEND_HEADROOM] = 0; // mesh frames, delivered whole
            a.send(now, peerOnA, buf, SessionEngine.SEND_HEADROOM, payload);
            byte[] sealed = fromA.removeFirst();
            if (sealed.length != packetLength) {
                throw new IllegalStateException("unexpected packet length " + sealed.length);
            }
            System.arraycopy(sealed, 0, ring, i * packetLength, packetLength);
        }
        batch = new DatagramBatch(packets, packets * packetLength, (from, e) -> {
            throw new IllegalStateException("receiving failed on a datagram from " + from, e);
        });
        SessionTestAccess.resetReplayWindow(peerOnB);
        delivered[0] = 0;
    }

    private void deliverToB(List<byte[]> fromA) {
        for (byte[] p : fromA) {
            io.receiver.receive(ADDR_A, p, 0, p.length);
        }
        fromA.clear();
    }

    @TearDown(Level.Iteration)
    public void check() {
        long drops = loop.engine().droppedTotal();
        if (drops != 0 || delivered[0] != expected) {
            throw new IllegalStateException(drops + " dropped, " + delivered[0] + " of " + expected + " delivered");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.printf("%n%d of %d batches opened with the workers%n", loop.parallelBatches(), expected / packets);
        if (workers > 0 && loop.parallelBatches() == 0) {
            throw new IllegalStateException("the workers never helped: the batches were below the threshold");
        }
        loop.close();
    }

    @Benchmark
    public long receiveBatch() {
        batch.clear();
        for (int k = 0; k < packets; k++) {
            int i = ringNext;
            ringNext = (i + 1) & (RING - 1);
            if (i == 0) {
                SessionTestAccess.resetReplayWindow(peerOnB);
            }
            batch.add(ADDR_A, ring, i * packetLength, packetLength);
        }
        io.receiver.receive(batch);
        expected += packets;
        return delivered[0];
    }
}
