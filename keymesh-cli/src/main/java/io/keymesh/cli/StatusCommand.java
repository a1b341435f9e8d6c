package io.keymesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.keymesh.cli.control.ControlProtocol;
import io.keymesh.cli.control.NodeOperations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh status [--json] [--socket PATH]}: asks a running {@code keymesh up} for its state
 * ({@link StatusText}; with {@code --json} the {@code status} operation's result as it is, indented).
 * Exit status as {@link DaemonCall} says.
 */
@Command(name = "status", sortOptions = false,
        description = {"Show a running node (keymesh up): its key and address, each peer's state, path, round-trip time,"
                + " when it was last heard from, and the node's counters."})
final class StatusCommand implements Callable<Integer> {
    /** How long to wait for the daemon's answer. */
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Mixin
    ControlSocketOption socket;

    @Option(names = "--json", description = "Print the status as JSON (its fields are listed in the README).")
    boolean json;


    @Override
    public Integer call() {
        return DaemonCall.run(spec, socket, client -> {
            JsonNode status = client.call(ControlProtocol.request(NodeOperations.STATUS), TIMEOUT);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                try {
                    out.println(PRETTY.writeValueAsString(status));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("a JSON tree always writes", e);
                }
                out.flush();
            } else {
                StatusText.print(out, status);
            }
            return DaemonCall.EXIT_OK;
        });
    }
}
