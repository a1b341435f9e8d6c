package io.keymesh.compress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a named dictionary is read from: a file, or a resource on the class path. Read again on
 * each reload, so a file replaced by a retrained dictionary is taken up as a new version.
 *
 * @param name what channels ask for ({@link Compression#dictionary(String)}): 1-64 characters of
 *     letters, digits, '-', '_', '.'
 * @param file the dictionary file, or null
 * @param resource the class-path resource (e.g. {@code dictionaries/pekko.zdict}), or null; exactly
 *     one of file and resource
 */
public record DictionarySource(String name, Path file, String resource) {
    /** Larger files are not dictionaries (zstd's trainer makes 100 KiB by default; 2 MiB leaves room). */
    public static final int MAX_DICTIONARY_BYTES = 2 << 20;

    public DictionarySource {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("dictionary name \"" + name + "\": 1-64 letters, digits, '-', '_' or '.'");
        }
        if ((file == null) == (resource == null)) {
            throw new IllegalArgumentException("dictionary " + name + ": give exactly one of a file and a class-path resource");
        }
    }

    public static DictionarySource file(String name, Path file) {
        return new DictionarySource(name, file, null);
    }

    public static DictionarySource resource(String name, String resource) {
        return new DictionarySource(name, null, resource);
    }

    /**
     * The dictionary's bytes as they are now.
     *
     * @throws IOException naming the file or resource if it cannot be read, is missing or too large
     */
    public byte[] read() throws IOException {
        if (file != null) {
            long size = Files.size(file);
            if (size > MAX_DICTIONARY_BYTES) {
                throw new IOException(file + ": " + size + " bytes, more than a dictionary (" + MAX_DICTIONARY_BYTES + ")");
            }
            return Files.readAllBytes(file);
        }
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        InputStream in = loader == null ? null : loader.getResourceAsStream(path);
        if (in == null) {
            in = DictionarySource.class.getClassLoader().getResourceAsStream(path);
        }
        if (in == null) {
            throw new IOException("class-path resource " + resource + ": not found");
        }
        try (InputStream stream = in) {
            byte[] b = stream.readNBytes(MAX_DICTIONARY_BYTES + 1);
            if (b.length > MAX_DICTIONARY_BYTES) {
                throw new IOException("class-path resource " + resource + ": more than a dictionary (" + MAX_DICTIONARY_BYTES + " bytes)");
            }
            return b;
        }
    }

    /** The file or resource, as a person would name it. */
    public String where() {
        return file != null ? file.toString() : "classpath:" + resource;
    }
}
