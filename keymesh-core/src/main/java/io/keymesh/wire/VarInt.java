package io.keymesh.wire;

/**
 * QUIC's variable-length integer encoding (RFC 9000 section 16): the two high bits of the first
 * byte give the length (1, 2, 4 or 8 bytes), the rest is the value, big-endian; values up to 2^62-1.
 * Stateless and thread-safe.
 */
public final class VarInt {
    /** The largest encodable value, 2^62 - 1. */
    public static final long MAX = (1L << 62) - 1;

    private VarInt() {}

    /** Bytes needed to encode {@code v}. */
    public static int length(long v) {
        if (v < 0 || v > MAX) {
            throw new IllegalArgumentException("varint out of range: " + v);
        }
        return v < 64 ? 1 : v < 16384 ? 2 : v < 1073741824 ? 4 : 8;
    }

    /** Writes {@code v} at {@code b[off]} and returns the number of bytes written. */
    public static int write(byte[] b, int off, long v) {
        int n = length(v);
        switch (n) {
            case 1 -> b[off] = (byte) v;
            case 2 -> {
                b[off] = (byte) (0x40 | (v >>> 8));
                b[off + 1] = (byte) v;
            }
            case 4 -> Bytes.putIntBE(b, off, (int) v | 0x80000000);
            default -> {
                Bytes.putIntBE(b, off, (int) (v >>> 32) | 0xC0000000);
                Bytes.putIntBE(b, off + 4, (int) v);
            }
        }
        return n;
    }

    /** Encoded length of the varint starting with byte {@code first}. */
    public static int encodedLength(byte first) {
        return 1 << ((first & 0xff) >>> 6);
    }

    /**
     * Reads the varint at {@code b[off]}, not reading past {@code end}.
     *
     * @return the value, or -1 if it is truncated
     */
    public static long read(byte[] b, int off, int end) {
        if (off >= end) {
            return -1;
        }
        int n = encodedLength(b[off]);
        if (off + n > end) {
            return -1;
        }
        long v = b[off] & 0x3f;
        for (int i = 1; i < n; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }
}
