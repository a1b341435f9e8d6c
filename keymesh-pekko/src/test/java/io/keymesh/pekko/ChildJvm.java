package io.keymesh.pekko;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link ChildSystem} in a JVM of its own, started with the test's class path. */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final String name;

    private ChildJvm(Process process, String name) {
        this.process = process;
        this.name = name;
    }

    /** Starts actor system {@code systemName} with configuration {@code config}; returns once it is READY. */
    static ChildJvm start(String systemName, String config, Path dir, String label) throws Exception {
        Path file = Files.createTempFile(dir, label, ".conf");
        Files.writeString(file, config);
        Path log = dir.resolve(label + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                ChildSystem.class.getName(), file.toString(), systemName)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        ChildJvm child = new ChildJvm(p, label);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.equals("READY")) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String line;
        try {
            line = ready.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            child.kill();
            throw new AssertionError(label + " did not start: " + Files.readString(log), e);
        }
        if (line == null) {
            child.kill();
            throw new AssertionError(label + " exited before it was ready: " + Files.readString(log));
        }
        return child;
    }

    /** Kills the JVM at once, as a crash would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
