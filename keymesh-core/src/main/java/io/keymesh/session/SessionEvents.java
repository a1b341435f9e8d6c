package io.keymesh.session;

/**
 * What a {@link SessionEngine} tells its owner, synchronously, from inside its methods, on the
 * engine's thread. Byte arrays passed in are valid only during the call: copy what must outlive it.
 *
 * <p><b>Re-entrancy.</b> A handler may call the engine back ({@link SessionEngine#send},
 * {@link SessionEngine#sendKeepalive}, {@link SessionEngine#initiateHandshake}): a reliable
 * connection acknowledges what was just delivered, an application answers a peer that came up.
 * The engine calls out only where its state is consistent for that: {@link #deliver} is the last
 * thing it does with a received packet, and a payload sent from {@link #handshakeCompleted} goes
 * out behind the packets that waited for the handshake.
 */
public interface SessionEvents {
    /**
     * An authenticated, decrypted, non-empty payload from {@code peer}, which arrived from
     * {@code from} (null if the datagram came with none). {@code kind} is its
     * {@link io.keymesh.wire.InnerPayload} kind: IP packets have WireGuard's padding removed; other
     * payloads (mesh frames) are delivered with it (zero bytes).
     */
    void deliver(Peer peer, Endpoint from, int kind, byte[] payload, int off, int len);

    /**
     * An authenticated packet from {@code peer} — a handshake message or a transport packet that
     * decrypted — arrived from {@code from}, before anything is sent in answer. This is where the
     * owner's policy decides where the peer's packets go ({@link Peer#setEndpoint}). The default is
     * WireGuard's roaming: the peer's endpoint follows its authenticated packets.
     */
    default void authenticated(Peer peer, Endpoint from) {
        if (!from.equals(peer.endpoint())) {
            peer.setEndpoint(from);
        }
    }

    /**
     * An initiation came from {@code key}, which is not a peer, and its mac1 was keyed with the
     * membership key ({@link SessionEngine#setMembershipKey}): the sender holds the network key. To
     * let it in, add it ({@link SessionEngine#addPeer}) and return true; the handshake then goes on
     * with it. The default keeps the allow-list: false, and the initiation is dropped
     * ({@link DropReason#UNKNOWN_PEER}).
     */
    default boolean admitMember(io.keymesh.crypto.PublicKey key) {
        return false;
    }

    /** An authenticated keepalive (an empty transport packet) came from {@code peer}; nothing is delivered. */
    default void keepalive(Peer peer) {}

    /** A handshake with {@code peer} completed and a new keypair is in use. */
    default void handshakeCompleted(Peer peer) {}

    /**
     * The handshake with {@code peer} was retried for {@link ProtocolConstants#REKEY_ATTEMPT_TIME}
     * without an answer and given up; its waiting packets were dropped.
     */
    default void handshakeGaveUp(Peer peer) {}

    /** {@code peer}'s keys were zeroed, {@link ProtocolConstants#ZERO_KEY_MATERIAL_AFTER} after the last session. */
    default void keysZeroed(Peer peer) {}

    /**
     * A handshake message from {@code from} (null if it came with none) was refused, counted as
     * {@code reason}, and not answered, for a reason a person can act on: {@link DropReason#BAD_MAC1}
     * (not made for our public key with our membership key), {@link DropReason#UNKNOWN_PEER} (an
     * initiation from a key that is not a peer, or one that does not decrypt),
     * {@link DropReason#NOT_A_MEMBER} (a peer's message with WireGuard's standard mac1) or
     * {@link DropReason#HANDSHAKE_FAILED} (a response to our initiation that does not
     * authenticate). {@code messageType} is {@link io.keymesh.wire.MessageType#HANDSHAKE_INITIATION}
     * or {@link io.keymesh.wire.MessageType#HANDSHAKE_RESPONSE}. {@code key}: for an initiation, the
     * sender's static key where the message proves it (it decrypted, timestamp included, which
     * takes that key's private half), else null; for a response, the peer our initiation went to;
     * null for {@link DropReason#BAD_MAC1}. Called for every such message, strangers' included: an
     * owner that reports them limits its own rate and memory.
     */
    default void handshakeRefused(DropReason reason, int messageType, Endpoint from, io.keymesh.crypto.PublicKey key) {}

    /** {@code count} outgoing packets to {@code peer} were dropped for {@code reason}. */
    default void dropped(Peer peer, DropReason reason, int count) {}

    /**
     * A transport packet for a receiver index this engine does not hold came from {@code from} (and
     * was dropped, {@link DropReason#UNKNOWN_INDEX}): unauthenticated, so it names no peer; if
     * {@code from} is where a peer's packets go, that peer may hold a session this engine has lost —
     * it restarted. Nothing is answered here; an owner may start a handshake with that peer.
     */
    default void unknownIndex(Endpoint from) {}
}
