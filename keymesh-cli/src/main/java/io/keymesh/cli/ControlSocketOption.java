package io.keymesh.cli;

import io.keymesh.cli.control.ControlClient;
import io.keymesh.cli.control.ControlSocketPath;
import io.keymesh.cli.control.ControlUnreachable;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --socket PATH}, shared by the commands that ask a running {@code keymesh up}: without it,
 * the one socket in this user's default directory ({@link ControlSocketPath}).
 */
final class ControlSocketOption {
    @Option(names = "--socket", paramLabel = "PATH",
            description = "The daemon's control socket (default: the one socket in this user's default"
                    + " directory: $XDG_RUNTIME_DIR/keymesh, /run/keymesh for root, else TMPDIR/keymesh-USER).")
    Path socket;

    /**
     * The socket to use.
     *
     * @throws ControlUnreachable if none is given and the default directory holds none
     * @throws CommandLine.ParameterException if none is given and the default directory holds several
     */
    Path resolve(CommandLine cli) throws ControlUnreachable {
        if (socket != null) {
            return socket;
        }
        List<Path> found = ControlClient.defaultSockets();
        if (found.isEmpty()) {
            Path dir = ControlSocketPath.defaultDirectory();
            throw new ControlUnreachable(dir, "no control socket there, so no keymesh daemon of this user runs"
                    + " (start one with `keymesh up`, or give --socket PATH)");
        }
        if (found.size() > 1) {
            throw new CommandLine.ParameterException(cli, "several daemons' sockets; pick one with --socket: "
                    + found.stream().map(Path::toString).collect(Collectors.joining(", ")));
        }
        return found.getFirst();
    }
}
