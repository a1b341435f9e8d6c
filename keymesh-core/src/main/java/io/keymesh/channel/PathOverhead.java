package io.keymesh.channel;

import io.keymesh.wire.TransportData;

/**
 * What the layers below the channels add to each packet on one path, in bytes: {@code headroom}
 * and {@code tailroom} they need free before and after the payload to write into, and
 * {@code perPacket}, what a packet carries on the wire besides its payload, which is padded to a
 * multiple of 16 as WireGuard pads it. A relayed path adds its relay's framing to WireGuard's.
 * Immutable.
 */
public record PathOverhead(int headroom, int tailroom, int perPacket) {
    /** A direct WireGuard path: the transport header before the payload, padding and the tag after it. */
    public static final PathOverhead WIREGUARD = new PathOverhead(TransportData.HEADER_LENGTH,
            TransportData.PADDING_MULTIPLE - 1 + TransportData.TAG_LENGTH, TransportData.MIN_LENGTH);

    public PathOverhead {
        if (headroom < 0 || tailroom < 0 || perPacket < 0) {
            throw new IllegalArgumentException("overhead " + headroom + "/" + tailroom + "/" + perPacket);
        }
    }

    /** The largest payload, a multiple of 16, that a UDP payload of {@code udpPayloadSize} bytes carries. */
    public int payloadLimit(int udpPayloadSize) {
        return (udpPayloadSize - perPacket) & -TransportData.PADDING_MULTIPLE;
    }

    /** The UDP payload size of a packet with a {@code payloadLength}-byte payload. */
    public int udpSize(int payloadLength) {
        return TransportData.paddedLength(payloadLength, 0) + perPacket;
    }
}
