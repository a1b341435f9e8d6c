package io.keymesh.session;

import io.keymesh.crypto.Blake2s;
import io.keymesh.crypto.PublicKey;
import io.keymesh.crypto.XChaCha20Poly1305;
import io.keymesh.wire.CookieReply;
import java.util.Arrays;

/**
 * The sender's side of WireGuard's cookie mechanism, one per peer: adds mac1 (always) and mac2
 * (with a cookie younger than {@link ProtocolConstants#COOKIE_REFRESH_TIME} minus
 * {@link ProtocolConstants#REKEY_TIMEOUT}, else zeros) to outgoing handshake messages, and takes
 * the cookie from a cookie reply, which must answer the last mac1 sent.
 *
 * <p>Not thread-safe.
 */
final class CookieGenerator {
    private final byte[] remotePublic;
    private final byte[] mac1Key;
    private byte[] memberMac1Key;
    private final byte[] encryptionKey;
    private final XChaCha20Poly1305 xaead = new XChaCha20Poly1305();
    private final byte[] lastMac1 = new byte[16];
    private boolean lastMac1Valid;
    private byte[] cookie;
    private long cookieSetNanos;

    CookieGenerator(PublicKey remotePublic) {
        byte[] pub = remotePublic.toBytes();
        this.remotePublic = pub;
        this.mac1Key = Blake2s.hash(ProtocolConstants.LABEL_MAC1, pub);
        this.encryptionKey = Blake2s.hash(ProtocolConstants.LABEL_COOKIE, pub);
    }

    /** Keys mac1 to a membership key (null: WireGuard's own mac1, for a stock WireGuard peer). */
    void setMembership(byte[] membershipKey) {
        this.memberMac1Key = membershipKey == null ? null : CookieChecker.memberMac1Key(remotePublic, membershipKey);
    }

    /** Writes mac1 at {@code mac1Offset} and mac2 at {@code mac1Offset + 16} of the message at {@code msg[off]}. */
    void addMacs(byte[] msg, int off, int mac1Offset, long nowNanos) {
        Blake2s.mac(memberMac1Key != null ? memberMac1Key : mac1Key, msg, off, mac1Offset, msg, off + mac1Offset);
        System.arraycopy(msg, off + mac1Offset, lastMac1, 0, 16);
        lastMac1Valid = true;
        int mac2Offset = mac1Offset + 16;
        if (cookie != null && nowNanos - cookieSetNanos < ProtocolConstants.COOKIE_REFRESH_TIME - ProtocolConstants.REKEY_TIMEOUT) {
            Blake2s.mac(cookie, msg, off, mac2Offset, msg, off + mac2Offset);
        } else {
            Arrays.fill(msg, off + mac2Offset, off + mac2Offset + 16, (byte) 0);
        }
    }

    /** Takes the cookie from a cookie reply; false if it does not decrypt against the last mac1 sent. */
    boolean consumeReply(byte[] msg, int off, long nowNanos) {
        if (!lastMac1Valid) {
            return false;
        }
        byte[] nonce = Arrays.copyOfRange(msg, off + CookieReply.NONCE, off + CookieReply.NONCE + CookieReply.NONCE_LENGTH);
        byte[] sealed = Arrays.copyOfRange(msg, off + CookieReply.COOKIE, off + CookieReply.COOKIE + CookieReply.COOKIE_LENGTH);
        byte[] opened = xaead.open(encryptionKey, nonce, lastMac1, sealed);
        if (opened == null) {
            return false;
        }
        cookie = opened;
        cookieSetNanos = nowNanos;
        return true;
    }

    /** True if a cookie is held and young enough to be used for mac2. */
    boolean hasFreshCookie(long nowNanos) {
        return cookie != null && nowNanos - cookieSetNanos < ProtocolConstants.COOKIE_REFRESH_TIME - ProtocolConstants.REKEY_TIMEOUT;
    }
}
