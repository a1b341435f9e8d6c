package io.keymesh.wire;

/**
 * Demultiplexes a decrypted transport payload on its first byte (DESIGN.md, "Inside a WireGuard
 * transport packet"): {@code 0x4?} is an IPv4 packet and {@code 0x6?} an IPv6 packet, as a stock
 * WireGuard peer sends; anything else is a sequence of mesh frames. An empty payload is a keepalive.
 */
public final class InnerPayload {
    public static final int KEEPALIVE = 0;
    public static final int IPV4 = 4;
    public static final int IPV6 = 6;
    public static final int MESH_FRAMES = 1;

    private InnerPayload() {}

    /** Kind of the payload {@code b[off..off+len)}. */
    public static int kind(byte[] b, int off, int len) {
        if (len == 0) {
            return KEEPALIVE;
        }
        return switch ((b[off] & 0xf0) >>> 4) {
            case 4 -> IPV4;
            case 6 -> IPV6;
            default -> MESH_FRAMES;
        };
    }

    /**
     * The length of the IP packet at {@code b[off..off+len)} taken from its header (IPv4 total length,
     * IPv6 payload length + 40), which strips WireGuard's padding; -1 if the header is truncated,
     * claims more than {@code len} bytes, or (IPv4) claims less than its 20-byte header, as
     * wireguard-go's receive path drops such packets.
     */
    public static int ipPacketLength(byte[] b, int off, int len) {
        int kind = kind(b, off, len);
        int claimed;
        if (kind == IPV4 && len >= 20) {
            claimed = Bytes.getUnsignedShortBE(b, off + 2);
            if (claimed < 20) {
                return -1;
            }
        } else if (kind == IPV6 && len >= 40) {
            claimed = Bytes.getUnsignedShortBE(b, off + 4) + 40;
        } else {
            return -1;
        }
        return claimed <= len ? claimed : -1;
    }
}
