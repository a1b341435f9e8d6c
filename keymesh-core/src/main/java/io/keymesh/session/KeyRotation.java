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
     * current leaves the rotation — still openable for a while ({@link #retireSoon}): the peer may
     * not have moved off it yet (both ends initiated at once and both handshakes completed).
     */
    void beginAsInitiator(Peer p, Keypair kp) {
        retireOverdue(p);
        if (p.next != null) {
            Keypair oldNext = p.next;
            p.next = null;
            if (p.previous != null) {
                retire(p.previous);
            }
            p.previous = oldNext;
            if (p.current != null) {
                retireSoon(p, p.current, kp.createdNanos);
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
     * before then); a next that waited before goes, and so does previous — still openable for a
     * while ({@link #retireSoon}): after crossing handshakes the peer sends on what is our previous
     * until our answer reaches it.
     */
    void beginAsResponder(Peer p, Keypair kp) {
        retireOverdue(p);
        if (p.next != null) {
            retire(p.next);
        }
        p.next = kp;
        if (p.previous != null) {
            retireSoon(p, p.previous, kp.createdNanos);
            p.previous = null;
        }
    }

    /** The initiator used the keypair we made as responder ({@code p.next}): it becomes current. */
    void promoteNext(Peer p) {
        retireOverdue(p);
        if (p.previous != null) {
            retire(p.previous);
        }
        p.previous = p.current;
        p.current = p.next;
        p.next = null;
    }

    /**
     * A keypair that leaves the rotation while the peer may still send on it: it opens what arrives
     * for {@link #RETIRING_GRACE} more (its index stays, sending never uses it), and is retired for
     * good by the peer's next rotation, by a packet for it after the grace, or with the rest of its
     * keys. At most one per peer: a keypair already waiting so goes now.
     */
    void retireSoon(Peer p, Keypair kp, long now) {
        if (p.retiring != null) {
            retire(p.retiring);
        }
        p.retiring = kp;
        p.retiringSinceNanos = now;
    }

    /** Retires the keypair left openable by the rotation before ({@link #retireSoon}), if any. */
    private void retireOverdue(Peer p) {
        if (p.retiring != null) {
            retire(p.retiring);
            p.retiring = null;
        }
    }

    /**
     * True if {@code kp}, found for a received packet at {@code now}, is left openable past
     * {@link #RETIRING_GRACE}; it is retired for good then (the packet is dropped as of an unknown index).
     */
    boolean retiredPastGrace(Keypair kp, long now) {
        Peer p = kp.peer;
        if (kp != p.retiring || now - p.retiringSinceNanos < RETIRING_GRACE) {
            return false;
        }
        retireOverdue(p);
        return true;
    }

    /**
     * How long a keypair that left the rotation still opens packets: REKEY_TIMEOUT, far more than
     * the round trip a peer takes to move off it, far less than REJECT_AFTER_TIME.
     */
    static final long RETIRING_GRACE = ProtocolConstants.REKEY_TIMEOUT;

    /** Retires every keypair of {@code p} and forgets its handshake in progress. */
    void zeroKeyMaterial(Peer p) {
        retireOverdue(p);
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
