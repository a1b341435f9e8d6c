package io.keymesh.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code keymesh} command: subcommands for keys, nodes and diagnostics. */
@Command(
        name = "keymesh",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Reach programs by public key across NATs, over WireGuard sessions.",
        subcommands = {GenKeyCommand.class, GenPskCommand.class, PubKeyCommand.class, UpCommand.class, StatusCommand.class,
                PingCommand.class, PeerCommand.class, ForwardCommand.class, WgPingCommand.class, DemoCommand.class,
                DictCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for tests and embedding: see {@link HelpOutput} for help and usage errors. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        HelpOutput.apply(cl);
        return cl;
    }
}
