package io.keymesh.wire;

/**
 * The RELAY_REFUSED mesh frame ({@link MeshFrame#RELAY_REFUSED} 0x52): the answer to a
 * {@link RelayOpenFrame} when the circuit cannot be opened, by the receiver or by a hop further on.
 * <pre>
 *   type 0x52   length (varint)   circuit id (varint)   reason code (varint)
 * </pre>
 * The circuit id is the one the RELAY_OPEN carried on this link; the reason is one of
 * {@link RelayReason}'s codes or an unknown one, which decodes like any other.
 *
 * <p>Writing is static; reading fills a reusable instance (not thread-safe) and never throws.
 */
public final class RelayRefusedFrame {
    private final long[] fields = new long[2];

    /** Bytes the whole frame takes. */
    public static int frameLength(long circuit, long reason) {
        return MeshFrame.frameLength(VarInt.length(circuit) + VarInt.length(reason));
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, long circuit, long reason) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.RELAY_REFUSED, VarInt.length(circuit) + VarInt.length(reason));
        p += VarInt.write(b, p, circuit);
        return p + VarInt.write(b, p, reason) - off;
    }

    /** Reads the body; false if it is not exactly two varints. */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        return VarIntBody.readAll(b, bodyOff, bodyLen, fields);
    }

    /** The circuit id, after a successful {@link #decode}. */
    public long circuit() {
        return fields[0];
    }

    /** The reason code ({@link RelayReason}), after a successful {@link #decode}. */
    public long reason() {
        return fields[1];
    }
}
