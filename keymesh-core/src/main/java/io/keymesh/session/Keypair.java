package io.keymesh.session;

import java.util.Arrays;

/**
 * The transport keys one handshake derived, with the send counter and the receive replay window.
 * The local index is the receiver index the peer puts on packets to us; the remote index is what we
 * put on packets to it.
 *
 * <p>Not thread-safe; owned by its {@link Peer}.
 */
final class Keypair {
    final byte[] sendKey;
    final byte[] receiveKey;
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
        this.sendKey = sendKey.clone();
        this.receiveKey = receiveKey.clone();
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.createdNanos = createdNanos;
        this.isInitiator = isInitiator;
    }

    /** Zeroes both keys; the keypair must not be used afterwards. */
    void wipe() {
        Arrays.fill(sendKey, (byte) 0);
        Arrays.fill(receiveKey, (byte) 0);
    }

    /** True while this keypair may still be used at {@code nowNanos}. */
    boolean isUsable(long nowNanos) {
        return nowNanos - createdNanos < ProtocolConstants.REJECT_AFTER_TIME
                && Long.compareUnsigned(sendCounter, ProtocolConstants.REJECT_AFTER_MESSAGES) < 0;
    }
}
