package io.keymesh.wire;

/** Frame bodies made of varints that fill the body exactly. Stateless; never throws on bad input. */
final class VarIntBody {
    private VarIntBody() {}

    /** The one varint that is the whole body, or -1. */
    static long read(byte[] b, int bodyOff, int bodyLen) {
        if (bodyOff < 0 || bodyLen <= 0 || bodyOff > b.length - bodyLen) {
            return -1;
        }
        long v = VarInt.read(b, bodyOff, bodyOff + bodyLen);
        return v >= 0 && VarInt.encodedLength(b[bodyOff]) == bodyLen ? v : -1;
    }

    /**
     * Reads {@code out.length} varints that fill {@code b[bodyOff..bodyOff+bodyLen)} exactly into
     * {@code out}; returns false if the body is truncated, too long or out of the array.
     */
    static boolean readAll(byte[] b, int bodyOff, int bodyLen, long[] out) {
        if (bodyOff < 0 || bodyLen < 0 || bodyOff > b.length - bodyLen) {
            return false;
        }
        int end = bodyOff + bodyLen;
        int p = bodyOff;
        for (int i = 0; i < out.length; i++) {
            long v = VarInt.read(b, p, end);
            if (v < 0) {
                return false;
            }
            out[i] = v;
            p += VarInt.encodedLength(b[p]);
        }
        return p == end;
    }
}
