package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One {@link NodeListener} made of several: each event goes to each of them, in the order given,
 * on the node's loop thread. A listener that throws keeps the event from those after it (the node
 * logs and counts it, {@link MeshNode#listenerErrors()}). Immutable; as thread-safe as its parts.
 */
public final class NodeListeners implements NodeListener {
    private final List<NodeListener> listeners;

    private NodeListeners(List<NodeListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** A listener telling {@code listeners} each event, in this order. */
    public static NodeListener of(NodeListener... listeners) {
        return listeners.length == 1 ? listeners[0] : new NodeListeners(List.of(listeners));
    }

    @Override
    public void onDatagram(PublicKey from, byte[] data, int off, int len) {
        for (NodeListener l : listeners) {
            l.onDatagram(from, data, off, len);
        }
    }

    @Override
    public void onPeerUp(PublicKey peer) {
        for (NodeListener l : listeners) {
            l.onPeerUp(peer);
        }
    }

    @Override
    public void onPeerDown(PublicKey peer, String reason) {
        for (NodeListener l : listeners) {
            l.onPeerDown(peer, reason);
        }
    }

    @Override
    public void onPeerUnreachable(PublicKey peer, String reason) {
        for (NodeListener l : listeners) {
            l.onPeerUnreachable(peer, reason);
        }
    }

    @Override
    public void onEndpointChanged(PublicKey peer, InetSocketAddress endpoint) {
        for (NodeListener l : listeners) {
            l.onEndpointChanged(peer, endpoint);
        }
    }

    @Override
    public void onPathChanged(PublicKey peer, PathInfo path) {
        for (NodeListener l : listeners) {
            l.onPathChanged(peer, path);
        }
    }

    @Override
    public void onMessage(PublicKey from, long channelId, byte[] message) {
        for (NodeListener l : listeners) {
            l.onMessage(from, channelId, message);
        }
    }

    @Override
    public void onChannelOpened(PublicKey from, long channelId) {
        for (NodeListener l : listeners) {
            l.onChannelOpened(from, channelId);
        }
    }

    @Override
    public void onChannelWritable(PublicKey peer, long channelId) {
        for (NodeListener l : listeners) {
            l.onChannelWritable(peer, channelId);
        }
    }

    @Override
    public void onChannelClosed(PublicKey peer, long channelId, long errorCode) {
        for (NodeListener l : listeners) {
            l.onChannelClosed(peer, channelId, errorCode);
        }
    }

    @Override
    public void onChannelsLost(PublicKey peer, String reason) {
        for (NodeListener l : listeners) {
            l.onChannelsLost(peer, reason);
        }
    }
}
