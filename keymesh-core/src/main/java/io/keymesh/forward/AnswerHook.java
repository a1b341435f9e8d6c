package io.keymesh.forward;

import java.io.IOException;
import java.net.Socket;

/**
 * What an opening connection tells its local client about the peer's answer before any stream byte
 * reaches it (the SOCKS5 front end's reply); plain forwards have none. Called on the connection's
 * threads.
 */
interface AnswerHook {
    /** The peer accepted: called by the writer before the first byte it writes. */
    void accepted(Socket s) throws IOException;

    /** The peer refused for {@code reason}, or no answer came ({@code reason} null); the socket is closed after. */
    void refused(Socket s, RefuseReason reason) throws IOException;

    /** The SOCKS5 reply. */
    AnswerHook SOCKS5 = new AnswerHook() {
        @Override
        public void accepted(Socket s) throws IOException {
            Socks5.reply(s.getOutputStream(), Socks5.SUCCEEDED);
        }

        @Override
        public void refused(Socket s, RefuseReason reason) throws IOException {
            Socks5.reply(s.getOutputStream(), reason == null ? Socks5.GENERAL_FAILURE : Socks5.code(reason));
        }
    };
}
