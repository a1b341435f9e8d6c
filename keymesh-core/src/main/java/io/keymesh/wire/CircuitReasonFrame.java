package io.keymesh.wire;

/**
 * The two mesh frames that end a relayed circuit on a link, which share one layout:
 * RELAY_REFUSED ({@link MeshFrame#RELAY_REFUSED} 0x52), the answer to a {@link RelayOpenFrame} when
 * the circuit cannot be opened (by the receiver or a hop further on), and RELAY_CLOSE
 * ({@link MeshFrame#RELAY_CLOSE} 0x54), the end of an open circuit.
 * <pre>
 *   type 0x52 | 0x54   length (varint)   circuit id (varint)   reason code (varint)
 * </pre>
 * The circuit id is the one the circuit's RELAY_OPEN carried on this link; the reason is one of
 * {@link RelayReason}'s codes or an unknown one, which decodes like any other.
 *
 * <p>Writing is static; reading fills a reusable instance (not thread-safe) and never throws.
 */
public final class CircuitReasonFrame {
    private final long[] fields = new long[2];

    /** Bytes the whole frame takes. */
    public static int frameLength(long circuit, long reason) {
        return MeshFrame.frameLength(VarInt.length(circuit) + VarInt.length(reason));
    }

    /**
     * Writes a frame of {@code type} ({@link MeshFrame#RELAY_REFUSED} or {@link MeshFrame#RELAY_CLOSE})
     * at {@code b[off]}; returns its length.
     *
     * @throws IllegalArgumentException for another type
     */
    public static int write(byte[] b, int off, int type, long circuit, long reason) {
        if (type != MeshFrame.RELAY_REFUSED && type != MeshFrame.RELAY_CLOSE) {
            throw new IllegalArgumentException("not RELAY_REFUSED or RELAY_CLOSE: " + type);
        }
        int p = MeshFrame.writeHeader(b, off, type, VarInt.length(circuit) + VarInt.length(reason));
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
