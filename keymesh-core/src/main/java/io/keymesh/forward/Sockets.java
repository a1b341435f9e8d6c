package io.keymesh.forward;

import java.io.IOException;
import java.net.Socket;

/** Closing sockets quietly: normally (FIN) or abruptly (RST). Stateless. */
final class Sockets {
    private Sockets() {}

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
