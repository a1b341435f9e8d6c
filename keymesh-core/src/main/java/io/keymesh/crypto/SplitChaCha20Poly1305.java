package io.keymesh.crypto;

/**
 * ChaCha20-Poly1305 that sends each call to the faster implementation for its length: the JDK's
 * ({@link ChaCha20Poly1305}) from {@link #JDK_FROM_LENGTH} bytes, the portable one
 * ({@link PortableChaCha20Poly1305}) below. Both compute the same bytes (RFC 8439); they differ in
 * cost: SunJCE has fast intrinsics per byte but a fixed cost of about 0.7 µs and 2 KiB of
 * allocation per call (a new initialisation per nonce), which dominates short packets — keepalives,
 * acknowledgements, small datagrams — where the portable code is faster and allocates nothing.
 *
 * <p>Not thread-safe: one instance per thread, like the two it holds.
 */
public final class SplitChaCha20Poly1305 implements Aead {
    /**
     * Inputs of this many bytes or more go to the JDK's implementation. Near where the two cost the
     * same on JDK 25 (measured on x86-64 with AVX-512: about 0.75 µs each at 256 bytes).
     */
    public static final int JDK_FROM_LENGTH = 256;

    private final ChaCha20Poly1305 jdk = new ChaCha20Poly1305();
    private final PortableChaCha20Poly1305 portable = new PortableChaCha20Poly1305();

    @Override
    public int seal(byte[] key, long counter, byte[] aad, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
        return len >= JDK_FROM_LENGTH
                ? jdk.seal(key, counter, aad, aadLen, in, inOff, len, out, outOff)
                : portable.seal(key, counter, aad, aadLen, in, inOff, len, out, outOff);
    }

    @Override
    public int open(byte[] key, long counter, byte[] aad, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
        return len - TAG_LENGTH >= JDK_FROM_LENGTH
                ? jdk.open(key, counter, aad, aadLen, in, inOff, len, out, outOff)
                : portable.open(key, counter, aad, aadLen, in, inOff, len, out, outOff);
    }
}
