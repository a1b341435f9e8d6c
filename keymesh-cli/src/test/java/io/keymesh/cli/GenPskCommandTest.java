package io.keymesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code keymesh genpsk}: a random 32-byte key in base64, as {@code wg genpsk} prints. */
class GenPskCommandTest {
    private static String genpsk() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("genpsk"));
        return out.toString();
    }

    @Test
    void printsA32ByteBase64KeyOnOneLine() {
        String text = genpsk();
        assertTrue(text.matches("[A-Za-z0-9+/]{43}=\n"), text);
        assertEquals(text.strip(), PresharedKey.fromBase64(text.strip()).toBase64());
    }

    @Test
    void everyKeyIsNew() {
        assertNotEquals(genpsk(), genpsk());
    }
}
