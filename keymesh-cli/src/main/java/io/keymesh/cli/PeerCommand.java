package io.keymesh.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keymesh.cli.control.ControlProtocol;
import io.keymesh.cli.control.NodeOperations;
import io.keymesh.crypto.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh peer add|remove}: changes a running {@code keymesh up}'s peers (not its config
 * file: a restart forgets them). Exit status as {@link DaemonCall} says.
 */
@Command(name = "peer", description = "Add or remove a peer of a running node (keymesh up), until it stops.",
        subcommands = {PeerCommand.Add.class, PeerCommand.Remove.class})
final class PeerCommand implements Runnable {
    /** How long to wait for the daemon's answer. */
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Spec
    CommandSpec spec;


    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name what to do: keymesh peer add KEY, or keymesh peer remove KEY");
    }

    static PublicKey key(CommandSpec spec, String text, String what) {
        try {
            return PeerKeys.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), what + ": " + e.getMessage());
        }
    }

    @Command(name = "add", sortOptions = false,
            description = {"Add a peer: as a peer in the config file, with an endpoint, routes through relays, or neither"
                    + " (then it is sought through the members)."})
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "KEY", description = "The peer's public key (base64, or base32).")
        String key;

        @Option(names = "--endpoint", paramLabel = "HOST:PORT", description = "Where to reach it first (IPv6: [ADDRESS]:PORT).")
        String endpoint;

        @Option(names = "--via", paramLabel = "RELAY[,RELAY...]",
                description = "A route through relays (peers of this node), relays in order; repeat for more routes.")
        List<String> via = List.of();

        @Option(names = "--name", paramLabel = "NAME", description = "What to call it in status tables (letters, digits, '-', '_', '.').")
        String name;

        @Option(names = "--persistent-keepalive", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Send a keepalive after this much silence, whole seconds (e.g. 25s; default: off).")
        Duration keepalive;

        @Mixin
        ControlSocketOption socket;


        @Override
        public Integer call() {
            PublicKey peer = key(spec, key, "KEY");
            ObjectNode request = ControlProtocol.request(NodeOperations.PEER_ADD).put(NodeOperations.PEER, peer.toBase64());
            if (endpoint != null) {
                request.put(NodeOperations.ENDPOINT, endpoint);
            }
            if (name != null) {
                request.put(NodeOperations.NAME, name);
            }
            if (!via.isEmpty()) {
                ArrayNode routes = request.putArray(NodeOperations.VIA);
                for (String route : via) {
                    ArrayNode relays = routes.addArray();
                    for (String relay : route.split(",")) {
                        relays.add(key(spec, relay, "--via").toBase64());
                    }
                }
            }
            if (keepalive != null) {
                if (keepalive.toNanosPart() != 0 || keepalive.toSeconds() > 65535) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--persistent-keepalive: whole seconds, 0s..65535s");
                }
                request.put(NodeOperations.PERSISTENT_KEEPALIVE_SECONDS, keepalive.toSeconds());
            }
            return DaemonCall.run(spec, socket, client -> {
                client.call(request, TIMEOUT);
                spec.commandLine().getOut().println("peer " + peer.toBase64() + " added");
                spec.commandLine().getOut().flush();
                return DaemonCall.EXIT_OK;
            });
        }
    }

    @Command(name = "remove", description = "Remove a peer: its session ends, its channels are lost, it gets no more answers.")
    static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "KEY", description = "The peer's public key (base64, or base32).")
        String key;

        @Mixin
        ControlSocketOption socket;


        @Override
        public Integer call() {
            PublicKey peer = key(spec, key, "KEY");
            return DaemonCall.run(spec, socket, client -> {
                client.call(ControlProtocol.request(NodeOperations.PEER_REMOVE).put(NodeOperations.PEER, peer.toBase64()), TIMEOUT);
                spec.commandLine().getOut().println("peer " + peer.toBase64() + " removed");
                spec.commandLine().getOut().flush();
                return DaemonCall.EXIT_OK;
            });
        }
    }
}
