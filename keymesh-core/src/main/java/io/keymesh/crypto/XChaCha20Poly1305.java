package io.keymesh.crypto;

import java.util.Arrays;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03): ChaCha20-Poly1305 with a 192-bit nonce, used by
 * WireGuard's cookie reply. The subkey is HChaCha20(key, nonce[0..16)); the inner nonce is
 * 32 zero bits followed by nonce[16..24).
 *
 * <p>Not thread-safe (holds a {@link ChaCha20Poly1305}); one instance per thread.
 */
public final class XChaCha20Poly1305 {
    /** Nonce length in bytes. */
    public static final int NONCE_LENGTH = 24;

    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();

    /** Encrypts {@code plaintext} and returns ciphertext plus 16-byte tag. */
    public byte[] seal(byte[] key, byte[] nonce24, byte[] aad, byte[] plaintext) {
        byte[] subkey = new byte[32];
        HChaCha20.subkey(key, nonce24, 0, subkey);
        try {
            return aead.seal(subkey, innerCounter(nonce24), aad, plaintext);
        } finally {
            Arrays.fill(subkey, (byte) 0);
        }
    }

    /** Decrypts and authenticates, returning the plaintext or null if it does not authenticate. */
    public byte[] open(byte[] key, byte[] nonce24, byte[] aad, byte[] ciphertext) {
        byte[] subkey = new byte[32];
        HChaCha20.subkey(key, nonce24, 0, subkey);
        try {
            return aead.open(subkey, innerCounter(nonce24), aad, ciphertext);
        } finally {
            Arrays.fill(subkey, (byte) 0);
        }
    }

    /** nonce[16..24) read little-endian, so that ChaCha20Poly1305 writes it back byte for byte. */
    private static long innerCounter(byte[] nonce24) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (nonce24[16 + i] & 0xff);
        }
        return v;
    }
}
