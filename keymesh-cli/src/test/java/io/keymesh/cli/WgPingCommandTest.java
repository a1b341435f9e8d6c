package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PrivateKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code keymesh wgping}: its times are durations as {@code keymesh up} takes them (the old
 * plain-number options still work), bad ones are usage errors, and two of them on loopback ping
 * each other through one WireGuard session, each answering the other's echo requests.
 */
class WgPingCommandTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String[] REQUIRED = {"wgping", "--private-key", "k", "--peer-public-key", "p", "--address", "10.9.0.1",
            "--target", "10.9.0.2"};

    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {}

    private static Result run(String... extra) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] args = java.util.Arrays.copyOf(REQUIRED, REQUIRED.length + extra.length);
        System.arraycopy(extra, 0, args, REQUIRED.length, extra.length);
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void timesAreDurationsCheckedAtTheEdge() {
        for (String[] c : List.of(
                new String[] {"--interval", "0s", "keymesh wgping: --interval must be 1ms..1h, got 0s"},
                new String[] {"--interval", "2h", "keymesh wgping: --interval must be 1ms..1h, got 7200s"},
                new String[] {"--timeout", "500ms", "keymesh wgping: --timeout must be 1s..1d, got 500ms"},
                new String[] {"--rekey-every", "2d", "keymesh wgping: --rekey-every must be 0s..1d, got 172800s"},
                new String[] {"--interval-ms", "0", "keymesh wgping: --interval must be 1ms..1h, got 0s"},
                new String[] {"--timeout-seconds", "0", "keymesh wgping: --timeout must be 1s..1d, got 0s"},
                new String[] {"--rekey-every-seconds", "90000", "keymesh wgping: --rekey-every must be 0s..1d, got 90000s"})) {
            Result r = run(c[0], c[1]);
            assertEquals(2, r.status(), String.join(" ", c) + ": " + r);
            assertEquals(c[2] + "\n", r.err(), String.join(" ", c));
        }
        Result unitless = run("--interval", "500");
        assertEquals(2, unitless.status());
        assertTrue(unitless.err().contains("a duration needs a unit"), unitless.err());
        Result rekeyAwait = run("--await", "--rekey-every", "5s");
        assertEquals("keymesh wgping: --rekey-every initiates handshakes; it cannot be used with --await\n", rekeyAwait.err());
    }

    @Test
    void theOldOptionsAreHiddenFromTheHelp() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("wgping", "--help"));
        assertTrue(out.toString().contains("--interval=DURATION") && out.toString().contains("--timeout=DURATION")
                && out.toString().contains("--rekey-every=DURATION"), out.toString());
        assertTrue(!out.toString().contains("-ms") && !out.toString().contains("-seconds"), out.toString());
    }

    /** Pre-shared keys that differ: the initiator says once that the response did not authenticate, and why that may be. */
    @Test
    void aPresharedKeyMismatchIsReportedOnce() throws Exception {
        PrivateKey a = PrivateKey.generate(RANDOM);
        PrivateKey b = PrivateKey.generate(RANDOM);
        Path aKey = Files.writeString(dir.resolve("a.key"), a.toBase64() + "\n");
        Path bKey = Files.writeString(dir.resolve("b.key"), b.toBase64() + "\n");
        Path aPsk = Files.writeString(dir.resolve("a.psk"), io.keymesh.crypto.PresharedKey.generate(RANDOM).toBase64() + "\n");
        StringWriter aOut = new StringWriter();
        CommandLine aCli = Main.commandLine();
        aCli.setOut(new PrintWriter(aOut, true));
        CompletableFuture<Integer> aExit = CompletableFuture.supplyAsync(() -> aCli.execute("wgping", "--private-key", aKey.toString(),
                "--peer-public-key", b.publicKey().toBase64(), "--preshared-key", aPsk.toString(), "--address", "10.9.0.1",
                "--target", "10.9.0.2", "--await", "--count", "1", "--timeout", "3s"), r -> Thread.ofPlatform().start(r));
        int aPort = awaitListening(aOut);
        StringWriter bOut = new StringWriter();
        CommandLine bCli = Main.commandLine();
        bCli.setOut(new PrintWriter(bOut, true));
        assertEquals(1, bCli.execute("wgping", "--private-key", bKey.toString(), "--peer-public-key", a.publicKey().toBase64(),
                "--endpoint", "127.0.0.1:" + aPort, "--address", "10.9.0.2", "--target", "10.9.0.1", "--count", "1",
                "--timeout", "2s"));
        assertEquals(1, aExit.get(30, TimeUnit.SECONDS));
        String refused = "handshake response from 127.0.0.1:" + aPort + " refused (HANDSHAKE_FAILED): does the peer's "
                + "PresharedKey equal --preshared-key (none if not given)?";
        assertEquals(1, bOut.toString().lines().filter(refused::equals).count(), bOut.toString());
    }

    private static int awaitListening(StringWriter out) throws InterruptedException {
        Pattern listening = Pattern.compile("listening on UDP port (\\d+)");
        for (int i = 0; i < 400; i++) {
            Matcher m = listening.matcher(out.toString());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("never listened: " + out);
    }

    /**
     * A awaits, B initiates; each pings the other's tunnel address and answers the other's pings,
     * with the times given as durations (B) and in the old form (A). B sends more, so that it is
     * still there to answer A's last request.
     */
    @Test
    void twoOfThemPingEachOtherOnLoopback() throws Exception {
        PrivateKey a = PrivateKey.generate(RANDOM);
        PrivateKey b = PrivateKey.generate(RANDOM);
        Path aKey = Files.writeString(dir.resolve("a.key"), a.toBase64() + "\n");
        Path bKey = Files.writeString(dir.resolve("b.key"), b.toBase64() + "\n");
        StringWriter aOut = new StringWriter();
        StringWriter aErr = new StringWriter();
        CommandLine aCli = Main.commandLine();
        aCli.setOut(new PrintWriter(aOut, true));
        aCli.setErr(new PrintWriter(aErr, true));
        CompletableFuture<Integer> aExit = CompletableFuture.supplyAsync(() -> aCli.execute("wgping", "--private-key", aKey.toString(),
                "--peer-public-key", b.publicKey().toBase64(), "--address", "10.9.0.1", "--target", "10.9.0.2", "--await",
                "--count", "2", "--interval-ms", "100", "--timeout-seconds", "20"), r -> Thread.ofPlatform().start(r));
        int aPort = awaitListening(aOut);
        StringWriter bOut = new StringWriter();
        StringWriter bErr = new StringWriter();
        CommandLine bCli = Main.commandLine();
        bCli.setOut(new PrintWriter(bOut, true));
        bCli.setErr(new PrintWriter(bErr, true));
        int bStatus = bCli.execute("wgping", "--private-key", bKey.toString(), "--peer-public-key", a.publicKey().toBase64(),
                "--endpoint", "127.0.0.1:" + aPort, "--address", "10.9.0.2", "--target", "10.9.0.1", "--count", "10",
                "--interval", "100ms", "--timeout", "20s");
        assertEquals(0, bStatus, bOut + "" + bErr);
        assertEquals(0, aExit.get(30, TimeUnit.SECONDS), aOut + "" + aErr);
        assertTrue(bOut.toString().contains("wgping: sent=10 received=10 "), bOut.toString());
        assertTrue(aOut.toString().contains("wgping: sent=2 received=2 "), aOut.toString());
        assertTrue(aOut.toString().contains("waiting up to 20s for a handshake from the peer"), aOut.toString());
        assertTrue(aOut.toString().contains("answered 10 echo request(s) from the peer"), aOut.toString());
    }
}
