package io.keymesh.session;

/**
 * Benchmark-only access to session internals that the public API rightly hides. It lives in the
 * benchmark jar, in keymesh-core's package (a split package, fine on the class path), so that
 * keymesh-core itself carries no test hooks.
 *
 * <p>Not thread-safe, like the engine whose state it touches.
 */
public final class BenchHooks {
    private BenchHooks() {}

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
