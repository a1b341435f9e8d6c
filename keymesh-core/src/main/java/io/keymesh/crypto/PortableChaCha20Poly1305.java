package io.keymesh.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * ChaCha20-Poly1305 (RFC 8439 section 2.8) with WireGuard's nonce (32 zero bits, then a 64-bit
 * little-endian counter), built from {@link ChaCha20} and {@link Poly1305}: no allocation per call
 * and no key object — the raw 32-byte key is passed on each call.
 *
 * <p>Not thread-safe: one instance per thread. Input and output may be the same region (in place).
 * The tag is compared in constant time.
 */
public final class PortableChaCha20Poly1305 implements Aead {
    /** Key length in bytes. */
    public static final int KEY_LENGTH = 32;
    /** Tag length in bytes. */
    public static final int TAG_LENGTH = 16;
    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ChaCha20 chacha = new ChaCha20();
    private final Poly1305 poly = new Poly1305();
    private final byte[] block = new byte[64];
    private final byte[] lengths = new byte[16];
    private final byte[] tag = new byte[TAG_LENGTH];

    /**
     * Encrypts {@code in[inOff..inOff+len)} with associated data {@code aad[0..aadLen)} (aad may be
     * null when aadLen is 0) and writes ciphertext plus tag to {@code out[outOff..outOff+len+16)}.
     *
     * @return {@code len + 16}
     */
    @Override
    public int seal(byte[] key, long counter, byte[] aad, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
        start(key, counter, aad, aadLen);
        chacha.xor(1, 0, (int) counter, (int) (counter >>> 32), in, inOff, len, out, outOff);
        finishTag(out, outOff, len, aadLen);
        System.arraycopy(tag, 0, out, outOff + len, TAG_LENGTH);
        return len + TAG_LENGTH;
    }

    /**
     * Authenticates and decrypts {@code in[inOff..inOff+len)} (ciphertext plus tag), writing the
     * plaintext to {@code out[outOff..outOff+len-16)}. Nothing is written unless the tag verifies.
     *
     * @return the plaintext length, or -1 if the input is shorter than a tag or does not authenticate
     */
    @Override
    public int open(byte[] key, long counter, byte[] aad, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
        int n = len - TAG_LENGTH;
        if (n < 0) {
            return -1;
        }
        start(key, counter, aad, aadLen);
        finishTag(in, inOff, n, aadLen);
        int diff = 0;
        for (int i = 0; i < TAG_LENGTH; i++) {
            diff |= tag[i] ^ in[inOff + n + i];
        }
        if (diff != 0) {
            return -1;
        }
        chacha.xor(1, 0, (int) counter, (int) (counter >>> 32), in, inOff, n, out, outOff);
        return n;
    }

    private void start(byte[] key, long counter, byte[] aad, int aadLen) {
        chacha.setKey(key, 0);
        chacha.keyStream(0, 0, (int) counter, (int) (counter >>> 32), block);
        poly.init(block, 0);
        if (aadLen > 0) {
            poly.update(aad, 0, aadLen);
            poly.padToBlock();
        }
    }

    private void finishTag(byte[] ciphertext, int off, int len, int aadLen) {
        poly.update(ciphertext, off, len);
        poly.padToBlock();
        LE64.set(lengths, 0, (long) aadLen);
        LE64.set(lengths, 8, (long) len);
        poly.update(lengths, 0, 16);
        poly.finish(tag, 0);
    }
}
