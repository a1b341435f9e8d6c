package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's {@link NodeListener} as the node calls it: an exception a callback throws is
 * logged and counted here and goes no further, so it never unwinds through the session engine or a
 * connection halfway through their work (a handshake that had yet to send its staged packets, a
 * packet whose frames were not all processed). A {@link VirtualMachineError} is not caught: the
 * loop stops on it.
 */
final class GuardedListener implements NodeListener {
    private static final Logger log = LoggerFactory.getLogger(GuardedListener.class);
    private final NodeListener listener;
    private final AtomicLong errors = new AtomicLong();

    GuardedListener(NodeListener listener) {
        this.listener = listener;
    }

    /** Exceptions the application's callbacks threw. */
    long errors() {
        return errors.get();
    }

    private void failed(String callback, Throwable e) {
        if (e instanceof VirtualMachineError vme) {
            throw vme;
        }
        errors.incrementAndGet();
        log.warn("keymesh: the node listener's {} threw; the node goes on", callback, e);
    }

    @Override
    public void onDatagram(PublicKey from, byte[] data, int off, int len) {
        try {
            listener.onDatagram(from, data, off, len);
        } catch (RuntimeException | Error e) {
            failed("onDatagram", e);
        }
    }

    @Override
    public void onPeerUp(PublicKey peer) {
        try {
            listener.onPeerUp(peer);
        } catch (RuntimeException | Error e) {
            failed("onPeerUp", e);
        }
    }

    @Override
    public void onPeerUnreachable(PublicKey peer, String reason) {
        try {
            listener.onPeerUnreachable(peer, reason);
        } catch (RuntimeException | Error e) {
            failed("onPeerUnreachable", e);
        }
    }

    @Override
    public void onPeerDown(PublicKey peer, String reason) {
        try {
            listener.onPeerDown(peer, reason);
        } catch (RuntimeException | Error e) {
            failed("onPeerDown", e);
        }
    }

    @Override
    public void onEndpointChanged(PublicKey peer, InetSocketAddress endpoint) {
        try {
            listener.onEndpointChanged(peer, endpoint);
        } catch (RuntimeException | Error e) {
            failed("onEndpointChanged", e);
        }
    }

    @Override
    public void onPathChanged(PublicKey peer, PathInfo path) {
        try {
            listener.onPathChanged(peer, path);
        } catch (RuntimeException | Error e) {
            failed("onPathChanged", e);
        }
    }

    @Override
    public void onMessage(PublicKey from, long channelId, byte[] message) {
        try {
            listener.onMessage(from, channelId, message);
        } catch (RuntimeException | Error e) {
            failed("onMessage", e);
        }
    }

    @Override
    public void onChannelOpened(PublicKey from, long channelId) {
        try {
            listener.onChannelOpened(from, channelId);
        } catch (RuntimeException | Error e) {
            failed("onChannelOpened", e);
        }
    }

    @Override
    public void onChannelWritable(PublicKey peer, long channelId) {
        try {
            listener.onChannelWritable(peer, channelId);
        } catch (RuntimeException | Error e) {
            failed("onChannelWritable", e);
        }
    }

    @Override
    public void onChannelClosed(PublicKey peer, long channelId, long errorCode) {
        try {
            listener.onChannelClosed(peer, channelId, errorCode);
        } catch (RuntimeException | Error e) {
            failed("onChannelClosed", e);
        }
    }

    @Override
    public void onChannelsLost(PublicKey peer, String reason) {
        try {
            listener.onChannelsLost(peer, reason);
        } catch (RuntimeException | Error e) {
            failed("onChannelsLost", e);
        }
    }
}
