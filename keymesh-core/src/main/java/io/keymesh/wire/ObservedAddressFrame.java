package io.keymesh.wire;

import java.net.InetSocketAddress;

/**
 * The OBSERVED_ADDRESS mesh frame ({@link MeshFrame#OBSERVED_ADDRESS} 0x5D): "your packets reach
 * me from this address" — the receiver's server-reflexive address as the sender sees it, told inside
 * their session (what a STUN binding response says, RFC 8489, without a STUN server).
 * <pre>
 *   type 0x5D   length (varint)   family (1 byte: 4 or 6)   address (4 or 16 bytes)   port (2 bytes, big-endian)
 * </pre>
 * A body is exactly 7 (IPv4) or 19 (IPv6) bytes with the matching family; anything else is malformed.
 *
 * <p>Writing is static and thread-safe. Reading fills a reusable instance (not thread-safe) and
 * never throws.
 */
public final class ObservedAddressFrame {
    private InetSocketAddress address;

    /** Bytes the whole frame takes: 9 for IPv4, 21 for IPv6. */
    public static int frameLength(InetSocketAddress observed) {
        return MeshFrame.frameLength(AddressBytes.length(observed));
    }

    /**
     * Writes the frame at {@code b[off]}; returns its length.
     *
     * @throws IllegalArgumentException if {@code observed} is unresolved
     */
    public static int write(byte[] b, int off, InetSocketAddress observed) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.OBSERVED_ADDRESS, AddressBytes.length(observed));
        return AddressBytes.write(b, p, observed) - off;
    }

    /** Reads a body; false if it is not one address filling it, or not within {@code b}. */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        if (bodyOff < 0 || bodyLen < 0 || bodyOff > b.length - bodyLen) {
            return false;
        }
        if (AddressBytes.lengthAt(b, bodyOff, bodyOff + bodyLen) != bodyLen) {
            return false;
        }
        address = AddressBytes.read(b, bodyOff);
        return true;
    }

    /** The address read by the last successful {@link #decode}. */
    public InetSocketAddress address() {
        return address;
    }
}
