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

    /** {@code peer} is unreachable: handshakes went unanswered for 90 s, or its session expired unused. */
    default void onPeerDown(PublicKey peer, String reason) {}

    /** An authenticated packet from {@code peer} came from a new address, now its endpoint. */
    default void onEndpointChanged(PublicKey peer, InetSocketAddress endpoint) {}
}
