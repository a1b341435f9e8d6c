package io.keymesh.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

/**
 * The protocol without a socket: each request line and the exact response line it gets, for good
 * requests, each kind of bad one, and an operation that fails unexpectedly; and the registry's rules.
 */
class ControlConnectionTest {
    private static final ControlOperations OPS = new ControlOperations()
            .register("echo", r -> TextNode.valueOf(r.string("text")))
            .register("count", r -> com.fasterxml.jackson.databind.node.LongNode.valueOf(r.integer("n", 3, 1, 10)))
            .register("refuse", r -> {
                throw new ControlError(ControlError.REFUSED, "not today");
            })
            .register("crash", r -> {
                throw new IllegalStateException("boom");
            });

    private static String answer(String line) {
        return ControlProtocol.line(ControlConnection.respond(OPS, line));
    }

    @Test
    void aGoodRequestGetsItsResultAndItsIdBack() {
        assertEquals("{\"v\":1,\"ok\":true,\"result\":\"hi\"}", answer("{\"v\":1,\"op\":\"echo\",\"text\":\"hi\"}"));
        assertEquals("{\"v\":1,\"id\":[1,\"a\"],\"ok\":true,\"result\":3}", answer("{\"id\":[1,\"a\"],\"v\":1,\"op\":\"count\"}"));
        assertEquals("{\"v\":1,\"ok\":true,\"result\":7}", answer("  {\"v\":1,\"op\":\"count\",\"n\":7}  "));
        assertEquals("{\"v\":1,\"ok\":true,\"result\":{\"version\":1,\"ops\":[\"hello\",\"echo\",\"count\",\"refuse\",\"crash\"]}}",
                answer("{\"v\":1,\"op\":\"hello\"}"));
    }

    @Test
    void eachKindOfBadRequestGetsItsCodeAndSaysWhatIsWrong() {
        assertEquals("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"bad-request\",\"message\":\"a request is a JSON object, "
                + "{\\\"v\\\":1,\\\"op\\\":\\\"...\\\"}\"}}", answer("\"status\""));
        assertEquals("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"bad-request\",\"message\":\"v: missing: give the protocol "
                + "version, 1\"}}", answer("{\"op\":\"echo\"}"));
        assertEquals("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"unsupported-version\",\"message\":\"this daemon speaks "
                + "version 1 of the protocol, got v \\\"1\\\"\"}}", answer("{\"v\":\"1\",\"op\":\"echo\"}"));
        assertEquals("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"bad-request\",\"message\":\"op: missing: name the "
                + "operation, e.g. \\\"status\\\"\"}}", answer("{\"v\":1,\"op\":5}"));
        assertEquals("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"unknown-op\",\"message\":\"no operation \\\"Echo\\\"; "
                + "this daemon offers hello, echo, count, refuse, crash\"}}", answer("{\"v\":1,\"op\":\"Echo\"}"));
        assertEquals("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"bad-request\",\"message\":\"text: missing\"}}",
                answer("{\"v\":1,\"op\":\"echo\"}"));
        assertEquals("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"bad-request\",\"message\":\"text: must be a string, got number\"}}",
                answer("{\"v\":1,\"op\":\"echo\",\"text\":1}"));
        assertEquals("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"bad-request\",\"message\":\"n: must be 1..10, got 11\"}}",
                answer("{\"v\":1,\"op\":\"count\",\"n\":11}"));
        assertEquals("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"bad-request\",\"message\":\"n: must be a whole number, got 1.5\"}}",
                answer("{\"v\":1,\"op\":\"count\",\"n\":1.5}"));
        String deep = "{\"v\":1,\"op\":\"echo\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
        assertEquals("bad-request", ControlConnection.respond(OPS, deep).path("error").path("code").asText(), "nesting is bounded");
    }

    @Test
    void anOperationsErrorIsPassedOnAndAnUnexpectedFailureIsInternal() {
        assertEquals("{\"v\":1,\"id\":1,\"ok\":false,\"error\":{\"code\":\"refused\",\"message\":\"not today\"}}",
                answer("{\"v\":1,\"id\":1,\"op\":\"refuse\"}"));
        assertEquals("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"crash failed: "
                + "java.lang.IllegalStateException: boom\"}}", answer("{\"v\":1,\"op\":\"crash\"}"));
    }

    @Test
    void operationNamesAreLowercaseWordsRegisteredOnce() {
        ControlOperations ops = new ControlOperations().register("forward.add", r -> null).register("forward.list-all", r -> null);
        assertEquals(java.util.List.of("hello", "forward.add", "forward.list-all"), java.util.List.copyOf(ops.names()));
        assertThrows(IllegalArgumentException.class, () -> ops.register("forward.add", r -> null));
        assertThrows(IllegalArgumentException.class, () -> ops.register("hello", r -> null));
        for (String bad : new String[] {"", "Status", "peer..add", ".add", "peer add", "1up"}) {
            assertThrows(IllegalArgumentException.class, () -> new ControlOperations().register(bad, r -> null), bad);
        }
    }
}
