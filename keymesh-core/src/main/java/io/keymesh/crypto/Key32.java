package io.keymesh.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * A 32-byte key value with the two text forms keymesh uses: standard base64 with padding (44
 * characters, as {@code wg} prints keys) and lowercase base32 without padding (52 characters, for
 * URI hosts). Equality is by content, compared in constant time.
 */
public abstract sealed class Key32 permits PublicKey, PrivateKey, PresharedKey {
    /** Length of every key in bytes. */
    public static final int LENGTH = 32;

    protected final byte[] bytes;

    protected Key32(byte[] bytes, String kind) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException(kind + " must be " + LENGTH + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        this.bytes = bytes.clone();
    }

    /** Decodes a 44-character standard base64 key, naming {@code kind} in the error. */
    protected static byte[] decodeBase64(String text, String kind) {
        if (text == null) {
            throw new IllegalArgumentException(kind + ": no key given");
        }
        String t = text.strip();
        if (t.length() != 44 || t.charAt(43) != '=') {
            throw new IllegalArgumentException(kind + ": a key is 44 characters of base64 ending in '=', got "
                    + t.length() + " characters");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(kind + ": not base64: " + e.getMessage(), e);
        }
        if (!Base64.getEncoder().encodeToString(raw).equals(t)) {
            throw new IllegalArgumentException(kind + ": not a canonical base64 key");
        }
        return raw;
    }

    /** Decodes a 52-character base32 key, naming {@code kind} in the error. */
    protected static byte[] decodeBase32(String text, String kind) {
        if (text == null || text.length() != 52) {
            throw new IllegalArgumentException(kind + ": a base32 key is 52 characters, got "
                    + (text == null ? "null" : text.length()));
        }
        try {
            return Base32.decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(kind + ": " + e.getMessage(), e);
        }
    }

    /** A copy of the raw 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Standard base64 with padding, as {@code wg} prints keys. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Lowercase RFC 4648 base32 without padding (52 characters). */
    public String toBase32() {
        return Base32.encode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && MessageDigest.isEqual(bytes, ((Key32) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
