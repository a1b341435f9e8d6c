package io.keymesh.channel;

import io.keymesh.wire.AckFrame;
import io.keymesh.wire.VarInt;

/**
 * The receiving side of packet numbers: which packets arrived (so that a duplicate is never
 * processed twice, RFC 9000 section 12.3), which ranges to acknowledge, and when an ACK is due.
 *
 * <p>Received packet numbers are kept as at most {@code maxRanges} disjoint ranges. When a new
 * range would exceed that, the oldest (smallest) range is forgotten and everything up to its end
 * is from then on treated as already received: RFC 9000 section 12.3 lets a receiver keep "a
 * minimum packet number below which all packets are immediately dropped". A late packet under
 * that floor is dropped unacknowledged; its sender declares it lost and resends its frames.
 * {@link #onAckFrameAcknowledged} (section 13.2.4) forgets ranges the peer has seen acknowledged.
 *
 * <p>When to acknowledge (RFC 9000 section 13.2.1–13.2.2): after {@code ackElicitingThreshold}
 * (2) ack-eliciting packets since the last ACK, or at once when an ack-eliciting packet arrives
 * out of order (below the largest ack-eliciting packet number seen, or above it with packets
 * missing in between); otherwise within max_ack_delay (25 ms) of the first unacknowledged
 * ack-eliciting packet. Non-ack-eliciting packets are recorded but never make an ACK due.
 * The ACK delay reported is the time since the largest packet number was received (section 13.2.5).
 *
 * <p>Use: {@link #onReceived} per authenticated packet (process the packet only if it returns
 * true); when {@link #ackDeadline()} has come, or when a packet goes out anyway and
 * {@link #hasNewPackets()}, {@link #fillAckFrame} and write the frame, then {@link #onAckSent}.
 *
 * <p>Times are nanoseconds. Not thread-safe; owned by one connection.
 */
public final class ReceivedPackets {
    /** The default bound on tracked (and acknowledged) ranges. */
    public static final int DEFAULT_MAX_RANGES = 32;
    /**
     * Ack-eliciting packets after which an ACK is sent without delay (RFC 9000 section 13.2.2:
     * "SHOULD send an ACK frame after receiving at least two ack-eliciting packets").
     */
    public static final int ACK_ELICITING_THRESHOLD = 2;
    /** Our max_ack_delay (RFC 9000 section 18.2's default, 25 ms); the peer assumes the same. */
    public static final long MAX_ACK_DELAY_NANOS = RttEstimator.DEFAULT_MAX_ACK_DELAY_NANOS;
    /** {@link #ackDeadline()} when no ACK is due. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private final int maxRanges;
    private long maxAckDelay;
    private int ackElicitingThreshold;
    // ascending, disjoint, non-adjacent, inclusive
    private final long[] starts;
    private final long[] ends;
    private int size;
    private long floor;
    private long largestReceivedTime;
    private long largestAckEliciting = -1;
    private int unackedAckEliciting;
    private long ackDeadline = NO_DEADLINE;
    private long ect0;
    private long ect1;
    private long ce;
    private boolean newPackets;

    public ReceivedPackets() {
        this(DEFAULT_MAX_RANGES, MAX_ACK_DELAY_NANOS, ACK_ELICITING_THRESHOLD);
    }

    /**
     * @param maxRanges how many ranges to remember and acknowledge (at least 1)
     * @param maxAckDelayNanos how long an ack-eliciting packet may wait for its ACK
     * @param ackElicitingThreshold ack-eliciting packets that make an ACK due at once (at least 1)
     */
    public ReceivedPackets(int maxRanges, long maxAckDelayNanos, int ackElicitingThreshold) {
        if (maxRanges < 1 || maxAckDelayNanos < 0 || ackElicitingThreshold < 1) {
            throw new IllegalArgumentException("maxRanges " + maxRanges + ", maxAckDelay " + maxAckDelayNanos
                    + ", threshold " + ackElicitingThreshold);
        }
        this.maxRanges = maxRanges;
        this.maxAckDelay = maxAckDelayNanos;
        this.ackElicitingThreshold = ackElicitingThreshold;
        this.starts = new long[maxRanges + 1];
        this.ends = new long[maxRanges + 1];
    }

    /**
     * Changes when ACKs are sent from now on (ACK decimation): after {@code ackElicitingThreshold}
     * ack-eliciting packets, or {@code ackDelayNanos} after the first unacknowledged one — which must
     * stay within the max_ack_delay the peer assumes. Out-of-order packets are still acknowledged at
     * once.
     */
    public void setAckFrequency(int ackElicitingThreshold, long ackDelayNanos) {
        if (ackElicitingThreshold < 1 || ackDelayNanos < 0) {
            throw new IllegalArgumentException("threshold " + ackElicitingThreshold + ", delay " + ackDelayNanos);
        }
        this.ackElicitingThreshold = ackElicitingThreshold;
        this.maxAckDelay = ackDelayNanos;
    }

    /**
     * Records an authenticated packet.
     *
     * @return true if the packet is new and must be processed; false for a duplicate, a packet
     *     below the floor, or a packet number outside 0..2^62-1 (drop it; never process it again)
     */
    public boolean onReceived(long pn, boolean ackEliciting, long nowNanos) {
        if (pn < floor || pn > VarInt.MAX) {
            return false;
        }
        int i = indexAtOrBelow(pn); // range with start <= pn, or -1
        if (i >= 0 && pn <= ends[i]) {
            return false;
        }
        boolean outOfOrder = ackEliciting && largestAckEliciting >= 0
                && (pn < largestAckEliciting || missingBetween(largestAckEliciting, pn));
        long largestBefore = largest();
        insert(i, pn);
        newPackets = true;
        if (pn > largestBefore) {
            largestReceivedTime = nowNanos;
        }
        if (ackEliciting) {
            largestAckEliciting = Math.max(largestAckEliciting, pn);
            unackedAckEliciting++;
            if (unackedAckEliciting == 1) {
                ackDeadline = nowNanos + maxAckDelay;
            }
            if (outOfOrder || unackedAckEliciting >= ackElicitingThreshold) {
                ackDeadline = Math.min(ackDeadline, nowNanos);
            }
        }
        return true;
    }

    /**
     * The packet just recorded by {@link #onReceived} arrived with the IP header's ECN codepoint
     * {@code ecn} (0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE): counted for the ACK frames' ECN counts
     * (RFC 9000 section 13.4.1). An ack-eliciting packet marked CE is acknowledged at once
     * (RFC 9000 section 13.2.1), so the sender reacts to congestion within a round trip.
     */
    public void onEcn(int ecn, boolean ackEliciting, long nowNanos) {
        switch (ecn & 3) {
            case 1 -> ect1++;
            case 2 -> ect0++;
            case 3 -> {
                ce++;
                if (ackEliciting) {
                    ackDeadline = Math.min(ackDeadline, nowNanos);
                }
            }
            default -> { }
        }
    }

    /**
     * When an ACK must be sent: {@link #NO_DEADLINE} if no ack-eliciting packet is waiting; a time
     * not after the receipt that made it urgent if it is due at once.
     */
    public long ackDeadline() {
        return ackDeadline;
    }

    /** True if an ACK is due at {@code nowNanos}. */
    public boolean ackDue(long nowNanos) {
        return ackDeadline != NO_DEADLINE && ackDeadline <= nowNanos;
    }

    /** True if packets arrived since the last {@link #onAckSent} (an ACK would say something new). */
    public boolean hasNewPackets() {
        return newPackets;
    }

    /**
     * Fills {@code frame} with the ranges, largest first, and the ack delay since the largest packet
     * was received. Leaves it empty if nothing is tracked.
     */
    public void fillAckFrame(AckFrame frame, long nowNanos) {
        frame.clear();
        if (size == 0) {
            return;
        }
        frame.setAckDelayNanos(Math.max(0, nowNanos - largestReceivedTime));
        if (ect0 + ect1 + ce > 0) {
            frame.setEcnCounts(ect0, ect1, ce);
        }
        for (int i = size - 1; i >= 0; i--) {
            frame.addRange(starts[i], ends[i]);
        }
    }

    /** An ACK frame went out: nothing is due until the next ack-eliciting packet. */
    public void onAckSent() {
        unackedAckEliciting = 0;
        ackDeadline = NO_DEADLINE;
        newPackets = false;
    }

    /**
     * A packet carrying one of our ACK frames, whose largest acknowledged was {@code largestAcknowledged},
     * was itself acknowledged: the peer knows those ranges, so ranges wholly below that packet number
     * need not be sent again (RFC 9000 section 13.2.4). They are forgotten and the floor rises.
     */
    public void onAckFrameAcknowledged(long largestAcknowledged) {
        int drop = 0;
        while (drop < size && ends[drop] < largestAcknowledged) {
            drop++;
        }
        if (drop > 0) {
            floor = Math.max(floor, ends[drop - 1] + 1);
            removeFirst(drop);
        }
    }

    /** The largest packet number received, or -1. */
    public long largest() {
        return size == 0 ? floor - 1 : ends[size - 1];
    }

    /** Packet numbers below this are dropped as possible duplicates. */
    public long floor() {
        return floor;
    }

    /** Number of ranges tracked. */
    public int rangeCount() {
        return size;
    }

    /** Smallest packet number of range {@code i}, range 0 being the one with the largest packet numbers. */
    public long smallest(int i) {
        return starts[toAscending(i)];
    }

    /** Largest packet number of range {@code i}, range 0 being the one with the largest packet numbers. */
    public long largest(int i) {
        return ends[toAscending(i)];
    }

    private int toAscending(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("range " + i + " of " + size);
        }
        return size - 1 - i;
    }

    /** True if some packet number strictly between {@code a} and {@code b} (a < b) was not received. */
    private boolean missingBetween(long a, long b) {
        if (b == a + 1) {
            return false;
        }
        int j = indexAtOrBelow(b - 1);
        return j < 0 || ends[j] < b - 1 || starts[j] > a + 1;
    }

    /** Index of the last range whose start is at or below {@code v}, or -1. */
    private int indexAtOrBelow(long v) {
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= v) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Adds {@code pn}, known not to be in any range; {@code i} is the range starting below it or -1. */
    private void insert(int i, long pn) {
        boolean joinsBelow = i >= 0 && ends[i] == pn - 1;
        boolean joinsAbove = i + 1 < size && starts[i + 1] == pn + 1;
        if (joinsBelow && joinsAbove) {
            ends[i] = ends[i + 1];
            System.arraycopy(starts, i + 2, starts, i + 1, size - i - 2);
            System.arraycopy(ends, i + 2, ends, i + 1, size - i - 2);
            size--;
        } else if (joinsBelow) {
            ends[i] = pn;
        } else if (joinsAbove) {
            starts[i + 1] = pn;
        } else {
            int at = i + 1;
            System.arraycopy(starts, at, starts, at + 1, size - at);
            System.arraycopy(ends, at, ends, at + 1, size - at);
            starts[at] = pn;
            ends[at] = pn;
            size++;
            if (size > maxRanges) {
                floor = Math.max(floor, ends[0] + 1);
                removeFirst(1);
            }
        }
    }

    private void removeFirst(int n) {
        System.arraycopy(starts, n, starts, 0, size - n);
        System.arraycopy(ends, n, ends, 0, size - n);
        size -= n;
    }
}
