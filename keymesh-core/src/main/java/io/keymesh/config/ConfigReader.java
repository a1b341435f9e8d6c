package io.keymesh.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The problems of one load of a node configuration, and the reading of single values that reports
 * into them: each problem is one line, {@code key.path: why (line N)}, in the order found. The
 * readers of the configuration's parts ({@link NodeConfigLoader}, {@link PeerConfigReader},
 * {@link RelayConfigReader}) share one. Not thread-safe: one per load.
 */
final class ConfigReader {
    private final String mainFile;
    private final String text;
    private final List<String> problems = new ArrayList<>();

    /**
     * {@code mainFile}: the absolute path of the file loaded, or null if the text came from
     * elsewhere; {@code text}: the text parsed when it came from no file, else null (both are read
     * only to explain a problem with the line it is on).
     */
    ConfigReader(String mainFile, String text) {
        this.mainFile = mainFile;
        this.text = text;
    }

    /** Without the text: for a file, or a configuration from elsewhere. */
    ConfigReader(String mainFile) {
        this(mainFile, null);
    }

    /** The problems reported so far, in order; the list itself, not a copy. */
    List<String> problems() {
        return problems;
    }

    void problem(String path, String why, ConfigOrigin origin) {
        problems.add(path + ": " + why + where(origin));
    }

    /** " (line N)" for a value from the loaded file, " (FILE line N)" for one from an included file, else "". */
    String where(ConfigOrigin origin) {
        if (origin == null || origin.lineNumber() < 0 || origin.resource() != null) {
            return "";
        }
        String f = origin.filename();
        if (f != null && mainFile != null && !f.equals(mainFile)) {
            return " (" + f + " line " + origin.lineNumber() + ")";
        }
        return " (line " + origin.lineNumber() + ")";
    }

    /** Reports a key's problem, adding what to do if its line shows it cut short by a comment ({@link UnquotedKeys}). */
    void keyProblem(String path, String why, ConfigValue v) {
        boolean cut = v.valueType() == ConfigValueType.STRING
                && UnquotedKeys.cutByComment(sourceLine(v.origin()), (String) v.unwrapped());
        problem(path, cut ? why + UnquotedKeys.CUT_BY_COMMENT : why, v.origin());
    }

    /**
     * A Typesafe Config exception's message without its origin prefix, and the line at the end; for
     * a syntax error on a line that holds a base64 key without quotes, what to do about that instead.
     */
    String describe(ConfigException e) {
        ConfigOrigin origin = e.origin();
        if (e instanceof ConfigException.Parse) {
            String unquoted = UnquotedKeys.problem(sourceLine(origin));
            if (unquoted != null) {
                return unquoted + where(origin);
            }
        }
        String message = e.getMessage();
        if (origin != null) {
            String prefix = origin.description() + ": ";
            if (message.startsWith(prefix)) {
                message = message.substring(prefix.length());
            }
        }
        return message + where(origin);
    }

    /** The text of the line {@code origin} names, or null if it is not known or cannot be read. */
    private String sourceLine(ConfigOrigin origin) {
        if (origin == null || origin.lineNumber() < 1 || origin.resource() != null) {
            return null;
        }
        List<String> lines;
        if (origin.filename() != null) {
            try {
                lines = Files.readAllLines(Path.of(origin.filename()), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                return null; // only an explanation is lost
            }
        } else if (text != null && origin.url() == null) {
            lines = text.lines().toList();
        } else {
            return null;
        }
        return origin.lineNumber() <= lines.size() ? lines.get(origin.lineNumber() - 1) : null;
    }

    /** The value of {@code key} in {@code o}, or null if it is absent or null. */
    static ConfigValue present(ConfigObject o, String key) {
        ConfigValue v = o.get(key);
        return v == null || v.valueType() == ConfigValueType.NULL ? null : v;
    }

    /**
     * The whole number {@code key} of {@code o} in {@code min..max} (a number, or a string of digits),
     * or -1 after reporting that it is missing, not a whole number, or out of range. {@code missingNote}
     * and {@code rangeNote} (each null for none) are added in parentheses to those two problems.
     */
    long wholeNumber(String path, ConfigObject o, String key, long min, long max, String missingNote, String rangeNote) {
        ConfigValue v = present(o, key);
        String range = min + ".." + max;
        if (v == null) {
            problem(path, "missing: give a whole number " + range + (missingNote == null ? "" : " (" + missingNote + ")"),
                    o.origin());
            return -1;
        }
        long n;
        Object u = v.unwrapped();
        if (u instanceof Integer || u instanceof Long) {
            n = ((Number) u).longValue();
        } else if (u instanceof String text && text.strip().matches("[-+]?[0-9]{1,18}")) {
            n = Long.parseLong(text.strip());
        } else {
            problem(path, "must be a whole number " + range + ", got " + (v.valueType() == ConfigValueType.STRING
                    || v.valueType() == ConfigValueType.NUMBER ? "" : typeName(v) + " ") + render(v), v.origin());
            return -1;
        }
        if (n < min || n > max) {
            problem(path, "must be " + range + (rangeNote == null ? "" : " (" + rangeNote + ")") + ", got " + n, v.origin());
            return -1;
        }
        return n;
    }

    /** The string value of {@code v}, or null after reporting that it is not a string. */
    String string(ConfigValue v, String path) {
        if (v.valueType() != ConfigValueType.STRING) {
            problem(path, "must be a string (in quotes), got " + typeName(v) + " " + render(v), v.origin());
            return null;
        }
        return (String) v.unwrapped();
    }

    /** The boolean {@code key} of {@code o}; {@code dflt} if absent, or after reporting that it is not a boolean. */
    boolean bool(String path, ConfigObject o, String key, boolean dflt) {
        ConfigValue v = present(o, key);
        if (v == null) {
            return dflt;
        }
        if (v.valueType() != ConfigValueType.BOOLEAN) {
            problem(path, "must be true or false, got " + render(v), v.origin());
            return dflt;
        }
        return (Boolean) v.unwrapped();
    }

    /**
     * {@code v} as a duration (HOCON's forms: "25s", "2m", a number of milliseconds), or null after
     * reporting that it is none; {@code example} is a duration to suggest ("25s").
     */
    Duration duration(String path, ConfigValue v, String example) {
        if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER) {
            problem(path, "must be a duration such as " + example + ", got " + typeName(v), v.origin());
            return null;
        }
        try {
            return Durations.parse(String.valueOf(v.unwrapped()));
        } catch (IllegalArgumentException e) {
            problem(path, e.getMessage(), v.origin());
            return null;
        }
    }

    /** Reports keys of {@code o} not in {@code valid}, with a suggestion for a near miss. */
    void unknownKeys(String path, ConfigObject o, Set<String> valid) {
        TreeSet<String> sorted = new TreeSet<>(valid);
        for (String k : new TreeSet<>(o.keySet())) {
            if (!valid.contains(k)) {
                String suggestion = nearest(k, sorted);
                problem(path + "." + k, "unknown key" + (suggestion == null ? "" : " (did you mean " + suggestion + "?)")
                        + "; valid keys: " + String.join(", ", sorted), o.get(k).origin());
            }
        }
    }

    /**
     * Reports the top-level keys of a whole configuration file other than {@code root}: a key of the
     * {@code root} block ({@code blockKeys}) written outside it, or a near miss of {@code root}
     * ({@code keymsh.aead = ...}), which would otherwise pass unread.
     */
    void unknownTopLevelKeys(ConfigObject top, String root, Set<String> blockKeys) {
        for (String k : new TreeSet<>(top.keySet())) {
            if (k.equals(root)) {
                continue;
            }
            String why = blockKeys.contains(k) ? "outside the " + root + " { } block: write it inside, as " + root + "." + k
                    : "unknown top-level key" + (nearest(k, Set.of(root)) == null ? "" : " (did you mean " + root + "?)")
                            + ": a node's settings go in the " + root + " { } block";
            problem(k, why, top.get(k).origin());
        }
    }

    /** {@code message} without a leading "{@code kind}: ", as the key classes begin theirs. */
    static String withoutKind(String message, String kind) {
        return message.startsWith(kind + ": ") ? message.substring(kind.length() + 2) : message;
    }

    static String typeName(ConfigValue v) {
        return switch (v.valueType()) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case STRING -> "a string";
        };
    }

    static String render(ConfigValue v) {
        return v.render(ConfigRenderOptions.concise());
    }

    /** The entry of {@code valid} nearest to {@code key} by edit distance, if near enough to be a typo. */
    private static String nearest(String key, Set<String> valid) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String v : valid) {
            int d = editDistance(key, v);
            if (d < bestDistance) {
                bestDistance = d;
                best = v;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
