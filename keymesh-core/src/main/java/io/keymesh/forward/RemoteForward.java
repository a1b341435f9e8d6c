package io.keymesh.forward;

import io.keymesh.crypto.PublicKey;

/**
 * Asks node {@code peer} to listen at {@code listen} on its side and send each connection it
 * accepts back to this node, which connects it to {@code target} (as {@code ssh -R} does). The
 * peer does so only where its configuration grants this node that address ({@link RemoteListenGrant}).
 * Immutable.
 *
 * @param listen the address on the peer's side, as its grant names it
 * @param target where this node connects each forwarded connection
 */
public record RemoteForward(PublicKey peer, TcpAddress listen, TcpAddress target) {
    public RemoteForward {
        if (peer == null || listen == null || target == null) {
            throw new IllegalArgumentException("a remote forward needs a peer, a listen address and a target");
        }
    }

    /** "KEY:LISTEN -> TARGET", for logs. */
    @Override
    public String toString() {
        return peer.toBase64() + " " + listen + " -> " + target;
    }
}
