package io.keymesh.channel;

import io.keymesh.wire.AckFrame;

/**
 * ECN on one path as the sender sees it (RFC 9000 section 13.4.2, RFC 9002 section 7.1): whether
 * its packets are marked ECT(0), whether the counts the peer reports in its ACK frames prove that
 * the marks arrive, and the new Congestion Experienced marks that are a congestion event.
 *
 * <ul>
 *   <li>{@link State#TESTING}: packets are marked. The first ACK frame that acknowledges marked
 *       packets with counts that account for them makes the path {@link State#CAPABLE}.
 *   <li>{@link State#CAPABLE}: packets are marked; a rise in the CE count is a congestion event.
 *   <li>{@link State#FAILED}: packets are not marked, counts are ignored. A path fails when an ACK
 *       frame acknowledges marked packets without ECN counts (the peer cannot read the bits), when
 *       the ECT(0) and CE counts rise by less than the marked packets it newly acknowledges (a
 *       router cleared or changed the bits), or, while testing, when {@link #TESTING_LOSS_LIMIT}
 *       marked packets are lost before one is acknowledged (marked packets may be dropped).
 *       {@link State#DISABLED} is a path where ECN is not tried (a relayed one).
 * </ul>
 *
 * <p>Counts that fall (an ACK frame reordered behind a newer one) are ignored. Not thread-safe;
 * belongs to one path.
 */
public final class EcnValidation {
    /** Where validation stands. */
    public enum State { TESTING, CAPABLE, FAILED, DISABLED }

    /** Marked packets lost, with none acknowledged yet, that fail a path being tested. */
    public static final int TESTING_LOSS_LIMIT = 10;

    private State state;
    private String failure;
    private long peerEct0;
    private long peerEct1;
    private long peerCe;
    private long markedAcked;
    private long markedLost;
    private int newlyAckedMarked;
    private long newestAckedSentNanos = -1;
    private long ceMarks;

    /** A path on which ECN is tried ({@code enabled}) or not. */
    public EcnValidation(boolean enabled) {
        state = enabled ? State.TESTING : State.DISABLED;
    }

    public State state() {
        return state;
    }

    /** Why validation failed, or null. */
    public String failure() {
        return failure;
    }

    /** True while packets sent on the path are to be marked ECT(0). */
    public boolean marking() {
        return state == State.TESTING || state == State.CAPABLE;
    }

    /** CE marks reported by the peer on a validated path, in all. */
    public long ceMarks() {
        return ceMarks;
    }

    /** A packet that was marked ({@code marked}) and sent at {@code sentNanos} was acknowledged by the ACK frame being processed. */
    public void onAcked(boolean marked, long sentNanos) {
        if (marked) {
            newlyAckedMarked++;
            markedAcked++;
            newestAckedSentNanos = Math.max(newestAckedSentNanos, sentNanos);
        }
    }

    /** A packet (not a path-MTU probe) was declared lost. */
    public void onLost(boolean marked) {
        if (marked) {
            markedLost++;
            if (state == State.TESTING && markedAcked == 0 && markedLost >= TESTING_LOSS_LIMIT) {
                fail(markedLost + " marked packets lost and none acknowledged");
            }
        }
    }

    /**
     * The packets {@code ack} acknowledges have been reported through {@link #onAcked}: validates
     * its counts against them.
     *
     * @return the time the newest of them was sent if the CE count rose on a validated path (a
     *     congestion event, RFC 9002 section 7.1), else -1
     */
    public long onAckFrame(AckFrame ack) {
        int marked = newlyAckedMarked;
        long sent = newestAckedSentNanos;
        newlyAckedMarked = 0;
        newestAckedSentNanos = -1;
        if (state == State.FAILED || state == State.DISABLED) {
            return -1;
        }
        if (!ack.hasEcnCounts()) {
            if (marked > 0) {
                fail("marked packets acknowledged without ECN counts");
            }
            return -1;
        }
        long ect0 = ack.ect0Count();
        long ect1 = ack.ect1Count();
        long ce = ack.ecnCeCount();
        if (ect0 < peerEct0 || ect1 < peerEct1 || ce < peerCe) {
            return -1; // an older ACK frame than one already processed
        }
        long riseEct0 = ect0 - peerEct0;
        long riseCe = ce - peerCe;
        peerEct0 = ect0;
        peerEct1 = ect1;
        peerCe = ce;
        if (riseEct0 + riseCe < marked) {
            fail(marked + " marked packets acknowledged but the ECT(0) and CE counts rose by " + (riseEct0 + riseCe));
            return -1;
        }
        if (marked > 0 && state == State.TESTING) {
            state = State.CAPABLE;
        }
        if (riseCe > 0 && state == State.CAPABLE) {
            ceMarks += riseCe;
            return sent;
        }
        return -1;
    }

    private void fail(String why) {
        state = State.FAILED;
        failure = why;
    }
}
