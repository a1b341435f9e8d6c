package io.keymesh.wire;

/**
 * The REACH mesh frame ({@link MeshFrame#REACH} 0x5B): a Bloom filter of the keys of the members the
 * sender holds sessions with, so that the receiver sends a seek for one of them only to it.
 * <pre>
 *   type 0x5B   length (varint)   hashes (1 byte, 1 to 16)   filter bits (8 to 1,024 bytes, a multiple of 8)
 * </pre>
 * Bit {@code i} of the filter is bit {@code i mod 8} of byte {@code i / 8}. How keys map to bits is
 * {@code io.keymesh.overlay.ReachFilter}'s. A body of another shape is malformed.
 *
 * <p>Writing is static and thread-safe. Reading fills a reusable instance that points into the
 * caller's array (valid while it is); an instance is not thread-safe. Bad input makes
 * {@code decode} return false; it never throws.
 */
public final class ReachFrame {
    /** The fewest filter bytes. */
    public static final int MIN_BITS_BYTES = 8;
    /** The most filter bytes. */
    public static final int MAX_BITS_BYTES = 1024;
    /** The most bit positions per key. */
    public static final int MAX_HASHES = 16;

    private int hashes;
    private int bitsOffset;
    private int bitsLength;

    /** Bytes the frame takes with {@code bitsLength} filter bytes. */
    public static int frameLength(int bitsLength) {
        return MeshFrame.frameLength(1 + bitsLength);
    }

    /**
     * Writes the frame at {@code b[off]}.
     *
     * @return the frame's length
     * @throws IllegalArgumentException if the hash count or the filter's size is out of range
     */
    public static int write(byte[] b, int off, int hashes, byte[] bits, int bitsOff, int bitsLength) {
        if (hashes < 1 || hashes > MAX_HASHES || bitsLength < MIN_BITS_BYTES || bitsLength > MAX_BITS_BYTES
                || bitsLength % 8 != 0) {
            throw new IllegalArgumentException("a reach filter has 1.." + MAX_HASHES + " hashes and 8.." + MAX_BITS_BYTES
                    + " bytes in multiples of 8, not " + hashes + " and " + bitsLength);
        }
        int p = MeshFrame.writeHeader(b, off, MeshFrame.REACH, 1 + bitsLength);
        b[p++] = (byte) hashes;
        System.arraycopy(bits, bitsOff, b, p, bitsLength);
        return p + bitsLength - off;
    }

    /** Reads a body; false if it is not one hash count and a filter of a legal size. */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        if (bodyOff < 0 || bodyLen < 1 || bodyOff > b.length - bodyLen) {
            return false;
        }
        int h = b[bodyOff] & 0xff;
        int n = bodyLen - 1;
        if (h < 1 || h > MAX_HASHES || n < MIN_BITS_BYTES || n > MAX_BITS_BYTES || n % 8 != 0) {
            return false;
        }
        hashes = h;
        bitsOffset = bodyOff + 1;
        bitsLength = n;
        return true;
    }

    public int hashes() {
        return hashes;
    }

    /** Where the filter's bits start in the decoded array. */
    public int bitsOffset() {
        return bitsOffset;
    }

    public int bitsLength() {
        return bitsLength;
    }
}
