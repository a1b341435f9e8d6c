package io.keymesh.io;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Writes {@link InetSocketAddress}es as C {@code sockaddr_in} / {@code sockaddr_in6} and reads them
 * back. On a dual-stack (IPv6) socket IPv4 addresses travel as IPv4-mapped IPv6 ones
 * ({@code ::ffff:a.b.c.d}), and are read back as {@link Inet4Address}es, as the JDK's sockets do.
 *
 * <p>Reading keeps the addresses it made in a small direct-mapped cache, so a datagram from a
 * sender seen before costs no allocation. Not thread-safe: one per reading thread.
 */
final class SockAddrs {
    private static final int SLOTS = 64;
    private static final ValueLayout.OfShort PORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt IPV4 = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong IPV6_HALF = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private final long[] keyHigh = new long[SLOTS];
    private final long[] keyLow = new long[SLOTS];
    private final long[] keyPortScope = new long[SLOTS];
    private final InetSocketAddress[] cached = new InetSocketAddress[SLOTS];

    /**
     * Writes {@code a} at the start of {@code out} for a socket of {@code family}; returns the
     * address length, or -1 if it cannot be reached from such a socket (an IPv6 address from an
     * IPv4 socket, an unresolved one).
     */
    static int write(InetSocketAddress a, int family, MemorySegment out) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            return -1;
        }
        byte[] bytes = ip.getAddress();
        short port = (short) a.getPort();
        if (family == Libc.AF_INET) {
            if (bytes.length != 4) {
                return -1;
            }
            out.set(JAVA_SHORT, 0, (short) Libc.AF_INET);
            out.set(PORT, 2, port);
            MemorySegment.copy(bytes, 0, out, JAVA_BYTE, 4, 4);
            out.set(JAVA_INT, 8, 0);
            out.set(JAVA_INT, 12, 0);
            return Libc.SOCKADDR_IN_SIZE;
        }
        out.set(JAVA_SHORT, 0, (short) Libc.AF_INET6);
        out.set(PORT, 2, port);
        out.set(JAVA_INT, 4, 0); // flow info
        if (bytes.length == 4) {
            MemorySegment.copy(MAPPED_PREFIX, 0, out, JAVA_BYTE, 8, 12);
            MemorySegment.copy(bytes, 0, out, JAVA_BYTE, 20, 4);
            out.set(JAVA_INT, 24, 0);
        } else {
            MemorySegment.copy(bytes, 0, out, JAVA_BYTE, 8, 16);
            out.set(JAVA_INT, 24, ip instanceof Inet6Address v6 ? v6.getScopeId() : 0);
        }
        return Libc.SOCKADDR_IN6_SIZE;
    }

    /** The address at {@code at} in {@code in} ({@code len} bytes), or null if it is not an IPv4 or IPv6 one. */
    InetSocketAddress read(MemorySegment in, long at, int len) {
        if (len < Libc.SOCKADDR_IN_SIZE) {
            return null;
        }
        int family = in.get(JAVA_SHORT, at);
        int port = Short.toUnsignedInt(in.get(PORT, at + 2));
        long high;
        long low;
        int scope = 0;
        if (family == Libc.AF_INET) {
            high = 0;
            low = 0xffff_0000_0000L | Integer.toUnsignedLong(in.get(IPV4, at + 4));
        } else if (family == Libc.AF_INET6 && len >= Libc.SOCKADDR_IN6_SIZE) {
            high = in.get(IPV6_HALF, at + 8);
            low = in.get(IPV6_HALF, at + 16);
            scope = in.get(JAVA_INT, at + 24);
        } else {
            return null;
        }
        long portScope = ((long) scope << 16) | port;
        int slot = (int) (mix(high ^ low * 31 ^ portScope) & (SLOTS - 1));
        InetSocketAddress hit = cached[slot];
        if (hit != null && keyHigh[slot] == high && keyLow[slot] == low && keyPortScope[slot] == portScope) {
            return hit;
        }
        InetSocketAddress made = new InetSocketAddress(address(high, low, scope), port);
        cached[slot] = made;
        keyHigh[slot] = high;
        keyLow[slot] = low;
        keyPortScope[slot] = portScope;
        return made;
    }

    /** An IPv4-mapped address (high 0, low {@code ::ffff:a.b.c.d}) as IPv4; anything else as IPv6. */
    private static InetAddress address(long high, long low, int scope) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        try {
            if (high == 0 && (low >>> 32) == 0xffff) {
                return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16));
            }
            return scope != 0 ? Inet6Address.getByAddress(null, b, scope) : InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        return x ^ (x >>> 33);
    }
}
