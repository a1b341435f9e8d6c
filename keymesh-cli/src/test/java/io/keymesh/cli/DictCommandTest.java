package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.compress.Dictionary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code keymesh dict train} and {@code keymesh dict info}: what they write and print, and errors at the edge. */
class DictCommandTest {
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    /** {@code n} JSON-like messages, one per file. */
    private Path samples(int n) throws Exception {
        Path s = Files.createDirectories(dir.resolve("samples"));
        SplittableRandom r = new SplittableRandom(1);
        String[] names = {"alice", "bob", "carol", "dave", "erin"};
        for (int i = 0; i < n; i++) {
            String m = "{\"id\":" + r.nextInt(1_000_000) + ",\"user\":\"" + names[r.nextInt(5)] + "\",\"event\":\"login\","
                    + "\"ok\":" + r.nextBoolean() + ",\"region\":\"eu-west-" + r.nextInt(3) + "\",\"latency_ms\":" + r.nextInt(500)
                    + ",\"agent\":\"Mozilla/5.0 (X11; Linux x86_64) keymesh-test/" + r.nextInt(10) + "\"}";
            Files.writeString(s.resolve(String.format("%05d", i)), m, StandardCharsets.UTF_8);
        }
        return s;
    }

    @Test
    void trainWritesADictionaryThatInfoDescribes() throws Exception {
        Path samples = samples(2000);
        Path file = dir.resolve("json.zdict");
        assertEquals(0, run("dict", "train", "--samples", samples.toString(), "--size", "8KiB", "-o", file.toString()), err.toString());
        byte[] d = Files.readAllBytes(file);
        assertTrue(d.length <= 8192 && d.length > 1024, "size " + d.length);
        long id = Dictionary.idOf(d);
        String sha = HexFormat.of().formatHex(Dictionary.sha256(d));
        assertTrue(out.toString().contains("id " + id + ", sha256 " + sha), out.toString());
        assertTrue(out.toString().contains("trained on 2,000 samples"), out.toString());
        assertTrue(out.toString().matches("(?s).*zstd \\d+\\.\\d\\dx, with the dictionary \\d+\\.\\d\\dx.*"), out.toString());

        out.getBuffer().setLength(0);
        assertEquals(0, run("dict", "info", file.toString()));
        assertTrue(out.toString().contains("id:      " + id + "\n"), out.toString());
        assertTrue(out.toString().contains("sha256:  " + sha + "\n"), out.toString());
        assertTrue(out.toString().contains("offered: " + id + "/" + sha.substring(0, 32)), out.toString());

        assertEquals(1, run("dict", "train", "--samples", samples.toString(), "-o", file.toString()));
        assertTrue(err.toString().contains("exists (--force replaces it)"), err.toString());
    }

    @Test
    void errorsAreNamed() throws Exception {
        Path notDict = dir.resolve("x");
        Files.write(notDict, new byte[64]);
        assertEquals(1, run("dict", "info", notDict.toString()));
        assertTrue(err.toString().contains("not a zstd dictionary: no magic number"), err.toString());
        assertEquals(1, run("dict", "info", dir.resolve("missing").toString()));
        assertTrue(err.toString().contains("missing: no such file"), err.toString());
        assertEquals(1, run("dict", "train", "--samples", dir.resolve("none").toString(), "-o", dir.resolve("o").toString()));
        assertTrue(err.toString().contains("not a directory"), err.toString());
        assertEquals(1, run("dict", "train", "--samples", dir.toString(), "--size", "lots", "-o", dir.resolve("o").toString()));
        assertTrue(err.toString().contains("--size lots: not a size"), err.toString());
        assertEquals(1, run("dict", "train", "--samples", samples(3).toString(), "--size", "64KiB", "-o", dir.resolve("o").toString()));
        assertTrue(err.toString().contains("zstd's trainer failed"), err.toString());
    }

    @Test
    void everyDictCommandHasHelp() {
        for (String[] args : new String[][] {{"dict", "--help"}, {"dict", "train", "-h"}, {"dict", "info", "--help"}}) {
            out.getBuffer().setLength(0);
            assertEquals(0, run(args));
            assertTrue(out.toString().startsWith("Usage: keymesh dict"), out.toString());
        }
    }
}
