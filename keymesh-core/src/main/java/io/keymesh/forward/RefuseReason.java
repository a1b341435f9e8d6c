package io.keymesh.forward;

/**
 * Why a forwarded connection (or a remote listen request) was refused, as REFUSE carries it
 * ({@link ForwardMessage.Refuse}): one byte on the wire. A code this node does not know reads as
 * {@link #OTHER}.
 */
public enum RefuseReason {
    /** The exposing node lists no service of that name. */
    UNKNOWN_SERVICE(1, "unknown service"),
    /** The service (or remote listen address) is not allowed for the asking key. */
    NOT_ALLOWED(2, "not allowed for your key"),
    /** Nothing listens at the target (TCP connection refused). */
    CONNECTION_REFUSED(3, "connection refused"),
    /** The target did not answer within the connect timeout. */
    TIMEOUT(4, "timeout"),
    /** No route to the target, or its host name does not resolve. */
    UNREACHABLE(5, "unreachable"),
    /** The OPEN spoke a protocol version this node does not. */
    UNSUPPORTED_VERSION(6, "unsupported protocol version"),
    /** The node has as many forwarded connections as it takes. */
    BUSY(7, "too many connections"),
    /** A remote listen request was allowed but its address could not be bound. */
    LISTEN_FAILED(8, "cannot listen"),
    /** Anything else. */
    OTHER(255, "refused");

    private final int code;
    private final String text;

    RefuseReason(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The wire code, 1..255. */
    public int code() {
        return code;
    }

    /** A few words for logs ("connection refused"). */
    public String text() {
        return text;
    }

    /** The reason with wire code {@code code}; {@link #OTHER} for a code not defined here. */
    public static RefuseReason of(int code) {
        for (RefuseReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return OTHER;
    }
}
