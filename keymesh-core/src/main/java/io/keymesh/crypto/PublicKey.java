package io.keymesh.crypto;

/** A node's Curve25519 public key: its identity in the mesh. Immutable. */
public final class PublicKey extends Key32 {
    /** Computed once: public keys are map keys on every packet's path. */
    private final int hash;

    private PublicKey(byte[] bytes) {
        super(bytes, "public key");
        this.hash = super.hashCode();
    }

    /** From 32 raw bytes (copied). */
    public static PublicKey of(byte[] bytes) {
        return new PublicKey(bytes);
    }

    /** From standard base64, as {@code wg pubkey} prints. */
    public static PublicKey fromBase64(String text) {
        return new PublicKey(decodeBase64(text, "public key"));
    }

    /** From lowercase (or uppercase) base32 without padding. */
    public static PublicKey fromBase32(String text) {
        return new PublicKey(decodeBase32(text, "public key"));
    }

    /** Reads the raw bytes without copying; the caller must not modify them. */
    byte[] raw() {
        return bytes;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The key in base64, as {@code wg} shows peers. */
    @Override
    public String toString() {
        return toBase64();
    }
}
