package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/** The command line's contracts: output formats, exit codes and error messages at the edge. */
class CliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine cli() {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl;
    }

    private int pubkey(String stdin, String... options) {
        CommandLine cl = cli();
        PubKeyCommand cmd = cl.getSubcommands().get("pubkey").getCommand();
        cmd.in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII));
        String[] args = new String[options.length + 1];
        args[0] = "pubkey";
        System.arraycopy(options, 0, args, 1, options.length);
        return cl.execute(args);
    }

    @Test
    void genkeyPrintsA44CharacterBase64Key() {
        assertEquals(0, cli().execute("genkey"));
        String key = out.toString().strip();
        assertTrue(key.matches("[A-Za-z0-9+/]{43}="), key);
    }

    @Test
    void pubkeyOfAKnownKey() {
        // RFC 7748 section 6.1, Alice's private and public keys, in base64.
        assertEquals(0, pubkey("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n"));
        assertEquals("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", out.toString().strip());
    }

    @Test
    void pubkeyInBase32IsTheHostOfMeshAddresses() {
        assertEquals(0, pubkey("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n", "--base32"));
        assertEquals("quqpacmjgctvi5elpxolipxxlig36oqney4bv5hlusuy5ku3jzva", out.toString().strip());
    }

    @Test
    void pubkeyRejectsGarbageWithAClearMessage() {
        assertEquals(1, pubkey("not a key\n"));
        assertTrue(err.toString().contains("keymesh pubkey: private key"), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void pubkeyRejectsEmptyInput() {
        assertEquals(1, pubkey(""));
        assertTrue(err.toString().contains("no private key"), err.toString());
    }

    @Test
    void demoDeliversEveryDatagramOverLoopback() {
        assertEquals(0, cli().execute("demo", "--nodes", "3", "--messages", "5", "--sim"));
        assertTrue(out.toString().contains("3 nodes, 30 datagrams sent, 30 arrived, 0 corrupt"), out.toString());
        assertEquals(2, out.toString().lines().filter(l -> l.contains(" relay n0 ") || l.contains(", met via n0 ")).count(),
                "n1 and n2 reach each other through n0, or met through it and went direct: " + out);
        assertTrue(out.toString().contains("simulated network (keymesh-sim, seed 1): NATs and links are virtual;"), out.toString());
        assertTrue(out.toString().contains("6 pairs, 6 connected; behind endpoint-independent NATs 3 of 3 direct;"), out.toString());
        assertTrue(out.toString().indexOf("simulated network") < out.toString().indexOf("actor systems, addressed by node key"),
                "loopback, then the simulated NATs, then the actors: " + out);
        assertTrue(out.toString().contains("n0 asks n2's /user/greeter \"hello from n0\": \"hi n0, this is n2\""), out.toString());
        assertTrue(out.toString().contains("n2 asks n1's /user/greeter \"hello from n2\": \"hi n2, this is n1\""), out.toString());
    }

    @Test
    void demoSkipsTheSimulatedNatsAndTheActorsWhenAsked() {
        assertEquals(0, cli().execute("demo", "--nodes", "2", "--messages", "1", "--no-nat", "--no-actors"));
        assertTrue(out.toString().contains("2 nodes, 2 datagrams sent, 2 arrived, 0 corrupt"), out.toString());
        assertTrue(!out.toString().contains("simulated") && !out.toString().contains("actor systems"), out.toString());
    }

    /**
     * As root with ip and nft (as CI runs): the NAT part over real network namespaces, four
     * {@code keymesh up} processes behind nftables NATs. a finds b and c by key through p; a and b
     * (cone NATs) go direct, a and c (symmetric) stay relayed.
     */
    @Test
    void demoAsRootRunsTheNatPartInNetworkNamespaces() {
        org.junit.jupiter.api.Assumptions.assumeTrue(NetnsDemo.available(), "needs root with ip and nft");
        assertEquals(0, cli().execute("demo", "--nodes", "2", "--messages", "1", "--no-actors"), out + "\n" + err);
        String text = out.toString();
        assertTrue(text.contains("network namespaces (running as root)") && !text.contains("simulated network"), text);
        String ab = text.lines().filter(l -> l.startsWith("a-b ")).findFirst().orElse("");
        String ac = text.lines().filter(l -> l.startsWith("a-c ")).findFirst().orElse("");
        assertTrue(ab.contains(" direct 198.51.100.21:51820"), "a and b went direct: " + text);
        assertTrue(ac.contains("relayed via p") && !ac.contains(" never "), "a and c connected through p: " + text);
        assertTrue(text.contains("b: first message from a arrived") && text.contains("c: first message from a arrived"), text);
    }

    @Test
    void demoRejectsBadArguments() {
        assertEquals(2, cli().execute("demo", "--nodes", "1"));
        assertTrue(err.toString().contains("--nodes must be 2..16"), err.toString());
    }

    /** Every command line there is: the top level, then each subcommand's name. */
    private static List<String[]> commands() {
        List<String[]> all = new ArrayList<>();
        all.add(new String[0]);
        for (String name : Main.commandLine().getSubcommands().keySet()) {
            all.add(new String[] {name});
        }
        return all;
    }

    private static String[] with(String[] command, String option) {
        String[] args = java.util.Arrays.copyOf(command, command.length + 1);
        args[command.length] = option;
        return args;
    }

    @Test
    void everyCommandAnswersHelpWithItsUsageAndStatus0() {
        assertTrue(commands().size() >= 7, "keymesh, genkey, genpsk, pubkey, up, wgping, demo, help");
        for (String[] command : commands()) {
            String name = String.join(" ", with(new String[] {"keymesh"}, String.join(" ", command))).strip();
            for (String option : List.of("-h", "--help")) {
                out.getBuffer().setLength(0);
                err.getBuffer().setLength(0);
                assertEquals(0, cli().execute(with(command, option)), name + " " + option + ": " + err);
                assertTrue(out.toString().contains("Usage: " + name + " ["), name + " " + option + ": " + out);
                assertEquals("", err.toString(), name + " " + option);
            }
        }
    }

    @Test
    void everyCommandAnswersVersion() {
        for (String[] command : commands()) {
            for (String option : List.of("-V", "--version")) {
                if (command.length == 1 && command[0].equals("help")) {
                    continue; // picocli's help command has -h only
                }
                out.getBuffer().setLength(0);
                assertEquals(0, cli().execute(with(command, option)), String.join(" ", command) + " " + option + ": " + err);
                assertTrue(out.toString().matches("keymesh \\S+\n"), out.toString());
            }
        }
    }

    /** A required option missing, or an unknown one: status 2, the problem, the synopsis and where to read more. */
    @Test
    void aBadCommandLineNamesTheProblemAndPointsToHelp() {
        assertEquals(2, cli().execute("wgping", "--count", "3"));
        List<String> lines = err.toString().lines().toList();
        assertTrue(lines.getFirst().startsWith("Missing required options: '--private-key=FILE'"), err.toString());
        assertTrue(lines.get(1).startsWith("Usage: keymesh wgping [-hV] "), err.toString());
        assertEquals("Run 'keymesh wgping --help' for every option.", lines.getLast());
        assertEquals("", out.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, cli().execute("genkey", "--bsae32"));
        assertTrue(err.toString().startsWith("Unknown option: '--bsae32'\n"), err.toString());
    }

    /**
     * Where picocli finds a terminal, usage help is styled with codes every terminal reads alike:
     * bold ends with SGR 22 (picocli's own SGR 21 is "double underline" on most terminals); errors
     * are never styled (they often go to a log while standard output is a terminal); and without a
     * terminal there is no escape at all.
     */
    @Test
    void terminalStylesAreSoundAndOnlyInUsageHelp() {
        for (String[] command : commands()) {
            CommandLine cl = Main.commandLine();
            CommandLine target = command.length == 0 ? cl : cl.getSubcommands().get(command[0]);
            String styled = target.getUsageMessage(HelpOutput.colorScheme(Ansi.ON));
            assertTrue(styled.contains("\u001b[1m") && styled.contains("\u001b[22m"), styled);
            assertTrue(!styled.contains("\u001b[21m"), "SGR 21 in: " + styled);
            String plain = target.getUsageMessage(HelpOutput.colorScheme(Ansi.OFF));
            assertTrue(plain.indexOf('\u001b') < 0, plain);
        }
        CommandLine cl = cli();
        cl.setColorScheme(HelpOutput.colorScheme(Ansi.ON));
        assertEquals(2, cl.execute("up", "--config", "x.conf", "--no-such-option"));
        assertTrue(err.toString().contains("Unknown option: '--no-such-option'"), err.toString());
        assertTrue(err.toString().indexOf('\u001b') < 0, err.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, cli().execute("up", "--help")); // not a terminal here: AUTO is off
        assertTrue(out.toString().indexOf('\u001b') < 0, out.toString());
    }
}
