package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.UNDER_LOAD_AFTER_TIME;

import io.keymesh.crypto.PublicKey;
import java.util.random.RandomGenerator;

/**
 * Whether a received handshake message is worth any work (whitepaper section 5.3): mac1 always
 * (keyed by our public key, and by the membership key when one is set); when under load, a valid
 * mac2 (else a cookie reply is due, within a per-source limit on cookie replies) and the
 * per-source rate limit. Under load means
 * {@link #setUnderLoadThreshold} handshake messages in one second, or forced, and lasts
 * {@link ProtocolConstants#UNDER_LOAD_AFTER_TIME} after the load ends.
 *
 * <p>Not thread-safe; owned by a {@link SessionEngine}. Times are the engine's nanoseconds.
 */
final class HandshakeAdmission {
    /** {@link #admit} result: mac1 does not verify. */
    static final int REFUSED_BAD_MAC1 = -1;
    /** {@link #admit} result: under load without a valid mac2; a cookie reply was written. */
    static final int REFUSED_COOKIE_REPLY_WRITTEN = -2;
    /** {@link #admit} result: under load, and the source sent more than its share. */
    static final int REFUSED_RATE_LIMITED = -3;
    /**
     * {@link #admit} result: under load without a valid mac2, from a source that had its share of
     * cookie replies ({@link HandshakeRateLimiter}'s rate, per source address): nothing is sent.
     */
    static final int REFUSED_COOKIE_REPLY_LIMITED = -4;

    private final CookieChecker cookies;
    private final HandshakeRateLimiter rateLimiter;
    /**
     * Cookie replies per source address. WireGuard answers every such message with a cookie reply;
     * a flood of valid-mac1 initiations (from a member, or anyone holding our public key and the
     * network key) then costs a cookie seal and a send each, which at a hundred thousand a second
     * is more than a core and makes the socket drop the initiations of real peers with the rest.
     * A real peer needs one cookie per handshake attempt (every {@code REKEY_TIMEOUT}), far inside
     * the limit. Fails open: a source the full table cannot track is answered, as without a limit.
     */
    private final HandshakeRateLimiter cookieReplies;
    private boolean forcedUnderLoad;
    private int underLoadThreshold = SessionEngine.DEFAULT_UNDER_LOAD_THRESHOLD;
    private long underLoadUntil = Long.MIN_VALUE;
    private long loadWindowStart = Long.MIN_VALUE;
    private int loadCount;

    HandshakeAdmission(PublicKey localPublic, RandomGenerator random) {
        this.cookies = new CookieChecker(localPublic, random);
        long seed = random.nextLong();
        this.rateLimiter = new HandshakeRateLimiter(seed);
        // Its own hash seed, derived from the same secret draw: the engine's random sequence (and with
        // it every recorded simulation) stays as it was before this limiter existed.
        this.cookieReplies = new HandshakeRateLimiter(HandshakeRateLimiter.DEFAULT_MAX_ENTRIES,
                Long.rotateLeft(seed, 29) ^ 0x9e3779b97f4a7c15L, true);
    }

    /** See {@link CookieChecker#setMembership}. */
    void setMembership(byte[] membershipKey, boolean acceptStandard) {
        cookies.setMembership(membershipKey, acceptStandard);
    }

    void setForcedUnderLoad(boolean forced) {
        this.forcedUnderLoad = forced;
    }

    void setUnderLoadThreshold(int handshakesPerSecond) {
        if (handshakesPerSecond < 1) {
            throw new IllegalArgumentException("under-load threshold must be >= 1, got " + handshakesPerSecond);
        }
        this.underLoadThreshold = handshakesPerSecond;
    }

    boolean isUnderLoad(long nowNanos) {
        return forcedUnderLoad || nowNanos < underLoadUntil;
    }

    /**
     * Judges the handshake message at {@code buf[off]} whose mac1 is at {@code mac1Offset} and
     * whose sender index is {@code senderIndex}.
     *
     * @return {@link CookieChecker#MAC1_STANDARD} or {@link CookieChecker#MAC1_MEMBER} (which key
     *     verified) if admitted; else a negative {@code REFUSED_*} value. For
     *     {@link #REFUSED_COOKIE_REPLY_WRITTEN} the reply is in {@code reply[0..64)}.
     */
    int admit(long now, byte[] buf, int off, int mac1Offset, int senderIndex, Endpoint from, byte[] reply) {
        countLoad(now);
        int mac1 = cookies.checkMac1(buf, off, mac1Offset);
        if (mac1 == CookieChecker.MAC1_INVALID) {
            return REFUSED_BAD_MAC1;
        }
        if (isUnderLoad(now)) {
            if (!cookies.checkMac2(buf, off, mac1Offset + 16, from, now)) {
                if (!cookieReplies.allow(from.rateLimitKey(), now)) {
                    return REFUSED_COOKIE_REPLY_LIMITED;
                }
                cookies.writeReply(buf, off, senderIndex, mac1Offset, from, now, reply, 0);
                return REFUSED_COOKIE_REPLY_WRITTEN;
            }
            if (!rateLimiter.allow(from.rateLimitKey(), now)) {
                return REFUSED_RATE_LIMITED;
            }
        }
        return mac1;
    }

    private void countLoad(long now) {
        if (loadWindowStart == Long.MIN_VALUE || now - loadWindowStart >= ProtocolConstants.SECOND) {
            loadWindowStart = now;
            loadCount = 0;
        }
        if (++loadCount >= underLoadThreshold) {
            underLoadUntil = now + UNDER_LOAD_AFTER_TIME;
        }
    }
}
