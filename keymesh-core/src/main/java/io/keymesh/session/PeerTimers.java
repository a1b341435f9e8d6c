package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.KEEPALIVE_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.MAX_TIMER_HANDSHAKES;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT_JITTER_MAX;
import static io.keymesh.session.ProtocolConstants.ZERO_KEY_MATERIAL_AFTER;

import java.util.random.RandomGenerator;

/**
 * WireGuard's five timers for one {@link Peer} — retransmit handshake, send keepalive, new
 * handshake, zero key material and persistent keepalive — as absolute deadlines in the engine's
 * nanoseconds, {@link #NEVER} when stopped. The engine reports what happens to the peer (a
 * handshake initiated or completed, a session derived, data sent or received, any authenticated
 * packet sent, received or traversing) and the timers start or stop accordingly; when the driver
 * calls the engine's {@link SessionEngine#onTimer}, {@link #runDue} has the engine do, through
 * {@link Actions}, what each due timer calls for.
 *
 * <p>Engine thread only, like the rest of its {@link Peer}. Sends through the peer's
 * {@link SendPath} on other threads never touch a deadline here: they publish reports, which
 * {@link #absorbSendPath} applies on the engine's thread — the engine calls it before it reports
 * events, and {@link #runDue} before due timers run. {@link #nextDeadline} takes nothing in: it
 * adds the deadline a reported data packet implies, so that such a send can wake the engine; a
 * deadline a send moved later is found moved when {@link #runDue} looks.
 */
final class PeerTimers {
    /** The deadline of a timer that is not running. */
    static final long NEVER = Long.MAX_VALUE;

    /** What due timers have the engine do; called on the engine's thread, only from {@link #runDue}. */
    interface Actions {
        /**
         * Sends a handshake initiation to {@code peer} if one may go now (at most one per
         * {@link ProtocolConstants#REKEY_TIMEOUT}, and only to a known endpoint); unless
         * {@code isRetry}, the count of attempts restarts first ({@link PeerTimers#resetHandshakeAttempts}).
         */
        void sendInitiation(long now, Peer peer, boolean isRetry);

        /** Sends a keepalive to {@code peer}, as {@link SessionEngine#sendKeepalive}. */
        void sendKeepalive(long now, Peer peer);

        /**
         * Drops the packets waiting for a session with {@code peer}, counted (and reported to the
         * sink) as {@link DropReason#HANDSHAKE_GAVE_UP}.
         */
        void flushStaged(Peer peer);

        /** Forgets the handshake in progress with {@code peer}, freeing its index. */
        void clearHandshake(Peer peer);

        /** Tells the sink the handshake with {@code peer} was given up. */
        void handshakeGaveUp(Peer peer);

        /** Retires every keypair of {@code peer} and forgets its handshake in progress. */
        void zeroKeyMaterial(Peer peer);

        /** Tells the sink {@code peer}'s keys were zeroed, right after {@link #zeroKeyMaterial}. */
        void keysZeroed(Peer peer);
    }

    private final Peer peer;
    private final SendPath sendPath;
    /** The engine's randomness: the jitter added to handshake timers is drawn from it. */
    private final RandomGenerator random;

    private long persistentKeepaliveNanos;

    private long retransmitHandshakeAt = NEVER;
    private long sendKeepaliveAt = NEVER;
    private long newHandshakeAt = NEVER;
    private long zeroKeyMaterialAt = NEVER;
    private long persistentKeepaliveAt = NEVER;
    /** Data arrived while the keepalive timer ran: run it once more after it fires. */
    private boolean needAnotherKeepalive;
    /** Times the retransmit timer has retried the handshake in progress. */
    private int handshakeAttempts;

    /** What of {@link #sendPath}'s reports the timers have taken in: packets, latest send time. */
    private long absorbedPathPackets;
    private long absorbedPathSentNanos = Long.MIN_VALUE;

    /** {@code random} is the engine's, shared with everything else it draws. */
    PeerTimers(Peer peer, SendPath sendPath, RandomGenerator random) {
        this.peer = peer;
        this.sendPath = sendPath;
        this.random = random;
    }

    /** The persistent keepalive interval in nanoseconds, 0 when off. */
    long persistentKeepaliveNanos() {
        return persistentKeepaliveNanos;
    }

    /** Sets the persistent keepalive interval; 0 turns it off and stops its timer. */
    void setPersistentKeepaliveNanos(long nanos) {
        this.persistentKeepaliveNanos = nanos;
        if (nanos == 0) {
            persistentKeepaliveAt = NEVER;
        }
    }

    /**
     * The earliest deadline, or {@link Long#MAX_VALUE} if no timer runs; with the new-handshake
     * timer that a data packet reported by {@link #sendPath} starts (started here when
     * {@link #absorbSendPath} takes the report in).
     */
    long nextDeadline() {
        return Math.min(Math.min(Math.min(retransmitHandshakeAt, sendKeepaliveAt), sendPath.reportedDataSentDeadline()),
                Math.min(Math.min(newHandshakeAt, zeroKeyMaterialAt), persistentKeepaliveAt));
    }

    // ---------------------------------------------------------------- events the engine reports

    /** An initiation was sent: unless answered, it is retried REKEY_TIMEOUT plus jitter from now. */
    void handshakeInitiated(long now) {
        retransmitHandshakeAt = now + REKEY_TIMEOUT + jitter();
    }

    /**
     * The initiation in progress is to go again by {@code at} (sooner than its retransmit timer):
     * the responder answered it with a cookie reply, and the retry carries mac2. Does nothing when
     * no initiation awaits an answer.
     */
    void retransmitHandshakeBy(long at) {
        if (retransmitHandshakeAt != NEVER && at < retransmitHandshakeAt) {
            retransmitHandshakeAt = at;
        }
    }

    /** A new handshake (not a retry) was asked for, sent or not: the retransmit timer counts its retries from zero. */
    void resetHandshakeAttempts() {
        handshakeAttempts = 0;
    }

    /** A handshake completed: nothing more to retransmit, and the next handshake counts its attempts from zero. */
    void handshakeComplete() {
        retransmitHandshakeAt = NEVER;
        handshakeAttempts = 0;
    }

    /** A keypair was derived: key material is zeroed {@link ProtocolConstants#ZERO_KEY_MATERIAL_AFTER} from now. */
    void sessionDerived(long now) {
        zeroKeyMaterialAt = now + ZERO_KEY_MATERIAL_AFTER;
    }

    /**
     * The engine sent a data packet (not a keepalive): unless it runs, the new-handshake timer starts,
     * to fire {@link ProtocolConstants#KEEPALIVE_TIMEOUT} + {@link ProtocolConstants#REKEY_TIMEOUT}
     * plus jitter from now if nothing authenticated is received meanwhile.
     */
    void dataSent(long now) {
        if (newHandshakeAt == NEVER) {
            newHandshakeAt = now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter();
            sendPath.setNewHandshakeTimerRunning(true);
        }
    }

    /**
     * A data packet was received: a keepalive goes out {@link ProtocolConstants#KEEPALIVE_TIMEOUT}
     * from now unless a packet is sent first; if that timer already runs, it runs once more after it fires.
     */
    void dataReceived(long now) {
        if (sendKeepaliveAt == NEVER) {
            sendKeepaliveAt = now + KEEPALIVE_TIMEOUT;
        } else {
            needAnotherKeepalive = true;
        }
    }

    /** Any authenticated packet was sent (keepalives and handshake messages too): the keepalive timer stops. */
    void anyAuthenticatedPacketSent() {
        sendKeepaliveAt = NEVER;
    }

    /** Any authenticated packet was received: the new-handshake timer stops. */
    void anyAuthenticatedPacketReceived() {
        stopNewHandshakeTimer();
    }

    /**
     * Restarts the persistent-keepalive timer. WireGuard restarts it on packets received as well as
     * sent; keymesh only on packets sent (this one is called on every send), because a NAT may
     * refresh its binding on outbound traffic only (RFC 4787 section 4.3, REQ-6 makes inbound
     * refresh optional): counting from the last packet received would let such a binding lapse
     * while the peer is talking to us. The wire behaviour is WireGuard's; only the timer's start differs.
     */
    void anyAuthenticatedPacketTraversal(long now) {
        if (persistentKeepaliveNanos > 0) {
            persistentKeepaliveAt = now + persistentKeepaliveNanos;
        }
    }

    /**
     * Takes in what sends through the peer's {@link SendPath} reported since last time, as if the
     * engine had sent those packets itself just before now: any authenticated packet sent (stops the
     * keepalive timer), traversal (restarts the persistent keepalive from the latest send) and data
     * sent (starts the new-handshake timer from the first data packet, unless running). The engine
     * calls it before it reports events; {@link #runDue} calls it before due timers run.
     */
    void absorbSendPath() {
        SendPath sp = sendPath;
        long packets = sp.packets();
        if (packets != absorbedPathPackets) {
            absorbedPathPackets = packets;
            anyAuthenticatedPacketSent();
        }
        long last = sp.lastSentNanos();
        if (last != absorbedPathSentNanos) {
            absorbedPathSentNanos = last;
            if (persistentKeepaliveNanos > 0) {
                long at = last + persistentKeepaliveNanos;
                if (persistentKeepaliveAt == NEVER || persistentKeepaliveAt < at) {
                    persistentKeepaliveAt = at;
                }
            }
        }
        long dataSentAt = sp.dataSentAt();
        if (dataSentAt != SendPath.DATA_SENT_NONE && dataSentAt != SendPath.DATA_SENT_ARMED) {
            if (newHandshakeAt == NEVER) {
                newHandshakeAt = dataSentAt + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter();
            }
            sp.setNewHandshakeTimerRunning(true);
        }
    }

    // ---------------------------------------------------------------- expiry

    /**
     * Runs every timer due at {@code now}, in this order: retransmit handshake (or, once it has
     * retried more than {@link ProtocolConstants#MAX_TIMER_HANDSHAKES} times, give up: waiting
     * packets dropped, handshake forgotten, key zeroing scheduled unless it already is), send
     * keepalive, new handshake, zero key material, persistent keepalive. Each timer that fires is
     * stopped before its action, and an action may start or stop the timers checked after it. The
     * path's reports are taken in first, as sends on other threads may have moved a deadline
     * later. Engine thread.
     */
    void runDue(long now, Actions actions) {
        if (nextDeadline() <= now) {
            absorbSendPath(); // sends on other threads may have moved a deadline later
            if (nextDeadline() <= now) {
                expire(now, actions);
            }
        }
    }

    private void expire(long now, Actions actions) {
        if (retransmitHandshakeAt <= now) {
            retransmitHandshakeAt = NEVER;
            if (handshakeAttempts > MAX_TIMER_HANDSHAKES) {
                actions.flushStaged(peer);
                actions.clearHandshake(peer);
                if (zeroKeyMaterialAt == NEVER) {
                    zeroKeyMaterialAt = now + ZERO_KEY_MATERIAL_AFTER;
                }
                actions.handshakeGaveUp(peer);
            } else {
                handshakeAttempts++;
                actions.sendInitiation(now, peer, true);
            }
        }
        if (sendKeepaliveAt <= now) {
            sendKeepaliveAt = NEVER;
            actions.sendKeepalive(now, peer);
            if (needAnotherKeepalive) {
                needAnotherKeepalive = false;
                sendKeepaliveAt = now + KEEPALIVE_TIMEOUT;
            }
        }
        if (newHandshakeAt <= now) {
            stopNewHandshakeTimer();
            actions.sendInitiation(now, peer, false);
        }
        if (zeroKeyMaterialAt <= now) {
            zeroKeyMaterialAt = NEVER;
            actions.zeroKeyMaterial(peer);
            actions.keysZeroed(peer);
        }
        if (persistentKeepaliveAt <= now) {
            persistentKeepaliveAt = NEVER;
            if (persistentKeepaliveNanos > 0) {
                actions.sendKeepalive(now, peer);
            }
        }
    }

    /**
     * The owner gives up the handshake in progress now (the peer cannot be reached): as when
     * retries run out — staged packets dropped, the handshake cleared — but without the event,
     * which the owner reports itself, and without scheduling key zeroing for a session that never was.
     */
    void giveUp(Actions actions) {
        retransmitHandshakeAt = NEVER;
        handshakeAttempts = 0;
        actions.flushStaged(peer);
        actions.clearHandshake(peer);
    }

    private void stopNewHandshakeTimer() {
        newHandshakeAt = NEVER;
        sendPath.setNewHandshakeTimerRunning(false);
    }

    private long jitter() {
        return random.nextLong(REKEY_TIMEOUT_JITTER_MAX + 1);
    }
}
