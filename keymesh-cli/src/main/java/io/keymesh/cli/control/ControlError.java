package io.keymesh.cli.control;

/**
 * A request the daemon could not carry out, as the error response says it: a {@link #code()} a
 * program can test (one of the constants here) and a message for a person.
 */
public final class ControlError extends Exception {
    /** Not JSON, not an object, a field missing or of the wrong type or value. */
    public static final String BAD_REQUEST = "bad-request";
    /** The request line is longer than {@link ControlProtocol#MAX_REQUEST_BYTES}; the connection is closed. */
    public static final String TOO_LARGE = "too-large";
    /** A {@code v} this daemon does not speak. */
    public static final String UNSUPPORTED_VERSION = "unsupported-version";
    /** No operation of that name. */
    public static final String UNKNOWN_OP = "unknown-op";
    /** The key is not a peer of this node (and cannot be taken as one). */
    public static final String NOT_A_PEER = "not-a-peer";
    /** Nothing of that name or address (a forward to remove). */
    public static final String NOT_FOUND = "not-found";
    /** The key is a peer already. */
    public static final String ALREADY_A_PEER = "already-a-peer";
    /** The operation does not apply to this peer (a stock WireGuard peer answers no pings). */
    public static final String REFUSED = "refused";
    /** No answer in time. */
    public static final String TIMEOUT = "timeout";
    /** The daemon has as many connections as it serves at once; the connection is closed. */
    public static final String BUSY = "busy";
    /** The node is stopping or stopped. */
    public static final String UNAVAILABLE = "unavailable";
    /** Anything else: the daemon failed to carry out a well-formed request (its log says more). */
    public static final String INTERNAL = "internal";

    private final String code;

    public ControlError(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
