package io.keymesh.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;

/**
 * Durations written as HOCON writes them: {@code 25s}, {@code 500ms}, {@code 2m}, {@code "1 hour"}.
 * A bare number other than 0 is refused: HOCON would read it as milliseconds, while WireGuard's
 * {@code PersistentKeepalive = 25} means seconds, and guessing either way surprises someone.
 */
public final class Durations {
    private Durations() {}

    /** @throws IllegalArgumentException saying what is wrong (without naming the setting) */
    public static Duration parse(String text) {
        String t = text.strip();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.matches("[-+]?[0-9.]+")) {
            throw new IllegalArgumentException("a duration needs a unit, e.g. " + t + "s (units: ms, s, m, h, d), got " + t);
        }
        try {
            return ConfigFactory.parseMap(Map.of("d", t)).getDuration("d");
        } catch (ConfigException e) {
            throw new IllegalArgumentException("not a duration (e.g. 25s, 500ms, 2m): \"" + t + "\"");
        }
    }

    /** Compact text that {@link #parse} reads back: {@code 0s}, {@code 25s}, {@code 1500ms}. */
    public static String format(Duration d) {
        if (d.toNanosPart() % 1_000_000 != 0) {
            return d.toNanos() + "ns";
        }
        if (d.toMillisPart() != 0) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() + "s";
    }
}
