package io.keymesh.cli;

import io.keymesh.crypto.PrivateKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code keymesh pubkey}: reads a private key on stdin and prints its public key, like {@code wg pubkey}. */
@Command(name = "pubkey", description = "Read a private key (base64) on standard input and print its public key.")
final class PubKeyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

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
            spec.commandLine().getOut().println(key.publicKey().toBase64());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("keymesh pubkey: " + e.getMessage());
            return 1;
        }
    }
}
