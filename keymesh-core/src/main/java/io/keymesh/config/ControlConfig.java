package io.keymesh.config;

import java.nio.file.Path;

/**
 * The {@code keymesh.control} settings: whether {@code keymesh up} opens its control socket (the
 * Unix domain socket {@code keymesh status}, {@code ping} and {@code peer} talk to), and where.
 * Other users of the configuration (the Pekko transport) ignore them.
 *
 * @param enabled false: no control socket
 * @param socket the socket's path, absolute (a relative one in the file is resolved against the
 *     config file's directory); null: {@code keymesh up}'s default, which depends on the user and
 *     the bound UDP port
 */
public record ControlConfig(boolean enabled, Path socket) {
    /** Enabled, at the default path. */
    public static final ControlConfig DEFAULT = new ControlConfig(true, null);
    /**
     * The longest socket path, in bytes: a Unix socket address holds 108 bytes on Linux, its path's
     * terminating zero included.
     */
    public static final int MAX_SOCKET_PATH_BYTES = 107;
}
