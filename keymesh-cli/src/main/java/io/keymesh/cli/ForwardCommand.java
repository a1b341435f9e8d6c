package io.keymesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keymesh.cli.control.ControlProtocol;
import io.keymesh.cli.control.ForwardOperations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh forward LISTEN KEY/SERVICE}: has a running {@code keymesh up} listen on LISTEN and
 * forward each TCP connection to service SERVICE of node KEY, as a {@code forwards} entry in its
 * config file does, until it stops; {@code --remove LISTEN} stops one; without arguments (or
 * {@code --list}) prints the node's forwards, the services it exposes and the forwarding counters.
 * Exit status as {@link DaemonCall} says.
 */
@Command(name = "forward", sortOptions = false,
        description = {"Forward a local TCP port to a service of a node, through a running node (keymesh up); "
                + "without arguments, list its forwards and the services it exposes.",
                "Example: keymesh forward 127.0.0.1:15432 KEY/db, then psql -h 127.0.0.1 -p 15432"})
final class ForwardCommand implements Callable<Integer> {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "LISTEN", description = "Where to listen, HOST:PORT (port 0: any free one).")
    String listen;

    @Parameters(index = "1", arity = "0..1", paramLabel = "KEY/SERVICE", description = "The node's public key and the service's name.")
    String to;

    @Option(names = "--remove", paramLabel = "LISTEN", description = "Stop the forward listening there (its connections are closed).")
    String remove;

    @Option(names = "--list", description = "List the forwards, remote forwards, services and counters (the default without arguments).")
    boolean list;

    @Mixin
    ControlSocketOption socket;

    @Override
    public Integer call() {
        int actions = (listen != null ? 1 : 0) + (remove != null ? 1 : 0) + (list ? 1 : 0);
        if (actions > 1 || (listen != null) != (to != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give LISTEN and KEY/SERVICE to add a forward, or --remove LISTEN, or --list");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (listen != null) {
            ObjectNode request = ControlProtocol.request(ForwardOperations.FORWARD_ADD)
                    .put(ForwardOperations.LISTEN, listen).put(ForwardOperations.TO, to);
            return DaemonCall.run(spec, socket, client -> {
                JsonNode added = client.call(request, TIMEOUT);
                out.println("forwarding " + added.path(ForwardOperations.LISTEN).asText() + " to "
                        + added.path(ForwardOperations.TO).asText());
                out.flush();
                return DaemonCall.EXIT_OK;
            });
        }
        if (remove != null) {
            ObjectNode request = ControlProtocol.request(ForwardOperations.FORWARD_REMOVE).put(ForwardOperations.LISTEN, remove);
            return DaemonCall.run(spec, socket, client -> {
                JsonNode removed = client.call(request, TIMEOUT);
                out.println("stopped forwarding " + removed.path(ForwardOperations.LISTEN).asText());
                out.flush();
                return DaemonCall.EXIT_OK;
            });
        }
        return DaemonCall.run(spec, socket, client -> {
            print(out, client.call(ControlProtocol.request(ForwardOperations.FORWARD_LIST), TIMEOUT));
            return DaemonCall.EXIT_OK;
        });
    }

    private static void print(PrintWriter out, JsonNode list) {
        out.println("forwards:" + (list.path("forwards").isEmpty() ? " none" : ""));
        for (JsonNode f : list.path("forwards")) {
            out.println("  " + f.path("listen").asText() + " -> " + f.path("to").asText());
        }
        if (!list.path("remoteForwards").isEmpty()) {
            out.println("remote forwards (the peer listens):");
            for (JsonNode f : list.path("remoteForwards")) {
                out.println("  " + f.path("peer").asText() + " " + f.path("listen").asText() + " -> " + f.path("target").asText()
                        + (f.path("listening").asBoolean() ? "" : "  (not listening: " + f.path("problem").asText() + ")"));
            }
        }
        out.println("services exposed:" + (list.path("services").isEmpty() ? " none" : ""));
        for (JsonNode s : list.path("services")) {
            out.println("  " + s.path("name").asText() + " = " + s.path("target").asText()
                    + (s.path("allow").isEmpty() ? "  (any member)" : "  (only " + s.path("allow").size() + " keys)"));
        }
        for (JsonNode a : list.path("socks")) {
            out.println("socks5 on " + a.asText());
        }
        JsonNode st = list.path("stats");
        out.printf("connections: %d active, %d opened, %d refused, %d reset; %d bytes to peers, %d from peers%n",
                st.path("connectionsActive").asLong(), st.path("connectionsOpened").asLong(),
                st.path("connectionsRefused").asLong(), st.path("connectionsReset").asLong(),
                st.path("bytesToPeers").asLong(), st.path("bytesFromPeers").asLong());
        out.flush();
    }
}
