package io.keymesh.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The path-probe mesh frames, {@link MeshFrame#PROBE} 0x58 and {@link MeshFrame#PROBE_ACK} 0x59:
 * a probe checks a path (direct or relayed) inside the authenticated session, and elicits an
 * acknowledgement that carries the same probe id back.
 * <pre>
 *   PROBE       type 0x58   length (varint)   probe id (8 bytes, big-endian)
 *   PROBE_ACK   type 0x59   length (varint)   probe id (8 bytes, big-endian)
 *               [ family (1 byte: 4 or 6)   address (4 or 16 bytes)   port (2 bytes, big-endian) ]
 * </pre>
 * The bracketed part of a PROBE_ACK is the address and port the acknowledged probe's packet was
 * seen coming from; it is absent when the path is relayed. A PROBE body is exactly 8 bytes; a
 * PROBE_ACK body exactly 8, 15 (IPv4) or 27 (IPv6) bytes with the matching family; anything else
 * is malformed. An IPv6 address's scope is not carried.
 *
 * <p>Writing is static and thread-safe. Reading fills a reusable instance without allocating (the
 * address is copied into an array the instance owns; {@link #observed()} makes a new object); an
 * instance is not thread-safe. Bad input makes {@code decode} return false; it never throws.
 */
public final class ProbeFrame {
    /** Address family byte of an IPv4 address. */
    public static final int FAMILY_IPV4 = 4;
    /** Address family byte of an IPv6 address. */
    public static final int FAMILY_IPV6 = 6;

    private static final int ID_LENGTH = 8;

    private final byte[] address = new byte[16];
    private long probeId;
    private boolean ack;
    private int family;
    private int port;

    /** Bytes a whole PROBE frame takes: 10. */
    public static int probeFrameLength() {
        return MeshFrame.frameLength(ID_LENGTH);
    }

    /** Writes a PROBE frame at {@code b[off]}; returns its length, 10. */
    public static int writeProbe(byte[] b, int off, long probeId) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.PROBE, ID_LENGTH);
        Bytes.putLongBE(b, p, probeId);
        return p + ID_LENGTH - off;
    }

    /**
     * Bytes a whole PROBE_ACK frame takes: 10, 17 with an IPv4 address, 29 with an IPv6 address.
     *
     * @param observed where the probe came from, or null on a relayed path
     * @throws IllegalArgumentException if {@code observed} is unresolved
     */
    public static int ackFrameLength(InetSocketAddress observed) {
        return MeshFrame.frameLength(ackBodyLength(observed));
    }

    /**
     * Writes a PROBE_ACK frame at {@code b[off]}.
     *
     * @param observed where the probe came from, or null on a relayed path
     * @return the frame's length
     * @throws IllegalArgumentException if {@code observed} is unresolved
     */
    public static int writeAck(byte[] b, int off, long probeId, InetSocketAddress observed) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.PROBE_ACK, ackBodyLength(observed));
        Bytes.putLongBE(b, p, probeId);
        p += ID_LENGTH;
        if (observed != null) {
            byte[] a = observed.getAddress().getAddress();
            b[p++] = (byte) (a.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6);
            System.arraycopy(a, 0, b, p, a.length);
            p += a.length;
            Bytes.putShortBE(b, p, observed.getPort());
            p += 2;
        }
        return p - off;
    }

    private static int ackBodyLength(InetSocketAddress observed) {
        if (observed == null) {
            return ID_LENGTH;
        }
        InetAddress a = observed.getAddress();
        if (a == null) {
            throw new IllegalArgumentException("unresolved address: " + observed);
        }
        return ID_LENGTH + 1 + (a instanceof Inet4Address ? 4 : 16) + 2;
    }

    /**
     * Reads a PROBE or PROBE_ACK body ({@code type} as read by {@link MeshFrame#forEach}).
     *
     * @return true if it is well formed; false (and this instance's fields undefined) if the type is
     *     neither, the body's length is not one of those above, the family is not 4 or 6 or does not
     *     match the length, or the body is not within {@code b}
     */
    public boolean decode(int type, byte[] b, int bodyOff, int bodyLen) {
        if (bodyOff < 0 || bodyLen < 0 || bodyOff > b.length - bodyLen) {
            return false;
        }
        if (type == MeshFrame.PROBE) {
            if (bodyLen != ID_LENGTH) {
                return false;
            }
            family = 0;
        } else if (type == MeshFrame.PROBE_ACK) {
            if (bodyLen == ID_LENGTH) {
                family = 0;
            } else if (bodyLen < ID_LENGTH + 1) {
                return false;
            } else {
                int f = b[bodyOff + ID_LENGTH];
                int n = f == FAMILY_IPV4 ? 4 : f == FAMILY_IPV6 ? 16 : -1;
                if (n < 0 || bodyLen != ID_LENGTH + 1 + n + 2) {
                    return false;
                }
                System.arraycopy(b, bodyOff + ID_LENGTH + 1, address, 0, n);
                port = Bytes.getUnsignedShortBE(b, bodyOff + ID_LENGTH + 1 + n);
                family = f;
            }
        } else {
            return false;
        }
        ack = type == MeshFrame.PROBE_ACK;
        probeId = Bytes.getLongBE(b, bodyOff);
        return true;
    }

    /** True if the frame read was a PROBE_ACK, false if a PROBE. */
    public boolean ack() {
        return ack;
    }

    /** The probe id. */
    public long probeId() {
        return probeId;
    }

    /** True if the frame read was a PROBE_ACK carrying the address the probe came from. */
    public boolean hasObserved() {
        return family != 0;
    }

    /** {@link #FAMILY_IPV4} or {@link #FAMILY_IPV6} if {@link #hasObserved()}, else 0. */
    public int observedFamily() {
        return family;
    }

    /** The port the probe came from if {@link #hasObserved()}, else undefined. */
    public int observedPort() {
        return port;
    }

    /**
     * The address and port the probe came from, a new object; null if the frame read carries none.
     * An IPv4-mapped IPv6 address comes back as the IPv4 address ({@link InetAddress#getByAddress(byte[])}).
     */
    public InetSocketAddress observed() {
        if (family == 0) {
            return null;
        }
        try {
            byte[] a = Arrays.copyOf(address, family == FAMILY_IPV4 ? 4 : 16);
            return new InetSocketAddress(InetAddress.getByAddress(a), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes", e);
        }
    }
}
