package io.keymesh.wire;

/**
 * WireGuard cookie reply (type 3), 64 bytes:
 * <pre>
 *   0  type (u32 LE = 3)     4  receiver index (u32 LE)   8  nonce (24)
 *  32  encrypted cookie (16 + 16)
 * </pre>
 */
public final class CookieReply {
    public static final int LENGTH = 64;
    public static final int RECEIVER = 4;
    public static final int NONCE = 8;
    public static final int NONCE_LENGTH = 24;
    public static final int COOKIE = 32;
    public static final int COOKIE_LENGTH = 16 + 16;

    private CookieReply() {}

    public static void writeHeader(byte[] b, int off, int receiverIndex) {
        Bytes.putIntLE(b, off, MessageType.COOKIE_REPLY);
        Bytes.putIntLE(b, off + RECEIVER, receiverIndex);
    }

    public static int receiver(byte[] b, int off) {
        return Bytes.getIntLE(b, off + RECEIVER);
    }
}
