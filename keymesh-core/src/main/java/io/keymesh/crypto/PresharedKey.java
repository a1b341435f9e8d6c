package io.keymesh.crypto;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A 32-byte symmetric key for WireGuard's pre-shared-key slot; keymesh puts the network key there,
 * so a node without it cannot complete a handshake. {@link #ZERO} is WireGuard's "no psk".
 * {@code toString} never shows the key.
 */
public final class PresharedKey extends Key32 {
    /** The all-zero key: what WireGuard uses when no pre-shared key is configured. */
    public static final PresharedKey ZERO = new PresharedKey(new byte[LENGTH]);

    private PresharedKey(byte[] bytes) {
        super(bytes, "pre-shared key");
    }

    /** From 32 raw bytes (copied). */
    public static PresharedKey of(byte[] bytes) {
        return new PresharedKey(bytes);
    }

    /** A new random key, as {@code wg genpsk} makes. */
    public static PresharedKey generate(SecureRandom random) {
        byte[] raw = new byte[LENGTH];
        random.nextBytes(raw);
        try {
            return new PresharedKey(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** From standard base64, as {@code wg genpsk} prints. */
    public static PresharedKey fromBase64(String text) {
        return new PresharedKey(decodeBase64(text, "pre-shared key"));
    }

    /** Reads the raw bytes without copying; the caller must not modify them. */
    byte[] raw() {
        return bytes;
    }

    @Override
    public String toString() {
        return "PresharedKey(…)";
    }
}
