package io.keymesh.bench;

import io.keymesh.crypto.Aead;
import io.keymesh.crypto.ChaCha20Poly1305;
import java.security.GeneralSecurityException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;
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
 * Where the data path's per-packet allocation comes from: run with {@code -prof gc} and read
 * {@code gc.alloc.rate.norm} (bytes per operation). Each benchmark is one layer of
 * {@link DataPathBenchmark}'s seal and open, so differences between them locate the bytes:
 *
 * <ul>
 *   <li>{@code ivParameterSpec}: the {@code new IvParameterSpec(nonce)} that every
 *       {@code Cipher.init} needs (it copies the nonce);
 *   <li>{@code initEncrypt}, {@code initDecrypt}: {@code Cipher.init} with a new nonce and a
 *       prepared key, without {@code doFinal};
 *   <li>{@code jdkSealPreparedKey}: {@link ChaCha20Poly1305#seal(SecretKey, long, byte[], byte[], int, int, byte[], int)},
 *       init + doFinal in place with a {@code SecretKey} made once;
 *   <li>{@code jdkSeal}, {@code jdkOpen}: {@link Aead#jdk()} on a raw key, as {@code SessionEngine}
 *       calls it (the key object is made per call);
 *   <li>{@code portableSeal}, {@code portableOpen}: {@link Aead#portable()}.
 * </ul>
 *
 * Opens work on a copy of a pre-sealed packet from a ring, as {@link DataPathBenchmark} does.
 * Not a comparison: a diagnostic, with short runs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class AeadAllocationBenchmark {
    private static final int PAYLOAD = DataPathBenchmark.PAYLOAD;
    private static final int RING = DataPathBenchmark.RING;
    private static final int TAG = Aead.TAG_LENGTH;

    private final byte[] nonce = new byte[ChaCha20Poly1305.NONCE_LENGTH];
    private final byte[] rawKey = new byte[32];
    private Cipher cipher;
    private SecretKey key;
    private ChaCha20Poly1305 jdkAead;
    private Aead portableAead;
    private long counter;
    private byte[] buf;
    private byte[] sealedRing;
    private byte[] openBuf;
    private int ringNext;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        new SplittableRandom(7).nextBytes(rawKey);
        key = ChaCha20Poly1305.key(rawKey);
        cipher = Cipher.getInstance("ChaCha20-Poly1305");
        jdkAead = new ChaCha20Poly1305();
        portableAead = Aead.portable();
        buf = new byte[PAYLOAD + TAG];
        openBuf = new byte[PAYLOAD + TAG];
        sealedRing = new byte[RING * (PAYLOAD + TAG)];
        for (int i = 0; i < RING; i++) {
            byte[] p = new byte[PAYLOAD + TAG];
            new SplittableRandom(i).nextBytes(p);
            jdkAead.seal(rawKey, i, null, 0, p, 0, PAYLOAD, p, 0);
            System.arraycopy(p, 0, sealedRing, i * (PAYLOAD + TAG), PAYLOAD + TAG);
        }
        counter = RING;
    }

    @Benchmark
    public IvParameterSpec ivParameterSpec() {
        return new IvParameterSpec(nonce(counter++));
    }

    @Benchmark
    public Cipher initEncrypt() throws GeneralSecurityException {
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce(counter++)));
        return cipher;
    }

    @Benchmark
    public Cipher initDecrypt() throws GeneralSecurityException {
        cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce(counter++)));
        return cipher;
    }

    @Benchmark
    public int jdkSealPreparedKey() {
        return jdkAead.seal(key, counter++, null, buf, 0, PAYLOAD, buf, 0);
    }

    @Benchmark
    public int jdkSeal() {
        return jdkAead.seal(rawKey, counter++, null, 0, buf, 0, PAYLOAD, buf, 0);
    }

    @Benchmark
    public int jdkOpen() {
        return open(jdkAead);
    }

    @Benchmark
    public int portableSeal() {
        return portableAead.seal(rawKey, counter++, null, 0, buf, 0, PAYLOAD, buf, 0);
    }

    @Benchmark
    public int portableOpen() {
        return open(portableAead);
    }

    private int open(Aead aead) {
        int i = ringNext;
        ringNext = (i + 1) & (RING - 1);
        System.arraycopy(sealedRing, i * (PAYLOAD + TAG), openBuf, 0, PAYLOAD + TAG);
        int n = aead.open(rawKey, i, null, 0, openBuf, 0, PAYLOAD + TAG, openBuf, 0);
        if (n != PAYLOAD) {
            throw new IllegalStateException("open failed: " + n);
        }
        return n;
    }

    private byte[] nonce(long c) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (c >>> (8 * i));
        }
        return nonce;
    }
}
