package io.keymesh.session;

/**
 * The session layer's only way out: where the engine (and a {@link SendPath} on another thread) puts
 * the packets it has sealed or built. The bytes are consumed before return.
 *
 * <p>An implementation may call {@link SessionEngine#send} for <em>another</em> peer from
 * {@link #send(Endpoint, byte[], int, int)} — a relayed path puts the packet inside the session with
 * its relay — but never for the peer whose packet it is, and never from
 * {@link #send(Endpoint, PacketBatch)}: the engine is walking that peer's waiting packets into a
 * batch it reuses, and a send for the relay could stage and walk its own into the same batch.
 * Nothing else of the engine may be called.
 */
public interface Transmit {
    /** Sends {@code buf[off..off+len)} as one datagram to {@code to}. */
    void send(Endpoint to, byte[] buf, int off, int len);

    /**
     * Sends every packet of {@code batch} to {@code to}, in order. Batched I/O overrides this to send
     * them with one system call; the default sends them one by one.
     */
    default void send(Endpoint to, PacketBatch batch) {
        for (int i = 0; i < batch.count(); i++) {
            send(to, batch.buf(i), batch.offset(i), batch.length(i));
        }
    }
}
