package io.keymesh.cli;

import io.keymesh.crypto.PresharedKey;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh genpsk}: prints 32 random bytes in base64, like {@code wg genpsk}: a network key
 * for a mesh (every member holds the same one), or a WireGuard pre-shared key.
 */
@Command(name = "genpsk", description = "Print a new random network key (base64), as 'wg genpsk' prints a pre-shared key.")
final class GenPskCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(PresharedKey.generate(new SecureRandom()).toBase64());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
