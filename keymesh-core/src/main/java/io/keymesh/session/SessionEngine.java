package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.HANDSHAKE_INITIATION_RATE;
import static io.keymesh.session.ProtocolConstants.KEEPALIVE_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.MAX_STAGED_PACKETS;
import static io.keymesh.session.ProtocolConstants.REJECT_AFTER_MESSAGES;
import static io.keymesh.session.ProtocolConstants.REJECT_AFTER_TIME;
import static io.keymesh.session.ProtocolConstants.REKEY_AFTER_MESSAGES;
import static io.keymesh.session.ProtocolConstants.REKEY_AFTER_TIME;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT;

import io.keymesh.crypto.Aead;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.crypto.X25519;
import io.keymesh.wire.CookieReply;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.HandshakeResponse;
import io.keymesh.wire.InnerPayload;
import io.keymesh.wire.MessageType;
import io.keymesh.wire.TransportData;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * WireGuard for one local static key, as a sans-I/O state machine: it consumes received datagrams,
 * encrypts outgoing payloads, runs the handshake, cookies and timers, and hands what to transmit to
 * its {@link Transmit} port and what to deliver, and what happened, to its {@link SessionEvents}. It
 * behaves as wireguard-go's {@code device}: same messages, same timers, same key rotation. Endpoints
 * are opaque ({@link Endpoint}); where a peer's packets go is its owner's decision
 * ({@link SessionEvents#authenticated}, {@link Peer#setEndpoint}).
 *
 * <p>The parts: {@link HandshakeMessages} builds and reads handshake messages, {@link KeyRotation}
 * moves keypairs through previous / current / next, {@link PeerTimers} holds WireGuard's timers,
 * {@link HandshakeAdmission} judges handshakes under load, {@link SendPath} sends on other threads.
 * This class runs them: receive, send, and the timers' actions.
 *
 * <p>Time is the caller's monotonic clock in nanoseconds ({@code nowNanos}, e.g. from
 * the JVM's monotonic clock or a simulator's); TAI64N timestamps are {@code nowNanos +
 * wallClockOffsetNanos}, so the offset must make that the Unix epoch time in nanoseconds.
 * Randomness (ephemeral keys, indices, jitter, cookie secrets) comes from the given generator:
 * a {@code SecureRandom} in use, a seeded one in simulations.
 *
 * <p>Not thread-safe: one thread drives an engine and its peers. The exception is each peer's
 * {@link Peer#sendPath() SendPath}: other threads may encrypt and transmit through it while the
 * current keypair allows, and the engine takes in what they report before it runs the peer's timers
 * (see {@link SendPath} for the contract). Payload buffers are never retained; see {@link #send}
 * for the room a caller leaves around a payload.
 */
public final class SessionEngine {
    /** Bytes a caller leaves free before a payload passed to {@link #send}. */
    public static final int SEND_HEADROOM = TransportData.HEADER_LENGTH;
    /** Default handshake messages per second above which the engine is under load. */
    public static final int DEFAULT_UNDER_LOAD_THRESHOLD = 128;

    private final PrivateKey localKey;
    private final RandomGenerator random;
    private final Transmit transmit;
    private final SessionEvents events;
    private Aead transportAead = Aead.jdk();
    private final HandshakeAdmission admission;
    private final IndexTable indices;
    private final KeyRotation keys;
    private final HandshakeMessages handshakes;
    private final Map<PublicKey, Peer> peers = new LinkedHashMap<>();
    private final DropCounters drops = new DropCounters();
    /** For {@link #sendStaged}: a peer's waiting packets go to its endpoint as one batch. */
    private final PacketBatch staged = new PacketBatch(16);
    private final byte[] out = new byte[HandshakeInitiation.LENGTH];
    private final byte[] keepalive = new byte[TransportData.MIN_LENGTH];
    /** The last {@link #nextDeadline()} returned, for {@link SendPath}s on other threads. */
    private final AtomicLong reportedDeadline = new AtomicLong(Long.MAX_VALUE);
    private final PeerTimers.Actions timerActions = new TimerActions();

    private byte[] membershipKey;
    private int paddingMtu;

    private long initiationsSent;
    private long responsesSent;
    private long cookieRepliesSent;

    /**
     * @param transmit where packets go (called on the engine's thread, and on other threads by the
     *     peers' {@link SendPath}s when their owner sends through them)
     * @param events what the engine tells its owner
     */
    public SessionEngine(PrivateKey localKey, RandomGenerator random, long wallClockOffsetNanos, Transmit transmit,
            SessionEvents events) {
        this.localKey = localKey;
        this.random = random;
        this.transmit = transmit;
        this.events = events;
        this.admission = new HandshakeAdmission(localKey.publicKey(), random);
        this.indices = new IndexTable(random);
        this.keys = new KeyRotation(indices);
        this.handshakes = new HandshakeMessages(localKey, random, wallClockOffsetNanos, indices, keys, drops, peers,
                events::admitMember);
    }

    /** The port this engine transmits through. */
    public Transmit transmit() {
        return transmit;
    }

    /** The local static public key. */
    public PublicKey publicKey() {
        return localKey.publicKey();
    }

    // ---------------------------------------------------------------- peers

    /**
     * Adds a peer by its static key. {@code psk} fills WireGuard's pre-shared-key slot (keymesh puts
     * the network key there; {@link PresharedKey#ZERO} means none).
     *
     * @throws IllegalArgumentException if the key is ours, already a peer, or of low order (no
     *     Diffie-Hellman with it is possible)
     */
    public Peer addPeer(PublicKey key, PresharedKey psk) {
        if (key.equals(localKey.publicKey())) {
            throw new IllegalArgumentException("a node cannot be its own peer: " + key);
        }
        if (peers.containsKey(key)) {
            throw new IllegalArgumentException("peer already added: " + key);
        }
        byte[] ss = new byte[X25519.KEY_LENGTH];
        boolean usable = localKey.sharedSecret(key, ss, 0);
        Arrays.fill(ss, (byte) 0);
        if (!usable) {
            throw new IllegalArgumentException("not a usable peer key (a low-order point): " + key);
        }
        Peer p = new Peer(key, psk, NoiseIKpsk2.initialState(ProtocolConstants.CONSTRUCTION, ProtocolConstants.IDENTIFIER, key),
                new SendPath(reportedDeadline), random);
        p.sendPath.setPaddingMtu(paddingMtu);
        p.cookieGenerator.setMembership(membershipKey);
        peers.put(key, p);
        return p;
    }

    /** Removes a peer, forgetting its keys; its waiting packets are dropped. Returns false if unknown. */
    public boolean removePeer(PublicKey key) {
        Peer p = peers.remove(key);
        if (p == null) {
            return false;
        }
        zeroKeyMaterial(p);
        p.staged.clear();
        p.sendPath.publish(null, null);
        if (p.wireGuardCompatible) {
            updateStandardMac1();
        }
        return true;
    }

    /**
     * Removes every peer as {@link #removePeer} does — keypairs and handshake state zeroed, waiting
     * packets dropped, send routes withdrawn — as wireguard-go does when its device closes. For an
     * engine being shut down; peers may be added again afterwards.
     */
    public void removeAllPeers() {
        for (PublicKey key : List.copyOf(peers.keySet())) {
            removePeer(key);
        }
    }

    /** The peer with {@code key}, or null. */
    public Peer peer(PublicKey key) {
        return peers.get(key);
    }

    /** All peers, in the order added; a read-only view. */
    public Collection<Peer> peers() {
        return Collections.unmodifiableCollection(peers.values());
    }

    // ---------------------------------------------------------------- settings and counters

    /**
     * Binds every handshake to a membership key (keymesh's network key): mac1 is then keyed by
     * HASH(LABEL_MAC1 || responder public key || membership key), so a node without the key gets
     * silence — no handshake response, no cookie — and costs the responder one BLAKE2s, not two
     * Diffie-Hellman operations. Peers marked {@link #setWireGuardCompatible} keep WireGuard's own
     * mac1, so stock WireGuard peers still work. Null turns the binding off (plain WireGuard).
     */
    public void setMembershipKey(PresharedKey key) {
        this.membershipKey = key == null ? null : key.toBytes();
        handshakes.setMembershipKey(membershipKey);
        for (Peer p : peers.values()) {
            p.cookieGenerator.setMembership(p.wireGuardCompatible ? null : membershipKey);
        }
        updateStandardMac1();
    }

    /**
     * Marks {@code peer} as a stock WireGuard peer: with a membership key set, it alone may use
     * WireGuard's standard mac1, and we use it towards it.
     */
    public void setWireGuardCompatible(Peer peer, boolean compatible) {
        peer.wireGuardCompatible = compatible;
        peer.cookieGenerator.setMembership(compatible ? null : membershipKey);
        updateStandardMac1();
    }

    private void updateStandardMac1() {
        boolean anyCompatible = false;
        for (Peer p : peers.values()) {
            anyCompatible |= p.wireGuardCompatible;
        }
        admission.setMembership(membershipKey, anyCompatible);
    }

    /**
     * Chooses the ChaCha20-Poly1305 implementation for transport packets (default {@link Aead#jdk()},
     * the faster; {@link Aead#portable()} allocates nothing per packet). Handshakes always use the JDK's.
     */
    public void setTransportAead(Aead aead) {
        this.transportAead = java.util.Objects.requireNonNull(aead, "aead");
    }

    /** Pads payloads to a multiple of 16 but not past this MTU (0, the default: no limit). */
    public void setPaddingMtu(int mtu) {
        if (mtu < 0) {
            throw new IllegalArgumentException("mtu must be >= 0, got " + mtu);
        }
        this.paddingMtu = mtu;
        for (Peer p : peers.values()) {
            p.sendPath.setPaddingMtu(mtu);
        }
    }

    /** Forces the under-load state on or off (off returns to measuring). */
    public void setForcedUnderLoad(boolean forced) {
        admission.setForcedUnderLoad(forced);
    }

    /** Handshake messages per second from which the engine considers itself under load. */
    public void setUnderLoadThreshold(int handshakesPerSecond) {
        admission.setUnderLoadThreshold(handshakesPerSecond);
    }

    /** True if handshakes must carry a valid mac2 (cookie) at {@code nowNanos}. */
    public boolean isUnderLoad(long nowNanos) {
        return admission.isUnderLoad(nowNanos);
    }

    /** How many packets were dropped for {@code reason}. */
    public long dropped(DropReason reason) {
        return drops.get(reason);
    }

    /** All drops, whatever the reason. */
    public long droppedTotal() {
        return drops.total();
    }

    public long initiationsSent() {
        return initiationsSent;
    }

    public long responsesSent() {
        return responsesSent;
    }

    public long cookieRepliesSent() {
        return cookieRepliesSent;
    }

    /**
     * Receiver indices in use: one per handshake in progress and one per live keypair, so at most
     * four per peer (previous, current and next keypair, and a handshake). For leak checks.
     */
    public int indicesInUse() {
        return indices.size();
    }

    // ---------------------------------------------------------------- receive

    /**
     * Consumes one received datagram {@code buf[off..off+len)} from {@code from}. Transport packets
     * are decrypted in place. {@code from} may be null (a packet from nowhere in particular: it moves
     * no endpoint). Whatever is wrong with a packet, it is dropped and counted; nothing
     * is thrown.
     */
    public void receive(long nowNanos, byte[] buf, int off, int len, Endpoint from) {
        switch (MessageType.of(buf, off, len)) {
            case MessageType.TRANSPORT_DATA -> receiveTransport(nowNanos, buf, off, len, from);
            case MessageType.HANDSHAKE_INITIATION -> {
                int mac1 = admitHandshake(nowNanos, buf, off, HandshakeInitiation.MAC1, HandshakeInitiation.sender(buf, off), from);
                if (mac1 != CookieChecker.MAC1_INVALID) {
                    HandshakeMessages.Initiation in = handshakes.consumeInitiation(nowNanos, buf, off, mac1);
                    if (in != null) {
                        respond(nowNanos, in, from);
                    }
                }
            }
            case MessageType.HANDSHAKE_RESPONSE -> {
                int mac1 = admitHandshake(nowNanos, buf, off, HandshakeResponse.MAC1, HandshakeResponse.sender(buf, off), from);
                if (mac1 != CookieChecker.MAC1_INVALID) {
                    Peer p = handshakes.consumeResponse(nowNanos, buf, off, mac1);
                    if (p != null) {
                        responseConsumed(nowNanos, p, from);
                    }
                }
            }
            case MessageType.COOKIE_REPLY -> consumeCookieReply(nowNanos, buf, off);
            default -> drop(DropReason.MALFORMED);
        }
    }

    /**
     * Asks {@link HandshakeAdmission}; counts a refusal and sends a cookie reply when one is due.
     *
     * @return which mac1 key verified ({@link CookieChecker#MAC1_STANDARD} or
     *     {@link CookieChecker#MAC1_MEMBER}), or {@link CookieChecker#MAC1_INVALID} if refused
     */
    private int admitHandshake(long now, byte[] buf, int off, int mac1Offset, int senderIndex, Endpoint from) {
        int verdict = admission.admit(now, buf, off, mac1Offset, senderIndex, from, out);
        switch (verdict) {
            case HandshakeAdmission.REFUSED_BAD_MAC1 -> drop(DropReason.BAD_MAC1);
            case HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN -> {
                cookieRepliesSent++;
                transmit.send(from, out, 0, CookieReply.LENGTH);
                drop(DropReason.COOKIE_REQUIRED);
            }
            case HandshakeAdmission.REFUSED_RATE_LIMITED -> drop(DropReason.RATE_LIMITED);
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
        // Where the owner's policy sends the peer's packets; if it named no endpoint (yet), back
        // where the initiation came from.
        Endpoint to = p.endpoint != null ? p.endpoint : from;
        if (to == null) {
            drop(DropReason.NO_ENDPOINT);
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
            sendKeepalive(now, p);
        } else {
            sendStaged(now, p);
        }
    }

    private void consumeCookieReply(long now, byte[] buf, int off) {
        Object entry = indices.get(CookieReply.receiver(buf, off));
        Peer p = entry instanceof Peer peer ? peer : entry instanceof Keypair kp ? kp.peer : null;
        if (p == null || !p.cookieGenerator.consumeReply(buf, off, now)) {
            drop(DropReason.UNEXPECTED_MESSAGE);
            return;
        }
        p.cookieRepliesReceived++;
    }

    private void receiveTransport(long now, byte[] buf, int off, int len, Endpoint from) {
        Keypair kp = indices.get(TransportData.receiver(buf, off)) instanceof Keypair k ? k : null;
        if (kp == null) {
            drop(DropReason.UNKNOWN_INDEX);
            return;
        }
        long counter = TransportData.counter(buf, off);
        if (now - kp.createdNanos >= REJECT_AFTER_TIME || Long.compareUnsigned(counter, REJECT_AFTER_MESSAGES) >= 0) {
            drop(DropReason.KEYPAIR_EXPIRED);
            return;
        }
        int ctOff = off + TransportData.HEADER_LENGTH;
        int n = transportAead.open(kp.receiveKey, counter, null, 0, buf, ctOff, len - TransportData.HEADER_LENGTH, buf, ctOff);
        if (n < 0) {
            drop(DropReason.BAD_TAG);
            return;
        }
        if (!kp.replay.accept(counter, REJECT_AFTER_MESSAGES)) {
            drop(DropReason.REPLAY);
            return;
        }
        Peer p = kp.peer;
        p.timers.absorbSendPath();
        if (kp == p.next) {
            // The initiator used the keypair we made as responder: it becomes current.
            keys.promoteNext(p);
            p.publishRoute();
            handshakeComplete(now, p);
            sendStaged(now, p);
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
                drop(DropReason.MALFORMED);
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

    // ---------------------------------------------------------------- send

    /**
     * Encrypts {@code buf[off..off+len)} for {@code peer} in place and transmits it. The caller leaves
     * {@link #SEND_HEADROOM} bytes before {@code off} and {@link #sendTailroom} bytes after the
     * payload; they are overwritten. Without a usable session the payload is copied to a bounded
     * queue (the oldest is dropped when full) and a handshake is started.
     *
     * @return true if sent or queued, false if dropped (no endpoint known)
     */
    public boolean send(long nowNanos, Peer peer, byte[] buf, int off, int len) {
        if (off < SEND_HEADROOM || buf.length - off - len < sendTailroom(len)) {
            throw new IllegalArgumentException("send needs " + SEND_HEADROOM + " bytes before and "
                    + sendTailroom(len) + " after the payload");
        }
        if (peer.endpoint == null) {
            drop(DropReason.NO_ENDPOINT);
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

    /**
     * Encrypts {@code buf[off..off+len)} for {@code peer} and transmits it to {@code to} only,
     * whatever the peer's endpoint: a probe of one path. Room around the payload as for
     * {@link #send}. Nothing is queued: without a usable session, or with packets waiting for one,
     * the payload is dropped.
     *
     * @return true if sent
     */
    public boolean sendTo(long nowNanos, Peer peer, Endpoint to, byte[] buf, int off, int len) {
        if (off < SEND_HEADROOM || buf.length - off - len < sendTailroom(len)) {
            throw new IllegalArgumentException("send needs " + SEND_HEADROOM + " bytes before and "
                    + sendTailroom(len) + " after the payload");
        }
        Keypair kp = peer.current;
        if (kp == null || !kp.isUsable(nowNanos) || !peer.staged.isEmpty() || to == null) {
            return false;
        }
        int total = seal(nowNanos, peer, kp, buf, off, len);
        transmit.send(to, buf, off - SEND_HEADROOM, total);
        keepKeyFreshSending(nowNanos, peer);
        return true;
    }

    /** Bytes a caller leaves free after a {@code len}-byte payload passed to {@link #send}: padding and tag. */
    public int sendTailroom(int len) {
        return TransportData.paddedLength(len, paddingMtu) - len + TransportData.TAG_LENGTH;
    }

    /**
     * Sends an authenticated empty packet, as WireGuard's keepalive; with packets waiting it sends
     * those instead, and without a session it starts a handshake.
     */
    public void sendKeepalive(long nowNanos, Peer peer) {
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
            drop(DropReason.NO_ENDPOINT);
            return;
        }
        encryptAndTransmit(nowNanos, peer, kp, keepalive, SEND_HEADROOM, 0);
        keepKeyFreshSending(nowNanos, peer); // as wireguard-go: every sent packet, keepalives too
    }

    /**
     * Starts a handshake with {@code peer} now, as WireGuard does when a session needs renewing;
     * like WireGuard, at most one initiation per {@link ProtocolConstants#REKEY_TIMEOUT}.
     *
     * @return true if an initiation was sent
     */
    public boolean initiateHandshake(long nowNanos, Peer peer) {
        return sendInitiation(nowNanos, peer, false);
    }

    /**
     * Starts a handshake with {@code peer} because what we send goes unanswered — the peer may have
     * restarted and lost the session — allowing one per {@code minIntervalNanos} instead of
     * WireGuard's {@link ProtocolConstants#REKEY_TIMEOUT}, but never faster than the responder's
     * {@link ProtocolConstants#HANDSHAKE_INITIATION_RATE}. Not for a stock WireGuard peer, which keeps
     * WireGuard's pace ({@link #initiateHandshake}).
     *
     * @return true if an initiation was sent
     */
    public boolean initiateHandshakeSooner(long nowNanos, Peer peer, long minIntervalNanos) {
        if (peer.wireGuardCompatible) {
            return initiateHandshake(nowNanos, peer);
        }
        return sendInitiation(nowNanos, peer, false, Math.max(minIntervalNanos, HANDSHAKE_INITIATION_RATE));
    }

    private void stage(Peer p, byte[] buf, int off, int len) {
        if (p.staged.size() >= MAX_STAGED_PACKETS) {
            p.staged.pollFirst();
            drop(DropReason.STAGED_QUEUE_FULL);
            events.dropped(p, DropReason.STAGED_QUEUE_FULL, 1);
        }
        byte[] copy = new byte[SEND_HEADROOM + len + sendTailroom(len)];
        System.arraycopy(buf, off, copy, SEND_HEADROOM, len);
        p.staged.addLast(new StagedPacket(copy, len));
        p.publishRoute(); // withdrawn: staged packets go before any sent from another thread
    }

    private void sendStaged(long now, Peer p) {
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
        }
        return total;
    }

    private boolean sendInitiation(long now, Peer p, boolean isRetry) {
        return sendInitiation(now, p, isRetry, REKEY_TIMEOUT);
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
            drop(DropReason.NO_ENDPOINT);
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

    private void keepKeyFreshReceiving(long now, Peer p) {
        if (p.sentLastMinuteHandshake) {
            return;
        }
        Keypair kp = p.current;
        if (kp != null && kp.isInitiator && now - kp.createdNanos > REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT) {
            p.sentLastMinuteHandshake = true;
            sendInitiation(now, p, false);
        }
    }

    // ---------------------------------------------------------------- timers

    /**
     * The earliest time at which {@link #onTimer} has work, or {@link Long#MAX_VALUE} if none. The
     * driver must call {@link #onTimer} by then, and ask again after it has called the engine:
     * sends through a {@link SendPath} on other threads rely on that.
     */
    public long nextDeadline() {
        long min = Long.MAX_VALUE;
        for (Peer p : peers.values()) {
            min = Math.min(min, p.timers.nextDeadline());
        }
        reportedDeadline.set(min);
        // A send on another thread may have reported "data sent" after the loop above read its
        // peer, and read the old deadline: look at the reports again now that the new one is out.
        long again = min;
        for (Peer p : peers.values()) {
            again = Math.min(again, p.sendPath.reportedDataSentDeadline());
        }
        if (again < min) {
            reportedDeadline.set(again);
        }
        return again;
    }

    /** Runs every timer due at {@code nowNanos}: retransmissions, keepalives, rekeys, key zeroing. */
    public void onTimer(long nowNanos) {
        for (Peer p : peers.values()) {
            p.timers.runDue(nowNanos, timerActions);
        }
    }

    /** What a peer's due timers have the engine do; called from {@link #onTimer}, so on the engine's thread. */
    private final class TimerActions implements PeerTimers.Actions {
        @Override
        public void sendInitiation(long now, Peer peer, boolean isRetry) {
            SessionEngine.this.sendInitiation(now, peer, isRetry);
        }

        @Override
        public void sendKeepalive(long now, Peer peer) {
            SessionEngine.this.sendKeepalive(now, peer);
        }

        @Override
        public void flushStaged(Peer peer) {
            int n = peer.staged.size();
            peer.staged.clear();
            peer.publishRoute();
            if (n > 0) {
                drops.count(DropReason.HANDSHAKE_GAVE_UP, n);
                events.dropped(peer, DropReason.HANDSHAKE_GAVE_UP, n);
            }
        }

        @Override
        public void clearHandshake(Peer peer) {
            keys.clearHandshake(peer);
        }

        @Override
        public void handshakeGaveUp(Peer peer) {
            events.handshakeGaveUp(peer);
        }

        @Override
        public void zeroKeyMaterial(Peer peer) {
            SessionEngine.this.zeroKeyMaterial(peer);
        }

        @Override
        public void keysZeroed(Peer peer) {
            events.keysZeroed(peer);
        }
    }

    // ---------------------------------------------------------------- handshakes and keypairs

    private void handshakeComplete(long now, Peer p) {
        p.timers.handshakeComplete();
        p.sentLastMinuteHandshake = false;
        p.lastHandshakeNanos = now;
        p.hasHandshake = true;
        p.handshakesCompleted++;
        events.handshakeCompleted(p);
    }

    private void zeroKeyMaterial(Peer p) {
        keys.zeroKeyMaterial(p);
        p.publishRoute();
    }

    // ---------------------------------------------------------------- helpers

    private void drop(DropReason reason) {
        drops.count(reason);
    }
}
