package io.keymesh.io;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A bound Linux UDP socket as {@link BatchedUdpNodeIo} wants it, opened through {@link Libc}: 4 MiB
 * buffers (forced past the system limits where the process may), don't-fragment (path-MTU probes
 * must not arrive as fragments), dual stack for a socket that is not IPv4, and — where the kernel
 * has them — segmentation and receive offload and the ECN bits of what arrives. The descriptor is
 * blocking: receives ask not to wait ({@code MSG_DONTWAIT}), sends wait for buffer space.
 *
 * @param fd the descriptor; its owner closes it
 * @param family {@link Libc#AF_INET} or {@link Libc#AF_INET6}
 * @param localAddress the bound address and port
 * @param offload whether sends may carry a segment size ({@code UDP_SEGMENT})
 * @param receiveOffload whether receives coalesce datagrams ({@code UDP_GRO})
 * @param ecnCapable whether receives report the traffic class ({@code IP_RECVTOS}, {@code IPV6_RECVTCLASS})
 */
record LinuxUdpSocket(int fd, int family, InetSocketAddress localAddress, boolean offload, boolean receiveOffload,
        boolean ecnCapable) {
    /** Socket send and receive buffer size asked for. */
    static final int BUFFER_BYTES = 4 << 20;
    private static final int EADDRINUSE = 98;
    private static final int EADDRNOTAVAIL = 99;
    private static final int EACCES = 13;

    /**
     * Opens and binds a socket on {@code bind} (port 0: a free port): an IPv4 address binds an IPv4
     * socket, anything else a dual-stack one (IPv4 alone where the host has no IPv6).
     *
     * @throws UncheckedIOException if the socket cannot be opened or bound (the message names the address)
     */
    static LinuxUdpSocket open(InetSocketAddress bind) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoSegment(arena);
            MemorySegment scratch = arena.allocate(64, 8);
            InetAddress address = bind.getAddress();
            boolean ipv4 = address != null && address.getAddress().length == 4;
            int family = ipv4 ? Libc.AF_INET : Libc.AF_INET6;
            int fd = Libc.socket(errno, family, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0 && !ipv4 && Libc.errno(errno) == Libc.EAFNOSUPPORT) { // no IPv6 here
                family = Libc.AF_INET;
                fd = Libc.socket(errno, family, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
                if (address == null || address.isAnyLocalAddress()) {
                    bind = new InetSocketAddress(InetAddress.ofLiteral("0.0.0.0"), bind.getPort());
                }
            }
            if (fd < 0) {
                throw new UncheckedIOException(new IOException("cannot open a UDP socket for " + bind + ": errno " + Libc.errno(errno)));
            }
            try {
                return configureAndBind(fd, family, bind, errno, scratch);
            } catch (IOException e) {
                Libc.close(errno, fd);
                throw new UncheckedIOException("cannot bind UDP " + bind + ": " + e.getMessage(), e);
            }
        }
    }

    private static LinuxUdpSocket configureAndBind(int fd, int family, InetSocketAddress bind, MemorySegment errno,
            MemorySegment scratch) throws IOException {
        if (Libc.setIntOption(errno, scratch, fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, BUFFER_BYTES) != 0) {
            Libc.setIntOption(errno, scratch, fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, BUFFER_BYTES);
        }
        if (Libc.setIntOption(errno, scratch, fd, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE, BUFFER_BYTES) != 0) {
            Libc.setIntOption(errno, scratch, fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, BUFFER_BYTES);
        }
        Libc.setIntOption(errno, scratch, fd, Libc.IPPROTO_IP, Libc.IP_MTU_DISCOVER, Libc.IP_PMTUDISC_DO);
        if (family == Libc.AF_INET6) {
            Libc.setIntOption(errno, scratch, fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, 0);
            Libc.setIntOption(errno, scratch, fd, Libc.IPPROTO_IPV6, Libc.IPV6_MTU_DISCOVER, Libc.IPV6_PMTUDISC_DO);
        }
        boolean receiveOffload = Libc.setIntOption(errno, scratch, fd, Libc.SOL_UDP, Libc.UDP_GRO, 1) == 0;
        boolean offload = Libc.setIntOption(errno, scratch, fd, Libc.SOL_UDP, Libc.UDP_SEGMENT, 0) == 0;
        // ECN bits of what arrives: IPv4 (and IPv4-mapped peers of a dual-stack socket) and IPv6
        boolean tos = Libc.setIntOption(errno, scratch, fd, Libc.IPPROTO_IP, Libc.IP_RECVTOS, 1) == 0;
        if (family == Libc.AF_INET6) {
            tos &= Libc.setIntOption(errno, scratch, fd, Libc.IPPROTO_IPV6, Libc.IPV6_RECVTCLASS, 1) == 0;
        }
        InetSocketAddress target = bind.getAddress() == null
                ? new InetSocketAddress(InetAddress.ofLiteral(family == Libc.AF_INET ? "0.0.0.0" : "::"), bind.getPort()) : bind;
        int len = SockAddrs.write(target, family, scratch);
        if (len < 0 || Libc.bind(errno, fd, scratch, len) != 0) {
            throw new IOException(len < 0 ? "not an address of this socket's family" : describe(Libc.errno(errno)));
        }
        scratch.set(JAVA_INT, 32, 32);
        if (Libc.getsockname(errno, fd, scratch, scratch.asSlice(32, 4)) != 0) {
            throw new IOException("getsockname: " + describe(Libc.errno(errno)));
        }
        InetSocketAddress local = new SockAddrs().read(scratch, 0, scratch.get(JAVA_INT, 32));
        return new LinuxUdpSocket(fd, family, local, offload, receiveOffload, tos);
    }

    /** What the C library would print for the errors a bind commonly meets. */
    static String describe(int errno) {
        return switch (errno) {
            case EADDRINUSE -> "Address already in use";
            case EADDRNOTAVAIL -> "Cannot assign requested address";
            case EACCES -> "Permission denied";
            default -> "errno " + errno;
        };
    }
}
