package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import java.util.Arrays;
import java.util.Collection;

/**
 * A Bloom filter of node keys: what a member tells its links it can reach in one hop (the members it
 * holds sessions with), so that a seek goes only where its target may be. A key is in the filter if
 * {@code hashes} bits are set, at positions taken from the key's own bytes (node keys are Curve25519
 * public keys, uniformly spread): with {@code h1} its first eight bytes and {@code h2} the next eight
 * (little-endian, made odd), bit {@code i} is {@code (h1 + i × h2) mod bits}. It may say yes for a key
 * it was not built with (about 1 % of keys at the sizes {@link #of} picks, more once it is full), never
 * no for one it was. Immutable.
 */
public final class ReachFilter {
    /** The largest filter, in bytes: about 850 keys at 1 % false positives; more keys raise the rate. */
    public static final int MAX_BYTES = 1024;
    /** The most bit positions per key. */
    public static final int MAX_HASHES = 16;
    /** Bits per key for 1 % false positives (−ln 0.01 / ln² 2). */
    private static final double BITS_PER_KEY = 9.59;

    private final byte[] bits;
    private final int hashes;

    private ReachFilter(byte[] bits, int hashes) {
        this.bits = bits;
        this.hashes = hashes;
    }

    /**
     * A filter holding {@code keys}: about 9.6 bits a key (8 bytes at least, {@link #MAX_BYTES} at
     * most), with the number of bit positions per key that suits its fill.
     */
    public static ReachFilter of(Collection<PublicKey> keys) {
        int n = Math.max(1, keys.size());
        int bytes = (int) Math.min(MAX_BYTES, Math.max(8, Math.ceil(n * BITS_PER_KEY / 8)));
        bytes = (bytes + 7) & ~7;
        int k = (int) Math.max(1, Math.min(MAX_HASHES, Math.round(bytes * 8.0 / n * Math.log(2))));
        byte[] b = new byte[bytes];
        for (PublicKey key : keys) {
            byte[] kb = key.toBytes();
            long h1 = h1(kb);
            long h2 = h2(kb);
            for (int i = 0; i < k; i++) {
                int bit = (int) Math.floorMod(h1 + i * h2, (long) bytes * 8);
                b[bit >>> 3] |= (byte) (1 << (bit & 7));
            }
        }
        return new ReachFilter(b, k);
    }

    /**
     * A filter as received: {@code hashes} positions a key, {@code bits} copied.
     *
     * @throws IllegalArgumentException if {@code hashes} is not 1..{@link #MAX_HASHES} or the bits
     *     are not 8..{@link #MAX_BYTES} bytes, a multiple of 8
     */
    public static ReachFilter of(int hashes, byte[] bits, int off, int len) {
        if (hashes < 1 || hashes > MAX_HASHES || len < 8 || len > MAX_BYTES || len % 8 != 0) {
            throw new IllegalArgumentException("not a reach filter: " + hashes + " hashes, " + len + " bytes");
        }
        return new ReachFilter(Arrays.copyOfRange(bits, off, off + len), hashes);
    }

    /** True if {@code key} may be in the filter; false if it certainly is not. */
    public boolean mayContain(PublicKey key) {
        byte[] kb = key.toBytes();
        long h1 = h1(kb);
        long h2 = h2(kb);
        long m = (long) bits.length * 8;
        for (int i = 0; i < hashes; i++) {
            int bit = (int) Math.floorMod(h1 + i * h2, m);
            if ((bits[bit >>> 3] & (1 << (bit & 7))) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Bit positions per key. */
    public int hashes() {
        return hashes;
    }

    /** A copy of the bits. */
    public byte[] bits() {
        return bits.clone();
    }

    /** The filter's size in bytes. */
    public int length() {
        return bits.length;
    }

    private static long h1(byte[] k) {
        return io.keymesh.wire.Bytes.getLongLE(k, 0);
    }

    private static long h2(byte[] k) {
        return io.keymesh.wire.Bytes.getLongLE(k, 8) | 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReachFilter f && f.hashes == hashes && Arrays.equals(f.bits, bits);
    }

    @Override
    public int hashCode() {
        return 31 * hashes + Arrays.hashCode(bits);
    }
}
