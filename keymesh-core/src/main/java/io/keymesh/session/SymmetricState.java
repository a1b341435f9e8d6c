package io.keymesh.session;

import io.keymesh.crypto.Blake2s;
import io.keymesh.crypto.ChaCha20Poly1305;
import io.keymesh.crypto.Kdf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Noise protocol's SymmetricState (Noise specification revision 34, section 5.2) for the
 * 25519 / ChaChaPoly / BLAKE2s suite: chaining key {@code ck}, handshake hash {@code h} and cipher
 * key {@code k} with its nonce {@code n}. HKDF is WireGuard's {@link Kdf}.
 *
 * <p>Not thread-safe. {@link #wipe()} zeroes all secrets. Instances are copied with {@link #copy()}
 * so that a failed message leaves the original untouched.
 */
final class SymmetricState {
    private byte[] ck;
    private byte[] h;
    private byte[] k;
    private long n;

    private SymmetricState(byte[] ck, byte[] h) {
        this.ck = ck;
        this.h = h;
    }

    /** InitializeSymmetric(protocolName) followed by MixHash(prologue). */
    static SymmetricState initialize(String protocolName, byte[] prologue) {
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        byte[] h;
        if (name.length <= Blake2s.HASH_LENGTH) {
            h = Arrays.copyOf(name, Blake2s.HASH_LENGTH);
        } else {
            h = Blake2s.hash(name);
        }
        SymmetricState s = new SymmetricState(h.clone(), h);
        s.mixHash(prologue);
        return s;
    }

    SymmetricState copy() {
        SymmetricState c = new SymmetricState(ck.clone(), h.clone());
        c.k = k == null ? null : k.clone();
        c.n = n;
        return c;
    }

    void mixHash(byte[] data) {
        h = Blake2s.hash(h, data);
    }

    void mixKey(byte[] inputKeyMaterial) {
        byte[][] t = Kdf.kdf2(ck, inputKeyMaterial);
        wipe(ck);
        wipe(k);
        ck = t[0];
        k = t[1];
        n = 0;
    }

    /** MixKeyAndHash (used for the psk token). */
    void mixKeyAndHash(byte[] inputKeyMaterial) {
        byte[][] t = Kdf.kdf3(ck, inputKeyMaterial);
        wipe(ck);
        wipe(k);
        ck = t[0];
        mixHash(t[1]);
        wipe(t[1]);
        k = t[2];
        n = 0;
    }

    byte[] encryptAndHash(ChaCha20Poly1305 aead, byte[] plaintext) {
        byte[] ciphertext;
        if (k == null) {
            ciphertext = plaintext.clone();
        } else {
            ciphertext = aead.seal(k, n++, h, plaintext);
        }
        mixHash(ciphertext);
        return ciphertext;
    }

    /** DecryptAndHash; null if the ciphertext does not authenticate (state is then unusable). */
    byte[] decryptAndHash(ChaCha20Poly1305 aead, byte[] ciphertext) {
        byte[] plaintext;
        if (k == null) {
            plaintext = ciphertext.clone();
        } else {
            plaintext = aead.open(k, n++, h, ciphertext);
            if (plaintext == null) {
                return null;
            }
        }
        mixHash(ciphertext);
        return plaintext;
    }

    /** Split(): the two transport keys, {@code [initiator→responder, responder→initiator]}. */
    byte[][] split() {
        return Kdf.kdf2(ck, new byte[0]);
    }

    /** The handshake hash h (a copy). */
    byte[] handshakeHash() {
        return h.clone();
    }

    void wipe() {
        wipe(ck);
        wipe(h);
        wipe(k);
        k = null;
    }

    private static void wipe(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }
}
