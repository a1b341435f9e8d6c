package io.keymesh.cli;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.keymesh.compress.CompressionConfig;
import io.keymesh.compress.CompressionCounters;
import io.keymesh.compress.Dictionary;
import io.keymesh.compress.DictionaryTrainer;
import io.keymesh.compress.MessageEncoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh dict train}: trains a zstd dictionary (zstd's own trainer) from sample messages,
 * one per file under a directory, and says how much it saves on them.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a zstd dictionary from sample messages, one message per file under a directory "
                + "(the Pekko transport's capture-samples setting writes such a directory).",
            "Hundreds of samples at least; about a hundred times the dictionary's size in all works well."})
final class DictTrainCommand implements Callable<Integer> {
    /** A sample larger than this is not a message. */
    static final int MAX_SAMPLE_BYTES = 1 << 20;
    /** All samples together, at most. */
    static final long MAX_TOTAL_BYTES = 1L << 30;

    @Spec
    CommandSpec spec;

    @Option(names = "--samples", required = true, paramLabel = "DIR", description = "Directory of sample messages, one per file (read recursively).")
    Path samples;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "64KiB",
            description = "Largest dictionary size, e.g. 64KiB, 112640 (default: ${DEFAULT-VALUE}); 1KiB..2MiB.")
    String size;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write the dictionary.")
    Path output;

    @Option(names = "--level", paramLabel = "N", defaultValue = "3",
            description = "The zstd level it is tuned for, as the nodes' keymesh.compression.level (default: ${DEFAULT-VALUE}).")
    int level;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        try {
            int bytes = parseSize(size);
            if (level < CompressionConfig.MIN_LEVEL || level > CompressionConfig.MAX_LEVEL) {
                throw new IllegalArgumentException("--level " + level + ": " + CompressionConfig.MIN_LEVEL + ".." + CompressionConfig.MAX_LEVEL);
            }
            if (Files.exists(output) && !force) {
                throw new IllegalArgumentException(output + " exists (--force replaces it)");
            }
            List<byte[]> messages = readSamples(samples);
            long total = messages.stream().mapToLong(m -> m.length).sum();
            long start = System.nanoTime();
            byte[] dictionary = DictionaryTrainer.train(messages, bytes, level);
            long ms = (System.nanoTime() - start) / 1_000_000;
            Files.write(output, dictionary, force
                    ? new StandardOpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE}
                    : new StandardOpenOption[] {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE});
            Dictionary d = Dictionary.parse("trained", 1, dictionary, level, output.toString());
            out.printf("%s: %,d-byte dictionary, id %d, sha256 %s%n", output, d.size(), d.id(), d.sha256Hex());
            out.printf("trained on %,d samples (%,d bytes) in %,d ms%n", messages.size(), total, ms);
            long plain = 0;
            long withDictionary = 0;
            CompressionCounters counters = new CompressionCounters();
            try (MessageEncoder e = new MessageEncoder(level)) {
                for (byte[] m : messages) {
                    plain += e.encode(m, true, null, counters).length;
                    withDictionary += e.encode(m, true, d, counters).length;
                }
            }
            out.printf("on these samples, each message coded as a channel sends it: zstd %.2fx, with the dictionary %.2fx%n",
                    (double) total / plain, (double) total / withDictionary);
            out.flush();
            return 0;
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            err.println("keymesh dict train: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** A size such as {@code 64KiB}, {@code 100K}, {@code 65536}, as HOCON reads sizes. */
    static int parseSize(String text) {
        long n;
        try {
            n = ConfigFactory.parseMap(Map.of("s", text)).getBytes("s");
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--size " + text + ": not a size (e.g. 64KiB, 112640)");
        }
        if (n < DictionaryTrainer.MIN_SIZE || n > DictionaryTrainer.MAX_SIZE) {
            throw new IllegalArgumentException("--size " + text + ": 1KiB..2MiB");
        }
        return (int) n;
    }

    /** Every regular file under {@code dir}, in name order, one sample each. */
    static List<byte[]> readSamples(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--samples " + dir + ": not a directory");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--samples " + dir + ": no files");
        }
        List<byte[]> out = new ArrayList<>(files.size());
        long total = 0;
        for (Path f : files) {
            long n = Files.size(f);
            if (n > MAX_SAMPLE_BYTES) {
                throw new IllegalArgumentException(f + ": " + n + " bytes; a sample is one message (at most 1 MiB)");
            }
            total += n;
            if (total > MAX_TOTAL_BYTES) {
                throw new IllegalArgumentException("--samples " + dir + ": more than 1 GiB of samples");
            }
            if (n > 0) {
                out.add(Files.readAllBytes(f));
            }
        }
        return out;
    }
}
