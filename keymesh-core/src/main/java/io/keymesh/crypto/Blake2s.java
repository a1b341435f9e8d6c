package io.keymesh.crypto;

import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * BLAKE2s (RFC 7693) as WireGuard uses it: the unkeyed 32-byte hash {@code HASH} and the keyed
 * 16-byte {@code MAC} for mac1/mac2.
 *
 * <p>Stateless and thread-safe; each call uses its own digest state.
 */
public final class Blake2s {
    /** Output length of {@link #hash}, in bytes. */
    public static final int HASH_LENGTH = 32;
    /** Output length of {@link #mac}, in bytes. */
    public static final int MAC_LENGTH = 16;

    private Blake2s() {}

    /** HASH(input...) = BLAKE2s-256 over the concatenation of the inputs. */
    public static byte[] hash(byte[]... inputs) {
        Blake2sDigest d = new Blake2sDigest(256);
        for (byte[] in : inputs) {
            d.update(in, 0, in.length);
        }
        byte[] out = new byte[HASH_LENGTH];
        d.doFinal(out, 0);
        return out;
    }

    /** HASH over {@code data[off..off+len)}, written to {@code out[outOff..outOff+32)}. */
    public static void hash(byte[] data, int off, int len, byte[] out, int outOff) {
        Blake2sDigest d = new Blake2sDigest(256);
        d.update(data, off, len);
        d.doFinal(out, outOff);
    }

    /**
     * MAC(key, data) = keyed BLAKE2s with a 16-byte output over {@code data[off..off+len)},
     * written to {@code out[outOff..outOff+16)}. {@code key} is 1 to 32 bytes.
     */
    public static void mac(byte[] key, byte[] data, int off, int len, byte[] out, int outOff) {
        Blake2sDigest d = new Blake2sDigest(key, MAC_LENGTH, null, null);
        d.update(data, off, len);
        d.doFinal(out, outOff);
    }
}
