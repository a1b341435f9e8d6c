package io.keymesh.session;

/** Why a received packet was dropped, or an outgoing one not sent. Each is counted, none is answered. */
public enum DropReason {
    /** Not a WireGuard message: unknown type or wrong length. */
    MALFORMED,
    /** Handshake message whose mac1 is not keyed by our public key. */
    BAD_MAC1,
    /** Under load, a handshake message without a valid mac2 (a cookie reply is sent instead). */
    COOKIE_REQUIRED,
    /**
     * Under load, a handshake message without a valid mac2 from a source address that had its
     * share of cookie replies (20 a second, 5 at once): dropped without one.
     */
    COOKIE_REPLY_LIMITED,
    /** Under load, more handshakes from one source address than the rate limit allows. */
    RATE_LIMITED,
    /** A handshake initiation that does not decrypt, or from a static key that is not a peer. */
    UNKNOWN_PEER,
    /**
     * A handshake from a peer whose mac1 is WireGuard's standard one while the engine requires the
     * membership-bound mac1 (the sender lacks the network key) and the peer is not marked as stock WireGuard.
     */
    NOT_A_MEMBER,
    /** An initiation whose TAI64N timestamp is not newer than the last one accepted from that peer. */
    STALE_TIMESTAMP,
    /** An initiation sooner than {@link ProtocolConstants#HANDSHAKE_INITIATION_RATE} after the last one consumed. */
    INITIATION_FLOOD,
    /** A handshake response or cookie reply that does not match a handshake in progress. */
    UNEXPECTED_MESSAGE,
    /** A handshake response that does not authenticate (for example a different network key). */
    HANDSHAKE_FAILED,
    /** A transport packet for a receiver index that names no keypair. */
    UNKNOWN_INDEX,
    /** A transport packet that does not authenticate. */
    BAD_TAG,
    /** A transport packet whose counter was seen before or is behind the window. */
    REPLAY,
    /** A transport packet on a keypair past its reject-after limits. */
    KEYPAIR_EXPIRED,
    /** An outgoing packet for a peer with no known endpoint. */
    NO_ENDPOINT,
    /** An outgoing packet dropped because the queue waiting for a handshake was full. */
    STAGED_QUEUE_FULL,
    /** An outgoing packet discarded when a handshake was given up after {@link ProtocolConstants#REKEY_ATTEMPT_TIME}. */
    HANDSHAKE_GAVE_UP
}
