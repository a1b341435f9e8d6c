package io.keymesh.crypto;

/**
 * ChaCha20-Poly1305 with WireGuard's nonce (32 zero bits, then the 64-bit little-endian counter)
 * on raw 32-byte keys. Two implementations, measured side by side in {@code keymesh-bench}:
 * <ul>
 *   <li>{@link #jdk()}: the JDK's SunJCE cipher, with intrinsics on JDK 25 — the faster one, but it
 *       allocates about 2 KiB per call (SunJCE builds new engine objects on every initialisation);
 *       inputs shorter than {@link SplitChaCha20Poly1305#JDK_FROM_LENGTH} bytes, where that fixed
 *       cost dominates, go to the portable code ({@link SplitChaCha20Poly1305});
 *   <li>{@link #portable()}: {@link PortableChaCha20Poly1305}, plain Java, allocation-free.
 * </ul>
 *
 * <p>Instances are not thread-safe; use one per thread. Input and output may be the same region.
 */
public interface Aead {
    /** Authentication tag length in bytes. */
    int TAG_LENGTH = 16;

    /**
     * Encrypts {@code in[inOff..inOff+len)} with associated data {@code aad[0..aadLen)} (aad may be
     * null when aadLen is 0), writing ciphertext and tag to {@code out[outOff..outOff+len+16)}.
     *
     * @return {@code len + 16}
     */
    int seal(byte[] key, long counter, byte[] aad, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff);

    /**
     * Authenticates and decrypts {@code in[inOff..inOff+len)} (ciphertext and tag), writing the
     * plaintext to {@code out[outOff..outOff+len-16)}.
     *
     * @return the plaintext length, or -1 if the input is shorter than a tag or does not authenticate
     */
    int open(byte[] key, long counter, byte[] aad, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff);

    /** A new JDK-backed instance. */
    static Aead jdk() {
        return new SplitChaCha20Poly1305();
    }

    /** A new allocation-free instance. */
    static Aead portable() {
        return new PortableChaCha20Poly1305();
    }

    /** A new instance of the named implementation: {@code "jdk"} or {@code "portable"}. */
    static Aead named(String name) {
        return switch (name) {
            case "jdk" -> jdk();
            case "portable" -> portable();
            default -> throw new IllegalArgumentException("unknown AEAD implementation '" + name + "' (jdk or portable)");
        };
    }
}
