package io.keymesh.wire;

/**
 * WireGuard's message types: the first byte of a message, followed by three reserved zero bytes
 * (the four bytes are one little-endian 32-bit type field).
 */
public final class MessageType {
    public static final int HANDSHAKE_INITIATION = 1;
    public static final int HANDSHAKE_RESPONSE = 2;
    public static final int COOKIE_REPLY = 3;
    public static final int TRANSPORT_DATA = 4;
    /** Not a message: what {@link #of} returns for anything that is not a well-formed WireGuard message. */
    public static final int INVALID = 0;

    private MessageType() {}

    /**
     * Classifies {@code b[off..off+len)} by its type field and length: initiation exactly 148 bytes,
     * response 92, cookie reply 64, transport data at least 32 and a multiple of 16 past its header
     * is not required (WireGuard pads, but only the tag is checked). Anything else is {@link #INVALID}.
     */
    public static int of(byte[] b, int off, int len) {
        if (len < 4) {
            return INVALID;
        }
        int type = Bytes.getIntLE(b, off);
        return switch (type) {
            case HANDSHAKE_INITIATION -> len == HandshakeInitiation.LENGTH ? type : INVALID;
            case HANDSHAKE_RESPONSE -> len == HandshakeResponse.LENGTH ? type : INVALID;
            case COOKIE_REPLY -> len == CookieReply.LENGTH ? type : INVALID;
            case TRANSPORT_DATA -> len >= TransportData.MIN_LENGTH ? type : INVALID;
            default -> INVALID;
        };
    }
}
