package io.keymesh.session;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PublicKey;
import java.util.ArrayDeque;
import java.util.random.RandomGenerator;

/**
 * A remote node known by its static public key, and everything the session layer keeps for it:
 * the handshake in progress, up to three keypairs (previous, current, next), WireGuard's timers
 * ({@link PeerTimers}), packets waiting for a session, and statistics.
 *
 * <p>Created by {@link SessionEngine#addPeer}. Not thread-safe: read and change it only from the
 * thread that drives its engine — except {@link #sendPath()}, which any thread may use. Times are
 * the engine's monotonic nanoseconds.
 */
public final class Peer {
    private final PublicKey publicKey;
    final PresharedKey presharedKey;
    final SymmetricState initialState;
    final CookieGenerator cookieGenerator;
    final Handshake handshake = new Handshake();
    Endpoint endpoint;
    boolean wireGuardCompatible;

    Keypair previous;
    Keypair current;
    Keypair next;
    /** A keypair out of the rotation that still opens packets for a while ({@link KeyRotation#retireSoon}), or null. */
    Keypair retiring;
    long retiringSinceNanos;

    final ArrayDeque<StagedPacket> staged = new ArrayDeque<>();
    final SendPath sendPath;
    final PeerTimers timers;
    /** A handshake was started because the current keypair nears REJECT_AFTER_TIME; cleared when one completes. */
    boolean sentLastMinuteHandshake;

    // Statistics.
    long rxBytes;
    long txBytes;
    long rxPackets;
    long txPackets;
    long lastHandshakeNanos;
    boolean hasHandshake;
    /** When the engine last sent a data packet (not a keepalive), or {@link Long#MIN_VALUE}. */
    long lastDataSentNanos = Long.MIN_VALUE;
    long handshakesCompleted;
    long cookieRepliesReceived;

    /** {@code random} is the engine's, for the timers' jitter. */
    Peer(PublicKey publicKey, PresharedKey presharedKey, SymmetricState initialState, SendPath sendPath,
            RandomGenerator random) {
        this.publicKey = publicKey;
        this.sendPath = sendPath;
        this.timers = new PeerTimers(this, sendPath, random);
        this.presharedKey = presharedKey;
        this.initialState = initialState;
        this.cookieGenerator = new CookieGenerator(publicKey);
    }

    /** The peer's static public key. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** Where packets to the peer go; null until configured or set by the owner's policy ({@link SessionEvents#authenticated}). */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** Sets where packets to the peer go (null: nowhere until set again). */
    public void setEndpoint(Endpoint endpoint) {
        this.endpoint = endpoint;
        publishRoute();
    }

    /** The send path any thread may use (see {@link SendPath}); the same object for the peer's lifetime. */
    public SendPath sendPath() {
        return sendPath;
    }

    /** Publishes to {@link #sendPath} what it may use now: the current keypair and endpoint, unless packets wait. */
    void publishRoute() {
        sendPath.publish(staged.isEmpty() ? current : null, endpoint);
    }

    /** Persistent keepalive interval in seconds, 0 when off. */
    public int persistentKeepaliveSeconds() {
        return (int) (timers.persistentKeepaliveNanos() / ProtocolConstants.SECOND);
    }

    /**
     * Sends an authenticated empty packet every {@code seconds} seconds of silence (0 turns it off),
     * to keep NAT and firewall bindings open.
     */
    public void setPersistentKeepaliveSeconds(int seconds) {
        if (seconds < 0 || seconds > 65535) {
            throw new IllegalArgumentException("persistent keepalive must be 0..65535 seconds, got " + seconds);
        }
        timers.setPersistentKeepaliveNanos(seconds * ProtocolConstants.SECOND);
    }

    /** True if this peer is marked as stock WireGuard (see {@link SessionEngine#setWireGuardCompatible}). */
    public boolean isWireGuardCompatible() {
        return wireGuardCompatible;
    }

    /** True if the current keypair came from a handshake the peer initiated (false if ours, or none). */
    public boolean sessionInitiatedByPeer() {
        Keypair kp = current;
        return kp != null && !kp.isInitiator;
    }

    /** True if a keypair is available for sending right now. */
    public boolean hasSession(long nowNanos) {
        return current != null && current.isUsable(nowNanos);
    }

    public long rxBytes() {
        return rxBytes;
    }

    /** Bytes sent, by the engine and through {@link #sendPath()}. */
    public long txBytes() {
        return txBytes + sendPath.bytes();
    }

    public long rxPackets() {
        return rxPackets;
    }

    /** Packets sent, by the engine and through {@link #sendPath()}. */
    public long txPackets() {
        return txPackets + sendPath.packets();
    }

    /** Completed handshakes with this peer, as initiator or responder. */
    public long handshakesCompleted() {
        return handshakesCompleted;
    }

    /** Cookie replies received from this peer (it was under load). */
    public long cookieRepliesReceived() {
        return cookieRepliesReceived;
    }

    /** Engine time of the last completed handshake, or -1 if none. */
    public long lastHandshakeNanos() {
        return hasHandshake ? lastHandshakeNanos : -1;
    }

    /**
     * When a data packet (anything but a keepalive) last went to the peer, by the engine or through
     * {@link #sendPath()}; {@link Long#MIN_VALUE} if none. The peer's passive keepalives answer them.
     */
    public long lastDataSentNanos() {
        return Math.max(lastDataSentNanos, sendPath.lastDataSentNanos());
    }

    /** Packets waiting for a session. */
    public int stagedPackets() {
        return staged.size();
    }

    @Override
    public String toString() {
        return "Peer(" + publicKey + ")";
    }
}
