package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import picocli.CommandLine;

/**
 * Fuzzes the {@code keymesh} command line: the input, read as UTF-8 and split at NUL characters, is
 * the argument list. Commands that only print or ask a daemon ({@code genkey}, {@code genpsk},
 * {@code status}, {@code ping}, {@code peer}, {@code help} and the bare command) are run, with no
 * daemon to ask unless the input names a socket that has one; the others ({@code up}, {@code demo},
 * {@code forward}, {@code wgping}, {@code dict}, {@code pubkey}, which start nodes, open ports,
 * write files or read standard input) are only parsed. Arguments beginning with {@code @} (picocli
 * reads a file of arguments for them) are left out.
 *
 * <p>Invariant: parsing gives a result or a {@code ParameterException} with a message, nothing
 * else; a run ends with status 0 (done), 1 (a failure it explains: no daemon, a refusal) or 2 (a
 * usage error), and never with an exception no command handled (picocli would print its stack trace).
 * Regression inputs are in {@code CommandLineFuzzTestInputs/arguments/}.
 */
class CommandLineFuzzTest {
    /** Parses each input afresh: picocli puts every option back to its initial value before a parse. */
    private static final CommandLine PARSER = Main.commandLine();
    private static final Set<String> RUN = Set.of("genkey", "genpsk", "status", "ping", "peer", "help");

    @FuzzTest
    @DictionaryEntries({"up", "demo", "status", "ping", "peer", "add", "remove", "forward", "genkey", "genpsk", "pubkey",
        "wgping", "dict", "train", "info", "help", "--config", "--socket", "--json", "--count", "--timeout", "--endpoint",
        "--via", "--name", "--persistent-keepalive", "--interval", "--remove", "--list", "--exit-after", "--print-config", "--listen", "--nodes", "--messages", "-h", "--help", "-V", "--version", "=",
        "pOCSkrZRwni5dyxWn1+puxPZBrRqtoyd+dwrRAn4ogk=", "127.0.0.1:4000", "1s", "500ms"})
    void arguments(byte[] input) {
        String[] args = new String(input, StandardCharsets.UTF_8).split("\0", -1);
        if (input.length == 0) {
            args = new String[0];
        }
        for (String a : args) {
            if (a.startsWith("@")) {
                return;
            }
        }
        boolean run;
        try {
            CommandLine.ParseResult parsed = PARSER.parseArgs(args);
            run = !parsed.hasSubcommand() || RUN.contains(parsed.subcommand().commandSpec().name());
        } catch (CommandLine.ParameterException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "a usage error without a message");
            return;
        }
        if (!run) {
            return;
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Exception[] unhandled = new Exception[1];
        int status = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .setExecutionExceptionHandler((e, cl, parsed) -> {
                    unhandled[0] = e; // picocli would print its stack trace
                    return 1;
                })
                .execute(args);
        if (unhandled[0] != null) {
            throw new AssertionError("an exception no command handled, for " + java.util.Arrays.toString(args), unhandled[0]);
        }
        assertTrue(status >= 0 && status <= 2, "exit status " + status + "\n" + err);
    }
}
