package io.keymesh.wire;

/**
 * Reason codes of {@link CircuitReasonFrame}s: why a circuit was not opened (RELAY_REFUSED) or
 * why an open circuit ended (RELAY_CLOSE). On the wire a code is a varint; codes not
 * listed here are legal and decode like any other (a receiver treats an unknown code as a
 * generic failure). Every code may appear in either frame; {@link #CLOSED_BY_PEER},
 * {@link #IDLE} and {@link #TARGET_GONE} are meant for RELAY_CLOSE. Stateless and thread-safe.
 */
public final class RelayReason {
    /** Relaying is switched off at the node that refuses. */
    public static final int DISABLED = 1;
    /** The next hop is not a connected peer of the relay. */
    public static final int NO_ROUTE = 2;
    /** The relay carries too many circuits. */
    public static final int CAPACITY = 3;
    /** The opener opens circuits faster than the relay allows. */
    public static final int RATE_LIMITED = 4;
    /** The route has more hops than the relay accepts. */
    public static final int ROUTE_TOO_LONG = 5;
    /** The route names the relay itself or the opener. */
    public static final int LOOP = 6;
    /** The relay's policy does not allow this circuit. */
    public static final int NOT_ALLOWED = 7;
    /** An end of the circuit closed it on purpose: the normal close. */
    public static final int CLOSED_BY_PEER = 8;
    /** The circuit carried nothing for too long. */
    public static final int IDLE = 9;
    /** The target, or a hop on the way to it, is no longer reachable. */
    public static final int TARGET_GONE = 10;

    private RelayReason() {}

    /** The code's name for logs ({@code "NO_ROUTE"}), or {@code "code N"} for a code not listed here. */
    public static String describe(long code) {
        return switch (code >= 0 && code <= Integer.MAX_VALUE ? (int) code : -1) {
            case DISABLED -> "DISABLED";
            case NO_ROUTE -> "NO_ROUTE";
            case CAPACITY -> "CAPACITY";
            case RATE_LIMITED -> "RATE_LIMITED";
            case ROUTE_TOO_LONG -> "ROUTE_TOO_LONG";
            case LOOP -> "LOOP";
            case NOT_ALLOWED -> "NOT_ALLOWED";
            case CLOSED_BY_PEER -> "CLOSED_BY_PEER";
            case IDLE -> "IDLE";
            case TARGET_GONE -> "TARGET_GONE";
            default -> "code " + code;
        };
    }
}
