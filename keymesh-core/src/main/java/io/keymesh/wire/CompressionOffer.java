package io.keymesh.wire;

import java.util.List;

/**
 * What one side of a channel connection decodes, as its COMPRESSION frame says
 * ({@link CompressionFrame}): whether it decodes zstd at all, and the zstd dictionaries it holds.
 * A side that sent no COMPRESSION frame decodes nothing but raw messages.
 *
 * @param version increases with each new offer on one connection; a receiver keeps the highest seen
 * @param zstd the side decodes zstd frames (without it, dictionaries are not used either)
 * @param dictionaries the dictionaries it decodes with, at most {@link CompressionFrame#MAX_DICTIONARIES}
 */
public record CompressionOffer(long version, boolean zstd, List<DictionaryRef> dictionaries) {
    public CompressionOffer {
        if (version < 0 || version > VarInt.MAX) {
            throw new IllegalArgumentException("version out of range: " + version);
        }
        dictionaries = List.copyOf(dictionaries);
        if (dictionaries.size() > CompressionFrame.MAX_DICTIONARIES) {
            throw new IllegalArgumentException(dictionaries.size() + " dictionaries; at most " + CompressionFrame.MAX_DICTIONARIES);
        }
    }

    /** True if the side decodes with {@code d} (the same id and content hash). */
    public boolean has(DictionaryRef d) {
        return zstd && dictionaries.contains(d);
    }
}
