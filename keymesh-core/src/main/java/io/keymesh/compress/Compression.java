package io.keymesh.compress;

import java.util.Objects;

/**
 * How a channel's messages are sent, chosen by each side for its own direction when it opens the
 * channel ({@code MeshNode.channel(peer, id, compression)}): {@link #NONE} (plain, as without
 * compression), {@link #ZSTD}, or zstd with a named dictionary ({@link #dictionary}). With a
 * dictionary, the newest version of it that the peer holds too (same id and content) is used, and
 * kept for the channel's life; when the peer holds none, plain zstd; when it decodes no zstd (or has
 * not said yet), raw messages. Never a failure. Immutable.
 *
 * @param kind none, zstd, or a dictionary
 * @param dictionary the dictionary's name for {@link Kind#DICTIONARY}, else null
 */
public record Compression(Kind kind, String dictionary) {
    public enum Kind { NONE, ZSTD, DICTIONARY }

    /** Plain messages, no codec header. */
    public static final Compression NONE = new Compression(Kind.NONE, null);
    /** zstd without a dictionary. */
    public static final Compression ZSTD = new Compression(Kind.ZSTD, null);

    public Compression {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.DICTIONARY) != (dictionary != null)) {
            throw new IllegalArgumentException("a dictionary name goes with DICTIONARY, and only with it");
        }
    }

    /** zstd with the dictionary {@code name} ({@link DictionarySource#name()}). */
    public static Compression dictionary(String name) {
        return new Compression(Kind.DICTIONARY, name);
    }

    /**
     * {@code none}, {@code zstd}, or {@code dictionary:NAME}.
     *
     * @throws IllegalArgumentException naming what it takes
     */
    public static Compression parse(String text) {
        return switch (text) {
            case "none", "off" -> NONE;
            case "zstd" -> ZSTD;
            default -> {
                if (text.startsWith("dictionary:") && text.length() > "dictionary:".length()) {
                    yield dictionary(text.substring("dictionary:".length()));
                }
                throw new IllegalArgumentException("compression \"" + text + "\": none, zstd or dictionary:NAME");
            }
        };
    }

    /** True unless {@link #NONE}: the channel's messages carry a codec header. */
    public boolean coded() {
        return kind != Kind.NONE;
    }

    @Override
    public String toString() {
        return kind == Kind.DICTIONARY ? "dictionary:" + dictionary : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
