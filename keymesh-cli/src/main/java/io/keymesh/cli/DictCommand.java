package io.keymesh.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keymesh dict}: zstd dictionaries for channel compression (train, info). */
@Command(name = "dict", mixinStandardHelpOptions = true,
        description = "zstd dictionaries for channel compression: train one from sample messages, or describe one.",
        subcommands = {DictTrainCommand.class, DictInfoCommand.class})
final class DictCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
