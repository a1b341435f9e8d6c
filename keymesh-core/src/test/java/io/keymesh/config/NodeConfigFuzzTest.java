package io.keymesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keymesh.node.NodeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the config loader with HOCON text: the input, read as UTF-8, is what a user could write in
 * a config file (relative key files resolve in an empty directory). Text with {@code include} is
 * skipped: an include reads other files or URLs, which is Typesafe Config's and not the loader's.
 *
 * <p>Invariant: {@link NodeConfigLoader#parse} either gives a configuration or throws {@link
 * BadConfigException} with at least one problem, each a non-blank sentence; nothing else escapes
 * (no {@code NullPointerException}, {@code NumberFormatException} or a record's {@code
 * IllegalArgumentException} from a value that passed the loader's checks). A configuration that
 * loads and that {@link NodeConfigRenderer} can write (it refuses, with {@code
 * IllegalArgumentException}, what the block cannot say) loads back from the written text equal.
 * Regression inputs (valid configs to start from) are in {@code NodeConfigFuzzTestInputs/text/}.
 */
class NodeConfigFuzzTest {
    private static final Path BASE_DIR = emptyDirectory();

    private static Path emptyDirectory() {
        try {
            Path dir = Files.createTempDirectory("keymesh-config-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void text(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        if (text.contains("include")) {
            return;
        }
        LoadedNodeConfig loaded;
        try {
            loaded = NodeConfigLoader.parse(text, BASE_DIR);
        } catch (BadConfigException e) {
            assertFalse(e.problems().isEmpty(), "a refusal without a problem");
            for (String problem : e.problems()) {
                assertFalse(problem.isBlank(), "a blank problem in " + e.problems());
            }
            return;
        }
        NodeConfig node = loaded.node();
        String written;
        try {
            written = NodeConfigRenderer.render(node);
        } catch (IllegalArgumentException cannotSay) {
            return;
        }
        try {
            assertEquals(node, NodeConfigLoader.parse(written, BASE_DIR).node(), "loaded back from\n" + written);
        } catch (BadConfigException e) {
            fail("the written block does not load: " + e.problems() + "\n" + written);
        }
    }
}
