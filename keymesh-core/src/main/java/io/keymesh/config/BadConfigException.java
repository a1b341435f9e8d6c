package io.keymesh.config;

import java.util.List;

/**
 * A node configuration that cannot be used: every problem found, each one line naming the key
 * path and why, with the line in the file where known ({@code keymesh.listen: port 70000 out of
 * range 0..65535 (line 3)}).
 */
public final class BadConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public BadConfigException(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems");
        }
        this.problems = List.copyOf(problems);
    }

    public BadConfigException(String problem) {
        this(List.of(problem));
    }

    /** One line per problem, in the order of the configuration. */
    public List<String> problems() {
        return problems;
    }
}
