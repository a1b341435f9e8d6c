package io.keymesh.wire;

/**
 * WireGuard handshake response (type 2), 92 bytes:
 * <pre>
 *   0  type (u32 LE = 2)     4  sender index (u32 LE)   8  receiver index (u32 LE)
 *  12  unencrypted ephemeral (32)                       44  encrypted nothing (0 + 16)
 *  60  mac1 (16)            76  mac2 (16)
 * </pre>
 */
public final class HandshakeResponse {
    public static final int LENGTH = 92;
    public static final int SENDER = 4;
    public static final int RECEIVER = 8;
    public static final int EPHEMERAL = 12;
    public static final int EMPTY = 44;
    public static final int EMPTY_LENGTH = 16;
    public static final int MAC1 = 60;
    public static final int MAC2 = 76;

    private HandshakeResponse() {}

    public static void writeHeader(byte[] b, int off, int senderIndex, int receiverIndex) {
        Bytes.putIntLE(b, off, MessageType.HANDSHAKE_RESPONSE);
        Bytes.putIntLE(b, off + SENDER, senderIndex);
        Bytes.putIntLE(b, off + RECEIVER, receiverIndex);
    }

    public static int sender(byte[] b, int off) {
        return Bytes.getIntLE(b, off + SENDER);
    }

    public static int receiver(byte[] b, int off) {
        return Bytes.getIntLE(b, off + RECEIVER);
    }
}
