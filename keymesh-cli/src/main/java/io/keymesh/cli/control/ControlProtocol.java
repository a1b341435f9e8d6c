package io.keymesh.cli.control;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The control socket's protocol, version {@value #VERSION}: newline-delimited JSON, one object per
 * line (UTF-8, no line breaks inside), any number of requests per connection, each answered in
 * order with one response line.
 * <pre>
 *   request   {"v":1,"op":"status"}                      an optional "id" (any JSON value) is echoed
 *   answer    {"v":1,"ok":true,"result":{...}}
 *   error     {"v":1,"ok":false,"error":{"code":"not-a-peer","message":"..."}}
 * </pre>
 * A request longer than {@value #MAX_REQUEST_BYTES} bytes is answered {@code too-large} and the
 * connection closed; anything else malformed is answered {@code bad-request} and the connection
 * goes on. The operations and their fields are listed in the README ("The control socket").
 * Stateless; the mapper is thread-safe.
 */
public final class ControlProtocol {
    /** The protocol version this side speaks. */
    public static final int VERSION = 1;
    /** The longest request line, in bytes, its newline not included. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** The longest response line a client reads, in bytes (a status of thousands of peers fits). */
    public static final int MAX_RESPONSE_BYTES = 64 << 20;

    static final String V = "v";
    static final String OP = "op";
    static final String ID = "id";
    static final String OK = "ok";
    static final String RESULT = "result";
    static final String ERROR = "error";
    static final String CODE = "code";
    static final String MESSAGE = "message";

    /** Reads and writes the lines: compact, nesting bounded. */
    static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build()).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ControlProtocol() {}

    /** A request for {@code op}: {@code {"v":1,"op":op}}, to add fields to. */
    public static ObjectNode request(String op) {
        ObjectNode n = JSON.createObjectNode();
        n.put(V, VERSION);
        n.put(OP, op);
        return n;
    }

    /** A successful response carrying {@code result}, echoing {@code id} if not null. */
    static ObjectNode ok(JsonNode id, JsonNode result) {
        ObjectNode n = JSON.createObjectNode();
        n.put(V, VERSION);
        if (id != null) {
            n.set(ID, id);
        }
        n.put(OK, true);
        n.set(RESULT, result);
        return n;
    }

    /** An error response, echoing {@code id} if not null. */
    static ObjectNode error(JsonNode id, ControlError e) {
        ObjectNode n = JSON.createObjectNode();
        n.put(V, VERSION);
        if (id != null) {
            n.set(ID, id);
        }
        n.put(OK, false);
        ObjectNode err = n.putObject(ERROR);
        err.put(CODE, e.code());
        err.put(MESSAGE, e.getMessage());
        return n;
    }

    /** {@code node} as one line of JSON, without the newline. */
    static String line(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always writes", e);
        }
    }
}
