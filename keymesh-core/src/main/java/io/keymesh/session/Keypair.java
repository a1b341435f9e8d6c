package io.keymesh.session;

import io.keymesh.crypto.ChaCha20Poly1305;
import javax.crypto.SecretKey;

/**
 * The transport keys one handshake derived, with the send counter and the receive replay window.
 * The local index is the receiver index the peer puts on packets to us; the remote index is what we
 * put on packets to it.
 *
 * <p>Not thread-safe; owned by its {@link Peer}.
 */
final class Keypair {
    final SecretKey sendKey;
    final SecretKey receiveKey;
    final ReplayWindow replay = new ReplayWindow();
    final int localIndex;
    final int remoteIndex;
    final long createdNanos;
    final boolean isInitiator;
    final Peer peer;
    /** The next counter to send with; an unsigned 64-bit value. */
    long sendCounter;

    Keypair(Peer peer, byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex, long createdNanos,
            boolean isInitiator) {
        this.peer = peer;
        this.sendKey = ChaCha20Poly1305.key(sendKey);
        this.receiveKey = ChaCha20Poly1305.key(receiveKey);
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.createdNanos = createdNanos;
        this.isInitiator = isInitiator;
    }

    /** True while this keypair may still be used at {@code nowNanos}. */
    boolean isUsable(long nowNanos) {
        return nowNanos - createdNanos < ProtocolConstants.REJECT_AFTER_TIME
                && Long.compareUnsigned(sendCounter, ProtocolConstants.REJECT_AFTER_MESSAGES) < 0;
    }
}
