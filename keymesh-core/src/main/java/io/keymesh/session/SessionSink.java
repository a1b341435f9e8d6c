package io.keymesh.session;

import java.net.InetSocketAddress;

/**
 * Where a {@link SessionEngine} puts its output. Called synchronously from inside the engine's
 * methods, on the caller's thread. Byte arrays passed in are only valid during the call: copy what
 * must outlive it.
 */
public interface SessionSink {
    /** Send {@code packet[off..off+len)} as one UDP datagram to {@code to}. {@code peer} is null for cookie replies. */
    void transmit(Peer peer, InetSocketAddress to, byte[] packet, int off, int len);

    /**
     * An authenticated, decrypted, non-empty payload from {@code peer}. IP packets have WireGuard's
     * padding removed; other payloads (mesh frames) are delivered with it (zero bytes).
     */
    void deliver(Peer peer, byte[] payload, int off, int len);

    /** A handshake with {@code peer} completed and a new keypair is in use. */
    default void handshakeCompleted(Peer peer) {}

    /** An authenticated packet from {@code peer} arrived from a new address, which is now its endpoint. */
    default void endpointChanged(Peer peer, InetSocketAddress endpoint) {}

    /**
     * The handshake with {@code peer} was retried for {@link ProtocolConstants#REKEY_ATTEMPT_TIME}
     * without an answer and given up; its waiting packets were dropped.
     */
    default void handshakeGaveUp(Peer peer) {}

    /** {@code peer}'s keys were zeroed, {@link ProtocolConstants#ZERO_KEY_MATERIAL_AFTER} after the last session. */
    default void keysZeroed(Peer peer) {}

    /** {@code count} outgoing packets to {@code peer} were dropped for {@code reason}. */
    default void dropped(Peer peer, DropReason reason, int count) {}
}
