package io.keymesh.cli.control;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One operation of the control protocol: takes a request, returns the response's {@code result}.
 * Runs on the connection's own (virtual) thread, so it may block, within a bound it chooses (a
 * client waits for it); it must be thread-safe, as several connections may call it at once.
 */
@FunctionalInterface
public interface ControlOperation {
    /**
     * @return the result: any JSON value (an object, for every operation so far)
     * @throws ControlError for a request it cannot carry out, with the code and message the client sees
     */
    JsonNode call(ControlRequest request) throws ControlError;
}
