package io.keymesh.cli;

import io.keymesh.crypto.PublicKey;

/** Peer keys as a person types them: 44 characters of base64 (as {@code wg} prints them) or 52 of base32. Stateless. */
public final class PeerKeys {
    private PeerKeys() {}

    /**
     * @throws IllegalArgumentException saying what is wrong (length, alphabet), without naming the field
     */
    public static PublicKey parse(String text) {
        String t = text.strip();
        if (t.length() == 44) {
            return PublicKey.fromBase64(t);
        }
        if (t.length() == 52) {
            return PublicKey.fromBase32(t);
        }
        throw new IllegalArgumentException("a public key is 44 characters of base64 or 52 of base32, got "
                + t.length() + " characters");
    }

    /** The first 8 characters of the key's base64 and an ellipsis: enough to tell peers apart in a table. */
    public static String shortForm(PublicKey key) {
        return key.toBase64().substring(0, 8) + "\u2026";
    }
}
