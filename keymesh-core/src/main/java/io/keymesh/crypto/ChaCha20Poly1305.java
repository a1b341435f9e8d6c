package io.keymesh.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce: 32 zero bits followed by a 64-bit
 * little-endian counter. Backed by the JDK's SunJCE cipher, which has intrinsics on JDK 25.
 *
 * <p>Not thread-safe: an instance owns one {@link Cipher}; use one per thread. Input and output may
 * be the same array at the same offset (in-place). Buffers are never retained.
 */
public final class ChaCha20Poly1305 implements Aead {
    /** Key length in bytes. */
    public static final int KEY_LENGTH = 32;
    /** Authentication tag length in bytes. */
    public static final int TAG_LENGTH = 16;
    /** Nonce length in bytes. */
    public static final int NONCE_LENGTH = 12;

    private static final String ALGORITHM = "ChaCha20-Poly1305";

    private final Cipher cipher;
    private final byte[] nonce = new byte[NONCE_LENGTH];
    private byte[] rawKey0;
    private SecretKey key0;
    private byte[] rawKey1;
    private SecretKey key1;

    public ChaCha20Poly1305() {
        try {
            cipher = Cipher.getInstance(ALGORITHM);
        } catch (java.security.NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
        }
    }

    /** Wraps 32 raw bytes as a key for this cipher; the array is copied. */
    public static SecretKey key(byte[] raw) {
        return key(raw, 0);
    }

    /** Wraps {@code raw[off..off+32)} as a key for this cipher; the bytes are copied. */
    public static SecretKey key(byte[] raw, int off) {
        return new SecretKeySpec(raw, off, KEY_LENGTH, "ChaCha20");
    }

    /**
     * Encrypts {@code in[inOff..inOff+len)} with associated data {@code aad} (may be null) and writes
     * ciphertext plus tag to {@code out[outOff..outOff+len+16)}.
     *
     * @return the number of bytes written, {@code len + 16}
     * @throws IllegalStateException if the cipher refuses (a repeated key and nonce is a caller bug)
     */
    public int seal(SecretKey key, long counter, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        try {
            init(Cipher.ENCRYPT_MODE, key, counter);
            if (aad != null && aad.length > 0) {
                cipher.updateAAD(aad);
            }
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
    }

    /**
     * Decrypts and authenticates {@code in[inOff..inOff+len)} (ciphertext plus tag) with associated
     * data {@code aad} (may be null), writing the plaintext to {@code out[outOff..outOff+len-16)}.
     *
     * @return the plaintext length, or -1 if the input is shorter than a tag or does not authenticate
     *     (the output region's contents are then unspecified)
     */
    public int open(SecretKey key, long counter, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (len < TAG_LENGTH) {
            return -1;
        }
        try {
            init(Cipher.DECRYPT_MODE, key, counter);
            if (aad != null && aad.length > 0) {
                cipher.updateAAD(aad);
            }
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed", e);
        }
    }

    @Override
    public int seal(byte[] key, long counter, byte[] aad, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
        try {
            init(Cipher.ENCRYPT_MODE, keyFor(key), counter);
            if (aadLen > 0) {
                cipher.updateAAD(aad, 0, aadLen);
            }
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
    }

    @Override
    public int open(byte[] key, long counter, byte[] aad, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (len < TAG_LENGTH) {
            return -1;
        }
        try {
            init(Cipher.DECRYPT_MODE, keyFor(key), counter);
            if (aadLen > 0) {
                cipher.updateAAD(aad, 0, aadLen);
            }
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed", e);
        }
    }

    /**
     * The key object for {@code raw}, remembered for the last two arrays seen — a session's send
     * and receive keys, used for packet after packet — so that a packet does not copy the key into
     * a new object. Arrays are recognised by identity: a caller must not change a key array's
     * contents while using it (a keypair's keys change only when they are wiped, after their last use).
     */
    private SecretKey keyFor(byte[] raw) {
        if (raw == rawKey0) {
            return key0;
        }
        if (raw == rawKey1) {
            return key1;
        }
        rawKey1 = rawKey0;
        key1 = key0;
        rawKey0 = raw;
        key0 = key(raw);
        return key0;
    }

    private void init(int mode, SecretKey key, long counter) throws InvalidKeyException, InvalidAlgorithmParameterException {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        cipher.init(mode, key, new IvParameterSpec(nonce));
    }

    /** Seal into fresh arrays: convenience for handshake messages, not for the data path. */
    public byte[] seal(byte[] key, long counter, byte[] aad, byte[] plaintext) {
        byte[] out = new byte[plaintext.length + TAG_LENGTH];
        seal(key(key), counter, aad, plaintext, 0, plaintext.length, out, 0);
        return out;
    }

    /** Open into a fresh array, or null if it does not authenticate: for handshake messages. */
    public byte[] open(byte[] key, long counter, byte[] aad, byte[] ciphertext) {
        if (ciphertext.length < TAG_LENGTH) {
            return null;
        }
        byte[] out = new byte[ciphertext.length - TAG_LENGTH];
        return open(key(key), counter, aad, ciphertext, 0, ciphertext.length, out, 0) < 0 ? null : out;
    }
}
