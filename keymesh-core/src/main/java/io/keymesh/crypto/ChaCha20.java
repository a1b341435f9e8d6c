package io.keymesh.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The ChaCha20 stream cipher (RFC 8439 section 2.4) with a 96-bit nonce and 32-bit block counter,
 * allocation-free: the key is parsed once into a reusable instance, and each call XORs the key
 * stream into a caller's array (in place allowed).
 *
 * <p>Not thread-safe.
 */
public final class ChaCha20 {
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int C0 = 0x61707865;
    private static final int C1 = 0x3320646e;
    private static final int C2 = 0x79622d32;
    private static final int C3 = 0x6b206574;

    private final int[] key = new int[8];
    private final byte[] block = new byte[64];

    /** Sets the 32-byte key {@code k[off..off+32)}. */
    public void setKey(byte[] k, int off) {
        for (int i = 0; i < 8; i++) {
            key[i] = (int) LE32.get(k, off + 4 * i);
        }
    }

    /** Zeroes the key. */
    public void wipe() {
        java.util.Arrays.fill(key, 0);
        java.util.Arrays.fill(block, (byte) 0);
    }

    /**
     * XORs the key stream for nonce (n0, n1, n2) — the nonce's three little-endian words — starting at
     * block {@code counter}, into {@code in[inOff..inOff+len)}, writing {@code out[outOff..)}.
     */
    public void xor(int counter, int n0, int n1, int n2, byte[] in, int inOff, int len, byte[] out, int outOff) {
        while (len >= 64) {
            blockXor(counter++, n0, n1, n2, in, inOff, out, outOff);
            inOff += 64;
            outOff += 64;
            len -= 64;
        }
        if (len > 0) {
            keyStream(counter, n0, n1, n2, block);
            for (int i = 0; i < len; i++) {
                out[outOff + i] = (byte) (in[inOff + i] ^ block[i]);
            }
        }
    }

    /** Writes the 64-byte key-stream block {@code counter} for the nonce to {@code out}. */
    public void keyStream(int counter, int n0, int n1, int n2, byte[] out) {
        java.util.Arrays.fill(out, 0, 64, (byte) 0);
        blockXor(counter, n0, n1, n2, out, 0, out, 0);
    }

    private void blockXor(int counter, int n0, int n1, int n2, byte[] in, int inOff, byte[] out, int outOff) {
        int k0 = key[0], k1 = key[1], k2 = key[2], k3 = key[3], k4 = key[4], k5 = key[5], k6 = key[6], k7 = key[7];
        int x0 = C0, x1 = C1, x2 = C2, x3 = C3;
        int x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
        int x12 = counter, x13 = n0, x14 = n1, x15 = n2;
        for (int i = 0; i < 10; i++) {
            // Column rounds.
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
            // Diagonal rounds.
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        xorWord(in, inOff, out, outOff, 0, x0 + C0);
        xorWord(in, inOff, out, outOff, 1, x1 + C1);
        xorWord(in, inOff, out, outOff, 2, x2 + C2);
        xorWord(in, inOff, out, outOff, 3, x3 + C3);
        xorWord(in, inOff, out, outOff, 4, x4 + k0);
        xorWord(in, inOff, out, outOff, 5, x5 + k1);
        xorWord(in, inOff, out, outOff, 6, x6 + k2);
        xorWord(in, inOff, out, outOff, 7, x7 + k3);
        xorWord(in, inOff, out, outOff, 8, x8 + k4);
        xorWord(in, inOff, out, outOff, 9, x9 + k5);
        xorWord(in, inOff, out, outOff, 10, x10 + k6);
        xorWord(in, inOff, out, outOff, 11, x11 + k7);
        xorWord(in, inOff, out, outOff, 12, x12 + counter);
        xorWord(in, inOff, out, outOff, 13, x13 + n0);
        xorWord(in, inOff, out, outOff, 14, x14 + n1);
        xorWord(in, inOff, out, outOff, 15, x15 + n2);
    }

    private static void xorWord(byte[] in, int inOff, byte[] out, int outOff, int word, int ks) {
        LE32.set(out, outOff + 4 * word, (int) LE32.get(in, inOff + 4 * word) ^ ks);
    }
}
