package io.keymesh.compress;

import io.keymesh.testing.JsonRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Dictionaries for tests: trained on the JSON-like records of a seed; stores over them. */
public final class TestDictionaries {
    private TestDictionaries() {}

    /** A 16 KiB dictionary trained on 2,000 records of {@code seed}. */
    public static byte[] trained(long seed) {
        return DictionaryTrainer.train(JsonRecords.generate(seed, 2000), 16 << 10, 3);
    }

    /** {@code dictionary} with its id replaced by {@code id} (other content, so another hash). */
    public static byte[] withId(byte[] dictionary, long id) {
        byte[] b = dictionary.clone();
        b[4] = (byte) id;
        b[5] = (byte) (id >>> 8);
        b[6] = (byte) (id >>> 16);
        b[7] = (byte) (id >>> 24);
        return b;
    }

    /** The id in a dictionary's header. */
    public static long id(byte[] dictionary) {
        return Dictionary.idOf(dictionary);
    }

    /** {@code dictionary} written to a temporary file. */
    public static Path file(byte[] dictionary) {
        try {
            Path f = Files.createTempFile("keymesh-dict", ".zdict");
            f.toFile().deleteOnExit();
            Files.write(f, dictionary);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A store holding {@code dictionary} as "json". */
    public static DictionaryStore store(byte[] dictionary) {
        return DictionaryStore.open(config(dictionary));
    }

    /** Compression on, holding {@code dictionary} as "json". */
    public static CompressionConfig config(byte[] dictionary) {
        return CompressionConfig.DEFAULT.withDictionaries(List.of(DictionarySource.file("json", file(dictionary))));
    }
}
