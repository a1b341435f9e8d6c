package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.KEEPALIVE_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.REJECT_AFTER_MESSAGES;
import static io.keymesh.session.ProtocolConstants.REJECT_AFTER_TIME;
import static io.keymesh.session.ProtocolConstants.REKEY_AFTER_MESSAGES;
import static io.keymesh.session.ProtocolConstants.REKEY_AFTER_TIME;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT;

import io.keymesh.crypto.Aead;
import io.keymesh.wire.TransportData;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The part of a {@link Peer}'s send path that any thread may use, as wireguard-go sends from the
 * goroutine that has the packet: while the peer's current keypair is good for sending and the
 * engine has nothing to do with the packet, {@link #send} takes a nonce atomically, encrypts on the
 * calling thread and hands the packet to a {@link Transmit}; otherwise it declines and the
 * caller passes the packet to {@link SessionEngine#send} on the engine's thread.
 *
 * <p><b>What the engine publishes.</b> The engine's thread publishes a {@linkplain #route route} —
 * the current keypair and the endpoint — whenever either changes, and withdraws it (null) while
 * packets wait in the staged queue (they go first), without a keypair or endpoint, and when the
 * peer is removed. {@link #send} declines unless the keypair is younger than
 * {@link ProtocolConstants#REJECT_AFTER_TIME} and, when we were the initiator, no older than
 * {@link ProtocolConstants#REKEY_AFTER_TIME}, and the counter it takes is below
 * {@link ProtocolConstants#REKEY_AFTER_MESSAGES} (initiator) or
 * {@link ProtocolConstants#REJECT_AFTER_MESSAGES}: past those limits the engine must start a
 * handshake, so those packets take the engine's path. A counter taken and then not used is a gap
 * the peer's replay window accepts.
 *
 * <p><b>Keypair lifetime.</b> The engine retires a keypair on its own thread: it marks it retired
 * and only then zeroes its keys ({@link Keypair#wipe}). {@link #send} checks the mark before it
 * reads the keys and again after sealing, with an acquire fence between the key reads and the
 * second check (the seqlock read pattern): a packet sealed with keys that may have been zeroed
 * meanwhile is never transmitted — {@link #send} declines instead and the engine sends the packet
 * with a live keypair. So a published keypair is never used once retirement has begun, and no
 * reference counting is needed. An {@link Aead} may keep a copy of a key it has seen (the JDK one
 * keeps key objects for the last two keys), as the engine's own does.
 *
 * <p><b>What the engine learns.</b> WireGuard's timers take inputs from every packet sent: "any
 * authenticated packet sent" stops the keepalive timer, "any authenticated packet traversal"
 * restarts the persistent keepalive, and "data sent" starts the new-handshake timer if it is not
 * running. {@link #send} publishes those facts — a packet count, the time of the latest packet, the
 * time of the first data packet since the timer last stopped — and the engine applies them
 * ({@link PeerTimers#absorbSendPath}) before anything it does with the peer's timers,
 * and before the timers fire: a deadline a fast send moved later is found moved when it fires. The
 * result is the same timers, with each send counted at the moment it published. Only the "data
 * sent" timer can need the engine earlier than its next deadline; then {@link #send} returns
 * {@link Result#SENT_WAKE_ENGINE} and the caller makes the engine's thread look at its deadline
 * soon ({@link SessionEngine#nextDeadline} includes it).
 *
 * <p>Thread-safety: {@link #send} and the counters from any thread, concurrently; everything
 * else is the engine's thread's.
 */
public final class SendPath {
    /** What {@link #send} did. */
    public enum Result {
        /** Encrypted and transmitted. */
        SENT,
        /**
         * Encrypted and transmitted, and the engine has a timer to start before its last reported
         * deadline: run anything on its thread that asks {@link SessionEngine#nextDeadline} again.
         */
        SENT_WAKE_ENGINE,
        /** Nothing sent: pass the packet to {@link SessionEngine#send} on the engine's thread. */
        DECLINED
    }

    /** A keypair and an endpoint published together; immutable. */
    record Route(Keypair keypair, Endpoint endpoint) {}

    /** {@link #dataSentAt}: no data packet sent since the new-handshake timer stopped. */
    static final long DATA_SENT_NONE = Long.MIN_VALUE;
    /** {@link #dataSentAt}: the engine runs the new-handshake timer; sends need not report. */
    static final long DATA_SENT_ARMED = Long.MIN_VALUE + 1;

    private final AtomicLong engineDeadline;
    private volatile Route route;
    private volatile int paddingMtu;
    private final AtomicLong packets = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong lastSentNanos = new AtomicLong(Long.MIN_VALUE);
    /**
     * When a data packet (not a keepalive) last went, to the millisecond: written when the time moved
     * that far, so racing senders may leave a time up to a millisecond older.
     */
    private volatile long lastDataSentNanos = Long.MIN_VALUE;
    /** {@link #DATA_SENT_NONE}, {@link #DATA_SENT_ARMED}, or the time of the first data packet to report. */
    private final AtomicLong dataSentAt = new AtomicLong(DATA_SENT_NONE);

    /** {@code engineDeadline}: the engine's last reported {@link SessionEngine#nextDeadline}, shared by its peers. */
    SendPath(AtomicLong engineDeadline) {
        this.engineDeadline = engineDeadline;
    }

    /**
     * Encrypts {@code buf[off..off+len)} in place with the current keypair and transmits it through
     * {@code out} (on this thread), if that needs nothing from the engine (see the class comment). The buffer has the
     * engine's {@linkplain SessionEngine#SEND_HEADROOM headroom} before the payload and
     * {@linkplain SessionEngine#sendTailroom tailroom} after it; both are overwritten. On
     * {@link Result#DECLINED} the buffer's contents are unspecified (the payload may already be
     * encrypted): the caller sends again from its own copy of the payload.
     *
     * @param nowNanos the engine's clock, read on this thread
     * @param aead this thread's AEAD instance, of the engine's transport kind
     */
    public Result send(long nowNanos, byte[] buf, int off, int len, Aead aead, Transmit out) {
        Route r = route;
        if (r == null) {
            return Result.DECLINED;
        }
        Keypair kp = r.keypair;
        long age = nowNanos - kp.createdNanos;
        if (age >= REJECT_AFTER_TIME || (kp.isInitiator && age > REKEY_AFTER_TIME) || kp.isRetired()) {
            return Result.DECLINED;
        }
        int padded = TransportData.paddedLength(len, paddingMtu);
        if (off < SessionEngine.SEND_HEADROOM || buf.length - off < padded + TransportData.TAG_LENGTH) {
            throw new IllegalArgumentException("send needs " + SessionEngine.SEND_HEADROOM + " bytes before and "
                    + (padded - len + TransportData.TAG_LENGTH) + " after the payload");
        }
        long counter = kp.nextSendCounter();
        if (Long.compareUnsigned(counter, kp.isInitiator ? REKEY_AFTER_MESSAGES : REJECT_AFTER_MESSAGES) >= 0) {
            return Result.DECLINED; // the engine rekeys or refuses; this counter stays unused
        }
        Arrays.fill(buf, off + len, off + padded, (byte) 0);
        int n = aead.seal(kp.sendKey, counter, null, 0, buf, off, padded, buf, off);
        VarHandle.acquireFence(); // the key reads above before the check below
        if (kp.isRetired()) {
            // Sealed while the engine was zeroing the keys, so possibly with zeros: never sent.
            return Result.DECLINED;
        }
        TransportData.writeHeader(buf, off - SessionEngine.SEND_HEADROOM, kp.remoteIndex, counter);
        int total = SessionEngine.SEND_HEADROOM + n;
        out.send(r.endpoint, buf, off - SessionEngine.SEND_HEADROOM, total);
        publishSent(nowNanos, len > 0, total);
        return len > 0 && dataSentReported(nowNanos) ? Result.SENT_WAKE_ENGINE : Result.SENT;
    }

    private void publishSent(long nowNanos, boolean data, int total) {
        long lastData = lastDataSentNanos;
        if (data && (lastData == Long.MIN_VALUE || nowNanos - lastData >= 1_000_000)) {
            lastDataSentNanos = nowNanos; // at most one write a millisecond: readers need no finer time
        }
        long last = lastSentNanos.get();
        while (last < nowNanos && !lastSentNanos.compareAndSet(last, nowNanos)) {
            last = lastSentNanos.get();
        }
        bytes.addAndGet(total);
        packets.incrementAndGet(); // after the time: an engine that sees the count sees the time
    }

    /**
     * Reports "data sent" if the engine is not running the new-handshake timer; true if the engine's
     * last reported deadline is later than the timer's earliest expiry, so it must be woken to see it.
     */
    private boolean dataSentReported(long nowNanos) {
        if (dataSentAt.get() != DATA_SENT_NONE || !dataSentAt.compareAndSet(DATA_SENT_NONE, nowNanos)) {
            return false;
        }
        // With the report above: either the engine's next nextDeadline() sees it, or the deadline
        // read here is the one it wrote after looking (it writes, then looks again).
        return nowNanos + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT < engineDeadline.get();
    }

    // ---------------------------------------------------------------- engine's thread

    /** Publishes (or withdraws, with a null keypair or endpoint) what {@link #send} may use. */
    void publish(Keypair keypair, Endpoint endpoint) {
        Route r = route;
        if (keypair == null || endpoint == null) {
            if (r != null) {
                route = null;
            }
        } else if (r == null || r.keypair != keypair || !r.endpoint.equals(endpoint)) {
            route = new Route(keypair, endpoint);
        }
    }

    void setPaddingMtu(int mtu) {
        this.paddingMtu = mtu;
    }

    /** The keypair {@link #send} may use now, or null. */
    Keypair publishedKeypair() {
        Route r = route;
        return r == null ? null : r.keypair;
    }

    long lastSentNanos() {
        return lastSentNanos.get();
    }

    /** When a data packet last went this way, or {@link Long#MIN_VALUE}. */
    long lastDataSentNanos() {
        return lastDataSentNanos;
    }

    /** The reported time of the first data packet the new-handshake timer has not yet counted, or a sentinel. */
    long dataSentAt() {
        return dataSentAt.get();
    }

    /** The engine now runs the new-handshake timer ({@code true}) or has stopped it ({@code false}). */
    void setNewHandshakeTimerRunning(boolean running) {
        dataSentAt.set(running ? DATA_SENT_ARMED : DATA_SENT_NONE);
    }

    /** The earliest new-handshake deadline a reported data packet implies, or {@link PeerTimers#NEVER}. */
    long reportedDataSentDeadline() {
        long t = dataSentAt.get();
        return t == DATA_SENT_NONE || t == DATA_SENT_ARMED ? PeerTimers.NEVER : t + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT;
    }

    // ---------------------------------------------------------------- any thread

    /** Packets sent through {@link #send}. */
    public long packets() {
        return packets.get();
    }

    /** Bytes (whole UDP payloads) sent through {@link #send}. */
    public long bytes() {
        return bytes.get();
    }
}
