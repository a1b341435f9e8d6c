package io.keymesh.cli;

import io.keymesh.crypto.PrivateKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh pubkey}: reads a private key on stdin and prints its public key, like {@code wg pubkey};
 * with {@code --base32}, in the lowercase base32 form that Pekko addresses use as host.
 */
@Command(name = "pubkey", description = "Read a private key (base64) on standard input and print its public key.")
final class PubKeyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--base32", description = "Print the key in lowercase base32 (52 characters), the host of pekko.mesh:// addresses.")
    boolean base32;

    /** Where the key is read from; standard input unless a test sets it. */
    java.io.InputStream in = System.in;

    @Override
    public Integer call() throws IOException {
        String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)).readLine();
        if (line == null || line.isBlank()) {
            spec.commandLine().getErr().println("keymesh pubkey: no private key on standard input");
            return 1;
        }
        try (PrivateKey key = PrivateKey.fromBase64(line)) {
            spec.commandLine().getOut().println(base32 ? key.publicKey().toBase32() : key.publicKey().toBase64());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("keymesh pubkey: " + e.getMessage());
            return 1;
        }
    }
}
