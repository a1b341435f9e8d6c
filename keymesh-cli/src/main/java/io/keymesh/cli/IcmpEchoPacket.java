package io.keymesh.cli;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An ICMP echo request or echo reply (RFC 792) in an IPv4 packet (RFC 791): what {@code ping}
 * sends through a WireGuard tunnel and what a host answers.
 *
 * <p>{@link #writeTo} writes a 20-byte IPv4 header without options (version 4, TOS 0, protocol 1,
 * total length, identification, the DF flag, fragment offset 0, TTL, header checksum) followed by
 * the ICMP message (type, code 0, checksum, identifier, sequence number, data), both checksums per
 * RFC 1071. {@link #parse} accepts exactly the well-formed, unfragmented echo requests and replies:
 * IPv4 header options are skipped, bytes past the total length (WireGuard padding) are ignored, and
 * a wrong header or ICMP checksum, a fragment, another protocol, type or a non-zero code, or a
 * truncated packet yields null. Parsing then writing a packet without options reproduces it.
 *
 * <p>Addresses are IPv4 addresses as big-endian {@code int}s. Immutable and thread-safe: the data
 * is copied in and out.
 */
final class IcmpEchoPacket {
    /** ICMP type of an echo reply. */
    static final int ECHO_REPLY = 0;
    /** ICMP type of an echo request. */
    static final int ECHO_REQUEST = 8;
    /** IPv4 protocol number of ICMP. */
    static final int PROTOCOL_ICMP = 1;
    /** Length of the IPv4 header this class writes (no options). */
    static final int IPV4_HEADER_LENGTH = 20;
    /** Length of the ICMP echo header: type, code, checksum, identifier, sequence number. */
    static final int ICMP_ECHO_HEADER_LENGTH = 8;
    /** Largest echo data: an IPv4 packet is at most 65535 bytes. */
    static final int MAX_DATA_LENGTH = 65535 - IPV4_HEADER_LENGTH - ICMP_ECHO_HEADER_LENGTH;
    /** TTL of the packets {@link #request} and {@link #reply} make (Linux's default). */
    static final int DEFAULT_TTL = 64;

    private static final int DONT_FRAGMENT = 0x4000;
    private static final int MORE_FRAGMENTS = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    private final int type;
    private final int source;
    private final int destination;
    private final int identifier;
    private final int sequence;
    private final int ttl;
    private final int ipIdentification;
    private final boolean dontFragment;
    private final byte[] data;

    /**
     * @throws IllegalArgumentException if {@code type} is not an echo type, a 16-bit field or the
     *     TTL is out of range, or the data is too long
     */
    IcmpEchoPacket(int type, int source, int destination, int identifier, int sequence, byte[] data, int ttl,
            int ipIdentification, boolean dontFragment) {
        if (type != ECHO_REQUEST && type != ECHO_REPLY) {
            throw new IllegalArgumentException("not an ICMP echo type: " + type);
        }
        checkRange("identifier", identifier, 0xffff);
        checkRange("sequence", sequence, 0xffff);
        checkRange("ttl", ttl, 0xff);
        checkRange("IP identification", ipIdentification, 0xffff);
        if (data.length > MAX_DATA_LENGTH) {
            throw new IllegalArgumentException("echo data is at most " + MAX_DATA_LENGTH + " bytes, got " + data.length);
        }
        this.type = type;
        this.source = source;
        this.destination = destination;
        this.identifier = identifier;
        this.sequence = sequence;
        this.data = data.clone();
        this.ttl = ttl;
        this.ipIdentification = ipIdentification;
        this.dontFragment = dontFragment;
    }

    /** An echo request with TTL {@value #DEFAULT_TTL} and the DF flag set, as Linux {@code ping} sends. */
    static IcmpEchoPacket request(int source, int destination, int identifier, int sequence, byte[] data,
            int ipIdentification) {
        return new IcmpEchoPacket(ECHO_REQUEST, source, destination, identifier, sequence, data, DEFAULT_TTL,
                ipIdentification, true);
    }

    /**
     * The echo reply to this packet (RFC 792: addresses swapped, same identifier, sequence number
     * and data), with TTL {@value #DEFAULT_TTL} and no DF flag, as Linux answers.
     */
    IcmpEchoPacket reply(int replyIpIdentification) {
        return new IcmpEchoPacket(ECHO_REPLY, destination, source, identifier, sequence, data, DEFAULT_TTL,
                replyIpIdentification, false);
    }

    /**
     * The echo request or reply in {@code b[off..off+len)}, or null if those bytes are not a
     * well-formed, unfragmented IPv4 ICMP echo request or reply with valid checksums.
     */
    static IcmpEchoPacket parse(byte[] b, int off, int len) {
        if (len < IPV4_HEADER_LENGTH || (b[off] & 0xf0) != 0x40) {
            return null;
        }
        int headerLength = (b[off] & 0x0f) * 4;
        int totalLength = u16(b, off + 2);
        if (headerLength < IPV4_HEADER_LENGTH || totalLength > len
                || totalLength < headerLength + ICMP_ECHO_HEADER_LENGTH) {
            return null;
        }
        int flags = u16(b, off + 6);
        if ((flags & (MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0 || (b[off + 9] & 0xff) != PROTOCOL_ICMP) {
            return null;
        }
        if (InternetChecksum.of(b, off, headerLength) != 0) {
            return null;
        }
        int icmp = off + headerLength;
        int icmpLength = totalLength - headerLength;
        int type = b[icmp] & 0xff;
        if ((type != ECHO_REQUEST && type != ECHO_REPLY) || b[icmp + 1] != 0
                || InternetChecksum.of(b, icmp, icmpLength) != 0) {
            return null;
        }
        return new IcmpEchoPacket(type, i32(b, off + 12), i32(b, off + 16), u16(b, icmp + 4), u16(b, icmp + 6),
                Arrays.copyOfRange(b, icmp + ICMP_ECHO_HEADER_LENGTH, off + totalLength), b[off + 8] & 0xff,
                u16(b, off + 4), (flags & DONT_FRAGMENT) != 0);
    }

    /** Bytes {@link #writeTo} writes: the IPv4 total length. */
    int length() {
        return IPV4_HEADER_LENGTH + ICMP_ECHO_HEADER_LENGTH + data.length;
    }

    /**
     * Writes the whole IPv4 packet, checksums included, to {@code b[off..off+length())}.
     *
     * @return {@link #length()}
     * @throws IndexOutOfBoundsException if it does not fit
     */
    int writeTo(byte[] b, int off) {
        int total = length();
        if (off < 0 || b.length - off < total) {
            throw new IndexOutOfBoundsException("an echo packet of " + total + " bytes does not fit at " + off
                    + " in " + b.length + " bytes");
        }
        b[off] = 0x45; // version 4, IHL 5 words
        b[off + 1] = 0; // DSCP/ECN
        put16(b, off + 2, total);
        put16(b, off + 4, ipIdentification);
        put16(b, off + 6, dontFragment ? DONT_FRAGMENT : 0);
        b[off + 8] = (byte) ttl;
        b[off + 9] = PROTOCOL_ICMP;
        put16(b, off + 10, 0);
        put32(b, off + 12, source);
        put32(b, off + 16, destination);
        put16(b, off + 10, InternetChecksum.of(b, off, IPV4_HEADER_LENGTH));

        int icmp = off + IPV4_HEADER_LENGTH;
        b[icmp] = (byte) type;
        b[icmp + 1] = 0; // code
        put16(b, icmp + 2, 0);
        put16(b, icmp + 4, identifier);
        put16(b, icmp + 6, sequence);
        System.arraycopy(data, 0, b, icmp + ICMP_ECHO_HEADER_LENGTH, data.length);
        put16(b, icmp + 2, InternetChecksum.of(b, icmp, ICMP_ECHO_HEADER_LENGTH + data.length));
        return total;
    }

    /** {@link #ECHO_REQUEST} or {@link #ECHO_REPLY}. */
    int type() {
        return type;
    }

    boolean isRequest() {
        return type == ECHO_REQUEST;
    }

    boolean isReply() {
        return type == ECHO_REPLY;
    }

    /** IPv4 source address, big-endian. */
    int source() {
        return source;
    }

    /** IPv4 destination address, big-endian. */
    int destination() {
        return destination;
    }

    /** The ICMP echo identifier, 0..65535. */
    int identifier() {
        return identifier;
    }

    /** The ICMP echo sequence number, 0..65535. */
    int sequence() {
        return sequence;
    }

    int ttl() {
        return ttl;
    }

    /** The IPv4 identification field, 0..65535. */
    int ipIdentification() {
        return ipIdentification;
    }

    boolean dontFragment() {
        return dontFragment;
    }

    /** A copy of the echo data. */
    byte[] data() {
        return data.clone();
    }

    /** Length of the echo data in bytes. */
    int dataLength() {
        return data.length;
    }

    /** True if the echo data equals {@code expected}. */
    boolean dataEquals(byte[] expected) {
        return Arrays.equals(data, expected);
    }

    /** The big-endian {@code int} form of an IPv4 address. */
    static int addressToInt(Inet4Address address) {
        return i32(address.getAddress(), 0);
    }

    /** The IPv4 address of a big-endian {@code int}. */
    static Inet4Address intToAddress(int address) {
        byte[] a = new byte[4];
        put32(a, 0, address);
        try {
            return (Inet4Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }

    /** Dotted-quad text of a big-endian {@code int} IPv4 address. */
    static String addressText(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    @Override
    public String toString() {
        return (isRequest() ? "echo request " : "echo reply ") + addressText(source) + " > " + addressText(destination)
                + " id=" + identifier + " seq=" + sequence + " ttl=" + ttl + " data=" + data.length + "B";
    }

    private static void checkRange(String what, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " must be 0.." + max + ", got " + value);
        }
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }

    private static int i32(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void put32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
