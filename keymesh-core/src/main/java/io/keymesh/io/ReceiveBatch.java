package io.keymesh.io;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * Receives datagrams with {@code recvmmsg}, up to {@link #SLOTS} messages per system call, each of
 * which may hold several datagrams coalesced by UDP generic receive offload ({@code UDP_GRO}: the
 * kernel then says the segment size, and every segment but the last is that long). Also reads the
 * ECN bits of each message's IP header when the socket asks for them ({@code IP_RECVTOS} /
 * {@code IPV6_RECVTCLASS}).
 *
 * <p>Not thread-safe: the loop thread's. Native memory comes from the arena given.
 */
final class ReceiveBatch {
    /** Messages per system call. */
    static final int SLOTS = 16;
    /** Bytes per message: the largest UDP payload, or a coalesced run of datagrams. */
    static final int SLOT_BYTES = 65_536;
    /** Datagrams one message may hold at most; beyond, the rest of the message is dropped and counted ({@link #truncated}). */
    static final int MAX_SEGMENTS = 64;
    private static final int CONTROL_BYTES = 64;
    private static final int NAME_BYTES = 32;

    private final MemorySegment data;
    private final MemorySegment messages;
    private final MemorySegment iovecs;
    private final MemorySegment names;
    private final MemorySegment controls;
    private final MemorySegment errno;
    private final SockAddrs addresses = new SockAddrs();
    private long truncated;

    ReceiveBatch(Arena arena) {
        data = arena.allocate((long) SLOT_BYTES * SLOTS, 64);
        messages = arena.allocate((long) Libc.MMSGHDR_SIZE * SLOTS, 8);
        iovecs = arena.allocate((long) Libc.IOVEC_SIZE * SLOTS, 8);
        names = arena.allocate((long) NAME_BYTES * SLOTS, 8);
        controls = arena.allocate((long) CONTROL_BYTES * SLOTS, 8);
        errno = Libc.errnoSegment(arena);
        for (int i = 0; i < SLOTS; i++) {
            long iov = (long) i * Libc.IOVEC_SIZE;
            iovecs.set(JAVA_LONG, iov, data.address() + (long) i * SLOT_BYTES);
            iovecs.set(JAVA_LONG, iov + 8, SLOT_BYTES);
            long msg = (long) i * Libc.MMSGHDR_SIZE;
            messages.set(JAVA_LONG, msg + Libc.MSG_NAME, names.address() + (long) i * NAME_BYTES);
            messages.set(JAVA_LONG, msg + Libc.MSG_IOV, iovecs.address() + iov);
            messages.set(JAVA_LONG, msg + Libc.MSG_IOVLEN, 1);
            messages.set(JAVA_LONG, msg + Libc.MSG_CONTROL, controls.address() + (long) i * CONTROL_BYTES);
        }
    }

    /**
     * Receives what is waiting on {@code fd}, without waiting, up to {@link #SLOTS} messages, and
     * puts each datagram into {@code batch} (emptied first) in arrival order; a batch made by
     * {@link #newBatch} holds them all. Returns the number of messages (0 if nothing was waiting),
     * or -1 with the {@code errno} in {@link #errno()} on another failure.
     */
    int receive(int fd, DatagramBatch batch) {
        batch.clear();
        for (int i = 0; i < SLOTS; i++) {
            long msg = (long) i * Libc.MMSGHDR_SIZE;
            messages.set(JAVA_INT, msg + Libc.MSG_NAMELEN, NAME_BYTES);
            messages.set(JAVA_LONG, msg + Libc.MSG_CONTROLLEN, CONTROL_BYTES);
            messages.set(JAVA_INT, msg + Libc.MSG_FLAGS, 0);
        }
        int r = Libc.recvmmsg(errno, fd, messages, SLOTS, Libc.MSG_DONTWAIT);
        if (r < 0) {
            int e = Libc.errno(errno);
            return e == Libc.EAGAIN || e == Libc.EINTR ? 0 : -1;
        }
        for (int i = 0; i < r; i++) {
            deliver(i, batch);
        }
        return r;
    }

    /** The {@code errno} of the last failed receive. */
    int errno() {
        return Libc.errno(errno);
    }

    /**
     * Messages dropped, or cut short, because they did not fit (never, for UDP: a slot holds the
     * largest, and the kernel coalesces at most {@link #MAX_SEGMENTS} datagrams).
     */
    long truncated() {
        return truncated;
    }

    /**
     * A batch for {@link #receive}: room for every byte of {@link #SLOTS} messages and for
     * {@link #MAX_SEGMENTS} datagrams per message (the kernel coalesces at most 64).
     */
    static DatagramBatch newBatch(DatagramBatch.Owner owner) {
        return new DatagramBatch(SLOTS * MAX_SEGMENTS, SLOTS * SLOT_BYTES, owner);
    }

    private void deliver(int i, DatagramBatch batch) {
        long msg = (long) i * Libc.MMSGHDR_SIZE;
        int len = messages.get(JAVA_INT, msg + Libc.MMSG_LEN);
        int flags = messages.get(JAVA_INT, msg + Libc.MSG_FLAGS);
        if ((flags & Libc.MSG_TRUNC) != 0) {
            truncated++;
            return;
        }
        InetSocketAddress from = addresses.read(names, (long) i * NAME_BYTES, messages.get(JAVA_INT, msg + Libc.MSG_NAMELEN));
        if (from == null) {
            return;
        }
        int segment = len;
        int ecn = 0;
        long controlBase = (long) i * CONTROL_BYTES;
        long controlLen = Math.min(CONTROL_BYTES, messages.get(JAVA_LONG, msg + Libc.MSG_CONTROLLEN));
        long c = 0;
        while (c + Libc.CMSG_HEADER <= controlLen) {
            long cmsgLen = controls.get(JAVA_LONG, controlBase + c);
            if (cmsgLen < Libc.CMSG_HEADER || c + cmsgLen > controlLen) {
                break;
            }
            int level = controls.get(JAVA_INT, controlBase + c + 8);
            int type = controls.get(JAVA_INT, controlBase + c + 12);
            long body = controlBase + c + Libc.CMSG_HEADER;
            if (level == Libc.SOL_UDP && type == Libc.UDP_GRO) {
                int s = controls.get(JAVA_INT, body);
                if (s > 0) {
                    segment = s;
                }
            } else if (level == Libc.IPPROTO_IP && type == Libc.IP_TOS) {
                ecn = controls.get(JAVA_BYTE, body) & 3;
            } else if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_TCLASS) {
                ecn = controls.get(JAVA_INT, body) & 3;
            }
            c += (cmsgLen + 7) & ~7L;
        }
        long base = (long) i * SLOT_BYTES;
        if (len == 0) { // an empty datagram is a datagram too
            if (batch.fits(0)) {
                batch.reserve(from, 0, ecn);
                batch.endMessage();
            }
            return;
        }
        // The message's segments stay side by side, as received: one copy for all of them.
        int at = -1;
        int taken = 0;
        while (taken < len) {
            int n = Math.min(segment, len - taken);
            if (!batch.fits(n)) {
                truncated++;
                break;
            }
            int o = batch.reserve(from, n, ecn);
            if (at < 0) {
                at = o;
            }
            taken += n;
        }
        if (taken > 0) {
            MemorySegment.copy(data, JAVA_BYTE, base, batch.buffer(), at, taken);
            batch.endMessage();
        }
    }
}
