package io.keymesh.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A base64 key written without quotes, found in a line of HOCON: what HOCON's parser reports about
 * such a line ("Expecting close brace } or a comma, got '='") says nothing about keys, so the
 * loader says what to do instead. Outside quotes HOCON reads base64's {@code +} and {@code =} as
 * syntax and {@code //} as the start of a comment. Keys are shown cut to {@value #SHOWN} characters:
 * the line may hold a private key. Stateless.
 */
final class UnquotedKeys {
    /** Characters of a key shown in a message. */
    static final int SHOWN = 4;

    /** {@code name = KEY} or {@code name: KEY}, KEY 43 base64 characters and '=' (32 bytes), not in quotes. */
    private static final Pattern NAMED = Pattern.compile(
            "(?:^|[\\s{,\\[])\"?([A-Za-z][A-Za-z0-9-]*)\"?\\s*[=:]\\s*([A-Za-z0-9+/]{43}=)");
    /** A bare KEY in a list, {@code [ KEY, ... ]}, not in quotes. */
    private static final Pattern LISTED = Pattern.compile("[\\[,]\\s*([A-Za-z0-9+/]{43}=)");

    private UnquotedKeys() {}

    /**
     * What to do about the unquoted base64 key in {@code line}, as "NAME: ... in quotes: NAME =
     * \"ABCD…\" ...", or null if the line holds none.
     */
    static String problem(String line) {
        if (line == null) {
            return null;
        }
        Matcher named = NAMED.matcher(line);
        if (named.find()) {
            String name = named.group(1);
            return name + ": a base64 key must be in quotes: " + name + " = \"" + shortened(named.group(2)) + "\" "
                    + "(outside quotes HOCON reads its '+', '/' and '=' as syntax)";
        }
        Matcher listed = LISTED.matcher(line);
        if (listed.find()) {
            return "a base64 key must be in quotes: \"" + shortened(listed.group(1)) + "\" "
                    + "(outside quotes HOCON reads its '+', '/' and '=' as syntax)";
        }
        return null;
    }

    /**
     * Whether {@code line} holds {@code value} unquoted and directly followed by {@code //}: HOCON
     * took the rest of the key for a comment, and what is left is not a key.
     */
    static boolean cutByComment(String line, String value) {
        if (line == null || value.isEmpty()) {
            return false;
        }
        int at = line.indexOf(value + "//");
        return at >= 0 && (at == 0 || line.charAt(at - 1) != '"');
    }

    /** What {@link #cutByComment} means, to add to a key's problem. */
    static final String CUT_BY_COMMENT = "; it is not in quotes, so HOCON read the '//' in it and the rest of the line "
            + "as a comment: put the key in quotes";

    private static String shortened(String key) {
        return key.substring(0, SHOWN) + "\u2026";
    }
}
