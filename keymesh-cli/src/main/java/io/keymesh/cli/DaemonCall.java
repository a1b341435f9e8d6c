package io.keymesh.cli;

import io.keymesh.cli.control.ControlClient;
import io.keymesh.cli.control.ControlError;
import io.keymesh.cli.control.ControlUnreachable;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How the commands that ask a running {@code keymesh up} end: 0 when done; 1 when no daemon could be
 * asked (the message names the socket) or it could not do what was asked; 2 for a bad command line,
 * including a request the daemon found malformed ({@code bad-request}). Messages go to standard
 * error as {@code keymesh COMMAND: MESSAGE}.
 */
final class DaemonCall {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    /** What a command does once connected; its exit status. */
    interface Body {
        int run(ControlClient client) throws ControlError, ControlUnreachable;
    }

    private DaemonCall() {}

    /** Connects to the socket {@code socket} names and runs {@code body}, mapping failures to exit statuses. */
    static int run(CommandSpec spec, ControlSocketOption socket, Body body) {
        PrintWriter err = spec.commandLine().getErr();
        try (ControlClient client = ControlClient.connect(socket.resolve(spec.commandLine()))) {
            return body.run(client);
        } catch (ControlUnreachable e) {
            err.println(spec.qualifiedName() + ": " + e.getMessage());
            return EXIT_FAILED;
        } catch (ControlError e) {
            err.println(spec.qualifiedName() + ": " + e.getMessage());
            return ControlError.BAD_REQUEST.equals(e.code()) ? EXIT_USAGE : EXIT_FAILED;
        } finally {
            err.flush();
        }
    }
}
