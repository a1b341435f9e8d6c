package io.keymesh.node;

import io.keymesh.io.NodeIo;
import io.keymesh.session.Endpoint;
import io.keymesh.session.Transmit;
import io.keymesh.session.UdpEndpoint;

/**
 * The session engine's {@link Transmit} port over a {@link NodeIo}'s socket: a {@link UdpEndpoint}'s
 * address is where the datagram goes. Callable where {@link NodeIo#send} is (the loop thread, and
 * any thread when {@link NodeIo#concurrentSends()}).
 */
final class NodeIoTransmit implements Transmit {
    private final NodeIo io;

    NodeIoTransmit(NodeIo io) {
        this.io = io;
    }

    @Override
    public void send(Endpoint to, byte[] buf, int off, int len) {
        io.send(((UdpEndpoint) to).address(), buf, off, len);
    }
}
