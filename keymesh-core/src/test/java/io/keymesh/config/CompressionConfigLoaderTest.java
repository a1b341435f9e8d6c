package io.keymesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.compress.CompressionConfig;
import io.keymesh.compress.DictionarySource;
import io.keymesh.compress.TestDictionaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code keymesh.compression} object: defaults, values, dictionaries by file and resource, every bad value named. */
class CompressionConfigLoaderTest {
    @TempDir
    Path dir;

    private static String conf(String body) {
        return "keymesh {\n  private-key = \"" + NodeConfigLoaderTest.PRIVATE + "\"\n  network-key = \""
                + NodeConfigLoaderTest.NETWORK + "\"\n" + body + "}\n";
    }

    private CompressionConfig load(String body) throws BadConfigException {
        LoadedNodeConfig c = NodeConfigLoader.parse(conf(body), dir);
        c.node().privateKey().close();
        return c.node().compression();
    }

    private String problems(String body) {
        return String.join("\n", assertThrows(BadConfigException.class, () -> load(body)).problems());
    }

    @Test
    void defaultsAreOnAtLevelThreeWithoutDictionaries() throws BadConfigException {
        assertEquals(CompressionConfig.DEFAULT, load(""));
    }

    @Test
    void valuesAndDictionaries() throws Exception {
        Files.write(dir.resolve("json.zdict"), TestDictionaries.trained(1));
        CompressionConfig c = load("""
                  compression {
                    enabled = false
                    level = 9
                    dictionaries = [ { name = json, file = json.zdict } ]
                  }
                """);
        assertFalse(c.enabled());
        assertEquals(9, c.level());
        assertEquals(List.of(DictionarySource.file("json", dir.resolve("json.zdict"))), c.dictionaries());
        LoadedNodeConfig loaded = NodeConfigLoader.parse(conf("  compression { level = 9, dictionaries = [ { name = json, file = json.zdict } ] }\n"), dir);
        String rendered = NodeConfigRenderer.render(loaded.node());
        LoadedNodeConfig again = NodeConfigLoader.parse(rendered, Path.of("/"));
        assertEquals(loaded.node().compression(), again.node().compression(), rendered);
        assertTrue(loaded.render().contains("dictionaries = [\n      { name = \"json\", file = "), loaded.render());
        loaded.node().privateKey().close();
        again.node().privateKey().close();
    }

    @Test
    void badValuesAreNamed() throws Exception {
        Files.write(dir.resolve("notadict"), new byte[100]);
        assertEquals("keymesh.compression.level: must be a whole number 1..19 (zstd's level; 3 is zstd's default), got 30 (line 4)",
                problems("  compression { level = 30 }\n"));
        assertTrue(problems("  compression { lvl = 3 }\n").startsWith("keymesh.compression.lvl: unknown key (did you mean level?)"));
        assertEquals("keymesh.compression.dictionaries[0].file: " + dir.resolve("missing.zdict") + ": no such file (line 4)",
                problems("  compression { dictionaries = [ { name = a, file = missing.zdict } ] }\n"));
        assertTrue(problems("  compression { dictionaries = [ { name = a, file = notadict } ] }\n")
                .contains("not a zstd dictionary: no magic number"));
        assertEquals("keymesh.compression.dictionaries[0]: give exactly one of file (a path) and resource (on the class path) (line 4)",
                problems("  compression { dictionaries = [ { name = a } ] }\n"));
        assertTrue(problems("  compression { dictionaries = [ { name = \"a b\", resource = x } ] }\n")
                .contains("1-64 letters, digits"));
        assertTrue(problems("  compression { dictionaries = [ { name = a, resource = no/such.zdict } ] }\n")
                .contains("class-path resource no/such.zdict: not found"));
    }
}
