package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;

/**
 * A node's events, called on its loop thread; implementations must not block. Every method has an
 * empty default.
 */
public interface NodeListener {
    /** A datagram from {@code from}; the array is valid only during the call. */
    default void onDatagram(PublicKey from, byte[] data, int off, int len) {}

    /** A session with {@code peer} was established (first handshake, or again after it was down). */
    default void onPeerUp(PublicKey peer) {}

    /**
     * {@code peer}, reported up before, is unreachable: handshakes went unanswered for 90 s, or its
     * session expired unused; or it was removed ({@link MeshNode#removePeer}, reason
     * {@value MeshNode#PEER_REMOVED}). Not called when this node closes.
     */
    default void onPeerDown(PublicKey peer, String reason) {}

    /**
     * {@code peer}, which has no known path, was sought through the members this node is connected
     * to and none within reach knows it (see {@code DiscoveryConfig}): what was waiting for it is
     * dropped, and its channels are lost with the same reason ({@link #onChannelsLost}, called just
     * before, if it had any). A later send seeks it again.
     */
    default void onPeerUnreachable(PublicKey peer, String reason) {}

    /** An authenticated packet from {@code peer} came from a new address, now its endpoint. */
    default void onEndpointChanged(PublicKey peer, InetSocketAddress endpoint) {}

    /**
     * The path {@code peer}'s packets take changed (for a peer reached through relays: from a relay
     * to another, between relayed and direct). A peer that roams as in WireGuard reports only
     * {@link #onEndpointChanged}.
     */
    default void onPathChanged(PublicKey peer, PathInfo path) {}

    /** A whole message on a reliable channel from {@code from}; the array is the receiver's. */
    default void onMessage(PublicKey from, long channelId, byte[] message) {}

    /** {@code from} used channel {@code channelId} for the first time (reach it with {@link MeshNode#channel}). */
    default void onChannelOpened(PublicKey from, long channelId) {}

    /** A channel that refused a message can take more now. */
    default void onChannelWritable(PublicKey peer, long channelId) {}

    /** The peer ended its side of a channel: after all its messages (error 0), or by reset. */
    default void onChannelClosed(PublicKey peer, long channelId, long errorCode) {}

    /**
     * The reliable connection to {@code peer} ended (it closed, restarted, went silent past the idle
     * timeout, or broke the protocol), or the peer was removed ({@link MeshNode#removePeer}, reason
     * {@value MeshNode#PEER_REMOVED}): every channel to it is lost; messages not yet acknowledged
     * may not have arrived. New channels start a new connection. Not called when this node closes.
     */
    default void onChannelsLost(PublicKey peer, String reason) {}
}
