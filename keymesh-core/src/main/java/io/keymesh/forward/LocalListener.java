package io.keymesh.forward;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bound TCP listener and the virtual thread that accepts on it, handing each connection to
 * {@code onAccept} (on the accepting thread). Closing it stops accepting and returns once the
 * listening socket is closed (a socket closed while a thread is blocked in {@code accept} is closed
 * for good only when that thread lets go of it: until then new connections would still be taken);
 * connections already handed over are not touched. Thread-safe.
 */
final class LocalListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

    private final ServerSocket server;
    private final String name;
    private final Consumer<Socket> onAccept;
    private volatile boolean closed;
    private final Thread acceptor;

    /** Starts accepting on {@code server} (bound), which it now owns; {@code name} is for logs. */
    LocalListener(ServerSocket server, String name, Consumer<Socket> onAccept) {
        this.server = server;
        this.name = name;
        this.onAccept = onAccept;
        this.acceptor = Thread.ofVirtual().name("keymesh-forward-accept").start(this::acceptLoop);
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
        if (Thread.currentThread() != acceptor) {
            try {
                acceptor.join(java.time.Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
