package io.keymesh.forward;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;

/**
 * A local TCP listener whose connections go to service {@code service} of node {@code peer}, each
 * on a channel of its own (as {@code ssh -L} does, by service name on a node key). Immutable.
 *
 * @param listen where to listen; port 0 picks a free port ({@link Forwarder#forwards()} gives the bound one)
 */
public record LocalForward(InetSocketAddress listen, PublicKey peer, String service) {
    public LocalForward {
        if (listen == null || listen.isUnresolved()) {
            throw new IllegalArgumentException("a forward listens on a resolved address, got " + listen);
        }
        if (peer == null) {
            throw new IllegalArgumentException("no peer");
        }
        Service.checkName(service);
    }

    /** "LISTEN -> KEY/SERVICE", for logs. */
    @Override
    public String toString() {
        return TcpAddress.format(listen) + " -> " + peer.toBase64() + "/" + service;
    }
}
