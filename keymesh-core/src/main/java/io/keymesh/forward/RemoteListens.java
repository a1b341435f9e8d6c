package io.keymesh.forward;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners this node opens for peers' remote forwards (the other side of {@link RemoteForward}):
 * a LISTEN on a new channel is granted only for the exact address a {@link RemoteListenGrant} names
 * for the asking key, at most one listener per address; each connection a listener accepts goes back
 * to the peer on a new channel ({@link Forwarder#open}). A refused LISTEN is answered REFUSE, counted
 * and logged with who asked for what.
 *
 * <p>Thread-safe: {@link #onListen} runs on the node's loop thread and never blocks (binding and
 * answering run as the forwarder's tasks); the rest may be called from any thread.
 */
final class RemoteListens {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

    private final Forwarder forwarder;
    private final Set<RemoteListenGrant> grants;
    /** The listeners open now, by address. */
    private final Map<TcpAddress, RemoteListener> listeners = new ConcurrentHashMap<>();

    RemoteListens(Forwarder forwarder, java.util.Collection<RemoteListenGrant> grants) {
        this.forwarder = forwarder;
        this.grants = Set.copyOf(grants);
    }

    /** Logs what each granted key may ask for. */
    void logGrants() {
        for (RemoteListenGrant g : grants) {
            log.info("remote-listen: {} may ask for a listener at {}", g.from().toBase64(), g.listen());
        }
    }

    /** The addresses listened at now, sorted. */
    List<TcpAddress> addresses() {
        return listeners.keySet().stream().sorted(Comparator.comparing(TcpAddress::toString)).toList();
    }

    /** A LISTEN on a new channel from {@code from}: a listener for it, if granted. Loop thread. */
    void onListen(PublicKey from, long id, ForwardMessage.Listen listen) {
        String asked = "node " + from.toBase64() + " asked for a listener at " + listen.address() + " (channel " + id + ")";
        TcpAddress address;
        try {
            address = TcpAddress.parse(listen.address());
        } catch (IllegalArgumentException e) {
            refuseLater(from, id, asked, RefuseReason.NOT_ALLOWED, "not an address: " + e.getMessage());
            return;
        }
        if (!grants.contains(new RemoteListenGrant(from, address))) {
            refuseLater(from, id, asked, RefuseReason.NOT_ALLOWED, "listening at " + address + " is not allowed for your key");
            return;
        }
        String name = "remote-listen " + address + " for " + from.toBase64();
        RemoteListener rl = new RemoteListener(forwarder, from, id, address, name);
        forwarder.registerControl(from, id, rl); // from now on the peer's end reaches it
        forwarder.execute(() -> bind(rl, asked));
    }

    /** {@code l} closed: its address is free for another request. */
    void closed(RemoteListener l) {
        listeners.remove(l.address, l);
    }

    /** Closes every listener and resets its connections' channels with {@code code}. */
    void closeAll(String why, long code) {
        for (RemoteListener l : new ArrayList<>(listeners.values())) {
            l.close(why, code);
        }
    }

    /** Binds {@code rl}'s listener and answers LISTENING, or REFUSE. A task's thread. */
    private void bind(RemoteListener rl, String asked) {
        Channel ch;
        try {
            ch = forwarder.node().channel(rl.peer, rl.channelId);
        } catch (IllegalArgumentException | IllegalStateException e) {
            rl.close("cannot answer: " + e.getMessage(), 0);
            return;
        }
        if (listeners.putIfAbsent(rl.address, rl) != null) {
            forwarder.unregisterControl(rl.peer, rl.channelId, rl);
            refuse(ch, asked, RefuseReason.LISTEN_FAILED, "this node listens at " + rl.address + " for another request already");
            return;
        }
        ServerSocket server;
        try {
            server = Sockets.listen(rl.address.resolve());
        } catch (IOException e) {
            listeners.remove(rl.address, rl);
            forwarder.unregisterControl(rl.peer, rl.channelId, rl);
            refuse(ch, asked, RefuseReason.LISTEN_FAILED, "cannot listen at " + rl.address + ": " + e.getMessage());
            return;
        }
        LocalListener l = new LocalListener(server, rl.name, s -> forwarder.open(rl.peer, ForwardMessage.KIND_REMOTE,
                rl.address.toString(), s, rl.name + ", connection from "
                        + TcpAddress.format((InetSocketAddress) s.getRemoteSocketAddress()), null));
        if (!rl.bound(ch, l)) {
            listeners.remove(rl.address, rl);
            return;
        }
        ch.send(new ForwardMessage.Listening(l.address().getPort()).encode());
        log.info("{}: listening", rl.name);
    }

    /** Refuses a LISTEN on a new channel, as a task. Loop thread. */
    private void refuseLater(PublicKey from, long id, String asked, RefuseReason reason, String text) {
        forwarder.execute(() -> {
            try {
                refuse(forwarder.node().channel(from, id), asked, reason, text);
            } catch (IllegalArgumentException | IllegalStateException e) {
                // gone already
            }
        });
    }

    /** REFUSE on {@code ch}, then our side closed; counted and logged with who asked for what. */
    private void refuse(Channel ch, String asked, RefuseReason reason, String text) {
        forwarder.counters.refused(reason);
        log.info("{}: refused: {}", asked, text);
        ch.send(new ForwardMessage.Refuse(reason, text).encode());
        ch.close();
    }
}
