package io.keymesh.crypto;

import java.util.Arrays;

/**
 * WireGuard's KDF<sub>n</sub>(key, input): HKDF (RFC 5869) with HMAC-BLAKE2s, an empty info and
 * n 32-byte outputs (WireGuard whitepaper section 5.4).
 *
 * <pre>
 *   t0 = HMAC(key, input)
 *   t1 = HMAC(t0, 0x1)
 *   t2 = HMAC(t0, t1 || 0x2)
 *   t3 = HMAC(t0, t2 || 0x3)
 * </pre>
 *
 * <p>Stateless and thread-safe. The pseudo-random key t0 is wiped before return.
 */
public final class Kdf {
    private static final byte[] ONE = {1};
    private static final byte[] TWO = {2};
    private static final byte[] THREE = {3};

    private Kdf() {}

    /** KDF1: returns {@code [t1]}. */
    public static byte[][] kdf1(byte[] key, byte[] input) {
        return kdf(key, input, 1);
    }

    /** KDF2: returns {@code [t1, t2]}. */
    public static byte[][] kdf2(byte[] key, byte[] input) {
        return kdf(key, input, 2);
    }

    /** KDF3: returns {@code [t1, t2, t3]}. */
    public static byte[][] kdf3(byte[] key, byte[] input) {
        return kdf(key, input, 3);
    }

    private static byte[][] kdf(byte[] key, byte[] input, int n) {
        byte[] prk = HmacBlake2s.hmac(key, input);
        byte[][] out = new byte[n][];
        out[0] = HmacBlake2s.hmac(prk, ONE);
        if (n > 1) {
            out[1] = HmacBlake2s.hmac(prk, out[0], TWO);
        }
        if (n > 2) {
            out[2] = HmacBlake2s.hmac(prk, out[1], THREE);
        }
        Arrays.fill(prk, (byte) 0);
        return out;
    }
}
