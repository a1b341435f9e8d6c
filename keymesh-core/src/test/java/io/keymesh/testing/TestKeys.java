package io.keymesh.testing;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Keys for tests: fresh ones from {@link SecureRandom} ({@link #newKey}, {@link #newNetworkKey}),
 * or reproducible ones from a seeded generator ({@link #key}, {@link #networkKey}), each taking the
 * generator's next 32 bytes, so the same seed and the same order of calls give the same keys.
 *
 * <p>Thread-safe; a seeded generator passed in is not, and belongs to the caller.
 */
public final class TestKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestKeys() {}

    /** A fresh private key. */
    public static PrivateKey newKey() {
        return PrivateKey.generate(RANDOM);
    }

    /** A fresh network key (the preshared key every member of a mesh shares). */
    public static PresharedKey newNetworkKey() {
        return PresharedKey.generate(RANDOM);
    }

    /** A private key from the next 32 bytes of {@code r}. */
    public static PrivateKey key(SplittableRandom r) {
        return PrivateKey.of(next32(r));
    }

    /** A network key from the next 32 bytes of {@code r}. */
    public static PresharedKey networkKey(SplittableRandom r) {
        return PresharedKey.of(next32(r));
    }

    private static byte[] next32(SplittableRandom r) {
        byte[] b = new byte[32];
        r.nextBytes(b);
        return b;
    }
}
