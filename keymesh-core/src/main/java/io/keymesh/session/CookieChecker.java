package io.keymesh.session;

import io.keymesh.crypto.Blake2s;
import io.keymesh.crypto.PublicKey;
import io.keymesh.crypto.XChaCha20Poly1305;
import io.keymesh.wire.CookieReply;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
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
    private final byte[] mac1Key;
    private final byte[] encryptionKey;
    private final RandomGenerator random;
    private final XChaCha20Poly1305 xaead = new XChaCha20Poly1305();
    private final byte[] secret = new byte[32];
    private long secretSetNanos;
    private boolean secretSet;
    private final byte[] scratch = new byte[16];

    CookieChecker(PublicKey localPublic, RandomGenerator random) {
        byte[] pub = localPublic.toBytes();
        this.mac1Key = Blake2s.hash(ProtocolConstants.LABEL_MAC1, pub);
        this.encryptionKey = Blake2s.hash(ProtocolConstants.LABEL_COOKIE, pub);
        this.random = random;
    }

    /** True if the 16 bytes at {@code mac1Offset} are MAC(mac1Key, msg[0..mac1Offset)). */
    boolean checkMac1(byte[] msg, int off, int mac1Offset) {
        Blake2s.mac(mac1Key, msg, off, mac1Offset, scratch, 0);
        return MessageDigest.isEqual(scratch, Arrays.copyOfRange(msg, off + mac1Offset, off + mac1Offset + 16));
    }

    /** True if mac2 matches the cookie this checker would give {@code source} now. */
    boolean checkMac2(byte[] msg, int off, int mac2Offset, InetSocketAddress source, long nowNanos) {
        byte[] cookie = cookieFor(source, nowNanos);
        Blake2s.mac(cookie, msg, off, mac2Offset, scratch, 0);
        return MessageDigest.isEqual(scratch, Arrays.copyOfRange(msg, off + mac2Offset, off + mac2Offset + 16));
    }

    /**
     * Writes a cookie reply (64 bytes at {@code out[outOff]}) to the handshake message {@code msg}
     * whose sender index is {@code senderIndex} and whose mac1 is at {@code mac1Offset}.
     */
    void writeReply(byte[] msg, int off, int senderIndex, int mac1Offset, InetSocketAddress source, long nowNanos,
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

    private byte[] cookieFor(InetSocketAddress source, long nowNanos) {
        if (!secretSet || nowNanos - secretSetNanos >= ProtocolConstants.COOKIE_REFRESH_TIME) {
            random.nextBytes(secret);
            secretSetNanos = nowNanos;
            secretSet = true;
        }
        byte[] src = sourceBytes(source);
        byte[] cookie = new byte[16];
        Blake2s.mac(secret, src, 0, src.length, cookie, 0);
        return cookie;
    }

    /** The source as WireGuard keys cookies: IP address bytes followed by the port, big-endian. */
    static byte[] sourceBytes(InetSocketAddress source) {
        byte[] ip = source.getAddress().getAddress();
        byte[] src = Arrays.copyOf(ip, ip.length + 2);
        src[ip.length] = (byte) (source.getPort() >>> 8);
        src[ip.length + 1] = (byte) source.getPort();
        return src;
    }
}
