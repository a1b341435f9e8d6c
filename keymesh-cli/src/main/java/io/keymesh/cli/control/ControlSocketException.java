package io.keymesh.cli.control;

import java.nio.file.Path;

/** The control socket cannot be opened at {@link #path()}: the message says why and what to do. */
public final class ControlSocketException extends Exception {
    private final Path path;

    public ControlSocketException(Path path, String why) {
        super(path + ": " + why);
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
