package io.keymesh.sim;

import java.net.InetSocketAddress;

/**
 * Receives the datagrams that arrive at a {@link VirtualUdpSocket}. Called by the simulation, on its
 * thread, inside {@code Simulation.run*}, at the datagram's arrival time ({@link Simulation#now()}).
 *
 * <p>Buffer ownership: {@code data[off, off + len)} is the payload, and the array is the handler's
 * from the call on, to keep or modify (decrypt in place, say); the simulator never touches it again.
 */
@FunctionalInterface
public interface DatagramHandler {
    /**
     * @param from the source address as seen at the receiver (after any NAT translation)
     * @param data the array holding the payload
     * @param off offset of the payload in {@code data}
     * @param len payload length in bytes
     */
    void receive(InetSocketAddress from, byte[] data, int off, int len);
}
