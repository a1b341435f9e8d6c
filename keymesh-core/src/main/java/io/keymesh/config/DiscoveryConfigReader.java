package io.keymesh.config;

import static io.keymesh.config.ConfigReader.present;
import static io.keymesh.config.ConfigReader.typeName;
import static io.keymesh.config.NodeConfigKeys.DISCOVERY;
import static io.keymesh.config.NodeConfigKeys.DISCOVERY_KEYS;
import static io.keymesh.config.NodeConfigKeys.ENABLED;
import static io.keymesh.config.NodeConfigKeys.MAX_HOPS;
import static io.keymesh.config.NodeConfigKeys.MAX_SEEK_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.MIN_SEEK_TIMEOUT;
import static io.keymesh.config.NodeConfigKeys.TIMEOUT;
import static io.keymesh.config.NodeConfigLoader.ROOT;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.keymesh.overlay.DiscoveryConfig;
import io.keymesh.wire.SeekFrame;
import java.time.Duration;

/**
 * Reads the {@code keymesh.discovery} object — finding peers with no known path through the
 * members: {@code enabled}, {@code max-hops}, {@code timeout} — into a {@link DiscoveryConfig},
 * reporting each problem to its {@link ConfigReader}. Not thread-safe: one per load.
 */
final class DiscoveryConfigReader {
    private final ConfigReader reader;

    DiscoveryConfigReader(ConfigReader reader) {
        this.reader = reader;
    }

    /** The discovery settings of {@code reference.conf}. */
    static DiscoveryConfig defaults() {
        ConfigReader reader = new ConfigReader(null);
        DiscoveryConfig d = new DiscoveryConfigReader(reader).read(NodeConfigLoader.reference().getObject(ROOT));
        if (d == null) {
            throw new IllegalStateException("reference.conf's discovery object: " + String.join("; ", reader.problems()));
        }
        return d;
    }

    /** The {@code discovery} object of the {@code keymesh} block {@code o} (merged over reference.conf's), or null after reporting a problem. */
    DiscoveryConfig read(ConfigObject o) {
        String path = ROOT + "." + DISCOVERY;
        ConfigValue v = o.get(DISCOVERY);
        if (v == null || v.valueType() != ConfigValueType.OBJECT) {
            reader.problem(path, "must be an object { " + ENABLED + " = ..., " + MAX_HOPS + " = ..., " + TIMEOUT
                    + " = ... }, got " + (v == null ? "nothing" : typeName(v)) + " (to turn discovery off: " + DISCOVERY
                    + "." + ENABLED + " = false)", v == null ? null : v.origin());
            return null;
        }
        ConfigObject d = (ConfigObject) v;
        reader.unknownKeys(path, d, DISCOVERY_KEYS);
        boolean enabled = reader.bool(path + "." + ENABLED, d, ENABLED, DiscoveryConfig.DEFAULT.enabled());
        int hops = maxHops(path + "." + MAX_HOPS, d);
        long timeout = timeout(path + "." + TIMEOUT, d);
        if (hops < 0 || timeout < 0) {
            return null;
        }
        return DiscoveryConfig.DEFAULT.withEnabled(enabled).withMaxHops(hops).withTimeoutNanos(timeout);
    }

    /** 1..{@value SeekFrame#MAX_HOPS}, or -1 after reporting a problem. */
    private int maxHops(String path, ConfigObject o) {
        return (int) reader.wholeNumber(path, o, MAX_HOPS, 1, SeekFrame.MAX_HOPS, null,
                "a seek's way back is a relayed route of at most " + SeekFrame.MAX_HOPS + " hops");
    }

    /** In nanoseconds, or -1 after reporting a problem. */
    private long timeout(String path, ConfigObject o) {
        ConfigValue v = present(o, TIMEOUT);
        if (v == null) {
            reader.problem(path, "missing: give a duration such as 3s", o.origin());
            return -1;
        }
        Duration d = reader.duration(path, v, "3s");
        if (d == null) {
            return -1;
        }
        if (d.compareTo(MIN_SEEK_TIMEOUT) < 0 || d.compareTo(MAX_SEEK_TIMEOUT) > 0) {
            reader.problem(path, "must be " + Durations.format(MIN_SEEK_TIMEOUT) + ".." + Durations.format(MAX_SEEK_TIMEOUT)
                    + ", got " + v.unwrapped(), v.origin());
            return -1;
        }
        return d.toNanos();
    }
}
