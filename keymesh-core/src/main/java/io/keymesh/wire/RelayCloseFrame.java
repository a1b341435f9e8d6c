package io.keymesh.wire;

/**
 * The RELAY_CLOSE mesh frame ({@link MeshFrame#RELAY_CLOSE} 0x54): the sender ends an open circuit
 * on this link.
 * <pre>
 *   type 0x54   length (varint)   circuit id (varint)   reason code (varint)
 * </pre>
 * The circuit id is the one the circuit's RELAY_OPEN carried on this link; the reason is one of
 * {@link RelayReason}'s codes (typically {@link RelayReason#CLOSED_BY_PEER}, {@link RelayReason#IDLE}
 * or {@link RelayReason#TARGET_GONE}) or an unknown one, which decodes like any other.
 *
 * <p>Writing is static; reading fills a reusable instance (not thread-safe) and never throws.
 */
public final class RelayCloseFrame {
    private final long[] fields = new long[2];

    /** Bytes the whole frame takes. */
    public static int frameLength(long circuit, long reason) {
        return MeshFrame.frameLength(VarInt.length(circuit) + VarInt.length(reason));
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, long circuit, long reason) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.RELAY_CLOSE, VarInt.length(circuit) + VarInt.length(reason));
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
