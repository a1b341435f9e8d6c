package io.keymesh.forward;

import io.keymesh.crypto.PublicKey;

/**
 * Lets node {@code from} ask this node to listen at {@code listen} and forward what it accepts back
 * to {@code from} ({@link RemoteForward} on its side). Nothing else is granted: the address asked
 * for must be this one exactly. Immutable.
 */
public record RemoteListenGrant(PublicKey from, TcpAddress listen) {
    public RemoteListenGrant {
        if (from == null || listen == null) {
            throw new IllegalArgumentException("a grant needs a key and an address");
        }
    }
}
