package io.keymesh.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Poly1305 one-time authenticator (RFC 8439 section 2.5) with 26-bit limbs, so every product
 * fits in a {@code long}. Reusable and allocation-free: {@link #init}, {@link #update} any number
 * of times, {@link #finish}.
 *
 * <p>Written here, with {@link ChaCha20}, because the JDK's implementation allocates about 2 KiB on
 * every cipher initialisation (one per packet) and BouncyCastle's needs new parameter objects per
 * nonce. Not thread-safe.
 */
public final class Poly1305 {
    /** Key length (r || s) in bytes. */
    public static final int KEY_LENGTH = 32;
    /** Tag length in bytes. */
    public static final int TAG_LENGTH = 16;
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long M26 = 0x3ffffff;

    private long r0, r1, r2, r3, r4;
    private long s1, s2, s3, s4;
    private long h0, h1, h2, h3, h4;
    private int pad0, pad1, pad2, pad3;
    private final byte[] partial = new byte[16];
    private int partialLen;

    /** Starts a new tag with the one-time key {@code key[off..off+32)}: r (clamped) then s. */
    public void init(byte[] key, int off) {
        int t0 = (int) LE32.get(key, off);
        int t1 = (int) LE32.get(key, off + 4);
        int t2 = (int) LE32.get(key, off + 8);
        int t3 = (int) LE32.get(key, off + 12);
        // r &= 0xffffffc0ffffffc0ffffffc0fffffff, split into 26-bit limbs.
        r0 = t0 & 0x3ffffff;
        r1 = ((t0 >>> 26) | (t1 << 6)) & 0x3ffff03;
        r2 = ((t1 >>> 20) | (t2 << 12)) & 0x3ffc0ff;
        r3 = ((t2 >>> 14) | (t3 << 18)) & 0x3f03fff;
        r4 = (t3 >>> 8) & 0x00fffff;
        s1 = r1 * 5;
        s2 = r2 * 5;
        s3 = r3 * 5;
        s4 = r4 * 5;
        h0 = h1 = h2 = h3 = h4 = 0;
        pad0 = (int) LE32.get(key, off + 16);
        pad1 = (int) LE32.get(key, off + 20);
        pad2 = (int) LE32.get(key, off + 24);
        pad3 = (int) LE32.get(key, off + 28);
        partialLen = 0;
    }

    /** Absorbs {@code m[off..off+len)}. */
    public void update(byte[] m, int off, int len) {
        if (partialLen > 0) {
            int take = Math.min(16 - partialLen, len);
            System.arraycopy(m, off, partial, partialLen, take);
            partialLen += take;
            off += take;
            len -= take;
            if (partialLen < 16) {
                return;
            }
            block(partial, 0, 1L << 24);
            partialLen = 0;
        }
        while (len >= 16) {
            block(m, off, 1L << 24);
            off += 16;
            len -= 16;
        }
        if (len > 0) {
            System.arraycopy(m, off, partial, 0, len);
            partialLen = len;
        }
    }

    /** Absorbs zero bytes up to the next 16-byte boundary (the AEAD construction's padding). */
    public void padToBlock() {
        if (partialLen > 0) {
            for (int i = partialLen; i < 16; i++) {
                partial[i] = 0;
            }
            block(partial, 0, 1L << 24);
            partialLen = 0;
        }
    }

    /** Writes the 16-byte tag to {@code out[outOff..)}. The instance must be re-{@link #init}ed after. */
    public void finish(byte[] out, int outOff) {
        if (partialLen > 0) {
            partial[partialLen] = 1;
            for (int i = partialLen + 1; i < 16; i++) {
                partial[i] = 0;
            }
            block(partial, 0, 0);
            partialLen = 0;
        }
        // Full carry.
        long c;
        c = h1 >>> 26; h1 &= M26; h2 += c;
        c = h2 >>> 26; h2 &= M26; h3 += c;
        c = h3 >>> 26; h3 &= M26; h4 += c;
        c = h4 >>> 26; h4 &= M26; h0 += c * 5;
        c = h0 >>> 26; h0 &= M26; h1 += c;
        // g = h + 5 - 2^130; choose h if g is negative.
        long g0 = h0 + 5;
        c = g0 >>> 26; g0 &= M26;
        long g1 = h1 + c;
        c = g1 >>> 26; g1 &= M26;
        long g2 = h2 + c;
        c = g2 >>> 26; g2 &= M26;
        long g3 = h3 + c;
        c = g3 >>> 26; g3 &= M26;
        long g4 = h4 + c - (1L << 26);
        long mask = (g4 >> 63); // all ones if g4 < 0: keep h
        h0 = (h0 & mask) | (g0 & ~mask);
        h1 = (h1 & mask) | (g1 & ~mask);
        h2 = (h2 & mask) | (g2 & ~mask);
        h3 = (h3 & mask) | (g3 & ~mask);
        h4 = (h4 & mask) | (g4 & ~mask);
        // h mod 2^128, then + s.
        long f0 = ((h0) | (h1 << 26)) & 0xffffffffL;
        long f1 = ((h1 >>> 6) | (h2 << 20)) & 0xffffffffL;
        long f2 = ((h2 >>> 12) | (h3 << 14)) & 0xffffffffL;
        long f3 = ((h3 >>> 18) | (h4 << 8)) & 0xffffffffL;
        f0 += pad0 & 0xffffffffL;
        f1 += (pad1 & 0xffffffffL) + (f0 >>> 32);
        f2 += (pad2 & 0xffffffffL) + (f1 >>> 32);
        f3 += (pad3 & 0xffffffffL) + (f2 >>> 32);
        LE32.set(out, outOff, (int) f0);
        LE32.set(out, outOff + 4, (int) f1);
        LE32.set(out, outOff + 8, (int) f2);
        LE32.set(out, outOff + 12, (int) f3);
        h0 = h1 = h2 = h3 = h4 = 0;
    }

    /** h = (h + m) * r mod 2^130 - 5 for one 16-byte block; {@code hibit} is 2^128 as limb 4's bit 24, or 0 for a final short block. */
    private void block(byte[] m, int off, long hibit) {
        long t0 = (int) LE32.get(m, off) & 0xffffffffL;
        long t1 = (int) LE32.get(m, off + 4) & 0xffffffffL;
        long t2 = (int) LE32.get(m, off + 8) & 0xffffffffL;
        long t3 = (int) LE32.get(m, off + 12) & 0xffffffffL;
        long a0 = h0 + (t0 & M26);
        long a1 = h1 + (((t0 >>> 26) | (t1 << 6)) & M26);
        long a2 = h2 + (((t1 >>> 20) | (t2 << 12)) & M26);
        long a3 = h3 + (((t2 >>> 14) | (t3 << 18)) & M26);
        long a4 = h4 + ((t3 >>> 8) | hibit);

        long d0 = a0 * r0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
        long d1 = a0 * r1 + a1 * r0 + a2 * s4 + a3 * s3 + a4 * s2;
        long d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * s4 + a4 * s3;
        long d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * s4;
        long d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;

        long c = d0 >>> 26; h0 = d0 & M26;
        d1 += c; c = d1 >>> 26; h1 = d1 & M26;
        d2 += c; c = d2 >>> 26; h2 = d2 & M26;
        d3 += c; c = d3 >>> 26; h3 = d3 & M26;
        d4 += c; c = d4 >>> 26; h4 = d4 & M26;
        h0 += c * 5; c = h0 >>> 26; h0 &= M26;
        h1 += c;
    }
}
