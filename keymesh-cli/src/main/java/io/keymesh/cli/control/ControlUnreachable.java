package io.keymesh.cli.control;

import java.nio.file.Path;

/** No daemon could be asked at {@link #path()}: none runs there, it refused, or it did not answer. */
public final class ControlUnreachable extends Exception {
    private final Path path;

    public ControlUnreachable(Path path, String why) {
        super(path + ": " + why);
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
