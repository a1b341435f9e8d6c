package io.keymesh.pekko;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.keymesh.compress.Compression;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The transport's own settings, the block {@code pekko.remote.classic.keymesh} (defaults in this
 * module's {@code reference.conf}). The node itself (key, UDP port, network key, peers) is the
 * top-level {@code keymesh} block, read by {@link io.keymesh.config.NodeConfigLoader}.
 *
 * @param schemeIdentifier {@code mesh}, or {@code tcp} for Pekko Cluster (which accepts only the
 *     protocols pekko, pekko.tcp and pekko.ssl.tcp)
 * @param port the virtual port this actor system listens on; 0 picks a free one
 * @param maximumPayloadBytes the largest remoting payload
 * @param connectionTimeout how long an association waits for the other node's answer
 * @param compression how this actor system's associations send payloads ({@link Compression}: none,
 *     zstd, or one of the node's dictionaries by name)
 * @param captureDirectory where the first {@code captureCount} payloads this actor system sends are
 *     written, one file each, as samples for {@code keymesh dict train}; null: none
 * @param captureCount how many payloads to write there
 */
public record MeshTransportSettings(String schemeIdentifier, int port, int maximumPayloadBytes, Duration connectionTimeout,
        Compression compression, Path captureDirectory, int captureCount) {
    /** Where the block sits in an actor system's configuration. */
    public static final String PATH = "pekko.remote.classic.keymesh";
    /** Classic remoting's floor for any transport's maximum payload. */
    public static final int MIN_PAYLOAD = 32_000;

    public MeshTransportSettings {
        if (!schemeIdentifier.matches("[a-z][a-z0-9+.-]*")) {
            throw new IllegalArgumentException(PATH + ".scheme-identifier: \"" + schemeIdentifier
                    + "\" is not a URI scheme (lowercase letters, digits, + - .); use mesh, or tcp for Pekko Cluster");
        }
        if (port < 0 || port > MeshAddress.MAX_PORT) {
            throw new IllegalArgumentException(PATH + ".port: " + port + " out of range 0.." + MeshAddress.MAX_PORT + " (0: any free virtual port)");
        }
        if (maximumPayloadBytes < MIN_PAYLOAD) {
            throw new IllegalArgumentException(PATH + ".maximum-payload-bytes: " + maximumPayloadBytes
                    + " is below " + MIN_PAYLOAD + ", the least a Pekko transport must carry");
        }
        if (connectionTimeout.isNegative() || connectionTimeout.isZero()) {
            throw new IllegalArgumentException(PATH + ".connection-timeout: must be positive, got " + connectionTimeout);
        }
        java.util.Objects.requireNonNull(compression, "compression");
        if (captureCount < 0 || captureCount > MAX_CAPTURE) {
            throw new IllegalArgumentException(PATH + ".capture-samples.count: " + captureCount + " out of range 0.." + MAX_CAPTURE);
        }
        if (captureCount > 0 && captureDirectory == null) {
            throw new IllegalArgumentException(PATH + ".capture-samples.directory: give a directory for the "
                    + captureCount + " samples");
        }
    }

    /** Samples written at most (zstd's trainer wants thousands, not millions). */
    public static final int MAX_CAPTURE = 1_000_000;

    /** Without compression or capture. */
    public MeshTransportSettings(String schemeIdentifier, int port, int maximumPayloadBytes, Duration connectionTimeout) {
        this(schemeIdentifier, port, maximumPayloadBytes, connectionTimeout, Compression.NONE, null, 0);
    }

    /**
     * Reads the transport block.
     *
     * @throws IllegalArgumentException naming the key and why
     */
    public static MeshTransportSettings from(Config block) {
        try {
            long max = block.getBytes("maximum-payload-bytes");
            if (max > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(PATH + ".maximum-payload-bytes: " + max + " is more than " + Integer.MAX_VALUE);
            }
            Compression compression;
            try {
                compression = Compression.parse(block.getString("compression"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PATH + "." + e.getMessage()); // "compression \"x\": none, zstd or ..."
            }
            String dir = block.getString("capture-samples.directory");
            return new MeshTransportSettings(block.getString("scheme-identifier"), block.getInt("port"), (int) max,
                    block.getDuration("connection-timeout"), compression, dir.isEmpty() ? null : Path.of(dir),
                    block.getInt("capture-samples.count"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(PATH + ": " + e.getMessage(), e);
        }
    }
}
