package io.keymesh.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The transport keys one handshake derived, with the send counter and the receive replay window.
 * The local index is the receiver index the peer puts on packets to us; the remote index is what we
 * put on packets to it.
 *
 * <p>Owned by its {@link Peer} and changed by the engine's thread, with two exceptions that make it
 * usable by {@link SendPath} on any thread: the send counter is taken atomically
 * ({@link #nextSendCounter}), so no two packets ever share a nonce whichever threads send them; and
 * {@link #wipe} first marks the keypair retired, so a sender that reads {@link #isRetired} false
 * after sealing a packet knows the keys it read were not yet being zeroed (see {@link SendPath}).
 */
final class Keypair {
    private static final VarHandle SEND_COUNTER;

    static {
        try {
            SEND_COUNTER = MethodHandles.lookup().findVarHandle(Keypair.class, "sendCounter", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final byte[] sendKey;
    final byte[] receiveKey;
    final ReplayWindow replay = new ReplayWindow();
    final int localIndex;
    final int remoteIndex;
    final long createdNanos;
    final boolean isInitiator;
    final Peer peer;
    /** The next counter to send with; an unsigned 64-bit value. Taken only through {@link #nextSendCounter}. */
    private volatile long sendCounter;
    private volatile boolean retired;

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

    /** Takes the next send counter (the packet's nonce); any thread. */
    long nextSendCounter() {
        return (long) SEND_COUNTER.getAndAdd(this, 1L);
    }

    /** Counters taken so far: the next one to be taken. */
    long sendCounter() {
        return sendCounter;
    }

    /**
     * Marks the keypair retired, then zeroes both keys; it must not be used afterwards. The mark is
     * visible to every thread before any key byte changes.
     */
    void wipe() {
        retired = true;
        VarHandle.fullFence(); // the mark before the zeroing, for readers that check it after reading keys
        Arrays.fill(sendKey, (byte) 0);
        Arrays.fill(receiveKey, (byte) 0);
    }

    /** True once {@link #wipe} has started; any thread. */
    boolean isRetired() {
        return retired;
    }

    /** True while this keypair may still be used at {@code nowNanos}. */
    boolean isUsable(long nowNanos) {
        return nowNanos - createdNanos < ProtocolConstants.REJECT_AFTER_TIME
                && Long.compareUnsigned(sendCounter, ProtocolConstants.REJECT_AFTER_MESSAGES) < 0;
    }
}
