package io.keymesh.wire;

/**
 * The PACKET frame ({@link MeshFrame#PACKET} 0x20), first in every channel packet: which
 * connection it belongs to and its packet number.
 * <pre>
 *   type 0x20   length (varint)   source id (4, big-endian)   destination id (4)   packet number (varint)
 * </pre>
 * Each side picks a random non-zero 32-bit connection id when its channel state starts; the
 * destination id is the peer's id as the sender knows it (0 until it knows). A new source id means
 * the peer started over (it restarted); a destination id that is not ours means a packet for a
 * connection we no longer have. The role of QUIC's connection ids and packet number
 * (RFC 9000 sections 5.1 and 17.1), without the header protection WireGuard makes unnecessary.
 *
 * <p>Reading uses a reusable instance; never throws on bad input. Not thread-safe.
 */
public final class PacketHeaderFrame {
    private int sourceId;
    private int destinationId;
    private long packetNumber;

    /** Bytes the whole frame takes. */
    public static int frameLength(long packetNumber) {
        return MeshFrame.frameLength(8 + VarInt.length(packetNumber));
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, int sourceId, int destinationId, long packetNumber) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.PACKET, 8 + VarInt.length(packetNumber));
        Bytes.putIntBE(b, p, sourceId);
        Bytes.putIntBE(b, p + 4, destinationId);
        return p + 8 + VarInt.write(b, p + 8, packetNumber) - off;
    }

    /** Reads a body; false if it is not exactly 8 bytes and one varint. */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        if (bodyLen < 9) {
            return false;
        }
        long pn = VarInt.read(b, bodyOff + 8, bodyOff + bodyLen);
        if (pn < 0 || 8 + VarInt.encodedLength(b[bodyOff + 8]) != bodyLen) {
            return false;
        }
        sourceId = Bytes.getIntBE(b, bodyOff);
        destinationId = Bytes.getIntBE(b, bodyOff + 4);
        packetNumber = pn;
        return true;
    }

    public int sourceId() {
        return sourceId;
    }

    public int destinationId() {
        return destinationId;
    }

    public long packetNumber() {
        return packetNumber;
    }
}
