package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.HANDSHAKE_INITIATION_RATE;
import static io.keymesh.session.ProtocolConstants.KEEPALIVE_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.REJECT_AFTER_MESSAGES;
import static io.keymesh.session.ProtocolConstants.REJECT_AFTER_TIME;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT;

import io.keymesh.crypto.Aead;
import io.keymesh.wire.CookieReply;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.HandshakeResponse;
import io.keymesh.wire.InnerPayload;
import io.keymesh.wire.MessageType;
import io.keymesh.wire.TransportData;

/**
 * The engine's receive side (wireguard-go's {@code receive.go}): one received datagram by message
 * type — handshake messages admitted ({@link HandshakeAdmission}) and consumed
 * ({@link HandshakeMessages}), the response or the waiting packets that follow, cookie replies,
 * transport packets opened in place, checked against the replay window and delivered — and the
 * rekey a received packet can call for ({@code keepKeyFreshReceiving}). What it sends goes through
 * {@link SessionSend} or, for handshake responses and cookie replies, straight to the
 * {@link Transmit} port.
 *
 * <p>Every bad packet is dropped and counted; nothing is thrown. Every authenticated packet is
 * reported ({@link SessionEvents#authenticated}) before anything is sent in answer, and
 * {@link SessionEvents#deliver} is the last thing done with a packet. Not thread-safe: the
 * engine's thread.
 *
 * <p>A batch of datagrams ({@link InboundBatch}) is taken in stages: {@link #prepare} looks up the
 * keypairs of its transport packets, other threads open them, and {@link #receive(long,
 * InboundBatch, int)} takes each datagram in order, as {@link #receive(long, byte[], int, int,
 * Endpoint)} would, with the packet already opened.
 */
final class SessionReceive {
    private final Transmit transmit;
    private final SessionEvents events;
    private final HandshakeAdmission admission;
    private final IndexTable indices;
    private final KeyRotation keys;
    private final HandshakeMessages handshakes;
    private final SessionSend send;
    private final DropCounters drops;
    /** Handshake responses and cookie replies are written here. */
    private final byte[] out = new byte[Math.max(HandshakeResponse.LENGTH, CookieReply.LENGTH)];
    private Aead transportAead = Aead.jdk();
    private long responsesSent;
    private long cookieRepliesSent;

    SessionReceive(Transmit transmit, SessionEvents events, HandshakeAdmission admission, IndexTable indices,
            KeyRotation keys, HandshakeMessages handshakes, SessionSend send, DropCounters drops) {
        this.transmit = transmit;
        this.events = events;
        this.admission = admission;
        this.indices = indices;
        this.keys = keys;
        this.handshakes = handshakes;
        this.send = send;
        this.drops = drops;
    }

    /** The ChaCha20-Poly1305 implementation transport packets are opened with. */
    void setTransportAead(Aead aead) {
        this.transportAead = aead;
    }

    long responsesSent() {
        return responsesSent;
    }

    long cookieRepliesSent() {
        return cookieRepliesSent;
    }

    /** {@link SessionEngine#receive}. */
    void receive(long nowNanos, byte[] buf, int off, int len, Endpoint from) {
        switch (MessageType.of(buf, off, len)) {
            case MessageType.TRANSPORT_DATA -> receiveTransport(nowNanos, buf, off, len, from);
            case MessageType.HANDSHAKE_INITIATION -> {
                int mac1 = admitHandshake(nowNanos, MessageType.HANDSHAKE_INITIATION, buf, off, HandshakeInitiation.MAC1,
                        HandshakeInitiation.sender(buf, off), from);
                if (mac1 != CookieChecker.MAC1_INVALID) {
                    HandshakeMessages.Initiation in = handshakes.consumeInitiation(nowNanos, buf, off, mac1, from);
                    if (in != null) {
                        respond(nowNanos, in, from);
                    }
                }
            }
            case MessageType.HANDSHAKE_RESPONSE -> {
                int mac1 = admitHandshake(nowNanos, MessageType.HANDSHAKE_RESPONSE, buf, off, HandshakeResponse.MAC1,
                        HandshakeResponse.sender(buf, off), from);
                if (mac1 != CookieChecker.MAC1_INVALID) {
                    Peer p = handshakes.consumeResponse(nowNanos, buf, off, mac1, from);
                    if (p != null) {
                        responseConsumed(nowNanos, p, from);
                    }
                }
            }
            case MessageType.COOKIE_REPLY -> consumeCookieReply(nowNanos, buf, off);
            default -> drops.count(DropReason.MALFORMED);
        }
    }

    /**
     * Asks {@link HandshakeAdmission}; counts a refusal (and reports a bad mac1,
     * {@link SessionEvents#handshakeRefused}) and sends a cookie reply when one is due.
     *
     * @return which mac1 key verified ({@link CookieChecker#MAC1_STANDARD} or
     *     {@link CookieChecker#MAC1_MEMBER}), or {@link CookieChecker#MAC1_INVALID} if refused
     */
    private int admitHandshake(long now, int messageType, byte[] buf, int off, int mac1Offset, int senderIndex, Endpoint from) {
        int verdict = admission.admit(now, buf, off, mac1Offset, senderIndex, from, out);
        switch (verdict) {
            case HandshakeAdmission.REFUSED_BAD_MAC1 -> {
                drops.count(DropReason.BAD_MAC1);
                events.handshakeRefused(DropReason.BAD_MAC1, messageType, from, null);
            }
            case HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN -> {
                cookieRepliesSent++;
                transmit.send(from, out, 0, CookieReply.LENGTH);
                drops.count(DropReason.COOKIE_REQUIRED);
            }
            case HandshakeAdmission.REFUSED_RATE_LIMITED -> drops.count(DropReason.RATE_LIMITED);
            case HandshakeAdmission.REFUSED_COOKIE_REPLY_LIMITED -> drops.count(DropReason.COOKIE_REPLY_LIMITED);
            default -> {
                return verdict;
            }
        }
        return CookieChecker.MAC1_INVALID;
    }

    /** Answers a consumed initiation: the peer's endpoint policy and timers first, then the response. */
    private void respond(long now, HandshakeMessages.Initiation in, Endpoint from) {
        Peer p = in.peer();
        p.timers.absorbSendPath();
        authenticatedFrom(p, from);
        p.timers.anyAuthenticatedPacketTraversal(now);
        p.timers.anyAuthenticatedPacketReceived();
        handshakes.createResponse(now, in, out);
        p.timers.sessionDerived(now);
        responsesSent++;
        // Back where the initiation came from, the one path known to work from the peer's side (for
        // a peer that roams as in WireGuard that is its endpoint now anyway); the owner's choice
        // of endpoint only when the datagram came with no source.
        Endpoint to = from != null ? from : p.endpoint;
        if (to == null) {
            drops.count(DropReason.NO_ENDPOINT);
            return;
        }
        transmit.send(to, out, 0, HandshakeResponse.LENGTH);
        p.timers.anyAuthenticatedPacketSent();
    }

    /** Our initiation was answered and its keypair is current: the session is up. */
    private void responseConsumed(long now, Peer p, Endpoint from) {
        p.timers.absorbSendPath();
        authenticatedFrom(p, from);
        p.publishRoute();
        p.timers.anyAuthenticatedPacketReceived();
        p.timers.sessionDerived(now);
        handshakeComplete(now, p);
        if (p.staged.isEmpty()) {
            send.sendKeepalive(now, p);
        } else {
            send.sendStaged(now, p);
        }
    }

    private void consumeCookieReply(long now, byte[] buf, int off) {
        Object entry = indices.get(CookieReply.receiver(buf, off));
        Peer p = entry instanceof Peer peer ? peer : entry instanceof Keypair kp ? kp.peer : null;
        if (p == null || !p.cookieGenerator.consumeReply(buf, off, now)) {
            drops.count(DropReason.UNEXPECTED_MESSAGE);
            return;
        }
        p.cookieRepliesReceived++;
        if (entry == p && !p.wireGuardCompatible) {
            // The reply answers our initiation in progress (its index names the handshake, not a
            // keypair). WireGuard sends the initiation again only at its retransmit timer, 5 s on,
            // now with mac2; a keymesh peer does so at once, as soon as the responder takes another
            // initiation from it, so that a node under load (a handshake flood) costs its peers one
            // round trip, not 5 s. Cookie replies only move the retry earlier: at most one per reply
            // the responder chose to send, and the retries still count towards giving up.
            p.timers.retransmitHandshakeBy(Math.max(now, p.handshake.lastSentInitiationNanos + HANDSHAKE_INITIATION_RATE));
        }
    }

    private void receiveTransport(long now, byte[] buf, int off, int len, Endpoint from) {
        Keypair kp = transportKeypair(now, buf, off, from);
        if (kp == null) {
            return;
        }
        long counter = TransportData.counter(buf, off);
        int ctOff = off + TransportData.HEADER_LENGTH;
        int n = transportAead.open(kp.receiveKey, counter, null, 0, buf, ctOff, len - TransportData.HEADER_LENGTH, buf, ctOff);
        transportOpened(now, kp, counter, n, buf, off, len, from);
    }

    /** {@link SessionEngine#prepare}: lists the transport packets to open, with their keypairs. */
    void prepare(long now, InboundBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            byte[] buf = batch.buf(i);
            int off = batch.off(i);
            if (MessageType.of(buf, off, batch.len(i)) != MessageType.TRANSPORT_DATA) {
                continue;
            }
            Keypair kp = indices.get(TransportData.receiver(buf, off)) instanceof Keypair k ? k : null;
            if (kp != null && !isExpired(now, kp, TransportData.counter(buf, off))) {
                batch.toOpen(i, kp);
            }
        }
    }

    /**
     * {@link SessionEngine#receive(long, InboundBatch, int)}: datagram {@code i} of a prepared batch
     * whose packets were opened, taken as {@link #receive} takes one datagram. The keypair is looked
     * up again: the datagrams before this one may have retired the one found when preparing (a
     * keypair confirmed, a peer removed), or made one (a handshake completed); the packet then fares
     * as it would have in order. A packet not opened yet is opened here; one opened with a keypair
     * that its index no longer names is counted as not authentic, as opening it with the keypair
     * named now would find (different keys).
     */
    void receive(long now, InboundBatch batch, int i) {
        byte[] buf = batch.buf(i);
        int off = batch.off(i);
        int len = batch.len(i);
        Endpoint from = batch.from(i);
        if (MessageType.of(buf, off, len) != MessageType.TRANSPORT_DATA) {
            receive(now, buf, off, len, from);
            return;
        }
        Keypair kp = transportKeypair(now, buf, off, from);
        if (kp == null) {
            return;
        }
        long counter = TransportData.counter(buf, off);
        int n = batch.opened(i);
        if (n == InboundBatch.NOT_OPENED || n == InboundBatch.TO_OPEN) {
            int ctOff = off + TransportData.HEADER_LENGTH;
            n = transportAead.open(kp.receiveKey, counter, null, 0, buf, ctOff, len - TransportData.HEADER_LENGTH, buf, ctOff);
        } else if (kp != batch.keypair(i)) {
            n = InboundBatch.BAD_TAG;
        }
        transportOpened(now, kp, counter, n, buf, off, len, from);
    }

    /** The usable keypair a transport packet names, or null after counting why there is none. */
    private Keypair transportKeypair(long now, byte[] buf, int off, Endpoint from) {
        Keypair kp = indices.get(TransportData.receiver(buf, off)) instanceof Keypair k ? k : null;
        if (kp != null && keys.retiredPastGrace(kp, now)) {
            kp = null;
        }
        if (kp == null) {
            drops.count(DropReason.UNKNOWN_INDEX);
            events.unknownIndex(from);
            return null;
        }
        if (isExpired(now, kp, TransportData.counter(buf, off))) {
            drops.count(DropReason.KEYPAIR_EXPIRED);
            return null;
        }
        return kp;
    }

    private static boolean isExpired(long now, Keypair kp, long counter) {
        return now - kp.createdNanos >= REJECT_AFTER_TIME || Long.compareUnsigned(counter, REJECT_AFTER_MESSAGES) >= 0;
    }

    /**
     * The rest of a transport packet's way once opened ({@code n}: its plaintext length, or
     * negative if it did not authenticate): the replay window, keypair confirmation, timers, delivery.
     */
    private void transportOpened(long now, Keypair kp, long counter, int n, byte[] buf, int off, int len, Endpoint from) {
        int ctOff = off + TransportData.HEADER_LENGTH;
        if (n < 0) {
            drops.count(DropReason.BAD_TAG);
            return;
        }
        if (!kp.replay.accept(counter, REJECT_AFTER_MESSAGES)) {
            drops.count(DropReason.REPLAY);
            return;
        }
        Peer p = kp.peer;
        p.timers.absorbSendPath();
        if (kp == p.next) {
            // The initiator used the keypair we made as responder: it becomes current.
            keys.promoteNext(p);
            p.publishRoute();
            handshakeComplete(now, p);
            send.sendStaged(now, p);
        }
        authenticatedFrom(p, from);
        p.timers.anyAuthenticatedPacketReceived();
        keepKeyFreshReceiving(now, p);
        p.rxPackets++;
        p.rxBytes += len;
        if (n == 0) {
            events.keepalive(p);
            return;
        }
        p.timers.dataReceived(now);
        int kind = InnerPayload.kind(buf, ctOff, n);
        if (kind == InnerPayload.IPV4 || kind == InnerPayload.IPV6) {
            n = InnerPayload.ipPacketLength(buf, ctOff, n);
            if (n < 0) {
                drops.count(DropReason.MALFORMED);
                return;
            }
        }
        events.deliver(p, from, kind, buf, ctOff, n);
    }

    /** An authenticated packet of {@code p} from {@code from}: the owner's policy may move the endpoint. */
    private void authenticatedFrom(Peer p, Endpoint from) {
        if (from != null) {
            events.authenticated(p, from);
        }
    }

    private void keepKeyFreshReceiving(long now, Peer p) {
        if (p.sentLastMinuteHandshake) {
            return;
        }
        Keypair kp = p.current;
        if (kp != null && kp.isInitiator && now - kp.createdNanos > REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT) {
            p.sentLastMinuteHandshake = true;
            send.sendInitiation(now, p, false);
        }
    }

    private void handshakeComplete(long now, Peer p) {
        p.timers.handshakeComplete();
        p.sentLastMinuteHandshake = false;
        p.lastHandshakeNanos = now;
        p.hasHandshake = true;
        p.handshakesCompleted++;
        events.handshakeCompleted(p);
    }
}
