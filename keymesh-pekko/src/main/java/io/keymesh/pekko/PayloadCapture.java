package io.keymesh.pekko;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the first payloads an actor system sends to a directory, one file each
 * ({@code payload-000001.bin}, ...), as samples for {@code keymesh dict train}. The files are written
 * on a thread of its own, never on the sender's. Thread-safe.
 */
final class PayloadCapture {
    private static final Logger log = LoggerFactory.getLogger(PayloadCapture.class);

    private final Path directory;
    private final int count;
    private final AtomicInteger taken = new AtomicInteger();
    private final ExecutorService writer;

    /** Captures {@code count} payloads into {@code directory} (made if missing); nothing if {@code count} is 0. */
    PayloadCapture(Path directory, int count) {
        this.directory = directory;
        this.count = count;
        this.writer = count == 0 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "keymesh-pekko-capture");
            t.setDaemon(true);
            return t;
        });
    }

    /** Keeps a copy of {@code payload} if fewer than the count were taken. Any thread; never blocks on I/O. */
    void offer(byte[] payload) {
        if (writer == null || taken.get() >= count) {
            return;
        }
        int n = taken.incrementAndGet();
        if (n > count) {
            return;
        }
        byte[] copy = payload.clone();
        writer.execute(() -> write(n, copy));
    }

    private void write(int n, byte[] payload) {
        try {
            Files.createDirectories(directory);
            Files.write(directory.resolve(String.format("payload-%06d.bin", n)), payload);
            if (n == count) {
                log.info("keymesh-pekko: wrote {} payload samples to {} (train a dictionary: keymesh dict train --samples {} -o FILE)",
                        count, directory, directory);
            }
        } catch (IOException e) {
            log.warn("keymesh-pekko: cannot write a payload sample to {}: {}", directory, e.toString());
        }
    }

    /** How many payloads were taken so far (written, or being written). */
    int taken() {
        return Math.min(taken.get(), count);
    }

    /** Waits up to {@code millis} for the samples taken to be written; for tests and shutdown. */
    void flush(long millis) {
        if (writer == null) {
            return;
        }
        writer.shutdown();
        try {
            writer.awaitTermination(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
