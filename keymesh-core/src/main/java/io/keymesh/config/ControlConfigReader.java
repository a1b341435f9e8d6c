package io.keymesh.config;

import static io.keymesh.config.ConfigReader.present;
import static io.keymesh.config.ConfigReader.typeName;
import static io.keymesh.config.NodeConfigKeys.CONTROL;
import static io.keymesh.config.NodeConfigKeys.CONTROL_KEYS;
import static io.keymesh.config.NodeConfigKeys.ENABLED;
import static io.keymesh.config.NodeConfigKeys.SOCKET;
import static io.keymesh.config.NodeConfigLoader.ROOT;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Reads the {@code keymesh.control} object — {@code enabled}, {@code socket} — into a
 * {@link ControlConfig}, reporting each problem to its {@link ConfigReader}. Not thread-safe: one
 * per load.
 */
final class ControlConfigReader {
    private final ConfigReader reader;
    private final Path baseDir;

    /** {@code baseDir}: where a relative socket path is resolved (the config file's directory), or null for the working directory. */
    ControlConfigReader(ConfigReader reader, Path baseDir) {
        this.reader = reader;
        this.baseDir = baseDir;
    }

    /** The {@code control} object of the {@code keymesh} block {@code o} (merged over reference.conf's), or null after reporting a problem. */
    ControlConfig read(ConfigObject o) {
        String path = ROOT + "." + CONTROL;
        ConfigValue v = o.get(CONTROL);
        if (v == null || v.valueType() != ConfigValueType.OBJECT) {
            reader.problem(path, "must be an object { " + ENABLED + " = ..., " + SOCKET + " = ... }, got "
                    + (v == null ? "nothing" : typeName(v)), v == null ? null : v.origin());
            return null;
        }
        ConfigObject c = (ConfigObject) v;
        reader.unknownKeys(path, c, CONTROL_KEYS);
        boolean enabled = reader.bool(path + "." + ENABLED, c, ENABLED, ControlConfig.DEFAULT.enabled());
        ConfigValue s = present(c, SOCKET);
        if (s == null) {
            return new ControlConfig(enabled, null);
        }
        String socketPath = path + "." + SOCKET;
        String text = reader.string(s, socketPath);
        if (text == null) {
            return null;
        }
        if (text.isBlank()) {
            reader.problem(socketPath, "must be a file path, got an empty string (for the default path leave it out; "
                    + "for no socket: " + CONTROL + "." + ENABLED + " = false)", s.origin());
            return null;
        }
        Path p;
        try {
            p = Path.of(text);
            p = (baseDir == null ? p.toAbsolutePath() : baseDir.resolve(p)).normalize();
        } catch (InvalidPathException e) {
            reader.problem(socketPath, "not a file path (" + e.getReason() + ")", s.origin());
            return null;
        }
        int bytes = p.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > ControlConfig.MAX_SOCKET_PATH_BYTES) {
            reader.problem(socketPath, p + " is too long for a Unix socket (" + bytes + " bytes, at most "
                    + ControlConfig.MAX_SOCKET_PATH_BYTES + ")", s.origin());
            return null;
        }
        return new ControlConfig(enabled, p);
    }
}
