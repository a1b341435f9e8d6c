package io.keymesh.forward;

/**
 * A channel that carries a remote listen request (LISTEN, answered by LISTENING or REFUSE) and stays
 * open as long as the listener should: the asking side's {@link RemoteForwardRequest} or the
 * granting side's {@link RemoteListener}. The node's events for it, on the loop thread; none blocks.
 */
interface ControlChannel {
    /** A message from the peer on the channel. */
    void onMessage(byte[] message);

    /** The peer ended its side: closed ({@code errorCode} 0) or reset. */
    void onPeerEnded(long errorCode);

    /** The connection to the peer was lost, for {@code reason}. */
    void onLost(String reason);
}
