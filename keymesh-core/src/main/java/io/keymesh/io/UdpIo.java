package io.keymesh.io;

import java.net.InetSocketAddress;

/**
 * A {@link NodeIo} on a real UDP socket with its own loop thread: {@link BatchedUdpNodeIo} (Linux,
 * batched system calls and segmentation offload) or {@link UdpNodeIo} (portable, one system call
 * per datagram). {@link #open} picks one.
 */
public sealed interface UdpIo extends NodeIo permits UdpNodeIo, BatchedUdpNodeIo {
    /** Which socket I/O to use. */
    enum Mode {
        /** Batched where it is available, else portable. */
        AUTO,
        /** Batched ({@link BatchedUdpNodeIo}); fails where it is not available. */
        BATCHED,
        /** Portable ({@link UdpNodeIo}). */
        PORTABLE
    }

    /**
     * A socket bound to {@code bind} with the I/O {@code mode} asks for.
     *
     * @throws IllegalStateException if {@code mode} is {@link Mode#BATCHED} and that is not available here
     * @throws java.io.UncheckedIOException if the socket cannot be opened or bound
     */
    static UdpIo open(InetSocketAddress bind, Mode mode) {
        return switch (mode) {
            case PORTABLE -> new UdpNodeIo(bind);
            case BATCHED -> new BatchedUdpNodeIo(bind);
            case AUTO -> BatchedUdpNodeIo.isAvailable() ? new BatchedUdpNodeIo(bind) : new UdpNodeIo(bind);
        };
    }

    /** Datagrams the socket refused to send (no route, too large, buffer full). Any thread. */
    long sendErrors();

    /** Exceptions thrown by callbacks (each logged; the loop went on). Any thread. */
    long callbackErrors();

    /** True until the loop stops for good (closed, or failed). Any thread. */
    boolean isRunning();
}
