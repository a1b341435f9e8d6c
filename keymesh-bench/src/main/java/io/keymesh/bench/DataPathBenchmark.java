package io.keymesh.bench;

import io.keymesh.crypto.Aead;
import io.keymesh.session.EnginePair;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.SessionTestAccess;
import java.security.GeneralSecurityException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 * The transport data path, in packets per second of {@value #PAYLOAD}-byte payloads, through
 * {@link SessionEngine} between two engines with an established session, side by side with the same
 * work done by a bare {@code javax.crypto.Cipher} ChaCha20-Poly1305 loop (the baseline: what the
 * engine's crypto alone costs).
 *
 * <ul>
 *   <li>{@code seal*}: encrypt one payload in place. The engine also writes the header, pads to
 *       1,408 bytes and hands the 1,440-byte packet to its sink (which drops it); the baseline
 *       encrypts 1,400 bytes ({@link Jce#baselinePayload}) with a fresh nonce.
 *   <li>{@code open*}: decrypt and authenticate one packet in place. Each call first copies a
 *       pristine sealed packet from a ring of {@value #RING} into the work buffer (decryption
 *       destroys it), in both variants. The engine's packets carry counters 1..{@value #RING}; a
 *       counter is accepted once per replay window, so the receiver's window is emptied whenever
 *       the ring wraps (once per {@value #RING} packets, through {@link SessionTestAccess}). The
 *       engine also looks up the receiver index, checks the replay window, updates timers and
 *       counters and delivers the payload to its sink.
 *   <li>{@code roundTrip*}: seal by one side then open by the other, with fresh counters and no
 *       copy or replay reset: the open cost without any benchmark artefact is roundTrip − seal.
 * </ul>
 *
 * <p>{@code *Keymesh} engines use their default transport AEAD (the JDK's SunJCE cipher);
 * {@code *KeymeshPortable} engines use {@code Aead.portable()}, keymesh's allocation-free one.
 *
 * <p>The engine clock stays fixed at the handshake time: the keypair never ages, so no rekey or
 * expiry happens during a run. Every iteration checks that no packet was dropped.
 *
 * <p>Six one-second warmups: on a 2-vCPU machine C2 takes 4–5 s to compile SunJCE's ChaCha20
 * intrinsics in. The heap is fixed at 1 GiB and pre-touched, so that its growth adds no page
 * faults to the measurement (the JCE path allocates about 2 KiB per packet, see
 * {@link AeadAllocationBenchmark}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class DataPathBenchmark {
    /** Payload bytes per packet: a typical tunnel MTU's worth. */
    static final int PAYLOAD = 1400;
    /** Pre-sealed packets in the open rings; a power of two, well inside the replay window. */
    static final int RING = 256;
    private static final int MASK = RING - 1;
    private static final int TAG = 16;

    private EnginePath jdk;
    private EnginePath portable;

    /**
     * Two engines (A sends, B receives) with a session, and the buffers the keymesh benchmarks use.
     * Not a JMH state: {@link DataPathBenchmark} holds one per transport AEAD.
     */
    static final class EnginePath {
        final EnginePair pair;
        final int packetLength;
        final byte[] sendBuf;
        final byte[] roundTripBuf;
        final byte[] sealedRing;
        final byte[] openBuf;
        int ringNext;

        EnginePath(String aead) {
            pair = EnginePair.zeroCopy(42);
            pair.setTransportAead(Aead.named(aead));
            pair.handshake();
            SessionEngine a = pair.a.engine;
            packetLength = SessionEngine.SEND_HEADROOM + PAYLOAD + a.sendTailroom(PAYLOAD);
            sendBuf = new byte[packetLength];
            roundTripBuf = new byte[packetLength];
            openBuf = new byte[packetLength];
            // First payload byte 0x00: mesh frames, delivered whole (0x4?/0x6? would be parsed as IP).
            sealedRing = new byte[RING * packetLength];
            for (int i = 0; i < RING; i++) {
                byte[] p = new byte[packetLength];
                new SplittableRandom(i).nextBytes(p);
                p[SessionEngine.SEND_HEADROOM] = 0;
                a.send(pair.now, pair.a.peer, p, SessionEngine.SEND_HEADROOM, PAYLOAD);
                if (pair.a.pending != p || pair.a.pendingOff != 0 || pair.a.pendingLen != packetLength) {
                    throw new IllegalStateException("unexpected packet layout");
                }
                pair.a.discard();
                System.arraycopy(p, 0, sealedRing, i * packetLength, packetLength);
            }
        }

        long seal() {
            EnginePair.Side a = pair.a;
            a.engine.send(pair.now, a.peer, sendBuf, SessionEngine.SEND_HEADROOM, PAYLOAD);
            a.discard();
            return a.transmitCount;
        }

        long open() {
            int i = ringNext;
            ringNext = (i + 1) & MASK;
            if (i == 0) {
                SessionTestAccess.resetReplayWindow(pair.b.peer);
            }
            System.arraycopy(sealedRing, i * packetLength, openBuf, 0, packetLength);
            pair.b.engine.receive(pair.now, openBuf, 0, packetLength, EnginePair.ADDR_A);
            return pair.b.deliverCount;
        }

        long roundTrip() {
            pair.a.engine.send(pair.now, pair.a.peer, roundTripBuf, SessionEngine.SEND_HEADROOM, PAYLOAD);
            pair.flush();
            return pair.b.deliverCount;
        }

        void checkNothingDropped() {
            long drops = pair.a.engine.droppedTotal() + pair.b.engine.droppedTotal();
            if (drops != 0) {
                throw new IllegalStateException(drops + " packets dropped: the benchmark measured drops");
            }
        }
    }

    /**
     * The baseline's state: a bare SunJCE cipher per direction. Its payload length is a parameter
     * ({@code -p baselinePayload=1408}): the engine pads 1,400 bytes to 1,408 (22 ChaCha20 blocks,
     * 88 Poly1305 blocks), which the intrinsics handle without a partial block.
     */
    @State(Scope.Thread)
    public static class Jce {
        @Param({"1400"})
        int baselinePayload;

        Cipher seal;
        Cipher open;
        SecretKey key;
        final byte[] nonce = new byte[12];
        long counter;
        byte[] sealBuf;
        byte[] roundTripBuf;
        byte[] sealedRing;
        byte[] openBuf;
        int ringNext;

        @Setup(Level.Trial)
        public void setUp() throws GeneralSecurityException {
            int n = baselinePayload + TAG;
            byte[] raw = new byte[32];
            new SplittableRandom(7).nextBytes(raw);
            key = new SecretKeySpec(raw, "ChaCha20");
            seal = Cipher.getInstance("ChaCha20-Poly1305");
            open = Cipher.getInstance("ChaCha20-Poly1305");
            sealBuf = new byte[n];
            roundTripBuf = new byte[n];
            openBuf = new byte[n];
            sealedRing = new byte[RING * n];
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            for (int i = 0; i < RING; i++) {
                byte[] p = new byte[n];
                new SplittableRandom(i).nextBytes(p);
                c.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce(new byte[12], ringCounter(i))));
                c.doFinal(p, 0, baselinePayload, p, 0);
                System.arraycopy(p, 0, sealedRing, i * n, n);
            }
            // The sealing cipher's counters start past the ring's, so its key+nonce never repeats one.
            counter = RING + 1;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        jdk = new EnginePath("jdk");
        portable = new EnginePath("portable");
    }

    @TearDown(Level.Iteration)
    public void checkNothingDropped() {
        jdk.checkNothingDropped();
        portable.checkNothingDropped();
    }

    // ---------------------------------------------------------------- seal

    @Benchmark
    public long sealKeymesh() {
        return jdk.seal();
    }

    @Benchmark
    public long sealKeymeshPortable() {
        return portable.seal();
    }

    @Benchmark
    public int sealJce(Jce s) throws GeneralSecurityException {
        s.seal.init(Cipher.ENCRYPT_MODE, s.key, new IvParameterSpec(nonce(s.nonce, s.counter++)));
        return s.seal.doFinal(s.sealBuf, 0, s.baselinePayload, s.sealBuf, 0);
    }

    // ---------------------------------------------------------------- open

    @Benchmark
    public long openKeymesh() {
        return jdk.open();
    }

    @Benchmark
    public long openKeymeshPortable() {
        return portable.open();
    }

    @Benchmark
    public int openJce(Jce s) throws GeneralSecurityException {
        int i = s.ringNext;
        s.ringNext = (i + 1) & MASK;
        int n = s.baselinePayload + TAG;
        System.arraycopy(s.sealedRing, i * n, s.openBuf, 0, n);
        s.open.init(Cipher.DECRYPT_MODE, s.key, new IvParameterSpec(nonce(s.nonce, ringCounter(i))));
        return s.open.doFinal(s.openBuf, 0, n, s.openBuf, 0);
    }

    // ---------------------------------------------------------------- seal, then open

    @Benchmark
    public long roundTripKeymesh() {
        return jdk.roundTrip();
    }

    @Benchmark
    public long roundTripKeymeshPortable() {
        return portable.roundTrip();
    }

    @Benchmark
    public int roundTripJce(Jce s) throws GeneralSecurityException {
        long counter = s.counter++;
        s.seal.init(Cipher.ENCRYPT_MODE, s.key, new IvParameterSpec(nonce(s.nonce, counter)));
        int n = s.seal.doFinal(s.roundTripBuf, 0, s.baselinePayload, s.roundTripBuf, 0);
        s.open.init(Cipher.DECRYPT_MODE, s.key, new IvParameterSpec(nonce(s.nonce, counter)));
        return s.open.doFinal(s.roundTripBuf, 0, n, s.roundTripBuf, 0);
    }

    // ---------------------------------------------------------------- helpers

    /** The counter of the ring's packet {@code i}: 1..RING, as the engine's (0 went to the handshake keepalive). */
    private static long ringCounter(int i) {
        return i + 1;
    }

    /** WireGuard's nonce: four zero bytes, then the counter little-endian. */
    private static byte[] nonce(byte[] nonce, long counter) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        return nonce;
    }
}
