package io.keymesh.forward;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Listening, and closing sockets quietly: normally (FIN) or abruptly (RST). Stateless. */
final class Sockets {
    private Sockets() {}

    /** The backlog of every forwarding listener. */
    static final int BACKLOG = 128;

    /**
     * A server socket bound to {@code address} (address reuse on, so a restart does not wait out
     * TIME_WAIT); nothing is left open if it cannot be bound.
     */
    static ServerSocket listen(InetSocketAddress address) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(address, BACKLOG);
            return server;
        } catch (IOException | RuntimeException e) {
            close(server);
            throw e;
        }
    }

    /** Closes {@code s} with a TCP reset (SO_LINGER 0): the other end's next read fails. */
    static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // closed already
        }
        close(s);
    }

    /** Closes {@code s}, ignoring errors (it may be closed already). */
    static void close(java.io.Closeable s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
