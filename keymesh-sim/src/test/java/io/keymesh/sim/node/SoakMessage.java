package io.keymesh.sim.node;

import java.nio.ByteBuffer;

/**
 * A soak message: the flow's number, the generation (which channel handle of the flow sent it), the
 * sequence number within the generation, the virtual time it was accepted, then a body derived from
 * the first three, so that a receiver can tell a corrupted, misattributed or repeated message.
 *
 * @param flow the flow's number ({@link SoakFlow#id})
 * @param generation the flow's channel handle: a new one after every loss or restart
 * @param seq 0, 1, 2 ... within the generation
 * @param sentAtNanos virtual time the channel accepted it
 */
record SoakMessage(int flow, int generation, int seq, long sentAtNanos) {
    /** Bytes before the body. */
    static final int HEADER = 20;

    /** The message's bytes: the header, then {@code length - HEADER} bytes of body (at least the header). */
    byte[] encode(int length) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(HEADER, length));
        b.putInt(flow).putInt(generation).putInt(seq).putLong(sentAtNanos);
        for (int i = HEADER; i < b.capacity(); i++) {
            b.put(bodyByte(i));
        }
        return b.array();
    }

    /** The message in {@code data}, or null if it is not exactly what {@link #encode} makes for its own header. */
    static SoakMessage decode(byte[] data) {
        if (data.length < HEADER) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        SoakMessage m = new SoakMessage(b.getInt(), b.getInt(), b.getInt(), b.getLong());
        for (int i = HEADER; i < data.length; i++) {
            if (data[i] != m.bodyByte(i)) {
                return null;
            }
        }
        return m;
    }

    private byte bodyByte(int i) {
        return (byte) (flow * 31 + generation * 17 + seq * 7 + i);
    }
}
