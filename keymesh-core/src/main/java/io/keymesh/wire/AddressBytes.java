package io.keymesh.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A UDP address as mesh frames carry it: {@code family (1 byte: 4 or 6) | address (4 or 16 bytes) |
 * port (2 bytes, big-endian)} — 7 bytes for IPv4, 19 for IPv6. An IPv6 address's scope is not
 * carried. Stateless; thread-safe.
 */
public final class AddressBytes {
    /** Address family byte of an IPv4 address. */
    public static final int FAMILY_IPV4 = 4;
    /** Address family byte of an IPv6 address. */
    public static final int FAMILY_IPV6 = 6;
    /** Bytes an IPv4 address takes. */
    public static final int IPV4_LENGTH = 7;
    /** Bytes an IPv6 address takes. */
    public static final int IPV6_LENGTH = 19;

    private AddressBytes() {}

    /**
     * Bytes {@code a} takes: 7 or 19.
     *
     * @throws IllegalArgumentException if {@code a} is unresolved
     */
    public static int length(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + a);
        }
        return ip instanceof Inet4Address ? IPV4_LENGTH : IPV6_LENGTH;
    }

    /** Writes {@code a} at {@code b[off]}; returns the offset after it. */
    public static int write(byte[] b, int off, InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        b[off] = (byte) (ip.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6);
        System.arraycopy(ip, 0, b, off + 1, ip.length);
        Bytes.putShortBE(b, off + 1 + ip.length, a.getPort());
        return off + 1 + ip.length + 2;
    }

    /**
     * The length of the address starting at {@code b[off]}, before {@code end}: 7 or 19, or -1 if
     * the family byte is neither 4 nor 6 or the address does not fit.
     */
    public static int lengthAt(byte[] b, int off, int end) {
        if (off >= end) {
            return -1;
        }
        int n = b[off] == FAMILY_IPV4 ? IPV4_LENGTH : b[off] == FAMILY_IPV6 ? IPV6_LENGTH : -1;
        return n < 0 || n > end - off ? -1 : n;
    }

    /**
     * The address at {@code b[off]}, already checked by {@link #lengthAt}; a new object. An
     * IPv4-mapped IPv6 address comes back as the IPv4 address ({@link InetAddress#getByAddress(byte[])}).
     */
    public static InetSocketAddress read(byte[] b, int off) {
        int n = b[off] == FAMILY_IPV4 ? 4 : 16;
        try {
            InetAddress ip = InetAddress.getByAddress(Arrays.copyOfRange(b, off + 1, off + 1 + n));
            return new InetSocketAddress(ip, Bytes.getUnsignedShortBE(b, off + 1 + n));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes", e);
        }
    }
}
