package io.keymesh.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few Linux C library calls that batched UDP I/O needs, through the FFM API, with the constants
 * and structure offsets of 64-bit Linux (x86-64 and AArch64 share them). Each call takes, first, a
 * segment of {@link #errnoSegment()}'s size in which the call leaves {@code errno}; a thread uses
 * its own. Failures come back as the C functions return them (-1); {@link #errno} reads the cause.
 *
 * <p>{@link #AVAILABLE} is false, and nothing here may be called, where the platform is another or
 * the calls cannot be linked (native access denied, say); {@link #UNAVAILABLE_REASON} then says why.
 */
final class Libc {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;
    static final int IPPROTO_IP = 0;
    static final int IPPROTO_IPV6 = 41;
    static final int IP_TOS = 1;
    static final int IP_MTU_DISCOVER = 10;
    static final int IP_RECVTOS = 13;
    static final int IP_PMTUDISC_DO = 2;
    static final int IPV6_V6ONLY = 26;
    static final int IPV6_MTU_DISCOVER = 23;
    static final int IPV6_PMTUDISC_DO = 2;
    static final int IPV6_RECVTCLASS = 66;
    static final int IPV6_TCLASS = 67;
    /** {@code SOL_UDP}, the level of the UDP segmentation options. */
    static final int SOL_UDP = 17;
    /** UDP generic segmentation offload: a send's segment size (a {@code uint16_t} control message), Linux 4.18. */
    static final int UDP_SEGMENT = 103;
    /** UDP generic receive offload: receive coalesced segments (the segment size comes as an {@code int} control message), Linux 5.0. */
    static final int UDP_GRO = 104;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_TRUNC = 0x20;
    static final short POLLIN = 1;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    static final int EAFNOSUPPORT = 97;

    /** {@code struct iovec}: base, length. */
    static final int IOVEC_SIZE = 16;
    /** {@code struct msghdr} field offsets and size. */
    static final int MSG_NAME = 0;
    static final int MSG_NAMELEN = 8;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    static final int MSG_CONTROL = 32;
    static final int MSG_CONTROLLEN = 40;
    static final int MSG_FLAGS = 48;
    /** {@code struct mmsghdr}: a {@code msghdr} and the bytes sent or received ({@code msg_len}). */
    static final int MMSG_LEN = 56;
    static final int MMSGHDR_SIZE = 64;
    /** {@code struct cmsghdr}: length ({@code size_t}), level, type, then the data at 16 bytes. */
    static final int CMSG_HEADER = 16;
    /** {@code struct pollfd}: fd, events, revents. */
    static final int POLLFD_SIZE = 8;
    /** {@code struct sockaddr_in6}, the larger of the two addresses. */
    static final int SOCKADDR_IN6_SIZE = 28;
    static final int SOCKADDR_IN_SIZE = 16;

    static final boolean AVAILABLE;
    static final String UNAVAILABLE_REASON;

    private static final StructLayout CAPTURE;
    private static final VarHandle ERRNO;
    private static final MethodHandle SOCKET;
    private static final MethodHandle BIND;
    private static final MethodHandle SETSOCKOPT;
    private static final MethodHandle GETSOCKNAME;
    private static final MethodHandle SENDTO;
    private static final MethodHandle SENDMMSG;
    private static final MethodHandle RECVMMSG;
    private static final MethodHandle PPOLL;
    private static final MethodHandle EVENTFD;
    private static final MethodHandle READ;
    private static final MethodHandle WRITE;
    private static final MethodHandle CLOSE;

    static {
        String reason = null;
        StructLayout capture = null;
        VarHandle errno = null;
        MethodHandle[] h = new MethodHandle[12];
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux")) {
            reason = "batched UDP I/O is for Linux; this is " + os;
        } else if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            reason = "batched UDP I/O knows Linux on x86-64 and AArch64; this is " + arch;
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                Linker.Option errnoOption = Linker.Option.captureCallState("errno");
                capture = Linker.Option.captureStateLayout();
                errno = capture.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
                var lookup = linker.defaultLookup();
                h[0] = link(linker, lookup, errnoOption, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
                h[1] = link(linker, lookup, errnoOption, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
                h[2] = link(linker, lookup, errnoOption, "setsockopt",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
                h[3] = link(linker, lookup, errnoOption, "getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
                h[4] = link(linker, lookup, errnoOption, "sendto",
                        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
                h[5] = link(linker, lookup, errnoOption, "sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
                h[6] = link(linker, lookup, errnoOption, "recvmmsg",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
                h[8] = link(linker, lookup, errnoOption, "eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
                h[9] = link(linker, lookup, errnoOption, "read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
                h[10] = link(linker, lookup, errnoOption, "write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
                h[11] = link(linker, lookup, errnoOption, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                h[7] = link(linker, lookup, errnoOption, "ppoll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
            } catch (Throwable e) { // IllegalCallerException where native access is denied, a missing symbol, ...
                reason = "cannot link the C library's socket calls: " + e;
            }
        }
        AVAILABLE = reason == null;
        UNAVAILABLE_REASON = reason;
        CAPTURE = capture;
        ERRNO = errno;
        SOCKET = h[0];
        BIND = h[1];
        SETSOCKOPT = h[2];
        GETSOCKNAME = h[3];
        SENDTO = h[4];
        SENDMMSG = h[5];
        RECVMMSG = h[6];
        EVENTFD = h[8];
        READ = h[9];
        WRITE = h[10];
        CLOSE = h[11];
        PPOLL = h[7];
    }

    private Libc() {}

    private static MethodHandle link(Linker linker, java.lang.foreign.SymbolLookup lookup, Linker.Option errno, String name,
            FunctionDescriptor descriptor) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no symbol " + name));
        return linker.downcallHandle(symbol, descriptor, errno);
    }

    /** A segment, from {@code arena}, in which calls leave {@code errno}. */
    static MemorySegment errnoSegment(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    /** The {@code errno} that the last call given {@code state} left there. */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int bind(MemorySegment state, int fd, MemorySegment addr, int addrLen) {
        try {
            return (int) BIND.invokeExact(state, fd, addr, addrLen);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int setsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, int valueLen) {
        try {
            return (int) SETSOCKOPT.invokeExact(state, fd, level, name, value, valueLen);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int getsockname(MemorySegment state, int fd, MemorySegment addr, MemorySegment addrLen) {
        try {
            return (int) GETSOCKNAME.invokeExact(state, fd, addr, addrLen);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static long sendto(MemorySegment state, int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
        try {
            return (long) SENDTO.invokeExact(state, fd, buf, len, flags, addr, addrLen);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int sendmmsg(MemorySegment state, int fd, MemorySegment msgs, int count, int flags) {
        try {
            return (int) SENDMMSG.invokeExact(state, fd, msgs, count, flags);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int recvmmsg(MemorySegment state, int fd, MemorySegment msgs, int count, int flags) {
        try {
            return (int) RECVMMSG.invokeExact(state, fd, msgs, count, flags, MemorySegment.NULL);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@code ppoll} with {@code timeout} a {@code struct timespec} (seconds, nanoseconds), or NULL to wait until an event. */
    static int ppoll(MemorySegment state, MemorySegment fds, long count, MemorySegment timeout) {
        try {
            return (int) PPOLL.invokeExact(state, fds, count, timeout, MemorySegment.NULL);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int eventfd(MemorySegment state, int initial, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initial, flags);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buf, long len) {
        try {
            return (long) READ.invokeExact(state, fd, buf, len);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buf, long len) {
        try {
            return (long) WRITE.invokeExact(state, fd, buf, len);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Sets an {@code int} socket option; the C result (0, or -1 with {@code errno} in {@code state}). */
    static int setIntOption(MemorySegment state, MemorySegment scratch, int fd, int level, int name, int value) {
        scratch.set(JAVA_INT, 0, value);
        return setsockopt(state, fd, level, name, scratch, 4);
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new IllegalStateException(e);
    }
}
