package io.keymesh.compress;

import com.github.luben.zstd.Zstd;
import java.util.Arrays;
import java.util.List;

/**
 * Trains a zstd dictionary from sample messages with zstd's own trainer (ZDICT, through zstd-jni),
 * which gives it a random id. Thread-safe; needs zstd's native library.
 */
public final class DictionaryTrainer {
    /** The smallest dictionary asked for. */
    public static final int MIN_SIZE = 1024;
    /** The largest dictionary asked for (what a node takes, {@link DictionarySource#MAX_DICTIONARY_BYTES}). */
    public static final int MAX_SIZE = DictionarySource.MAX_DICTIONARY_BYTES;

    private DictionaryTrainer() {}

    /**
     * A dictionary of at most {@code size} bytes for messages like {@code samples}. zstd wants many
     * samples (hundreds at least; about a hundred times the dictionary's size in all works well).
     *
     * @param level the zstd level the dictionary is tuned for
     * @throws IllegalArgumentException if the size is out of range, or zstd's trainer fails (too few
     *     or too uniform samples), saying why
     * @throws IllegalStateException if zstd's native library does not load here
     */
    public static byte[] train(List<byte[]> samples, int size, int level) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("dictionary size " + size + " out of range " + MIN_SIZE + ".." + MAX_SIZE);
        }
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        if (!ZstdLibrary.available()) {
            throw new IllegalStateException("zstd's native library does not load here: " + ZstdLibrary.failure());
        }
        byte[] buffer = new byte[size];
        long n;
        try {
            n = Zstd.trainFromBuffer(samples.toArray(new byte[0][]), buffer, false, level);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("zstd's trainer failed: " + e.getMessage()
                    + " (give more samples, or a smaller size)", e);
        }
        if (Zstd.isError(n)) {
            throw new IllegalArgumentException("zstd's trainer failed: " + Zstd.getErrorName(n)
                    + " (give more samples, or a smaller size)");
        }
        return Arrays.copyOf(buffer, (int) n);
    }
}
