package io.keymesh.session;

/**
 * Access to session internals that the public API rightly hides, for tests and benchmarks outside
 * this package. It lives in keymesh-core's test sources, so that keymesh-core itself carries no test
 * hooks and every module that needs one reaches the same.
 *
 * <p>Not thread-safe, like the engine whose state it touches.
 */
public final class SessionTestAccess {
    private SessionTestAccess() {}

    /**
     * Empties the replay window of {@code peer}'s current receive keypair, so that a ring of
     * pre-sealed packets can be opened again: a counter accepted once is otherwise rejected for
     * good. Only for measuring the receive path; a real receiver must never do this.
     *
     * @throws IllegalStateException if the peer has no current keypair
     */
    public static void resetReplayWindow(Peer peer) {
        Keypair kp = peer.current;
        if (kp == null) {
            throw new IllegalStateException("no current keypair for " + peer);
        }
        kp.replay.reset();
    }
}
