package io.keymesh.crypto;

import java.security.SecureRandom;

/**
 * Curve25519 Diffie-Hellman (RFC 7748) on raw 32-byte little-endian keys.
 *
 * <p>Stateless and thread-safe. Private keys are clamped as RFC 7748 section 5 and {@code wg genkey}
 * do; the scalar multiplication clamps again, so unclamped input gives the same result.
 */
public final class X25519 {
    /** Length in bytes of private keys, public keys and shared secrets. */
    public static final int KEY_LENGTH = 32;

    private X25519() {}

    /** Clamps a private key in place (RFC 7748 section 5, "decodeScalar25519"). */
    public static void clamp(byte[] privateKey) {
        privateKey[0] &= (byte) 248;
        privateKey[31] &= 127;
        privateKey[31] |= 64;
    }

    /** A new clamped private key from {@code random}. */
    public static byte[] generatePrivateKey(SecureRandom random) {
        byte[] key = new byte[KEY_LENGTH];
        random.nextBytes(key);
        clamp(key);
        return key;
    }

    /** The public key of {@code privateKey}: X25519(k, 9). */
    public static byte[] publicKey(byte[] privateKey) {
        byte[] pub = new byte[KEY_LENGTH];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(privateKey, 0, pub, 0);
        return pub;
    }

    /**
     * Computes X25519(privateKey, publicKey) into {@code out[outOff..outOff+32)}.
     *
     * @return false if the result is all zeros (a low-order public key), which callers must reject
     */
    public static boolean sharedSecret(byte[] privateKey, byte[] publicKey, byte[] out, int outOff) {
        return org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(
                privateKey, 0, publicKey, 0, out, outOff);
    }
}
