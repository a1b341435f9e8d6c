package io.keymesh.sim;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** IPv4 addresses as {@code int}s (network byte order, big-endian) and their conversions. Stateless. */
final class Ipv4 {
    private Ipv4() {}

    /** Parses a dotted quad such as {@code "192.168.1.2"}; never consults DNS. */
    static int parse(String dotted) {
        String[] parts = dotted.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address (a.b.c.d): '" + dotted + "'");
        }
        int ip = 0;
        for (String p : parts) {
            int octet;
            try {
                octet = p.isEmpty() || p.length() > 3 ? -1 : Integer.parseInt(p);
            } catch (NumberFormatException e) {
                octet = -1;
            }
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address (a.b.c.d): '" + dotted + "'");
            }
            ip = (ip << 8) | octet;
        }
        return ip;
    }

    static int of(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("the simulator speaks IPv4 only, got " + address);
        }
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    static InetAddress toInetAddress(int ip) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always a valid address
        }
    }

    static InetSocketAddress socketAddress(int ip, int port) {
        return new InetSocketAddress(toInetAddress(ip), port);
    }

    static String toString(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
    }

    /** A prefix parsed from CIDR notation, e.g. {@code "192.168.1.0/24"}. */
    record Prefix(int base, int length) {
        static Prefix parse(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("not a CIDR prefix (a.b.c.d/n): '" + cidr + "'");
            }
            int len;
            try {
                len = Integer.parseInt(cidr.substring(slash + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR prefix (a.b.c.d/n): '" + cidr + "'");
            }
            if (len < 0 || len > 30) {
                throw new IllegalArgumentException("prefix length must be 0..30 to hold hosts: '" + cidr + "'");
            }
            int ip = Ipv4.parse(cidr.substring(0, slash));
            int mask = mask(len);
            if ((ip & ~mask) != 0) {
                throw new IllegalArgumentException("host bits set in prefix '" + cidr + "'");
            }
            return new Prefix(ip, len);
        }

        private static int mask(int len) {
            return len == 0 ? 0 : -1 << (32 - len);
        }

        boolean contains(int ip) {
            return (ip & mask(length)) == base;
        }

        /** Addresses usable by nodes: all but the network and broadcast addresses. */
        long usable() {
            return (1L << (32 - length)) - 2;
        }

        @Override
        public String toString() {
            return Ipv4.toString(base) + "/" + length;
        }
    }
}
