package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.HANDSHAKE_INITIATION_RATE;

import io.keymesh.crypto.ChaCha20Poly1305;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.crypto.X25519;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.HandshakeResponse;
import io.keymesh.wire.MessageType;
import java.util.Arrays;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * WireGuard's handshake messages for one local static key (wireguard-go's
 * {@code noise-protocol.go}): creating and consuming initiations and responses, with the checks
 * that go with consuming them — the peer is known and a member, the timestamp is newer than the
 * last, initiations come no faster than {@link ProtocolConstants#HANDSHAKE_INITIATION_RATE} — and
 * the keypairs they derive ({@link KeyRotation}). What is sent when, and what follows, is the
 * engine's.
 *
 * <p>Randomness (ephemeral keys, receiver indices) is drawn in the order WireGuard's messages need
 * it, so a seeded generator gives the same bytes every run. Not thread-safe: the engine's thread.
 */
final class HandshakeMessages {
    /** An initiation consumed: who sent it, its sender index, and our responder state for the answer. */
    record Initiation(Peer peer, int remoteIndex, NoiseIKpsk2 noise) {}

    private final PrivateKey localKey;
    private final RandomGenerator random;
    private final long wallClockOffsetNanos;
    private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    private final SymmetricState responderInitial;
    private final IndexTable indices;
    private final KeyRotation keys;
    private final DropCounters drops;
    private final Map<PublicKey, Peer> peers;
    /** Asked to admit members ({@link SessionEvents#admitMember}) and told of refusals ({@link SessionEvents#handshakeRefused}). */
    private final SessionEvents events;
    private byte[] membershipKey;

    HandshakeMessages(PrivateKey localKey, RandomGenerator random, long wallClockOffsetNanos, IndexTable indices,
            KeyRotation keys, DropCounters drops, Map<PublicKey, Peer> peers, SessionEvents events) {
        this.events = events;
        this.localKey = localKey;
        this.random = random;
        this.wallClockOffsetNanos = wallClockOffsetNanos;
        this.indices = indices;
        this.keys = keys;
        this.drops = drops;
        this.peers = peers;
        this.responderInitial = NoiseIKpsk2.initialState(
                ProtocolConstants.CONSTRUCTION, ProtocolConstants.IDENTIFIER, localKey.publicKey());
    }

    /** The membership key mac1 is bound to (see {@link SessionEngine#setMembershipKey}), or null. */
    void setMembershipKey(byte[] key) {
        this.membershipKey = key;
    }

    /** With a membership key, only a peer marked WireGuard-compatible may use the standard mac1. */
    private boolean isMember(Peer p, int mac1) {
        return membershipKey == null || mac1 == CookieChecker.MAC1_MEMBER || p.wireGuardCompatible;
    }

    /**
     * Writes an initiation to {@code p} into {@code out[0..HandshakeInitiation.LENGTH)}; the
     * handshake in progress with {@code p} is replaced by this one.
     */
    void createInitiation(long now, Peer p, byte[] out) {
        keys.clearHandshake(p);
        NoiseIKpsk2 noise = NoiseIKpsk2.initiator(aead, p.initialState, localKey, p.publicKey());
        byte[] timestamp = new byte[Tai64n.LENGTH];
        Tai64n.write(now + wallClockOffsetNanos, timestamp, 0);
        byte[] ephemeral = newEphemeral();
        byte[] msgA = noise.writeMessageA(ephemeral, timestamp);
        Arrays.fill(ephemeral, (byte) 0);
        Handshake hs = p.handshake;
        hs.noise = noise;
        hs.localIndex = indices.allocate(p);
        hs.state = Handshake.State.INITIATION_CREATED;
        HandshakeInitiation.writeHeader(out, 0, hs.localIndex);
        System.arraycopy(msgA, 0, out, HandshakeInitiation.EPHEMERAL, msgA.length);
        p.cookieGenerator.addMacs(out, 0, HandshakeInitiation.MAC1, now);
    }

    /**
     * Consumes an admitted initiation ({@code mac1}: which key verified it). Our own initiation to
     * the same peer, if one is in flight, is left alone: when both sides initiate at once, both
     * handshakes complete instead of each cancelling the other's (which, in lock-step timing such as
     * a simulator's, would repeat forever).
     *
     * @return the initiation, or null if dropped (counted; reported where a person can act on it,
     *     {@link SessionEvents#handshakeRefused})
     */
    Initiation consumeInitiation(long now, byte[] buf, int off, int mac1, Endpoint from) {
        NoiseIKpsk2 noise = NoiseIKpsk2.responder(aead, responderInitial, localKey);
        byte[] timestamp = noise.readMessageA(Arrays.copyOfRange(buf, off + HandshakeInitiation.EPHEMERAL, off + HandshakeInitiation.MAC1));
        Peer p = timestamp == null || timestamp.length != Tai64n.LENGTH ? null : peers.get(noise.remoteStatic());
        if (p == null && timestamp != null && timestamp.length == Tai64n.LENGTH && membershipKey != null
                && mac1 == CookieChecker.MAC1_MEMBER && events.admitMember(noise.remoteStatic())) {
            p = peers.get(noise.remoteStatic()); // a member the owner let in
        }
        DropReason refused = null;
        Handshake hs = p == null ? null : p.handshake;
        if (p == null) {
            refused = DropReason.UNKNOWN_PEER;
        } else if (!isMember(p, mac1)) {
            refused = DropReason.NOT_A_MEMBER;
        } else if (hs.hasLastTimestamp && !Tai64n.isAfter(timestamp, 0, hs.lastTimestamp, 0)) {
            refused = DropReason.STALE_TIMESTAMP;
        } else if (hs.hasConsumedInitiation && now - hs.lastInitiationConsumedNanos < HANDSHAKE_INITIATION_RATE) {
            refused = DropReason.INITIATION_FLOOD;
        }
        if (refused != null) {
            // The sender's key is proven by a timestamp that decrypted: that took its private half.
            PublicKey proven = timestamp != null && timestamp.length == Tai64n.LENGTH ? noise.remoteStatic() : null;
            noise.wipe();
            drops.count(refused);
            if (refused == DropReason.UNKNOWN_PEER || refused == DropReason.NOT_A_MEMBER) {
                events.handshakeRefused(refused, MessageType.HANDSHAKE_INITIATION, from, proven);
            }
            return null;
        }
        System.arraycopy(timestamp, 0, hs.lastTimestamp, 0, Tai64n.LENGTH);
        hs.hasLastTimestamp = true;
        hs.lastInitiationConsumedNanos = now;
        hs.hasConsumedInitiation = true;
        return new Initiation(p, HandshakeInitiation.sender(buf, off), noise);
    }

    /**
     * Writes the response to {@code in} into {@code out[0..HandshakeResponse.LENGTH)} and derives
     * the responder's keypair, which waits as the peer's next ({@link KeyRotation#beginAsResponder}).
     */
    void createResponse(long now, Initiation in, byte[] out) {
        Peer p = in.peer();
        NoiseIKpsk2 noise = in.noise();
        int localIndex = indices.allocate(p);
        byte[] ephemeral = newEphemeral();
        byte[] msgB = noise.writeMessageB(ephemeral, p.presharedKey.toBytes(), new byte[0]);
        Arrays.fill(ephemeral, (byte) 0);
        HandshakeResponse.writeHeader(out, 0, localIndex, in.remoteIndex());
        System.arraycopy(msgB, 0, out, HandshakeResponse.EPHEMERAL, msgB.length);
        p.cookieGenerator.addMacs(out, 0, HandshakeResponse.MAC1, now);
        byte[][] split = noise.split();
        Keypair kp = new Keypair(p, split[1], split[0], localIndex, in.remoteIndex(), now, false);
        wipe(split);
        noise.wipe();
        indices.replace(localIndex, kp);
        keys.beginAsResponder(p, kp);
    }

    /**
     * Consumes an admitted response to our initiation and makes its keypair current
     * ({@link KeyRotation#beginAsInitiator}).
     *
     * @return the peer, or null if dropped (counted; reported where a person can act on it,
     *     {@link SessionEvents#handshakeRefused})
     */
    Peer consumeResponse(long now, byte[] buf, int off, int mac1, Endpoint from) {
        int receiver = HandshakeResponse.receiver(buf, off);
        Peer p = indices.get(receiver) instanceof Peer peer ? peer : null;
        if (p == null || p.handshake.state != Handshake.State.INITIATION_CREATED || p.handshake.localIndex != receiver) {
            drops.count(DropReason.UNEXPECTED_MESSAGE);
            return null;
        }
        if (!isMember(p, mac1)) {
            drops.count(DropReason.NOT_A_MEMBER);
            events.handshakeRefused(DropReason.NOT_A_MEMBER, MessageType.HANDSHAKE_RESPONSE, from, p.publicKey());
            return null;
        }
        Handshake hs = p.handshake;
        byte[] payload = hs.noise.readMessageB(
                Arrays.copyOfRange(buf, off + HandshakeResponse.EPHEMERAL, off + HandshakeResponse.MAC1),
                p.presharedKey.toBytes());
        if (payload == null || payload.length != 0) {
            drops.count(DropReason.HANDSHAKE_FAILED);
            events.handshakeRefused(DropReason.HANDSHAKE_FAILED, MessageType.HANDSHAKE_RESPONSE, from, p.publicKey());
            return null;
        }
        int remoteIndex = HandshakeResponse.sender(buf, off);
        byte[][] split = hs.noise.split();
        Keypair kp = new Keypair(p, split[0], split[1], receiver, remoteIndex, now, true);
        wipe(split);
        indices.replace(receiver, kp);
        hs.clear();
        keys.beginAsInitiator(p, kp);
        return p;
    }

    private byte[] newEphemeral() {
        byte[] e = new byte[X25519.KEY_LENGTH];
        random.nextBytes(e);
        X25519.clamp(e);
        return e;
    }

    private static void wipe(byte[][] keys) {
        for (byte[] k : keys) {
            Arrays.fill(k, (byte) 0);
        }
    }
}
