package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code keymesh genkey}/{@code pubkey} against {@code wg genkey}/{@code pubkey} (wireguard-tools)
 * on many random keys, both directions of key generation. Skipped where {@code wg} is not installed.
 */
class WgKeyCompatibilityTest {
    private static final int KEYS = 200;

    @BeforeAll
    static void needsWg() {
        boolean present;
        try {
            present = new ProcessBuilder("wg", "--version").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            present = false;
        }
        assumeTrue(present, "wg (wireguard-tools) is not installed: skipped");
    }

    @Test
    void keymeshPubkeyAgreesWithWgOnWgGeneratedKeys() throws Exception {
        for (int i = 0; i < KEYS; i++) {
            String priv = wg("genkey", null);
            assertEquals(wg("pubkey", priv), keymesh("pubkey", priv), "private key " + i);
        }
    }

    @Test
    void wgPubkeyAgreesWithKeymeshOnKeymeshGeneratedKeys() throws Exception {
        for (int i = 0; i < KEYS; i++) {
            String priv = keymesh("genkey", null);
            assertEquals(keymesh("pubkey", priv), wg("pubkey", priv), "private key " + i);
        }
    }

    private static String wg(String cmd, String stdin) throws Exception {
        Process p = new ProcessBuilder("wg", cmd).start();
        if (stdin != null) {
            p.getOutputStream().write((stdin + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertEquals(0, p.waitFor(), "wg " + cmd);
        return out;
    }

    private static String keymesh(String cmd, String stdin) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        if (stdin != null) {
            PubKeyCommand pubkey = cl.getSubcommands().get("pubkey").getCommand();
            pubkey.in = new ByteArrayInputStream((stdin + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals(0, cl.execute(cmd), "keymesh " + cmd);
        return out.toString().strip();
    }
}
