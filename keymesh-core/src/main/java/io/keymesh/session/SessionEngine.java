package io.keymesh.session;

import io.keymesh.crypto.Aead;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.crypto.X25519;
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
 * {@link HandshakeAdmission} judges handshakes under load, {@link SessionReceive} handles received
 * datagrams and {@link SessionSend} sends (wireguard-go's {@code receive.go} and {@code send.go}),
 * {@link SendPath} sends on other threads. This class holds the peers, settings and counters and
 * runs the parts, with the timers' actions.
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
    private final HandshakeAdmission admission;
    private final IndexTable indices;
    private final KeyRotation keys;
    private final HandshakeMessages handshakes;
    private final SessionSend sending;
    private final SessionReceive receiving;
    private final Map<PublicKey, Peer> peers = new LinkedHashMap<>();
    private final DropCounters drops = new DropCounters();
    /** The last {@link #nextDeadline()} returned, for {@link SendPath}s on other threads. */
    private final AtomicLong reportedDeadline = new AtomicLong(Long.MAX_VALUE);
    private final PeerTimers.Actions timerActions = new TimerActions();

    private byte[] membershipKey;
    private int paddingMtu;

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
        this.handshakes = new HandshakeMessages(localKey, random, wallClockOffsetNanos, indices, keys, drops, peers, events);
        this.sending = new SessionSend(transmit, events, handshakes, drops);
        this.receiving = new SessionReceive(transmit, events, admission, indices, keys, handshakes, sending, drops);
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
        java.util.Objects.requireNonNull(aead, "aead");
        sending.setTransportAead(aead);
        receiving.setTransportAead(aead);
    }

    /** Pads payloads to a multiple of 16 but not past this MTU (0, the default: no limit). */
    public void setPaddingMtu(int mtu) {
        if (mtu < 0) {
            throw new IllegalArgumentException("mtu must be >= 0, got " + mtu);
        }
        this.paddingMtu = mtu;
        sending.setPaddingMtu(mtu);
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
        return sending.initiationsSent();
    }

    public long responsesSent() {
        return receiving.responsesSent();
    }

    public long cookieRepliesSent() {
        return receiving.cookieRepliesSent();
    }

    /**
     * Receiver indices in use: one per handshake in progress and one per live keypair, so at most
     * five per peer (previous, current and next keypair, one leaving the rotation, and a handshake). For leak checks.
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
        receiving.receive(nowNanos, buf, off, len, from);
    }

    /**
     * Prepares a batch of received datagrams for opening on any threads: looks up each transport
     * packet's keypair and lists the packets to open ({@link InboundBatch}). Changes nothing of the
     * engine; its thread runs nothing else of the engine until the openings are done.
     */
    public void prepare(long nowNanos, InboundBatch batch) {
        receiving.prepare(nowNanos, batch);
    }

    /**
     * Consumes datagram {@code i} of a batch that was {@linkplain #prepare prepared} and opened, in
     * arrival order ({@code i} after {@code i - 1}), with the same {@code nowNanos}: the engine ends
     * in the state, and reports the events, drops and deliveries that
     * {@link #receive(long, byte[], int, int, Endpoint)} of the same datagrams in turn gives.
     */
    public void receive(long nowNanos, InboundBatch batch, int i) {
        receiving.receive(nowNanos, batch, i);
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
        return sending.send(nowNanos, peer, buf, off, len);
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
        return sending.sendTo(nowNanos, peer, to, buf, off, len);
    }

    /** Bytes a caller leaves free after a {@code len}-byte payload passed to {@link #send}: padding and tag. */
    public int sendTailroom(int len) {
        return sending.sendTailroom(len);
    }

    /**
     * Sends an authenticated empty packet, as WireGuard's keepalive; with packets waiting it sends
     * those instead, and without a session it starts a handshake.
     */
    public void sendKeepalive(long nowNanos, Peer peer) {
        sending.sendKeepalive(nowNanos, peer);
    }

    /**
     * Starts a handshake with {@code peer} now, as WireGuard does when a session needs renewing;
     * like WireGuard, at most one initiation per {@link ProtocolConstants#REKEY_TIMEOUT}.
     *
     * @return true if an initiation was sent
     */
    public boolean initiateHandshake(long nowNanos, Peer peer) {
        return sending.sendInitiation(nowNanos, peer, false);
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
        return sending.initiateHandshakeSooner(nowNanos, peer, minIntervalNanos);
    }

    /**
     * Gives up the handshake in progress with {@code peer}: no more retries, its staged packets are
     * dropped (counted {@link DropReason#HANDSHAKE_GAVE_UP}). For an owner that knows the peer cannot
     * be reached (no member knows its key); a later send starts afresh, within WireGuard's pace of
     * one initiation per {@link ProtocolConstants#REKEY_TIMEOUT}.
     */
    public void giveUpHandshake(long nowNanos, Peer peer) {
        peer.timers.giveUp(timerActions);
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
            sending.sendInitiation(now, peer, isRetry);
        }

        @Override
        public void sendKeepalive(long now, Peer peer) {
            sending.sendKeepalive(now, peer);
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

    // ---------------------------------------------------------------- keypairs

    private void zeroKeyMaterial(Peer p) {
        keys.zeroKeyMaterial(p);
        p.publishRoute();
    }
}
