package io.keymesh.wire;

/**
 * The RELAY_OPENED mesh frame ({@link MeshFrame#RELAY_OPENED} 0x51): the answer to a
 * {@link RelayOpenFrame} once the circuit is open up to its target.
 * <pre>
 *   type 0x51   length (varint)   circuit id (varint)   max message (varint)
 * </pre>
 * The circuit id is the one the RELAY_OPEN carried on this link. Max message is the largest inner
 * WireGuard message, in bytes, the circuit carries end to end: each hop passes on the least of
 * what it received and what it can carry itself in a {@link RelayDataFrame}.
 *
 * <p>Writing is static; reading fills a reusable instance (not thread-safe) and never throws.
 */
public final class RelayOpenedFrame {
    private final long[] fields = new long[2];

    /** Bytes the whole frame takes. */
    public static int frameLength(long circuit, long maxMessage) {
        return MeshFrame.frameLength(VarInt.length(circuit) + VarInt.length(maxMessage));
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, long circuit, long maxMessage) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.RELAY_OPENED,
                VarInt.length(circuit) + VarInt.length(maxMessage));
        p += VarInt.write(b, p, circuit);
        return p + VarInt.write(b, p, maxMessage) - off;
    }

    /** Reads the body; false if it is not exactly two varints. */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        return VarIntBody.readAll(b, bodyOff, bodyLen, fields);
    }

    /** The circuit id, after a successful {@link #decode}. */
    public long circuit() {
        return fields[0];
    }

    /** The largest inner message in bytes, after a successful {@link #decode}. */
    public long maxMessage() {
        return fields[1];
    }
}
