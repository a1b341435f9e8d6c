package io.keymesh.cli.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The operations a control socket offers, by name: a new one is a {@link #register} call, with no
 * change to the server or the protocol. Every registry has {@value #HELLO}, which answers the
 * protocol version and the operations' names, so a client can tell what a daemon offers. Names are
 * lowercase words, dotted by subject ({@code status}, {@code peer.add}). Register before the
 * server starts; then read-only and thread-safe.
 */
public final class ControlOperations {
    /** The operation every registry has: {@code {"version":1,"ops":["hello",...]}}. */
    public static final String HELLO = "hello";

    private final Map<String, ControlOperation> ops = new LinkedHashMap<>();

    public ControlOperations() {
        ops.put(HELLO, request -> {
            ObjectNode n = ControlProtocol.JSON.createObjectNode();
            n.put("version", ControlProtocol.VERSION);
            ArrayNode names = n.putArray("ops");
            ops.keySet().forEach(names::add);
            return n;
        });
    }

    /**
     * Adds {@code op} under {@code name}.
     *
     * @return this registry
     * @throws IllegalArgumentException if the name is taken or not lowercase words joined by dots or dashes
     */
    public ControlOperations register(String name, ControlOperation op) {
        if (!name.matches("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*")) {
            throw new IllegalArgumentException("an operation's name is lowercase words joined by dots, got \"" + name + "\"");
        }
        if (ops.putIfAbsent(name, op) != null) {
            throw new IllegalArgumentException("operation " + name + " is registered already");
        }
        return this;
    }

    /** The names, in the order registered. */
    public Set<String> names() {
        return Collections.unmodifiableSet(ops.keySet());
    }

    /** Runs the request's operation: its result, or the error it (or the look-up) raised. */
    JsonNode call(ControlRequest request) throws ControlError {
        ControlOperation op = ops.get(request.op());
        if (op == null) {
            throw new ControlError(ControlError.UNKNOWN_OP, "no operation \"" + request.op() + "\"; this daemon offers "
                    + String.join(", ", ops.keySet()));
        }
        return op.call(request);
    }
}
