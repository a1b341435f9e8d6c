package io.keymesh.wire;

/**
 * WireGuard transport data (type 4): a 16-byte header, then the payload padded to a multiple of 16
 * and encrypted, then a 16-byte Poly1305 tag.
 * <pre>
 *   0  type (u32 LE = 4)     4  receiver index (u32 LE)   8  counter (u64 LE)
 *  16  encrypted packet (padded length + 16)
 * </pre>
 * A keepalive is a transport message with an empty payload: 32 bytes.
 */
public final class TransportData {
    public static final int HEADER_LENGTH = 16;
    public static final int RECEIVER = 4;
    public static final int COUNTER = 8;
    public static final int TAG_LENGTH = 16;
    public static final int MIN_LENGTH = HEADER_LENGTH + TAG_LENGTH;
    /** Payloads are zero-padded to a multiple of this many bytes before encryption. */
    public static final int PADDING_MULTIPLE = 16;

    private TransportData() {}

    public static void writeHeader(byte[] b, int off, int receiverIndex, long counter) {
        Bytes.putIntLE(b, off, MessageType.TRANSPORT_DATA);
        Bytes.putIntLE(b, off + RECEIVER, receiverIndex);
        Bytes.putLongLE(b, off + COUNTER, counter);
    }

    public static int receiver(byte[] b, int off) {
        return Bytes.getIntLE(b, off + RECEIVER);
    }

    public static long counter(byte[] b, int off) {
        return Bytes.getLongLE(b, off + COUNTER);
    }

    /**
     * The padded length of a {@code len}-byte payload: the next multiple of 16, but never past
     * {@code mtu} when the payload fits in it ({@code mtu <= 0}: no limit). A payload larger than
     * the MTU is not padded.
     */
    public static int paddedLength(int len, int mtu) {
        int padded = (len + PADDING_MULTIPLE - 1) & -PADDING_MULTIPLE;
        if (mtu <= 0) {
            return padded;
        }
        return len <= mtu ? Math.min(padded, mtu) : len;
    }
}
