package io.keymesh.session;

import java.nio.charset.StandardCharsets;

/**
 * WireGuard's protocol constants (whitepaper sections 5.4 and 6; wireguard-go {@code device/constants.go}).
 * Times are in nanoseconds. Message counts are unsigned 64-bit values held in {@code long}s and
 * compared with {@link Long#compareUnsigned}.
 */
public final class ProtocolConstants {
    private ProtocolConstants() {}

    /** The Noise protocol name, WireGuard's CONSTRUCTION. */
    public static final String CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    /** The Noise prologue, WireGuard's IDENTIFIER. */
    public static final byte[] IDENTIFIER = ascii("WireGuard v1 zx2c4 Jason@zx2c4.com");
    /** Prefix of the mac1 key: HASH(LABEL_MAC1 || responder public key). */
    public static final byte[] LABEL_MAC1 = ascii("mac1----");
    /** Prefix of the cookie encryption key: HASH(LABEL_COOKIE || responder public key). */
    public static final byte[] LABEL_COOKIE = ascii("cookie--");

    public static final long SECOND = 1_000_000_000L;
    public static final long MILLISECOND = 1_000_000L;

    /** Initiate a new handshake after this many messages on a keypair (2^60). */
    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** Refuse to use a keypair after this many messages: 2^64 − 2^13 − 1, as an unsigned value. */
    public static final long REJECT_AFTER_MESSAGES = -1L - (1L << 13);
    /** The initiator starts a new handshake when its keypair is this old. */
    public static final long REKEY_AFTER_TIME = 120 * SECOND;
    /** A keypair this old is not used for sending or receiving. */
    public static final long REJECT_AFTER_TIME = 180 * SECOND;
    /** Give up retrying a handshake after this long. */
    public static final long REKEY_ATTEMPT_TIME = 90 * SECOND;
    /** Retransmit an unanswered initiation after this long (plus jitter). */
    public static final long REKEY_TIMEOUT = 5 * SECOND;
    /** Upper bound of the random jitter added to handshake timers. */
    public static final long REKEY_TIMEOUT_JITTER_MAX = 334 * MILLISECOND;
    /** Send a keepalive this long after receiving data if nothing was sent back. */
    public static final long KEEPALIVE_TIMEOUT = 10 * SECOND;
    /** Age after which a received cookie is no longer used, and the cookie secret is rotated. */
    public static final long COOKIE_REFRESH_TIME = 120 * SECOND;
    /** At most one initiation from a peer is consumed per this interval (50 per second). */
    public static final long HANDSHAKE_INITIATION_RATE = SECOND / 50;
    /** Key material is zeroed this long after the last session was derived. */
    public static final long ZERO_KEY_MATERIAL_AFTER = 3 * REJECT_AFTER_TIME;
    /** The number of initiations sent before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT. */
    public static final int MAX_TIMER_HANDSHAKES = (int) (REKEY_ATTEMPT_TIME / REKEY_TIMEOUT);
    /** Once under load, a responder stays under load this long. */
    public static final long UNDER_LOAD_AFTER_TIME = SECOND;
    /** Packets held per peer while no session exists (wireguard-go's QueueStagedSize). */
    public static final int MAX_STAGED_PACKETS = 128;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
