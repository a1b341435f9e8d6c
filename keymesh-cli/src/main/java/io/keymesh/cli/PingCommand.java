package io.keymesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.keymesh.cli.control.ControlError;
import io.keymesh.cli.control.ControlProtocol;
import io.keymesh.cli.control.NodeOperations;
import io.keymesh.config.Durations;
import io.keymesh.crypto.PublicKey;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh ping KEY}: has a running {@code keymesh up} ping a peer — a probe inside the peer's
 * WireGuard session ({@link io.keymesh.node.MeshNode#ping}) — {@code -c} times, {@code --interval}
 * apart, each waiting at most {@code --timeout}; one line per probe with the path that carried the
 * answer and its round-trip time, then a summary. The first line says when the node had no session
 * and made one (a handshake, or a seek through the members for a peer known by key only). A stock
 * WireGuard peer cannot answer: the daemon refuses, pointing to {@code keymesh wgping}.
 *
 * <p>Exit status: 0 if any probe was answered; 1 if none was, or the daemon could not be asked, or
 * refused (not a peer, a stock WireGuard peer); 2 for a bad command line.
 */
@Command(name = "ping", sortOptions = false,
        description = {"Ping a peer through a running node (keymesh up): probes inside its WireGuard session,"
                + " each answer with the path it took (direct ADDRESS or relay KEY) and its round-trip time."})
final class PingCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "The peer's public key (base64, or base32).")
    String key;

    @Option(names = {"-c", "--count"}, defaultValue = "4", paramLabel = "COUNT",
            description = "How many probes (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--interval", defaultValue = "1s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time from one probe to the next (default ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--timeout", defaultValue = "5s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to wait for each answer, a handshake included (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    ControlSocketOption socket;


    @Override
    public Integer call() throws InterruptedException {
        CommandLine cli = spec.commandLine();
        PublicKey peer;
        try {
            peer = PeerKeys.parse(key);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "KEY: " + e.getMessage());
        }
        if (count < 1) {
            throw new CommandLine.ParameterException(cli, "--count must be at least 1, got " + count);
        }
        if (timeout.isZero() || timeout.toMillis() > NodeOperations.MAX_PING_TIMEOUT_MS) {
            throw new CommandLine.ParameterException(cli, "--timeout must be more than 0 and at most "
                    + Durations.format(Duration.ofMillis(NodeOperations.MAX_PING_TIMEOUT_MS)) + ", got " + Durations.format(timeout));
        }
        long timeoutMs = Math.max(1, timeout.toMillis());
        PrintWriter out = cli.getOut();
        String who = PeerKeys.shortForm(peer);
        int[] answered = {0};
        double[] rtt = {Double.MAX_VALUE, 0, 0}; // min, max, sum
        int status = DaemonCall.run(spec, socket, client -> {
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                try {
                    JsonNode r = client.call(ControlProtocol.request(NodeOperations.PING).put(NodeOperations.PEER, peer.toBase64())
                            .put(NodeOperations.TIMEOUT_MS, timeoutMs), timeout.plusSeconds(15));
                    double ms = r.path("rttMs").asDouble();
                    answered[0]++;
                    rtt[0] = Math.min(rtt[0], ms);
                    rtt[1] = Math.max(rtt[1], ms);
                    rtt[2] += ms;
                    String setup = switch (r.path("setup").asText()) {
                        case "handshake" -> " (no session: a handshake first)";
                        case "seek" -> " (no session: its key was sought through the members first)";
                        default -> "";
                    };
                    out.printf("pong from %s via %s in %s%s%n", who, StatusText.path(r.path("path")),
                            StatusTable.rtt(Math.round(ms * 1e6)), setup);
                } catch (ControlError e) {
                    if (!ControlError.TIMEOUT.equals(e.code())) {
                        throw e;
                    }
                    out.printf("no answer from %s: %s%n", who, e.getMessage());
                }
                out.flush();
                if (i < count - 1) {
                    long left = interval.toNanos() - (System.nanoTime() - start);
                    if (left > 0) {
                        try {
                            Thread.sleep(Duration.ofNanos(left));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
            }
            return DaemonCall.EXIT_OK;
        });
        if (status != DaemonCall.EXIT_OK) {
            return status;
        }
        int sent = count;
        out.printf("%s: %d probes, %d answered, %d%% lost", peer.toBase64(), sent, answered[0],
                Math.round(100.0 * (sent - answered[0]) / sent));
        if (answered[0] > 0) {
            out.printf(Locale.ROOT, "; rtt min/avg/max %.3f/%.3f/%.3f ms", rtt[0], rtt[2] / answered[0], rtt[1]);
        }
        out.println();
        out.flush();
        return answered[0] > 0 ? DaemonCall.EXIT_OK : DaemonCall.EXIT_FAILED;
    }
}
