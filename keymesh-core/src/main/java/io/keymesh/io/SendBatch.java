package io.keymesh.io;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * Datagrams waiting to be sent, copied into native memory back to back, and their sending with as
 * few system calls as the kernel allows: one {@code sendmmsg} for the whole batch, in which a run of
 * datagrams to one address, all of one size but the last (which may be shorter), travels as one
 * message with UDP generic segmentation offload ({@code UDP_SEGMENT}: the kernel cuts it into the
 * datagrams, or the network card does). Datagrams leave in the order they were added.
 *
 * <p>Not thread-safe; its owner serialises access. Native memory comes from the arena given;
 * pointers in the C structures are written as 64-bit addresses (Linux on 64-bit machines only).
 */
final class SendBatch {
    /** Most datagrams in a batch. */
    static final int MAX_DATAGRAMS = 256;
    /** Bytes of datagrams a batch holds. */
    static final int DATA_BYTES = 256 << 10;
    /** Most segments in one offloaded send (the kernel's {@code UDP_MAX_SEGMENTS} was 64 until Linux 6.1). */
    static final int MAX_SEGMENTS = 64;
    /** Most bytes in one offloaded send: an IPv4 datagram's limit less its headers, rounded down. */
    static final int MAX_OFFLOAD_BYTES = 65_000;
    /** {@code CMSG_SPACE(sizeof(uint16_t))}, for the segment size. */
    private static final int SEGMENT_SPACE = Libc.CMSG_HEADER + 8;
    /** {@code CMSG_SPACE(sizeof(int))}, for the traffic class (ECN bits). */
    private static final int TOS_SPACE = Libc.CMSG_HEADER + 8;
    private static final int CONTROL_SPACE = SEGMENT_SPACE + TOS_SPACE;

    /** What sending a batch did. */
    record Outcome(int systemCalls, int failed, boolean offloadRefused) {}

    private final int family;
    private final MemorySegment data;
    private final MemorySegment messages;
    private final MemorySegment iovecs;
    private final MemorySegment names;
    private final MemorySegment controls;
    private final MemorySegment errno;
    private final InetSocketAddress[] to = new InetSocketAddress[MAX_DATAGRAMS];
    private final int[] offset = new int[MAX_DATAGRAMS];
    private final int[] length = new int[MAX_DATAGRAMS];
    /** Each datagram's ECN codepoint (0 Not-ECT, 2 ECT(0)). */
    private final byte[] ecn = new byte[MAX_DATAGRAMS];
    /** Per message built: the first datagram and how many it carries. */
    private final int[] messageFirst = new int[MAX_DATAGRAMS];
    private final int[] messageCount = new int[MAX_DATAGRAMS];
    private int count;
    private int used;

    /** A batch for a socket of {@code family} ({@link Libc#AF_INET} or {@link Libc#AF_INET6}). */
    SendBatch(Arena arena, int family) {
        this.family = family;
        this.data = arena.allocate(DATA_BYTES, 64);
        this.messages = arena.allocate((long) Libc.MMSGHDR_SIZE * MAX_DATAGRAMS, 8);
        this.iovecs = arena.allocate((long) Libc.IOVEC_SIZE * MAX_DATAGRAMS, 8);
        this.names = arena.allocate((long) 32 * MAX_DATAGRAMS, 8);
        this.controls = arena.allocate((long) CONTROL_SPACE * MAX_DATAGRAMS, 8);
        this.errno = Libc.errnoSegment(arena);
    }

    boolean isEmpty() {
        return count == 0;
    }

    int count() {
        return count;
    }

    /** True if a datagram of {@code len} bytes fits beside those already added. */
    boolean fits(int len) {
        return count < MAX_DATAGRAMS && used + len <= DATA_BYTES;
    }

    /**
     * Copies {@code buf[off..off+len)} in as a datagram for {@code dest}, to go with the ECN
     * codepoint {@code ecnCodepoint} in its IP header; {@link #fits} must hold.
     */
    void add(InetSocketAddress dest, byte[] buf, int off, int len, int ecnCodepoint) {
        MemorySegment.copy(buf, off, data, JAVA_BYTE, used, len);
        to[count] = dest;
        ecn[count] = (byte) ecnCodepoint;
        offset[count] = used;
        length[count] = len;
        count++;
        used += len;
    }

    /** Forgets the datagrams (after {@link #send}). */
    void clear() {
        java.util.Arrays.fill(to, 0, count, null);
        java.util.Arrays.fill(ecn, 0, count, (byte) 0);
        count = 0;
        used = 0;
    }

    /**
     * Sends every datagram on {@code fd}, with segmentation offload if {@code offload}. A datagram
     * the kernel refuses (no route, too large) is counted in {@link Outcome#failed} and the rest go
     * on. If the kernel refuses offload itself ({@code EIO}: a device without checksum offload), the
     * batch is sent again without it from where it stopped, and the outcome says so.
     */
    Outcome send(int fd, boolean offload) {
        int calls = 0;
        int failed = 0;
        boolean refused = false;
        int messageCountTotal = build(offload);
        int m = 0;
        while (m < messageCountTotal) {
            int r = Libc.sendmmsg(errno, fd, messages.asSlice((long) m * Libc.MMSGHDR_SIZE), messageCountTotal - m, 0);
            calls++;
            if (r > 0) {
                m += r;
                continue;
            }
            int e = Libc.errno(errno);
            if (e == Libc.EINTR) {
                continue;
            }
            if (e == Libc.EIO && offload && messageCount[m] > 1) {
                refused = true;
                offload = false;
                int first = messageFirst[m];
                messageCountTotal = buildFrom(first, false);
                m = 0;
                continue;
            }
            failed += messageCount[m];
            m++;
        }
        return new Outcome(calls, failed, refused);
    }

    /** Builds the messages for the whole batch; returns how many. */
    private int build(boolean offload) {
        return buildFrom(0, offload);
    }

    /** Builds the messages for datagrams {@code first..count-1} at the start of the vector; returns how many. */
    private int buildFrom(int first, boolean offload) {
        int messagesBuilt = 0;
        int i = first;
        InetSocketAddress lastDest = null;
        int lastNameLen = 0;
        long lastName = 0;
        while (i < count) {
            int segment = length[i];
            int n = 1;
            int bytes = segment;
            if (offload) {
                while (i + n < count && n < MAX_SEGMENTS && length[i + n - 1] == segment
                        && length[i + n] <= segment && bytes + length[i + n] <= MAX_OFFLOAD_BYTES
                        && ecn[i + n] == ecn[i] && sameDestination(to[i], to[i + n])) {
                    bytes += length[i + n];
                    n++;
                }
            }
            long msg = (long) messagesBuilt * Libc.MMSGHDR_SIZE;
            long nameOffset;
            int nameLen;
            if (lastDest != null && sameDestination(lastDest, to[i])) {
                nameOffset = lastName;
                nameLen = lastNameLen;
            } else {
                nameOffset = (long) messagesBuilt * 32;
                nameLen = SockAddrs.write(to[i], family, names.asSlice(nameOffset, 32));
                lastDest = to[i];
                lastName = nameOffset;
                lastNameLen = nameLen;
            }
            long iov = (long) messagesBuilt * Libc.IOVEC_SIZE;
            iovecs.set(JAVA_LONG, iov, data.address() + offset[i]);
            iovecs.set(JAVA_LONG, iov + 8, bytes);
            messages.set(JAVA_LONG, msg + Libc.MSG_NAME, nameLen < 0 ? 0 : names.address() + nameOffset);
            messages.set(JAVA_INT, msg + Libc.MSG_NAMELEN, Math.max(0, nameLen));
            messages.set(JAVA_LONG, msg + Libc.MSG_IOV, iovecs.address() + iov);
            messages.set(JAVA_LONG, msg + Libc.MSG_IOVLEN, 1);
            long control = (long) messagesBuilt * CONTROL_SPACE;
            int controlLen = 0;
            if (n > 1) {
                controls.set(JAVA_LONG, control, Libc.CMSG_HEADER + 2);
                controls.set(JAVA_INT, control + 8, Libc.SOL_UDP);
                controls.set(JAVA_INT, control + 12, Libc.UDP_SEGMENT);
                controls.set(JAVA_SHORT, control + Libc.CMSG_HEADER, (short) segment);
                controlLen = SEGMENT_SPACE;
            }
            if (ecn[i] != 0) {
                // IPv4 (and an IPv4-mapped peer of a dual-stack socket) takes IP_TOS, IPv6 IPV6_TCLASS
                boolean v6 = family == Libc.AF_INET6 && to[i].getAddress() instanceof java.net.Inet6Address;
                long c = control + controlLen;
                controls.set(JAVA_LONG, c, Libc.CMSG_HEADER + 4);
                controls.set(JAVA_INT, c + 8, v6 ? Libc.IPPROTO_IPV6 : Libc.IPPROTO_IP);
                controls.set(JAVA_INT, c + 12, v6 ? Libc.IPV6_TCLASS : Libc.IP_TOS);
                controls.set(JAVA_INT, c + Libc.CMSG_HEADER, ecn[i]);
                controlLen += TOS_SPACE;
            }
            if (controlLen > 0) {
                messages.set(JAVA_LONG, msg + Libc.MSG_CONTROL, controls.address() + control);
                messages.set(JAVA_LONG, msg + Libc.MSG_CONTROLLEN, controlLen);
            } else {
                messages.set(JAVA_LONG, msg + Libc.MSG_CONTROL, 0);
                messages.set(JAVA_LONG, msg + Libc.MSG_CONTROLLEN, 0);
            }
            messages.set(JAVA_INT, msg + Libc.MSG_FLAGS, 0);
            messageFirst[messagesBuilt] = i;
            messageCount[messagesBuilt] = n;
            messagesBuilt++;
            i += n;
        }
        return messagesBuilt;
    }

    private static boolean sameDestination(InetSocketAddress a, InetSocketAddress b) {
        return a == b || a.equals(b);
    }
}
