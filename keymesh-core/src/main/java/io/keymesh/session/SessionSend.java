package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.HANDSHAKE_INITIATION_RATE;
import static io.keymesh.session.ProtocolConstants.MAX_STAGED_PACKETS;
import static io.keymesh.session.ProtocolConstants.REKEY_AFTER_MESSAGES;
import static io.keymesh.session.ProtocolConstants.REKEY_AFTER_TIME;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT;
import static io.keymesh.session.SessionEngine.SEND_HEADROOM;

import io.keymesh.crypto.Aead;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.TransportData;
import java.util.Arrays;

/**
 * The engine's send side (wireguard-go's {@code send.go}): sealing payloads for a peer and
 * transmitting them, staging them while there is no session, the initiations that start one, and
 * the rekey a sent packet can call for ({@code keepKeyFreshSending}). What the methods do for
 * callers is stated on {@link SessionEngine}'s public ones, which call them.
 *
 * <p>Not thread-safe: the engine's thread. Payload buffers are never retained (staging copies).
 */
final class SessionSend {
    private final Transmit transmit;
    private final SessionEvents events;
    private final HandshakeMessages handshakes;
    private final DropCounters drops;
    /** For {@link #sendStaged}: a peer's waiting packets go to its endpoint as one batch. */
    private final PacketBatch staged = new PacketBatch(16);
    private final byte[] out = new byte[HandshakeInitiation.LENGTH];
    private final byte[] keepalive = new byte[TransportData.MIN_LENGTH];
    private Aead transportAead = Aead.jdk();
    private int paddingMtu;
    private long initiationsSent;

    SessionSend(Transmit transmit, SessionEvents events, HandshakeMessages handshakes, DropCounters drops) {
        this.transmit = transmit;
        this.events = events;
        this.handshakes = handshakes;
        this.drops = drops;
    }

    /** The ChaCha20-Poly1305 implementation transport packets are sealed with. */
    void setTransportAead(Aead aead) {
        this.transportAead = aead;
    }

    /** Payloads are padded to a multiple of 16 but not past this MTU (0: no limit). */
    void setPaddingMtu(int mtu) {
        this.paddingMtu = mtu;
    }

    long initiationsSent() {
        return initiationsSent;
    }

    /** {@link SessionEngine#send}. */
    boolean send(long nowNanos, Peer peer, byte[] buf, int off, int len) {
        checkRoom(buf, off, len);
        if (peer.endpoint == null) {
            drops.count(DropReason.NO_ENDPOINT);
            events.dropped(peer, DropReason.NO_ENDPOINT, 1);
            return false;
        }
        Keypair kp = peer.current;
        if (kp == null || !kp.isUsable(nowNanos) || !peer.staged.isEmpty()) {
            stage(peer, buf, off, len);
            if (kp != null && kp.isUsable(nowNanos)) {
                sendStaged(nowNanos, peer);
            } else {
                sendInitiation(nowNanos, peer, false);
            }
            return true;
        }
        encryptAndTransmit(nowNanos, peer, kp, buf, off, len);
        keepKeyFreshSending(nowNanos, peer);
        return true;
    }

    /** {@link SessionEngine#sendTo}. */
    boolean sendTo(long nowNanos, Peer peer, Endpoint to, byte[] buf, int off, int len) {
        checkRoom(buf, off, len);
        Keypair kp = peer.current;
        if (kp == null || !kp.isUsable(nowNanos) || !peer.staged.isEmpty() || to == null) {
            return false;
        }
        int total = seal(nowNanos, peer, kp, buf, off, len);
        transmit.send(to, buf, off - SEND_HEADROOM, total);
        keepKeyFreshSending(nowNanos, peer);
        return true;
    }

    private void checkRoom(byte[] buf, int off, int len) {
        if (off < SEND_HEADROOM || buf.length - off - len < sendTailroom(len)) {
            throw new IllegalArgumentException("send needs " + SEND_HEADROOM + " bytes before and "
                    + sendTailroom(len) + " after the payload");
        }
    }

    /** {@link SessionEngine#sendTailroom}. */
    int sendTailroom(int len) {
        return TransportData.paddedLength(len, paddingMtu) - len + TransportData.TAG_LENGTH;
    }

    /** {@link SessionEngine#sendKeepalive}. */
    void sendKeepalive(long nowNanos, Peer peer) {
        if (!peer.staged.isEmpty()) {
            sendStaged(nowNanos, peer);
            return;
        }
        Keypair kp = peer.current;
        if (kp == null || !kp.isUsable(nowNanos)) {
            sendInitiation(nowNanos, peer, false);
            return;
        }
        if (peer.endpoint == null) {
            drops.count(DropReason.NO_ENDPOINT);
            return;
        }
        encryptAndTransmit(nowNanos, peer, kp, keepalive, SEND_HEADROOM, 0);
        keepKeyFreshSending(nowNanos, peer); // as wireguard-go: every sent packet, keepalives too
    }

    /** {@link SessionEngine#initiateHandshakeSooner}. */
    boolean initiateHandshakeSooner(long nowNanos, Peer peer, long minIntervalNanos) {
        if (peer.wireGuardCompatible) {
            return sendInitiation(nowNanos, peer, false);
        }
        return sendInitiation(nowNanos, peer, false, Math.max(minIntervalNanos, HANDSHAKE_INITIATION_RATE));
    }

    private void stage(Peer p, byte[] buf, int off, int len) {
        if (p.staged.size() >= MAX_STAGED_PACKETS) {
            p.staged.pollFirst();
            drops.count(DropReason.STAGED_QUEUE_FULL);
            events.dropped(p, DropReason.STAGED_QUEUE_FULL, 1);
        }
        byte[] copy = new byte[SEND_HEADROOM + len + sendTailroom(len)];
        System.arraycopy(buf, off, copy, SEND_HEADROOM, len);
        p.staged.addLast(new StagedPacket(copy, len));
        p.publishRoute(); // withdrawn: staged packets go before any sent from another thread
    }

    /**
     * Sends the packets waiting for a session with {@code p}, in order and batched per endpoint, if
     * its current keypair is usable; otherwise, with packets waiting, starts a handshake.
     */
    void sendStaged(long now, Peer p) {
        Keypair kp = p.current;
        if (kp == null || !kp.isUsable(now)) {
            if (!p.staged.isEmpty()) {
                sendInitiation(now, p, false);
            }
            return;
        }
        if (p.endpoint == null) {
            return;
        }
        staged.clear();
        StagedPacket pkt;
        while ((pkt = p.staged.pollFirst()) != null) {
            int total = seal(now, p, kp, pkt.buf(), SEND_HEADROOM, pkt.length());
            staged.add(pkt.buf(), 0, total);
            if (staged.isFull() || p.staged.isEmpty()) {
                transmit.send(p.endpoint, staged);
                staged.clear();
            }
        }
        p.publishRoute();
        keepKeyFreshSending(now, p);
    }

    private void encryptAndTransmit(long now, Peer p, Keypair kp, byte[] buf, int off, int len) {
        int total = seal(now, p, kp, buf, off, len);
        transmit.send(p.endpoint, buf, off - SEND_HEADROOM, total);
    }

    /**
     * Encrypts {@code buf[off..off+len)} in place behind its transport header and counts it as sent
     * (statistics and timers); the caller transmits the {@code SEND_HEADROOM + } returned bytes from
     * {@code off - SEND_HEADROOM}.
     */
    private int seal(long now, Peer p, Keypair kp, byte[] buf, int off, int len) {
        p.timers.absorbSendPath();
        long counter = kp.nextSendCounter();
        int padded = TransportData.paddedLength(len, paddingMtu);
        Arrays.fill(buf, off + len, off + padded, (byte) 0);
        TransportData.writeHeader(buf, off - SEND_HEADROOM, kp.remoteIndex, counter);
        int n = transportAead.seal(kp.sendKey, counter, null, 0, buf, off, padded, buf, off);
        int total = SEND_HEADROOM + n;
        p.txPackets++;
        p.txBytes += total;
        p.timers.anyAuthenticatedPacketTraversal(now);
        p.timers.anyAuthenticatedPacketSent();
        if (len > 0) {
            p.timers.dataSent(now);
            p.lastDataSentNanos = now;
        }
        return total;
    }

    /**
     * Sends an initiation to {@code p} unless one went less than {@link ProtocolConstants#REKEY_TIMEOUT}
     * ago or it has no endpoint (as {@link PeerTimers.Actions#sendInitiation}).
     *
     * @return true if an initiation was sent
     */
    boolean sendInitiation(long now, Peer p, boolean isRetry) {
        // A retry comes from the retransmit timer, which paces it: REKEY_TIMEOUT plus jitter after
        // the last initiation, or sooner after a cookie reply (never before the responder's rate).
        return sendInitiation(now, p, isRetry, isRetry ? HANDSHAKE_INITIATION_RATE : REKEY_TIMEOUT);
    }

    private boolean sendInitiation(long now, Peer p, boolean isRetry, long minInterval) {
        p.timers.absorbSendPath();
        if (!isRetry) {
            p.timers.resetHandshakeAttempts();
        }
        Handshake hs = p.handshake;
        if (hs.hasSentInitiation && now - hs.lastSentInitiationNanos < minInterval) {
            return false;
        }
        if (p.endpoint == null) {
            drops.count(DropReason.NO_ENDPOINT);
            return false;
        }
        hs.lastSentInitiationNanos = now;
        hs.hasSentInitiation = true;
        handshakes.createInitiation(now, p, out);
        initiationsSent++;
        transmit.send(p.endpoint, out, 0, HandshakeInitiation.LENGTH);
        p.timers.anyAuthenticatedPacketTraversal(now);
        p.timers.anyAuthenticatedPacketSent();
        p.timers.handshakeInitiated(now);
        return true;
    }

    private void keepKeyFreshSending(long now, Peer p) {
        Keypair kp = p.current;
        if (kp != null && kp.isInitiator
                && (Long.compareUnsigned(kp.sendCounter(), REKEY_AFTER_MESSAGES) > 0 || now - kp.createdNanos > REKEY_AFTER_TIME)) {
            sendInitiation(now, p, false);
        }
    }
}
