package io.keymesh.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Help.Ansi.IStyle;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How the command line prints help and usage errors: every command answers {@code -h/--help}
 * (usage, exit 0) and {@code -V/--version}; usage help is styled only where picocli finds a
 * terminal ({@link Ansi#AUTO}: also off with {@code NO_COLOR} or {@code -Dpicocli.ansi=false}),
 * with bold ended by SGR 22 (picocli's SGR 21 is "double underline" on most terminals today);
 * errors, which often go to a log while standard output is a terminal, are never styled. Stateless.
 */
final class HelpOutput {
    private HelpOutput() {}

    /** Bold, ended by "normal intensity" (SGR 22). */
    static final IStyle BOLD = new IStyle() {
        @Override
        public String on() {
            return CSI + "1m";
        }

        @Override
        public String off() {
            return CSI + "22m";
        }
    };

    /** Picocli's default colors, with {@link #BOLD} for command names, and no style on errors and stack traces. */
    static ColorScheme colorScheme(Ansi ansi) {
        ColorScheme.Builder b = new ColorScheme.Builder(Help.defaultColorScheme(ansi));
        b.commandStyles().clear();
        b.errorStyles().clear();
        b.stackTraceStyles().clear();
        return b.commands(BOLD).build();
    }

    /**
     * Applies the above to {@code cl} and its subcommands as they are now: the standard help
     * options on every command that has no {@code --help} of its own (with {@link VersionProvider}'s
     * version), the color scheme, and plain
     * usage errors ({@link #usageError}).
     */
    static void apply(CommandLine cl) {
        addStandardHelp(cl);
        cl.setColorScheme(colorScheme(Ansi.AUTO));
        cl.setParameterExceptionHandler(HelpOutput::usageError);
    }

    private static void addStandardHelp(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        if (!spec.mixinStandardHelpOptions() && spec.findOption("--help") == null && spec.findOption("-h") == null) {
            spec.mixinStandardHelpOptions(true);
        }
        if (spec.version().length == 0 && spec.versionProvider() == null) {
            spec.versionProvider(new VersionProvider());
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            addStandardHelp(sub);
        }
    }

    /**
     * A bad command line: the problem, picocli's suggestions for a mistyped option, the command's
     * synopsis and where to read more, on standard error without styles; exit status 2.
     */
    static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        Help plain = new Help(cl.getCommandSpec(), colorScheme(Ansi.OFF));
        err.print(plain.synopsisHeading() + plain.synopsis(plain.synopsisHeadingLength()));
        err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for every option.");
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }
}
