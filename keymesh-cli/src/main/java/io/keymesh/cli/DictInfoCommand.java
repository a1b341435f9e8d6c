package io.keymesh.cli;

import io.keymesh.compress.Dictionary;
import io.keymesh.wire.DictionaryRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh dict info FILE}: what two nodes compare of a dictionary — its id and content hash —
 * and its size. Needs no native library.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Describe a zstd dictionary: its id, size and SHA-256 (nodes use a dictionary together only when id and hash match).")
final class DictInfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "A dictionary file, as `keymesh dict train` writes it.")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException("is a directory");
            }
            long size = Files.size(file);
            if (size > io.keymesh.compress.DictionarySource.MAX_DICTIONARY_BYTES) {
                throw new IllegalArgumentException(size + " bytes: larger than a dictionary");
            }
            byte[] content = Files.readAllBytes(file);
            long id = Dictionary.idOf(content);
            byte[] sha256 = Dictionary.sha256(content);
            out.println("file:    " + file);
            out.println("format:  zstd dictionary");
            out.println("id:      " + id);
            out.printf("size:    %,d bytes%n", content.length);
            out.println("sha256:  " + HexFormat.of().formatHex(sha256));
            out.println("offered: " + new DictionaryRef(id, sha256) + "   (id/first 16 bytes of the hash, as nodes compare it)");
            out.flush();
            return 0;
        } catch (java.nio.file.NoSuchFileException e) {
            err.println("keymesh dict info: " + file + ": no such file");
        } catch (IOException | IllegalArgumentException e) {
            err.println("keymesh dict info: " + file + ": " + e.getMessage());
        }
        err.flush();
        return 1;
    }
}
