package io.keymesh.cli;

import io.keymesh.crypto.PrivateKey;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code keymesh genkey}: prints a new private key in base64, like {@code wg genkey}. */
@Command(name = "genkey", description = "Print a new random private key (base64), as 'wg genkey' does.")
final class GenKeyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (PrivateKey key = PrivateKey.generate(new SecureRandom())) {
            spec.commandLine().getOut().println(key.toBase64());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
