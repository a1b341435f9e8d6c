package io.keymesh.cli.control;

import com.sun.security.auth.module.UnixSystem;
import io.keymesh.config.ControlConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the control socket is: {@code keymesh.control.socket} if set, else a default named after the
 * node's bound UDP port, {@code PORT.sock}, in the first of
 * <ol>
 *   <li>{@code $XDG_RUNTIME_DIR/keymesh/} where {@code XDG_RUNTIME_DIR} is set (a user's session
 *       directory, private to the user, emptied at logout);
 *   <li>{@code /run/keymesh/} for root;
 *   <li>{@code TMPDIR/keymesh-USER/}, {@code TMPDIR} being {@code java.io.tmpdir} (usually {@code /tmp}).
 * </ol>
 * A client without {@code --socket} looks in the same directory (its own user's) and uses the one
 * socket there. Stateless.
 */
public final class ControlSocketPath {
    /** The default socket's name in its directory, after the port: {@code 51820.sock}. */
    static final String SUFFIX = ".sock";

    private ControlSocketPath() {}

    /** The default directory for a user: see the class comment. */
    static Path defaultDirectory(Map<String, String> env, boolean root, String user, String tmpdir) {
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "keymesh");
        }
        if (root) {
            return Path.of("/run/keymesh");
        }
        return Path.of(tmpdir, "keymesh-" + user);
    }

    /** The default directory for this process's user. */
    public static Path defaultDirectory() {
        UnixSystem me = new UnixSystem();
        return defaultDirectory(System.getenv(), me.getUid() == 0, me.getUsername(), System.getProperty("java.io.tmpdir"));
    }

    /** The daemon's socket: configured, or the default for the bound {@code port}. */
    public static Path forDaemon(ControlConfig config, int port) {
        return config.socket() != null ? config.socket() : defaultDirectory().resolve(port + SUFFIX);
    }
}
