package io.keymesh.crypto;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A node's Curve25519 private key, clamped as {@code wg genkey} clamps it. {@link #close()} wipes
 * the bytes; using a closed key throws {@link IllegalStateException}. {@code toString} never shows
 * the key. Thread-safe for reads; do not close while other threads use it.
 */
public final class PrivateKey extends Key32 implements AutoCloseable {
    private volatile boolean closed;
    private final PublicKey publicKey;

    private PrivateKey(byte[] bytes) {
        super(bytes, "private key");
        X25519.clamp(this.bytes);
        this.publicKey = PublicKey.of(X25519.publicKey(this.bytes));
    }

    /** A new random key. */
    public static PrivateKey generate(SecureRandom random) {
        byte[] raw = X25519.generatePrivateKey(random);
        try {
            return new PrivateKey(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** From 32 raw bytes (copied, then clamped). */
    public static PrivateKey of(byte[] bytes) {
        return new PrivateKey(bytes);
    }

    /** From standard base64, as {@code wg genkey} prints. */
    public static PrivateKey fromBase64(String text) {
        byte[] raw = decodeBase64(text, "private key");
        try {
            return new PrivateKey(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** The matching public key. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /**
     * DH(this, peer) into {@code out[outOff..outOff+32)}.
     *
     * @return false if the result is all zeros (the peer key is of low order)
     */
    public boolean sharedSecret(PublicKey peer, byte[] out, int outOff) {
        check();
        return X25519.sharedSecret(bytes, peer.raw(), out, outOff);
    }

    @Override
    public byte[] toBytes() {
        check();
        return super.toBytes();
    }

    @Override
    public String toBase64() {
        check();
        return super.toBase64();
    }

    @Override
    public String toBase32() {
        check();
        return super.toBase32();
    }

    /** Wipes the key. Idempotent. */
    @Override
    public void close() {
        closed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("private key is closed");
        }
    }

    @Override
    public String toString() {
        return "PrivateKey(public " + publicKey + ")";
    }
}
