package io.keymesh.config;

import static io.keymesh.config.ConfigReader.present;
import static io.keymesh.config.ConfigReader.typeName;
import static io.keymesh.config.NodeConfigKeys.BYTES_PER_SECOND;
import static io.keymesh.config.NodeConfigKeys.ENABLED;
import static io.keymesh.config.NodeConfigKeys.IDLE_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.MAX_BYTES_PER_SECOND;
import static io.keymesh.config.NodeConfigKeys.MAX_CIRCUITS;
import static io.keymesh.config.NodeConfigKeys.MAX_CIRCUITS_PER_LINK;
import static io.keymesh.config.NodeConfigKeys.MAX_CIRCUITS_LIMIT;
import static io.keymesh.config.NodeConfigKeys.MAX_IDLE_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.MIN_IDLE_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.RELAY;
import static io.keymesh.config.NodeConfigKeys.RELAY_KEYS;
import static io.keymesh.config.NodeConfigLoader.ROOT;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.keymesh.overlay.RelayConfig;
import java.time.Duration;
import java.util.Map;

/**
 * Reads the {@code keymesh.relay} object — the relay service this node offers: {@code enabled},
 * {@code max-circuits}, {@code max-circuits-per-link}, {@code bytes-per-second}, {@code idle-timeout} — into a {@link RelayConfig},
 * reporting each problem to its {@link ConfigReader}. Not thread-safe: one per load.
 */
final class RelayConfigReader {
    private final ConfigReader reader;

    RelayConfigReader(ConfigReader reader) {
        this.reader = reader;
    }

    /** The relay settings of {@code reference.conf}: what the loader takes for keys a relay object leaves out. */
    static RelayConfig defaults() {
        ConfigReader reader = new ConfigReader(null);
        RelayConfig relay = new RelayConfigReader(reader).read(NodeConfigLoader.reference().getObject(ROOT));
        if (relay == null) {
            throw new IllegalStateException("reference.conf's relay object: " + String.join("; ", reader.problems()));
        }
        return relay;
    }

    /**
     * The {@code relay} object of the {@code keymesh} block {@code o} (merged over reference.conf's,
     * so every key is there unless set to null), or null after reporting a problem.
     */
    RelayConfig read(ConfigObject o) {
        String path = ROOT + "." + RELAY;
        ConfigValue v = o.get(RELAY);
        if (v == null || v.valueType() != ConfigValueType.OBJECT) {
            reader.problem(path, "must be an object { " + ENABLED + " = ..., " + MAX_CIRCUITS + " = ..., " + BYTES_PER_SECOND
                    + " = ..., " + IDLE_TIMEOUT + " = ... }, got " + (v == null ? "nothing" : typeName(v))
                    + " (to turn relaying off: " + RELAY + "." + ENABLED + " = false)", v == null ? null : v.origin());
            return null;
        }
        ConfigObject r = (ConfigObject) v;
        reader.unknownKeys(path, r, RELAY_KEYS);
        boolean enabled = reader.bool(path + "." + ENABLED, r, ENABLED, RelayConfig.DEFAULT.enabled());
        int maxCircuits = maxCircuits(path + "." + MAX_CIRCUITS, r);
        long rate = bytesPerSecond(path + "." + BYTES_PER_SECOND, r);
        long idle = idleTimeout(path + "." + IDLE_TIMEOUT, r);
        if (maxCircuits < 0 || rate < 0 || idle < 0) {
            return null;
        }
        int perLink = perLink(path + "." + MAX_CIRCUITS_PER_LINK, r, maxCircuits);
        if (perLink < 0) {
            return null;
        }
        return new RelayConfig(enabled, maxCircuits, rate, idle, perLink);
    }

    /** 0..{@value NodeConfigKeys#MAX_CIRCUITS_LIMIT}, or -1 after reporting a problem. */
    private int maxCircuits(String path, ConfigObject o) {
        return (int) reader.wholeNumber(path, o, MAX_CIRCUITS, 0, MAX_CIRCUITS_LIMIT, null, null);
    }

    /** 1..{@code maxCircuits}, 0 if absent or null (half of max-circuits), or -1 after reporting a problem. */
    private int perLink(String path, ConfigObject o, int maxCircuits) {
        if (present(o, MAX_CIRCUITS_PER_LINK) == null) {
            return 0;
        }
        if (maxCircuits == 0) {
            reader.problem(path, "not with " + MAX_CIRCUITS + " = 0 (no circuits at all)", o.get(MAX_CIRCUITS_PER_LINK).origin());
            return -1;
        }
        return (int) reader.wholeNumber(path, o, MAX_CIRCUITS_PER_LINK, 1, maxCircuits, null,
                "at most " + MAX_CIRCUITS + "; leave it out for half of it");
    }

    /** Bytes per second, 0 for no limit, or -1 after reporting a problem. */
    private long bytesPerSecond(String path, ConfigObject o) {
        ConfigValue v = present(o, BYTES_PER_SECOND);
        String example = "a size such as 10M or 1048576 (0: no limit)";
        if (v == null) {
            reader.problem(path, "missing: give " + example, o.origin());
            return -1;
        }
        if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER) {
            reader.problem(path, "must be " + example + ", got " + typeName(v), v.origin());
            return -1;
        }
        String text = String.valueOf(v.unwrapped()).strip();
        if (text.startsWith("-")) {
            reader.problem(path, "must not be negative, got " + text, v.origin());
            return -1;
        }
        long bytes;
        try {
            bytes = ConfigFactory.parseMap(Map.of("b", v.unwrapped())).getBytes("b");
        } catch (ConfigException e) {
            reader.problem(path, "not a size (e.g. 10M, 500kB, 1048576; 0: no limit): \"" + text + "\"", v.origin());
            return -1;
        }
        if (bytes > MAX_BYTES_PER_SECOND) {
            reader.problem(path, "at most 8G (for no limit: 0), got " + text, v.origin());
            return -1;
        }
        return bytes;
    }

    /** In nanoseconds, or -1 after reporting a problem. */
    private long idleTimeout(String path, ConfigObject o) {
        ConfigValue v = present(o, IDLE_TIMEOUT);
        if (v == null) {
            reader.problem(path, "missing: give a duration such as 120s", o.origin());
            return -1;
        }
        Duration d = reader.duration(path, v, "120s");
        if (d == null) {
            return -1;
        }
        if (d.compareTo(MIN_IDLE_TIMEOUT) < 0) {
            reader.problem(path, "at least " + Durations.format(MIN_IDLE_TIMEOUT) + " (paths not in use are probed every 4s, "
                    + "which keeps their circuits open), got " + v.unwrapped(), v.origin());
            return -1;
        }
        if (d.compareTo(MAX_IDLE_TIMEOUT) > 0) {
            reader.problem(path, "at most 1d, got " + v.unwrapped(), v.origin());
            return -1;
        }
        return d.toNanos();
    }
}
