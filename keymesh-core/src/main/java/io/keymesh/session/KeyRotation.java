package io.keymesh.session;

/**
 * A peer's keypairs as WireGuard rotates them — previous, current and next (wireguard-go's
 * {@code keypair.go}, {@code BeginSymmetricSession} and {@code ReceivedWithKeypair}) — and their
 * end: retiring a keypair frees its receiver index and zeroes its keys ({@link Keypair#wipe}, which
 * marks it first, so a {@link SendPath} on another thread never sends with it afterwards).
 *
 * <p>Not thread-safe: the engine's thread. It does not publish send routes; the engine does that
 * once it has finished with the peer ({@link Peer#publishRoute}).
 */
final class KeyRotation {
    private final IndexTable indices;

    KeyRotation(IndexTable indices) {
        this.indices = indices;
    }

    /**
     * Initiator: the handshake's keypair is current at once. The old current becomes previous; if a
     * keypair we made as responder still waited as next, it becomes previous instead and the old
     * current goes.
     */
    void beginAsInitiator(Peer p, Keypair kp) {
        if (p.next != null) {
            Keypair oldNext = p.next;
            p.next = null;
            if (p.previous != null) {
                retire(p.previous);
            }
            p.previous = oldNext;
            if (p.current != null) {
                retire(p.current);
            }
        } else {
            if (p.previous != null) {
                retire(p.previous);
            }
            p.previous = p.current;
        }
        p.current = kp;
    }

    /**
     * Responder: the keypair waits as next until the initiator uses it (it cannot know we have it
     * before then); a next that waited before goes, and so does previous.
     */
    void beginAsResponder(Peer p, Keypair kp) {
        if (p.next != null) {
            retire(p.next);
        }
        p.next = kp;
        if (p.previous != null) {
            retire(p.previous);
            p.previous = null;
        }
    }

    /** The initiator used the keypair we made as responder ({@code p.next}): it becomes current. */
    void promoteNext(Peer p) {
        if (p.previous != null) {
            retire(p.previous);
        }
        p.previous = p.current;
        p.current = p.next;
        p.next = null;
    }

    /** Retires every keypair of {@code p} and forgets its handshake in progress. */
    void zeroKeyMaterial(Peer p) {
        for (Keypair kp : new Keypair[] {p.previous, p.current, p.next}) {
            if (kp != null) {
                retire(kp);
            }
        }
        p.previous = null;
        p.current = null;
        p.next = null;
        clearHandshake(p);
    }

    /** Forgets a keypair: frees its index and zeroes its keys. */
    void retire(Keypair kp) {
        indices.remove(kp.localIndex, kp);
        kp.wipe();
    }

    /** Forgets the handshake in progress with {@code p} (its index too), not its replay history. */
    void clearHandshake(Peer p) {
        Handshake hs = p.handshake;
        if (hs.state == Handshake.State.INITIATION_CREATED) {
            indices.remove(hs.localIndex, p);
        }
        hs.clear();
    }
}
