package io.keymesh.forward;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bound TCP listener and the virtual thread that accepts on it, handing each connection to
 * {@code onAccept} (on the accepting thread). Closing it stops accepting; connections already
 * handed over are not touched. Thread-safe.
 */
final class LocalListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

    private final ServerSocket server;
    private final String name;
    private final Consumer<Socket> onAccept;
    private volatile boolean closed;

    /** Starts accepting on {@code server} (bound), which it now owns; {@code name} is for logs. */
    LocalListener(ServerSocket server, String name, Consumer<Socket> onAccept) {
        this.server = server;
        this.name = name;
        this.onAccept = onAccept;
        Thread.ofVirtual().name("keymesh-forward-accept").start(this::acceptLoop);
    }

    /** The bound address. */
    java.net.InetSocketAddress address() {
        return (java.net.InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("{}: stopped accepting: {}", name, e.toString());
                    Sockets.close(server);
                }
                return;
            }
            try {
                onAccept.accept(s);
            } catch (RuntimeException e) {
                log.warn("{}: a connection failed: {}", name, e.toString());
                Sockets.reset(s);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Sockets.close(server);
    }
}
