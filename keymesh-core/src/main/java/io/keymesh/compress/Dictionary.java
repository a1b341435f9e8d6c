package io.keymesh.compress;

import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import io.keymesh.wire.DictionaryRef;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One zstd dictionary a node holds: its name and version on this node, its dictionary id and
 * content hash (what peers compare, {@link #ref()}), and zstd's prepared forms of it, made on first
 * use (the native library is not touched until then). Only dictionaries in zstd's format are taken
 * (magic number 0xEC30A437 and a non-zero id, as zstd's trainer writes them, RFC 8878 section 5).
 * Immutable but for the prepared forms, which are made once; thread-safe.
 */
public final class Dictionary {
    /** zstd's dictionary magic number, little-endian at the start (RFC 8878 section 5). */
    public static final int MAGIC = 0xEC30A437;
    /** Smallest dictionary taken: magic, id, and entropy tables. */
    private static final int MIN_LENGTH = 16;

    private final String name;
    private final int version;
    private final long id;
    private final byte[] sha256;
    private final byte[] content;
    private final int level;
    private final String where;
    private final DictionaryRef ref;
    private volatile ZstdDictCompress compress;
    private volatile ZstdDictDecompress decompress;

    private Dictionary(String name, int version, long id, byte[] sha256, byte[] content, int level, String where) {
        this.name = name;
        this.version = version;
        this.id = id;
        this.sha256 = sha256;
        this.content = content;
        this.level = level;
        this.where = where;
        this.ref = new DictionaryRef(id, sha256);
    }

    /**
     * Reads a dictionary's bytes.
     *
     * @param level the zstd level it compresses at
     * @throws IllegalArgumentException if they are not a zstd dictionary, saying why
     */
    public static Dictionary parse(String name, int version, byte[] content, int level, String where) {
        long id = idOf(content);
        return new Dictionary(name, version, id, sha256(content), content.clone(), level, where);
    }

    /**
     * The dictionary id in a zstd dictionary's header.
     *
     * @throws IllegalArgumentException if {@code content} is not a zstd dictionary (too short, no
     *     magic number, id 0)
     */
    public static long idOf(byte[] content) {
        if (content.length < MIN_LENGTH) {
            throw new IllegalArgumentException("not a zstd dictionary: " + content.length + " bytes");
        }
        if (littleEndianInt(content, 0) != MAGIC) {
            throw new IllegalArgumentException("not a zstd dictionary: no magic number EC30A437 at the start "
                    + "(train one with `keymesh dict train`)");
        }
        long id = littleEndianInt(content, 4) & 0xFFFF_FFFFL;
        if (id == 0) {
            throw new IllegalArgumentException("not usable: the dictionary's id is 0 (no id)");
        }
        return id;
    }

    /** The SHA-256 of {@code content}. */
    public static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static int littleEndianInt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** The name channels ask for. */
    public String name() {
        return name;
    }

    /** 1 for the first dictionary loaded under {@link #name()} on this node, then 2, 3, ... as retrained ones are loaded. */
    public int version() {
        return version;
    }

    /** The dictionary id, 1..2^32-1. */
    public long id() {
        return id;
    }

    /** The SHA-256 of the content, as hex. */
    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256);
    }

    /** Id and content hash, as peers compare them. */
    public DictionaryRef ref() {
        return ref;
    }

    /** Bytes. */
    public int size() {
        return content.length;
    }

    /** The file or resource it was read from. */
    public String where() {
        return where;
    }

    /** True if {@code other} has the same content. */
    boolean sameContent(byte[] otherSha256) {
        return MessageDigest.isEqual(sha256, otherSha256);
    }

    byte[] contentHash() {
        return sha256;
    }

    /** zstd's prepared dictionary for compressing at the level given; made on first use. Needs the native library. */
    ZstdDictCompress forCompression() {
        ZstdDictCompress c = compress;
        if (c == null) {
            synchronized (this) {
                c = compress;
                if (c == null) {
                    c = new ZstdDictCompress(content, level);
                    compress = c;
                }
            }
        }
        return c;
    }

    /** zstd's prepared dictionary for decompressing; made on first use. Needs the native library. */
    ZstdDictDecompress forDecompression() {
        ZstdDictDecompress d = decompress;
        if (d == null) {
            synchronized (this) {
                d = decompress;
                if (d == null) {
                    d = new ZstdDictDecompress(content);
                    decompress = d;
                }
            }
        }
        return d;
    }

    @Override
    public String toString() {
        return name + " v" + version + " (id " + id + ", " + content.length + " bytes, sha256 " + sha256Hex().substring(0, 16) + "...)";
    }
}
