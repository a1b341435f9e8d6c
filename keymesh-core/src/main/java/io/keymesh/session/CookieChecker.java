package io.keymesh.session;

import io.keymesh.crypto.Blake2s;
import io.keymesh.crypto.PublicKey;
import io.keymesh.crypto.XChaCha20Poly1305;
import io.keymesh.wire.CookieReply;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The responder's side of WireGuard's cookie mechanism (whitepaper section 5.4.7): checks mac1 on
 * every handshake message addressed to the local key, checks mac2 when under load, and makes cookie
 * replies. The cookie is MAC(secret, source IP || source port), the secret being random and
 * replaced every {@link ProtocolConstants#COOKIE_REFRESH_TIME}.
 *
 * <p>Not thread-safe; driven from the session engine's single thread.
 */
final class CookieChecker {
    /** {@link #checkMac1} result: mac1 does not verify. */
    static final int MAC1_INVALID = 0;
    /** {@link #checkMac1} result: mac1 verifies under WireGuard's key, HASH(LABEL_MAC1 || public key). */
    static final int MAC1_STANDARD = 1;
    /** {@link #checkMac1} result: mac1 verifies under the key bound to the membership key. */
    static final int MAC1_MEMBER = 2;

    private final byte[] localPublic;
    private final byte[] mac1Key;
    private byte[] memberMac1Key;
    private boolean acceptStandard = true;
    private final byte[] encryptionKey;
    private final RandomGenerator random;
    private final XChaCha20Poly1305 xaead = new XChaCha20Poly1305();
    private final byte[] secret = new byte[32];
    private long secretSetNanos;
    private boolean secretSet;
    private final byte[] scratch = new byte[16];

    CookieChecker(PublicKey localPublic, RandomGenerator random) {
        byte[] pub = localPublic.toBytes();
        this.localPublic = pub;
        this.mac1Key = Blake2s.hash(ProtocolConstants.LABEL_MAC1, pub);
        this.encryptionKey = Blake2s.hash(ProtocolConstants.LABEL_COOKIE, pub);
        this.random = random;
    }

    /**
     * Binds mac1 to a membership key (see {@link #memberMac1Key}); {@code acceptStandard} says whether
     * WireGuard's own mac1 is still accepted (for peers that are stock WireGuard). Null unbinds.
     */
    void setMembership(byte[] membershipKey, boolean acceptStandard) {
        this.memberMac1Key = membershipKey == null ? null : memberMac1Key(localPublic, membershipKey);
        this.acceptStandard = membershipKey == null || acceptStandard;
    }

    /** The mac1 key of a mesh member: HASH(LABEL_MAC1 || responder public key || membership key). */
    static byte[] memberMac1Key(byte[] responderPublic, byte[] membershipKey) {
        return Blake2s.hash(ProtocolConstants.LABEL_MAC1, responderPublic, membershipKey);
    }

    /**
     * Which key the 16 bytes at {@code mac1Offset} are a MAC of {@code msg[0..mac1Offset)} under:
     * {@link #MAC1_MEMBER}, {@link #MAC1_STANDARD} (only while accepted) or {@link #MAC1_INVALID}.
     */
    int checkMac1(byte[] msg, int off, int mac1Offset) {
        if (memberMac1Key != null && macMatches(memberMac1Key, msg, off, mac1Offset)) {
            return MAC1_MEMBER;
        }
        if (acceptStandard && macMatches(mac1Key, msg, off, mac1Offset)) {
            return MAC1_STANDARD;
        }
        return MAC1_INVALID;
    }

    private boolean macMatches(byte[] key, byte[] msg, int off, int macOffset) {
        Blake2s.mac(key, msg, off, macOffset, scratch, 0);
        int diff = 0;
        for (int i = 0; i < 16; i++) {
            diff |= scratch[i] ^ msg[off + macOffset + i];
        }
        return diff == 0;
    }

    /** True if mac2 matches the cookie this checker would give {@code source} now. */
    boolean checkMac2(byte[] msg, int off, int mac2Offset, Endpoint source, long nowNanos) {
        return macMatches(cookieFor(source, nowNanos), msg, off, mac2Offset);
    }

    /**
     * Writes a cookie reply (64 bytes at {@code out[outOff]}) to the handshake message {@code msg}
     * whose sender index is {@code senderIndex} and whose mac1 is at {@code mac1Offset}.
     */
    void writeReply(byte[] msg, int off, int senderIndex, int mac1Offset, Endpoint source, long nowNanos,
            byte[] out, int outOff) {
        byte[] cookie = cookieFor(source, nowNanos);
        byte[] nonce = new byte[CookieReply.NONCE_LENGTH];
        random.nextBytes(nonce);
        byte[] mac1 = Arrays.copyOfRange(msg, off + mac1Offset, off + mac1Offset + 16);
        byte[] sealed = xaead.seal(encryptionKey, nonce, mac1, cookie);
        CookieReply.writeHeader(out, outOff, senderIndex);
        System.arraycopy(nonce, 0, out, outOff + CookieReply.NONCE, nonce.length);
        System.arraycopy(sealed, 0, out, outOff + CookieReply.COOKIE, sealed.length);
    }

    private byte[] cookieFor(Endpoint source, long nowNanos) {
        if (!secretSet || nowNanos - secretSetNanos >= ProtocolConstants.COOKIE_REFRESH_TIME) {
            random.nextBytes(secret);
            secretSetNanos = nowNanos;
            secretSet = true;
        }
        byte[] src = source.cookieSource();
        byte[] cookie = new byte[16];
        Blake2s.mac(secret, src, 0, src.length, cookie, 0);
        return cookie;
    }

}
