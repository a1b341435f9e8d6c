package io.keymesh.node;

import io.keymesh.io.NodeIo;
import io.keymesh.session.Endpoint;
import io.keymesh.session.Transmit;
import io.keymesh.session.UdpEndpoint;

/**
 * The session engine's {@link Transmit} port: a {@link UdpEndpoint}'s address is where the datagram
 * goes, through the {@link NodeIo}'s socket; an endpoint of another kind (a relayed path) goes to
 * the port set with {@link #setOthers}. Callable where {@link NodeIo#send} is (the loop thread, and
 * any thread when {@link NodeIo#concurrentSends()}).
 */
final class NodeIoTransmit implements Transmit {
    private final NodeIo io;
    private volatile Transmit others;

    NodeIoTransmit(NodeIo io) {
        this.io = io;
    }

    /** Where packets for endpoints that are not UDP addresses go; set once, before the loop starts. */
    void setOthers(Transmit others) {
        this.others = others;
    }

    @Override
    public void send(Endpoint to, byte[] buf, int off, int len) {
        if (to instanceof UdpEndpoint u) {
            io.send(u.address(), buf, off, len);
        } else if (to != null) {
            others.send(to, buf, off, len);
        }
    }
}
