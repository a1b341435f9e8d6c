package io.keymesh.sim;

import java.net.InetSocketAddress;

/**
 * Observes every datagram the simulation delivers to a socket and every one it drops, in event order
 * (install with {@link Simulation#setTracer}). Useful for debugging and for comparing runs: two runs
 * with the same seed and the same calls produce the same sequence of calls here.
 *
 * <p>Called on the simulation's thread; it must not change the simulation.
 */
public interface PacketTracer {
    /** A datagram was handed to a socket on {@code host}; addresses as seen by the receiver. */
    default void delivered(long nowNanos, Host host, InetSocketAddress from, InetSocketAddress to, int length) {}

    /**
     * The same delivery with the datagram's bytes ({@code data} is the simulation's: read it during
     * the call, never change or keep it). The default calls the form above, with the length.
     */
    default void delivered(long nowNanos, Host host, InetSocketAddress from, InetSocketAddress to, byte[] data) {
        delivered(nowNanos, host, from, to, data.length);
    }

    /** A datagram was dropped at {@code node} (or on one of its links); addresses as they were there. */
    default void dropped(long nowNanos, Node node, DropReason reason, InetSocketAddress from, InetSocketAddress to,
            int length) {}
}
