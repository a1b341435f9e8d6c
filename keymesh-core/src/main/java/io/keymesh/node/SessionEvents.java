package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionSink;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * What the session engine reports to a node: payloads go to the {@link PayloadRouter}; a completed
 * handshake brings a peer up, a given-up handshake or zeroed keys take it down, and endpoint changes
 * are passed on, to the listener. Loop thread; {@link EngineLoop} transmits, so {@link #transmit}
 * is never called.
 */
final class SessionEvents implements SessionSink {
    private final Map<PublicKey, PeerState> peers;
    private final GuardedListener listener;
    private final PayloadRouter router;

    SessionEvents(Map<PublicKey, PeerState> peers, GuardedListener listener, PayloadRouter router) {
        this.peers = peers;
        this.listener = listener;
        this.router = router;
    }

    @Override
    public void transmit(Peer peer, InetSocketAddress to, byte[] packet, int off, int len) {
        throw new IllegalStateException("the engine loop transmits");
    }

    @Override
    public void deliver(Peer peer, byte[] payload, int off, int len) {
        router.route(peer.publicKey(), payload, off, len);
    }

    @Override
    public void handshakeCompleted(Peer peer) {
        PeerState s = peers.get(peer.publicKey());
        if (s != null && !s.up) {
            s.up = true;
            listener.onPeerUp(peer.publicKey());
        }
    }

    @Override
    public void endpointChanged(Peer peer, InetSocketAddress endpoint) {
        listener.onEndpointChanged(peer.publicKey(), endpoint);
    }

    @Override
    public void handshakeGaveUp(Peer peer) {
        down(peer, "no handshake answer for 90 s");
    }

    @Override
    public void keysZeroed(Peer peer) {
        down(peer, "session expired");
    }

    private void down(Peer peer, String reason) {
        PeerState s = peers.get(peer.publicKey());
        if (s != null && s.up) {
            s.up = false;
            listener.onPeerDown(peer.publicKey(), reason);
        }
    }
}
