package io.keymesh.wire;

import java.util.Arrays;

/**
 * The ACK mesh frame (type {@link #TYPE} 0x02; RFC 9000 section 19.3 without the type-specific
 * parts our frame header already gives): which packet numbers the sender of the frame received.
 * <pre>
 *   type 0x02   length (varint)
 *   largest acknowledged (varint)
 *   ack delay (varint, in units of 2^{@value #ACK_DELAY_EXPONENT} = 8 microseconds)
 *   ack range count (varint)        number of (gap, range) pairs that follow
 *   first ack range (varint)        packets largest - first .. largest are acknowledged
 *   (gap (varint), ack range length (varint)) * ack range count
 * </pre>
 * As in RFC 9000 section 19.3.1, each gap and range is relative to the range before it: with
 * {@code smallest} the smallest packet number of the previous range, the next range's largest is
 * {@code smallest - gap - 2} and its smallest is {@code largest - length}. A value that would go
 * below zero makes the frame malformed. The body must end exactly after the last pair.
 *
 * <p>The ack delay uses QUIC's default exponent, fixed here because we exchange no transport
 * parameters: the field is microseconds divided by 8 (rounded down).
 *
 * <p>Type {@link #TYPE_ECN} 0x03 is the same body followed by three varints, the ECT(0), ECT(1)
 * and ECN-CE counts (RFC 9000 section 19.3.2): written once {@link #setEcnCounts} gave counts.
 *
 * <p>An instance holds one frame's ranges, largest first, as inclusive
 * {@code [smallest(i), largest(i)]} pairs, and is reused: {@link #decode} fills it without
 * allocating (its arrays grow only for an unusually long frame), {@link #write} encodes it. Not
 * thread-safe. Decoding never throws; bad input makes it return false.
 */
public final class AckFrame {
    /** Frame type of an ACK (RFC 9000's ACK type number; legal here: not an IP nibble). */
    public static final int TYPE = 0x02;
    /** Frame type of an ACK carrying ECN counts. */
    public static final int TYPE_ECN = 0x03;
    /** ack_delay_exponent (RFC 9000 section 18.2, its default): ack delay units are 2^3 microseconds. */
    public static final int ACK_DELAY_EXPONENT = 3;

    private long[] smallest;
    private long[] largest;
    private int count;
    private long ackDelayField;
    private boolean ecn;
    private long ect0;
    private long ect1;
    private long ecnCe;

    public AckFrame() {
        smallest = new long[16];
        largest = new long[16];
    }

    /** Removes all ranges and ECN counts; the ack delay becomes zero. */
    public void clear() {
        count = 0;
        ackDelayField = 0;
        ecn = false;
        ect0 = ect1 = ecnCe = 0;
    }

    /**
     * Appends a range {@code [smallest, largest]}. Ranges must be added largest first with at least
     * one unacknowledged packet between neighbours ({@code largest < previous smallest - 1}).
     *
     * @throws IllegalArgumentException if the range is out of order, adjacent, overlapping or not
     *     within 0..2^62-1
     */
    public void addRange(long smallest, long largest) {
        if (smallest < 0 || largest < smallest || largest > VarInt.MAX) {
            throw new IllegalArgumentException("bad ack range " + smallest + ".." + largest);
        }
        if (count > 0 && largest >= this.smallest[count - 1] - 1) {
            throw new IllegalArgumentException("ack range " + smallest + ".." + largest
                    + " not below " + this.smallest[count - 1] + " with a gap");
        }
        append(smallest, largest);
    }

    /** Sets the ack delay; it is sent in 8-microsecond units, rounded down. */
    public void setAckDelayNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("negative ack delay " + nanos);
        }
        ackDelayField = (nanos / 1000) >>> ACK_DELAY_EXPONENT;
    }

    /** The ack delay in nanoseconds (saturating at {@link Long#MAX_VALUE} for absurd peer values). */
    public long ackDelayNanos() {
        long limit = Long.MAX_VALUE / 1000 >>> ACK_DELAY_EXPONENT;
        return ackDelayField > limit ? Long.MAX_VALUE : (ackDelayField << ACK_DELAY_EXPONENT) * 1000;
    }

    /** The ack delay field as on the wire (units of 8 microseconds). */
    public long ackDelayField() {
        return ackDelayField;
    }

    /** Number of ranges (at least 1 in a decoded frame). */
    public int rangeCount() {
        return count;
    }

    /** Smallest packet number of range {@code i}; range 0 holds the largest acknowledged. */
    public long smallest(int i) {
        checkIndex(i);
        return smallest[i];
    }

    /** Largest packet number of range {@code i}. */
    public long largest(int i) {
        checkIndex(i);
        return largest[i];
    }

    /** The largest acknowledged packet number, or -1 if there are no ranges. */
    public long largestAcknowledged() {
        return count == 0 ? -1 : largest[0];
    }

    /**
     * Makes the frame an {@link #TYPE_ECN} one carrying these counts of packets received with each
     * ECN codepoint (RFC 9000 section 13.4.1).
     *
     * @throws IllegalArgumentException if a count is outside 0..2^62-1
     */
    public void setEcnCounts(long ect0Count, long ect1Count, long ceCount) {
        if (ect0Count < 0 || ect1Count < 0 || ceCount < 0 || ect0Count > VarInt.MAX || ect1Count > VarInt.MAX
                || ceCount > VarInt.MAX) {
            throw new IllegalArgumentException("bad ECN counts " + ect0Count + "/" + ect1Count + "/" + ceCount);
        }
        ecn = true;
        ect0 = ect0Count;
        ect1 = ect1Count;
        ecnCe = ceCount;
    }

    /** True if the frame carries ECN counts (decoded as, or will be written as, {@link #TYPE_ECN}). */
    public boolean hasEcnCounts() {
        return ecn;
    }

    /** ECT(0) count of an {@link #TYPE_ECN} frame, else 0. */
    public long ect0Count() {
        return ect0;
    }

    /** ECT(1) count of an {@link #TYPE_ECN} frame, else 0. */
    public long ect1Count() {
        return ect1;
    }

    /** ECN-CE count of an {@link #TYPE_ECN} frame, else 0. */
    public long ecnCeCount() {
        return ecnCe;
    }

    /** Bytes the whole frame (type, length, body) takes with all its ranges; 0 without ranges. */
    public int frameLength() {
        return count == 0 ? 0 : MeshFrame.frameLength(bodyLength(count));
    }

    /**
     * Writes the frame at {@code b[off]} in at most {@code maxLen} bytes, as an ACK of type
     * {@link #TYPE}, or {@link #TYPE_ECN} with the counts if it has them. If all ranges do not fit,
     * the oldest (smallest) are left out; the largest acknowledged is always kept.
     *
     * @return the frame's length, or 0 if there are no ranges or not even the first one fits
     */
    public int write(byte[] b, int off, int maxLen) {
        int ranges = rangesThatFit(maxLen);
        if (ranges == 0) {
            return 0;
        }
        int body = bodyLength(ranges);
        int p = MeshFrame.writeHeader(b, off, ecn ? TYPE_ECN : TYPE, body);
        p += VarInt.write(b, p, largest[0]);
        p += VarInt.write(b, p, ackDelayField);
        p += VarInt.write(b, p, ranges - 1);
        p += VarInt.write(b, p, largest[0] - smallest[0]);
        for (int i = 1; i < ranges; i++) {
            p += VarInt.write(b, p, smallest[i - 1] - largest[i] - 2);
            p += VarInt.write(b, p, largest[i] - smallest[i]);
        }
        if (ecn) {
            p += VarInt.write(b, p, ect0);
            p += VarInt.write(b, p, ect1);
            p += VarInt.write(b, p, ecnCe);
        }
        return p - off;
    }

    /**
     * The number of ranges {@link #write} puts in {@code maxLen} bytes (0 if not even the first fits).
     */
    public int rangesThatFit(int maxLen) {
        if (count == 0) {
            return 0;
        }
        int fixed = VarInt.length(largest[0]) + VarInt.length(ackDelayField)
                + VarInt.length(largest[0] - smallest[0]) + ecnLength();
        int pairs = 0; // bytes of the (gap, length) pairs of ranges 1..k-1
        int best = 0;
        for (int k = 1; k <= count; k++) {
            if (k > 1) {
                pairs += VarInt.length(smallest[k - 2] - largest[k - 1] - 2)
                        + VarInt.length(largest[k - 1] - smallest[k - 1]);
            }
            if (MeshFrame.frameLength(fixed + VarInt.length(k - 1) + pairs) > maxLen) {
                break;
            }
            best = k;
        }
        return best;
    }

    /**
     * Reads an ACK frame's body ({@code type} as read by {@link MeshFrame#forEach}) into this instance.
     *
     * @return true if it is a well-formed ACK; false (and this instance empty) if the type is not
     *     0x02/0x03, a varint is truncated, a range goes below packet number 0, or bytes are left over
     */
    public boolean decode(int type, byte[] b, int bodyOff, int bodyLen) {
        clear();
        if ((type != TYPE && type != TYPE_ECN) || b == null
                || bodyOff < 0 || bodyLen < 0 || bodyOff > b.length - bodyLen) {
            return false;
        }
        int end = bodyOff + bodyLen;
        int p = bodyOff;
        long large = VarInt.read(b, p, end);
        if (large < 0) {
            return fail();
        }
        p += VarInt.encodedLength(b[p]);
        long delay = VarInt.read(b, p, end);
        if (delay < 0) {
            return fail();
        }
        p += VarInt.encodedLength(b[p]);
        long rangeCount = VarInt.read(b, p, end);
        if (rangeCount < 0) {
            return fail();
        }
        p += VarInt.encodedLength(b[p]);
        long first = VarInt.read(b, p, end);
        if (first < 0 || first > large) {
            return fail();
        }
        p += VarInt.encodedLength(b[p]);
        long small = large - first;
        append(small, large);
        // each pair takes at least two bytes, so a count beyond that is truncated input
        if (rangeCount > (end - p) / 2) {
            return fail();
        }
        for (long i = 0; i < rangeCount; i++) {
            long gap = VarInt.read(b, p, end);
            if (gap < 0) {
                return fail();
            }
            p += VarInt.encodedLength(b[p]);
            long length = VarInt.read(b, p, end);
            if (length < 0) {
                return fail();
            }
            p += VarInt.encodedLength(b[p]);
            large = small - gap - 2;
            if (large < 0 || length > large) {
                return fail();
            }
            small = large - length;
            append(small, large);
        }
        if (type == TYPE_ECN) {
            long e0 = VarInt.read(b, p, end);
            if (e0 < 0) {
                return fail();
            }
            p += VarInt.encodedLength(b[p]);
            long e1 = VarInt.read(b, p, end);
            if (e1 < 0) {
                return fail();
            }
            p += VarInt.encodedLength(b[p]);
            long ce = VarInt.read(b, p, end);
            if (ce < 0) {
                return fail();
            }
            p += VarInt.encodedLength(b[p]);
            ecn = true;
            ect0 = e0;
            ect1 = e1;
            ecnCe = ce;
        }
        if (p != end) {
            return fail();
        }
        ackDelayField = delay;
        return true;
    }

    private boolean fail() {
        clear();
        return false;
    }

    private int bodyLength(int ranges) {
        int n = VarInt.length(largest[0]) + VarInt.length(ackDelayField) + VarInt.length(ranges - 1)
                + VarInt.length(largest[0] - smallest[0]);
        for (int i = 1; i < ranges; i++) {
            n += VarInt.length(smallest[i - 1] - largest[i] - 2) + VarInt.length(largest[i] - smallest[i]);
        }
        return n + ecnLength();
    }

    private int ecnLength() {
        return ecn ? VarInt.length(ect0) + VarInt.length(ect1) + VarInt.length(ecnCe) : 0;
    }

    private void append(long small, long large) {
        if (count == smallest.length) {
            smallest = Arrays.copyOf(smallest, count * 2);
            largest = Arrays.copyOf(largest, count * 2);
        }
        smallest[count] = small;
        largest[count] = large;
        count++;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("range " + i + " of " + count);
        }
    }
}
