package io.keymesh.wire;

/**
 * WireGuard handshake initiation (type 1), 148 bytes:
 * <pre>
 *   0  type (u32 LE = 1)     4  sender index (u32 LE)   8  unencrypted ephemeral (32)
 *  40  encrypted static (32 + 16)                       88  encrypted timestamp (12 + 16)
 * 116  mac1 (16)           132  mac2 (16)
 * </pre>
 */
public final class HandshakeInitiation {
    public static final int LENGTH = 148;
    public static final int SENDER = 4;
    public static final int EPHEMERAL = 8;
    public static final int STATIC = 40;
    public static final int STATIC_LENGTH = 32 + 16;
    public static final int TIMESTAMP = 88;
    public static final int TIMESTAMP_LENGTH = 12 + 16;
    public static final int MAC1 = 116;
    public static final int MAC2 = 132;

    private HandshakeInitiation() {}

    public static void writeHeader(byte[] b, int off, int senderIndex) {
        Bytes.putIntLE(b, off, MessageType.HANDSHAKE_INITIATION);
        Bytes.putIntLE(b, off + SENDER, senderIndex);
    }

    public static int sender(byte[] b, int off) {
        return Bytes.getIntLE(b, off + SENDER);
    }
}
