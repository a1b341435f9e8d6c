package io.keymesh.wire;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A zstd dictionary as two nodes compare it: its dictionary id (the 32-bit id in its header, RFC
 * 8878 section 5) and the first {@value #HASH_LENGTH} bytes of the SHA-256 of its whole content. Two
 * nodes use a dictionary only when both id and hash match. Immutable; equal by value.
 */
public final class DictionaryRef {
    /** Bytes of the content hash carried on the wire. */
    public static final int HASH_LENGTH = 16;
    /** Bytes of one dictionary in a COMPRESSION frame: id (4) and hash. */
    public static final int WIRE_LENGTH = 4 + HASH_LENGTH;

    private final long id;
    private final byte[] hash;

    /**
     * @param id the dictionary id, 0..2^32-1
     * @param hash at least {@value #HASH_LENGTH} bytes of the content's SHA-256; the first
     *     {@value #HASH_LENGTH} are kept
     */
    public DictionaryRef(long id, byte[] hash) {
        if (id < 0 || id > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("dictionary id out of range: " + id);
        }
        if (hash.length < HASH_LENGTH) {
            throw new IllegalArgumentException("content hash of " + hash.length + " bytes; " + HASH_LENGTH + " needed");
        }
        this.id = id;
        this.hash = Arrays.copyOf(hash, HASH_LENGTH);
    }

    /** The dictionary id, 0..2^32-1. */
    public long id() {
        return id;
    }

    /** The first {@value #HASH_LENGTH} bytes of the content's SHA-256 (a copy). */
    public byte[] hash() {
        return hash.clone();
    }

    /** Writes id (4 bytes, big-endian) and hash at {@code b[off]}; returns {@link #WIRE_LENGTH}. */
    int write(byte[] b, int off) {
        Bytes.putIntBE(b, off, (int) id);
        System.arraycopy(hash, 0, b, off + 4, HASH_LENGTH);
        return WIRE_LENGTH;
    }

    /** Reads one at {@code b[off]} ({@link #WIRE_LENGTH} bytes must be there). */
    static DictionaryRef read(byte[] b, int off) {
        return new DictionaryRef(Bytes.getIntBE(b, off) & 0xFFFF_FFFFL, Arrays.copyOfRange(b, off + 4, off + WIRE_LENGTH));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DictionaryRef d && d.id == id && Arrays.equals(d.hash, hash);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Arrays.hashCode(hash);
    }

    /** {@code id/hash} with the id in decimal and the hash in hex. */
    @Override
    public String toString() {
        return id + "/" + HexFormat.of().formatHex(hash);
    }
}
