package io.keymesh.cli.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection to the control socket: reads request lines, answers each with one
 * response line, in order, until the client closes it, it sends a line longer than
 * {@link ControlProtocol#MAX_REQUEST_BYTES} (answered {@code too-large}), or the server closes it.
 * {@link #serve} runs on the connection's own thread; {@link #close} and {@link #idleSince} may be
 * called from any.
 */
final class ControlConnection {
    private static final Logger log = LoggerFactory.getLogger(ControlConnection.class);

    private final SocketChannel channel;
    private final ControlOperations ops;
    private volatile long lastActiveNanos = System.nanoTime();
    private volatile boolean answering;

    ControlConnection(SocketChannel channel, ControlOperations ops) {
        this.channel = channel;
        this.ops = ops;
    }

    /** Reads and answers requests until the connection ends; closes it. */
    void serve() {
        ByteBuffer in = ByteBuffer.allocate(8192);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (true) {
                in.clear();
                if (channel.read(in) < 0) {
                    return;
                }
                lastActiveNanos = System.nanoTime();
                in.flip();
                while (in.hasRemaining()) {
                    byte b = in.get();
                    if (b != '\n') {
                        if (line.size() >= ControlProtocol.MAX_REQUEST_BYTES) {
                            write(ControlProtocol.error(null, new ControlError(ControlError.TOO_LARGE,
                                    "a request is one line of at most " + ControlProtocol.MAX_REQUEST_BYTES + " bytes")));
                            return;
                        }
                        line.write(b);
                        continue;
                    }
                    String text = line.toString(StandardCharsets.UTF_8).strip();
                    line.reset();
                    if (!text.isEmpty()) {
                        answering = true;
                        try {
                            write(respond(ops, text));
                        } finally {
                            answering = false;
                            lastActiveNanos = System.nanoTime();
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the client went away, or the server closed the connection
        } finally {
            close();
        }
    }

    /**
     * The response to one request line: the operation's result, or an error saying what was wrong
     * with the request. Never throws: an operation that fails unexpectedly is answered
     * {@code internal} and logged.
     */
    static ObjectNode respond(ControlOperations ops, String line) {
        JsonNode json;
        try {
            json = ControlProtocol.JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return ControlProtocol.error(null, bad("not JSON: " + e.getOriginalMessage()));
        }
        if (json == null || !json.isObject()) {
            return ControlProtocol.error(null, bad("a request is a JSON object, {\"v\":" + ControlProtocol.VERSION
                    + ",\"op\":\"...\"}"));
        }
        JsonNode id = json.get(ControlProtocol.ID);
        JsonNode v = json.get(ControlProtocol.V);
        if (v == null || v.isNull()) {
            return ControlProtocol.error(id, bad("v: missing: give the protocol version, " + ControlProtocol.VERSION));
        }
        if (!v.isIntegralNumber() || v.asLong() != ControlProtocol.VERSION) {
            return ControlProtocol.error(id, new ControlError(ControlError.UNSUPPORTED_VERSION,
                    "this daemon speaks version " + ControlProtocol.VERSION + " of the protocol, got v " + v));
        }
        JsonNode op = json.get(ControlProtocol.OP);
        if (op == null || !op.isTextual()) {
            return ControlProtocol.error(id, bad("op: missing: name the operation, e.g. \"status\""));
        }
        try {
            return ControlProtocol.ok(id, ops.call(new ControlRequest((ObjectNode) json)));
        } catch (ControlError e) {
            return ControlProtocol.error(id, e);
        } catch (RuntimeException e) {
            log.warn("control operation {} failed", op.asText(), e);
            return ControlProtocol.error(id, new ControlError(ControlError.INTERNAL, op.asText() + " failed: " + e));
        }
    }

    private static ControlError bad(String message) {
        return new ControlError(ControlError.BAD_REQUEST, message);
    }

    /** Answers {@code busy} and closes: the server takes no more connections now. */
    void refuseBusy(String why) {
        try {
            write(ControlProtocol.error(null, new ControlError(ControlError.BUSY, why)));
        } catch (IOException e) {
            // closing anyway
        }
        close();
    }

    private void write(JsonNode response) throws IOException {
        ByteBuffer out = ByteBuffer.wrap((ControlProtocol.line(response) + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    /** Nanoseconds since this connection last did something, 0 while it answers a request. */
    long idleSince(long nowNanos) {
        return answering ? 0 : nowNanos - lastActiveNanos;
    }

    /** Closes the connection; a blocked {@link #serve} ends. Idempotent. */
    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed
        }
    }
}
