package io.keymesh.bench;

import io.keymesh.session.EnginePair;
import io.keymesh.session.ProtocolConstants;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Complete WireGuard handshakes per second between two {@link io.keymesh.session.SessionEngine}s
 * in memory (both sides' work on one thread): A's initiation, B's response, A's first transport
 * packet (a keepalive), after which both use the new keypair. Side by side, the raw cost it is
 * built on: BouncyCastle X25519 agreements per second, and public-key derivations (fixed-base
 * multiplications, as for an ephemeral key) per second.
 *
 * <p>A handshake costs both sides together 8 agreements (initiator: es, ss, ee, se; responder the
 * same four) and 2 ephemeral key generations, plus BLAKE2s hashing, HKDF, three AEADs, mac1 and
 * TAI64N; so handshakes/s can be at most about agreements/s ÷ 8 (less for the key generations).
 *
 * <p>Each handshake advances the engine clock by {@link #STEP} (more than REKEY_TIMEOUT, so A may
 * initiate again and the TAI64N timestamp grows, and more than a second, so B never counts itself
 * under load and asks for cookies). Ephemeral keys come from a seeded {@link SplittableRandom}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class HandshakeBenchmark {
    /** Engine time between handshakes. */
    static final long STEP = ProtocolConstants.REKEY_TIMEOUT + ProtocolConstants.SECOND;

    private EnginePair pair;
    private final byte[] privateKey = new byte[X25519.SCALAR_SIZE];
    private final byte[] publicKey = new byte[X25519.POINT_SIZE];
    private final byte[] out = new byte[X25519.POINT_SIZE];

    @Setup(Level.Trial)
    public void setUp() {
        pair = EnginePair.zeroCopy(42);
        SplittableRandom r = new SplittableRandom(1);
        byte[] other = new byte[X25519.SCALAR_SIZE];
        r.nextBytes(other);
        X25519.scalarMultBase(other, 0, publicKey, 0);
        r.nextBytes(privateKey);
    }

    @Benchmark
    public long handshakeKeymesh() {
        pair.now += STEP;
        pair.handshake();
        return pair.b.handshakes;
    }

    @Benchmark
    public boolean x25519Agreement() {
        return X25519.calculateAgreement(privateKey, 0, publicKey, 0, out, 0);
    }

    @Benchmark
    public byte[] x25519PublicKey() {
        X25519.scalarMultBase(privateKey, 0, out, 0);
        return out;
    }
}
