package io.keymesh.session;

/**
 * The handshake we initiated with a peer, if one is in flight, and the history WireGuard keeps to
 * refuse replays: the newest TAI64N timestamp accepted and when the last initiation was consumed
 * or sent. (As responder, a handshake completes within one call and needs no state here.)
 *
 * <p>Not thread-safe; owned by its {@link Peer}.
 */
final class Handshake {
    enum State { ZEROED, INITIATION_CREATED }

    State state = State.ZEROED;
    NoiseIKpsk2 noise;
    /** Our index for this handshake (the peer's receiver index for its response). */
    int localIndex;
    final byte[] lastTimestamp = new byte[Tai64n.LENGTH];
    boolean hasLastTimestamp;
    long lastInitiationConsumedNanos;
    boolean hasConsumedInitiation;
    long lastSentInitiationNanos;
    boolean hasSentInitiation;

    /** Forgets the handshake in progress (not the replay history). */
    void clear() {
        if (noise != null) {
            noise.wipe();
        }
        noise = null;
        state = State.ZEROED;
    }
}
