package io.keymesh.forward;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The granting side of a remote forward: a listener this node opened at a peer's request (LISTEN,
 * allowed by a {@link RemoteListenGrant}), forwarding each connection it accepts back to that peer
 * as an OPEN of kind {@link ForwardMessage#KIND_REMOTE}. It lives as long as the peer's control
 * channel: the peer ending it (or the connection to the peer lost, or a protocol error on it)
 * closes the listener; connections already forwarded go on.
 *
 * <p>Thread-safe: node events arrive on the loop thread and hand the closing to the forwarder's threads.
 */
final class RemoteListener implements ControlChannel {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

    final PublicKey peer;
    final long channelId;
    final TcpAddress address;
    private final Forwarder owner;
    final String name;
    // guarded by this
    private Channel channel;
    private LocalListener listener;
    private boolean closed;

    /** A listener asked for on channel {@code channelId}, not yet bound ({@link #bound}). */
    RemoteListener(Forwarder owner, PublicKey peer, long channelId, TcpAddress address, String name) {
        this.owner = owner;
        this.peer = peer;
        this.channelId = channelId;
        this.address = address;
        this.name = name;
    }

    /**
     * The listener is bound and the control channel obtained.
     *
     * @return false if it was closed meanwhile (the peer ended its request): {@code l} is closed
     *     and our side of {@code c} ended
     */
    boolean bound(Channel c, LocalListener l) {
        synchronized (this) {
            if (!closed) {
                channel = c;
                listener = l;
                return true;
            }
        }
        l.close();
        c.close();
        return false;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public void onMessage(byte[] message) {
        owner.counters.malformed.incrementAndGet();
        owner.execute(() -> close("protocol error by the peer: a message after LISTEN", ForwardedConnection.RESET_PROTOCOL));
    }

    @Override
    public void onPeerEnded(long errorCode) {
        owner.execute(() -> close(errorCode == 0 ? "the peer ended its request"
                : "the peer reset its request (" + ForwardedConnection.resetText(errorCode) + ")", 0));
    }

    @Override
    public void onLost(String reason) {
        close(reason, 0);
    }

    /**
     * Closes the listener and ends our side of the control channel ({@code code} 0: closed, else
     * reset). Once; before {@link #bound}, the binding side ends what it made.
     */
    void close(String why, long code) {
        Channel c;
        LocalListener l;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = channel;
            l = listener;
        }
        if (l != null) {
            l.close();
            log.info("{}: closed: {}", name, why);
        }
        owner.unregisterControl(peer, channelId, this);
        owner.remoteListenerClosed(this);
        if (c != null) {
            if (code == 0) {
                c.close();
            } else {
                c.reset(code);
            }
        }
    }
}
