package io.keymesh.channel;

/**
 * What the sender remembers of one packet it sent (RFC 9002 appendix A.1.1): packet number, time
 * sent, size, whether it elicits an ACK and counts toward bytes in flight, and an opaque token the
 * caller gave for its frames (what to resend if it is lost, what is delivered if it is acked).
 *
 * <p>Instances belong to {@link LossDetector}, which fills and reuses them so that tracking a
 * packet allocates nothing. One handed to a {@link LossDetector.Listener} is valid only during
 * that call: copy what you need (the token reference, typically). Not thread-safe.
 */
public final class SentPacket {
    static final byte OUTSTANDING = 0;
    static final byte ACKED = 1;
    static final byte LOST = 2;

    long packetNumber;
    long timeSent;
    int bytes;
    boolean ackEliciting;
    boolean inFlight;
    Object frames;
    byte state;

    SentPacket() {}

    void set(long pn, long time, int size, boolean eliciting, boolean counted, Object token) {
        packetNumber = pn;
        timeSent = time;
        bytes = size;
        ackEliciting = eliciting;
        inFlight = counted;
        frames = token;
        state = OUTSTANDING;
    }

    /** The packet number. */
    public long packetNumber() {
        return packetNumber;
    }

    /** When it was sent, in nanoseconds. */
    public long timeSent() {
        return timeSent;
    }

    /** Its size in bytes, as given to {@link LossDetector#onPacketSent}. */
    public int bytes() {
        return bytes;
    }

    /** True if it contains frames other than ACK, padding (RFC 9002 section 2). */
    public boolean ackEliciting() {
        return ackEliciting;
    }

    /** True if it counts toward bytes in flight and congestion control. */
    public boolean inFlight() {
        return inFlight;
    }

    /** The caller's token for the frames it carried. */
    public Object frames() {
        return frames;
    }

    @Override
    public String toString() {
        return "SentPacket[" + packetNumber + " @" + timeSent + " " + bytes + "B"
                + (ackEliciting ? " eliciting" : "") + (inFlight ? " in-flight" : "") + "]";
    }
}
