package io.keymesh.config;

import static io.keymesh.config.ConfigReader.present;
import static io.keymesh.config.ConfigReader.render;
import static io.keymesh.config.ConfigReader.typeName;
import static io.keymesh.config.NodeConfigKeys.COMPRESSION;
import static io.keymesh.config.NodeConfigKeys.COMPRESSION_KEYS;
import static io.keymesh.config.NodeConfigKeys.DICTIONARIES;
import static io.keymesh.config.NodeConfigKeys.DICTIONARY_KEYS;
import static io.keymesh.config.NodeConfigKeys.ENABLED;
import static io.keymesh.config.NodeConfigKeys.FILE;
import static io.keymesh.config.NodeConfigKeys.LEVEL;
import static io.keymesh.config.NodeConfigKeys.NAME;
import static io.keymesh.config.NodeConfigKeys.RESOURCE;
import static io.keymesh.config.NodeConfigLoader.ROOT;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.keymesh.compress.CompressionConfig;
import io.keymesh.compress.Dictionary;
import io.keymesh.compress.DictionarySource;
import io.keymesh.compress.DictionaryStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the {@code keymesh.compression} object — channel compression: {@code enabled},
 * {@code level}, {@code dictionaries} (each {@code { name, file }} or {@code { name, resource }}) —
 * into a {@link CompressionConfig}, reporting each problem to its {@link ConfigReader}. Each
 * dictionary is read once here, so that a missing file or one that is not a zstd dictionary is
 * reported with its key and line. Not thread-safe: one per load.
 */
final class CompressionConfigReader {
    private final ConfigReader reader;
    private final Path baseDir;

    /** Relative dictionary files are relative to {@code baseDir} (the working directory if null). */
    CompressionConfigReader(ConfigReader reader, Path baseDir) {
        this.reader = reader;
        this.baseDir = baseDir;
    }

    /** The {@code compression} object of the {@code keymesh} block {@code o} (merged over reference.conf's), or null after reporting a problem. */
    CompressionConfig read(ConfigObject o) {
        String path = ROOT + "." + COMPRESSION;
        ConfigValue v = o.get(COMPRESSION);
        if (v == null || v.valueType() != ConfigValueType.OBJECT) {
            reader.problem(path, "must be an object { " + ENABLED + " = ..., " + LEVEL + " = ..., " + DICTIONARIES
                    + " = [...] }, got " + (v == null ? "nothing" : typeName(v)) + " (to turn compression off: "
                    + COMPRESSION + "." + ENABLED + " = false)", v == null ? null : v.origin());
            return null;
        }
        ConfigObject c = (ConfigObject) v;
        reader.unknownKeys(path, c, COMPRESSION_KEYS);
        boolean enabled = reader.bool(path + "." + ENABLED, c, ENABLED, CompressionConfig.DEFAULT.enabled());
        int level = level(path + "." + LEVEL, c);
        List<DictionarySource> dictionaries = dictionaries(path + "." + DICTIONARIES, c);
        if (level < 0 || dictionaries == null) {
            return null;
        }
        return new CompressionConfig(enabled, level, dictionaries);
    }

    private int level(String path, ConfigObject o) {
        ConfigValue v = present(o, LEVEL);
        String range = CompressionConfig.MIN_LEVEL + ".." + CompressionConfig.MAX_LEVEL;
        if (v == null) {
            return CompressionConfig.DEFAULT_LEVEL;
        }
        Object u = v.unwrapped();
        if (!(u instanceof Integer n) || n < CompressionConfig.MIN_LEVEL || n > CompressionConfig.MAX_LEVEL) {
            reader.problem(path, "must be a whole number " + range + " (zstd's level; 3 is zstd's default), got " + render(v),
                    v.origin());
            return -1;
        }
        return n;
    }

    private List<DictionarySource> dictionaries(String path, ConfigObject o) {
        ConfigValue v = present(o, DICTIONARIES);
        if (v == null) {
            return List.of();
        }
        if (v.valueType() != ConfigValueType.LIST) {
            reader.problem(path, "must be a list of { " + NAME + " = ..., " + FILE + " = ... } objects, got " + typeName(v),
                    v.origin());
            return null;
        }
        ConfigList list = (ConfigList) v;
        if (list.size() > DictionaryStore.MAX_DICTIONARIES) {
            reader.problem(path, "at most " + DictionaryStore.MAX_DICTIONARIES + " dictionaries, got " + list.size(), v.origin());
            return null;
        }
        List<DictionarySource> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            DictionarySource d = dictionary(path + "[" + i + "]", list.get(i));
            if (d == null) {
                ok = false;
            } else if (!names.add(d.name())) {
                reader.problem(path + "[" + i + "]." + NAME, "\"" + d.name() + "\" is named twice", list.get(i).origin());
                ok = false;
            } else {
                out.add(d);
            }
        }
        return ok ? out : null;
    }

    private DictionarySource dictionary(String path, ConfigValue v) {
        if (v.valueType() != ConfigValueType.OBJECT) {
            reader.problem(path, "must be an object { " + NAME + " = ..., " + FILE + " = ... } (or " + RESOURCE
                    + " = ... for the class path), got " + typeName(v), v.origin());
            return null;
        }
        ConfigObject d = (ConfigObject) v;
        reader.unknownKeys(path, d, DICTIONARY_KEYS);
        ConfigValue nameValue = present(d, NAME);
        ConfigValue fileValue = present(d, FILE);
        ConfigValue resourceValue = present(d, RESOURCE);
        if (nameValue == null) {
            reader.problem(path + "." + NAME, "missing: the name channels ask for, e.g. \"pekko\"", v.origin());
            return null;
        }
        String name = reader.string(nameValue, path + "." + NAME);
        if ((fileValue == null) == (resourceValue == null)) {
            reader.problem(path, "give exactly one of " + FILE + " (a path) and " + RESOURCE + " (on the class path)", v.origin());
            return null;
        }
        String where = reader.string(fileValue != null ? fileValue : resourceValue, path + "." + (fileValue != null ? FILE : RESOURCE));
        if (name == null || where == null) {
            return null;
        }
        Path file = null;
        if (fileValue != null) {
            try {
                file = baseDir == null ? Path.of(where) : baseDir.resolve(where);
            } catch (java.nio.file.InvalidPathException e) {
                reader.problem(path + "." + FILE, "not a file path (" + e.getReason() + ")", fileValue.origin());
                return null;
            }
        }
        DictionarySource source;
        try {
            source = fileValue != null
                    ? DictionarySource.file(name, file)
                    : DictionarySource.resource(name, where);
        } catch (IllegalArgumentException e) {
            reader.problem(path + "." + NAME, e.getMessage(), nameValue.origin());
            return null;
        }
        ConfigValue at = fileValue != null ? fileValue : resourceValue;
        String atPath = path + "." + (fileValue != null ? FILE : RESOURCE);
        try {
            Dictionary.idOf(source.read());
        } catch (IOException e) {
            reader.problem(atPath, e instanceof java.nio.file.NoSuchFileException ? source.where() + ": no such file"
                    : e.getMessage(), at.origin());
            return null;
        } catch (IllegalArgumentException e) {
            reader.problem(atPath, source.where() + ": " + e.getMessage(), at.origin());
            return null;
        }
        return source;
    }
}
