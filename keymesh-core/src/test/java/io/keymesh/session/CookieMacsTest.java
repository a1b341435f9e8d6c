package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.COOKIE_REFRESH_TIME;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.SECOND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.XChaCha20Poly1305;
import io.keymesh.wire.CookieReply;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * mac1, mac2 and cookies (whitepaper section 5.4.4 and 5.4.7) through {@link CookieGenerator} (the
 * sender's side) and {@link CookieChecker} (the responder's side), byte for byte.
 *
 * <p>The expected values were computed with an independent implementation (Python's
 * {@code hashlib.blake2s} and the {@code cryptography} package's X25519) from the definitions:
 * mac1 = MAC(HASH("mac1----" || Spub_r), msg[0..116)), cookie = MAC(secret, IP || port) with an
 * all-zero secret (the checker's randomness starts with 32 zero bytes here), mac2 = MAC(cookie, msg[0..132)),
 * where MAC is keyed BLAKE2s with a 16-byte digest.
 */
class CookieMacsTest {
    private static final HexFormat HEX = HexFormat.of();

    private static final PrivateKey RESPONDER =
            PrivateKey.of(HEX.parseHex("480102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e70"));
    private static final byte[] RESPONDER_PUBLIC =
            HEX.parseHex("d7b6a2c623c1779050749358168af19d0d0098f80757cafefc2ab666815dca16");
    /** HASH("cookie--" || Spub_r): the key cookie replies are sealed with. */
    private static final byte[] COOKIE_KEY =
            HEX.parseHex("f68a9bd244a9922080f9158874fd6153cf3d9da695b44df6496792f207694d26");
    /** mac1 of {@link #initiation()} under HASH("mac1----" || Spub_r). */
    private static final byte[] MAC1 = HEX.parseHex("6b70da8251efb08ae2ac6ff82f38f70a");
    /** A membership key, and mac1 of {@link #initiation()} under HASH("mac1----" || Spub_r || it). */
    private static final byte[] MEMBERSHIP = range(100, 32);
    private static final byte[] MEMBER_MAC1 = HEX.parseHex("2879d82070bfb21554165169acfeb5a8");
    /** MAC(32 zero bytes, 10.0.0.1 || 51820). */
    private static final byte[] COOKIE_V4 = HEX.parseHex("584ae1a4b5d182c0c87995acb8b4cd3f");
    /** MAC(32 zero bytes, 2001:db8::1 || 0x1234). */
    private static final byte[] COOKIE_V6 = HEX.parseHex("d2f69d97866ae6db6660caa86a918fcc");
    /** mac2 of {@link #initiation()} carrying {@link #MAC1}, under {@link #COOKIE_V4}. */
    private static final byte[] MAC2_V4 = HEX.parseHex("2a7416ed8238bf72cc8f6b3e2c78bd24");

    private static final int MAC1_AT = 116;
    private static final int MAC2_AT = 132;
    private static final UdpEndpoint FROM = endpoint("10.0.0.1", 51820);
    private static final long T0 = 1_000 * SECOND;
    /**
     * Randomness whose first 32 bytes, the cookie secret, are zeros, and whose later draws (the
     * nonces of cookie replies) count up from 1 in each 8-byte word.
     */
    private static final class ZeroSecret implements RandomGenerator {
        private long draws;

        @Override
        public long nextLong() {
            return draws++ < 4 ? 0 : draws - 4;
        }
    }

    /** A 148-byte handshake initiation: type 1, then bytes (7i + 3) mod 256; its macs are overwritten. */
    private static byte[] initiation() {
        byte[] m = new byte[148];
        m[0] = 1;
        for (int i = 4; i < m.length; i++) {
            m[i] = (byte) (i * 7 + 3);
        }
        return m;
    }

    @Test
    void theVectorKeyIsTheResponders() {
        assertArrayEquals(RESPONDER_PUBLIC, RESPONDER.publicKey().toBytes());
    }

    @Test
    void mac1IsKeyedByTheResponderPublicKeyAndMac2IsZeroWithoutACookie() {
        CookieGenerator gen = new CookieGenerator(RESPONDER.publicKey());
        byte[] m = initiation();
        byte[] body = Arrays.copyOf(m, MAC1_AT);
        Arrays.fill(m, MAC2_AT, 148, (byte) 0x55);
        gen.addMacs(m, 0, MAC1_AT, T0);
        assertArrayEquals(MAC1, Arrays.copyOfRange(m, MAC1_AT, MAC2_AT));
        assertArrayEquals(new byte[16], Arrays.copyOfRange(m, MAC2_AT, 148), "mac2 zeroed");
        assertArrayEquals(body, Arrays.copyOf(m, MAC1_AT), "the message itself is untouched");
        assertFalse(gen.hasFreshCookie(T0));

        CookieChecker checker = new CookieChecker(RESPONDER.publicKey(), new ZeroSecret());
        assertEquals(CookieChecker.MAC1_STANDARD, checker.checkMac1(m, 0, MAC1_AT));
    }

    @Test
    void macsAreWrittenAndCheckedAtTheMessageOffset() {
        int off = 37;
        byte[] buf = new byte[off + 148 + 5];
        Arrays.fill(buf, (byte) 0xEE);
        System.arraycopy(initiation(), 0, buf, off, 148);
        CookieGenerator gen = new CookieGenerator(RESPONDER.publicKey());
        gen.addMacs(buf, off, MAC1_AT, T0);
        assertArrayEquals(MAC1, Arrays.copyOfRange(buf, off + MAC1_AT, off + MAC2_AT));
        assertArrayEquals(new byte[16], Arrays.copyOfRange(buf, off + MAC2_AT, off + 148));
        for (int i = 0; i < off; i++) {
            assertEquals((byte) 0xEE, buf[i], "before the message, byte " + i);
        }
        CookieChecker checker = new CookieChecker(RESPONDER.publicKey(), new ZeroSecret());
        assertEquals(CookieChecker.MAC1_STANDARD, checker.checkMac1(buf, off, MAC1_AT));
        assertEquals(CookieChecker.MAC1_INVALID, checker.checkMac1(buf, off - 1, MAC1_AT));
    }

    @Test
    void everyBitOfMac1AndOfTheMessageItCoversIsChecked() {
        byte[] m = initiation();
        new CookieGenerator(RESPONDER.publicKey()).addMacs(m, 0, MAC1_AT, T0);
        CookieChecker checker = new CookieChecker(RESPONDER.publicKey(), new ZeroSecret());
        for (int i = 0; i < MAC2_AT; i++) {
            for (int bit = 0; bit < 8; bit++) {
                m[i] ^= (byte) (1 << bit);
                assertEquals(CookieChecker.MAC1_INVALID, checker.checkMac1(m, 0, MAC1_AT), "byte " + i + " bit " + bit);
                m[i] ^= (byte) (1 << bit);
            }
        }
        assertEquals(CookieChecker.MAC1_STANDARD, checker.checkMac1(m, 0, MAC1_AT));
        // mac2 is not covered by mac1.
        m[140] ^= 1;
        assertEquals(CookieChecker.MAC1_STANDARD, checker.checkMac1(m, 0, MAC1_AT));
    }

    @Test
    void aMac1ForAnotherResponderIsInvalid() {
        byte[] m = initiation();
        new CookieGenerator(PrivateKey.of(range(1, 32)).publicKey()).addMacs(m, 0, MAC1_AT, T0);
        assertEquals(CookieChecker.MAC1_INVALID, new CookieChecker(RESPONDER.publicKey(), new ZeroSecret()).checkMac1(m, 0, MAC1_AT));
    }

    @Test
    void membershipKeyBindsMac1AndDecidesWhetherStandardMac1IsAccepted() {
        byte[] standard = initiation();
        new CookieGenerator(RESPONDER.publicKey()).addMacs(standard, 0, MAC1_AT, T0);
        byte[] member = initiation();
        CookieGenerator memberGen = new CookieGenerator(RESPONDER.publicKey());
        memberGen.setMembership(MEMBERSHIP);
        memberGen.addMacs(member, 0, MAC1_AT, T0);
        assertArrayEquals(MEMBER_MAC1, Arrays.copyOfRange(member, MAC1_AT, MAC2_AT));
        assertArrayEquals(MEMBER_MAC1, mac(CookieChecker.memberMac1Key(RESPONDER_PUBLIC, MEMBERSHIP), member));

        CookieChecker checker = new CookieChecker(RESPONDER.publicKey(), new ZeroSecret());
        assertEquals(CookieChecker.MAC1_INVALID, checker.checkMac1(member, 0, MAC1_AT), "no membership key yet");

        checker.setMembership(MEMBERSHIP, false);
        assertEquals(CookieChecker.MAC1_MEMBER, checker.checkMac1(member, 0, MAC1_AT));
        assertEquals(CookieChecker.MAC1_INVALID, checker.checkMac1(standard, 0, MAC1_AT), "members only");

        checker.setMembership(MEMBERSHIP, true);
        assertEquals(CookieChecker.MAC1_MEMBER, checker.checkMac1(member, 0, MAC1_AT));
        assertEquals(CookieChecker.MAC1_STANDARD, checker.checkMac1(standard, 0, MAC1_AT), "stock WireGuard peers too");

        checker.setMembership(null, false);
        assertEquals(CookieChecker.MAC1_INVALID, checker.checkMac1(member, 0, MAC1_AT), "unbound");
        assertEquals(CookieChecker.MAC1_STANDARD, checker.checkMac1(standard, 0, MAC1_AT), "unbound: standard again");

        memberGen.setMembership(null);
        byte[] again = initiation();
        memberGen.addMacs(again, 0, MAC1_AT, T0);
        assertArrayEquals(MAC1, Arrays.copyOfRange(again, MAC1_AT, MAC2_AT), "the generator unbound: standard mac1");
    }

    @Test
    void cookieReplyCarriesTheCookieForTheSourceSealedToMac1() {
        CookieGenerator gen = new CookieGenerator(RESPONDER.publicKey());
        byte[] m = initiation();
        gen.addMacs(m, 0, MAC1_AT, T0);
        CookieChecker checker = new CookieChecker(RESPONDER.publicKey(), new ZeroSecret());
        assertFalse(checker.checkMac2(m, 0, MAC2_AT, FROM, T0), "a zero mac2");

        int outOff = 9;
        byte[] out = new byte[outOff + CookieReply.LENGTH + 3];
        checker.writeReply(m, 0, 0x11223344, MAC1_AT, FROM, T0, out, outOff);
        byte[] reply = Arrays.copyOfRange(out, outOff, outOff + CookieReply.LENGTH);
        assertArrayEquals(new byte[] {3, 0, 0, 0, 0x44, 0x33, 0x22, 0x11}, Arrays.copyOf(reply, 8), "type 3, receiver index");
        byte[] nonce = Arrays.copyOfRange(reply, 8, 32);
        assertArrayEquals(HEX.parseHex("010000000000000002000000000000000300000000000000"), nonce, "the random nonce");
        assertArrayEquals(new byte[outOff], Arrays.copyOf(out, outOff), "nothing written before outOff");
        byte[] cookie = new XChaCha20Poly1305().open(COOKIE_KEY, nonce, MAC1, Arrays.copyOfRange(reply, 32, 64));
        assertArrayEquals(COOKIE_V4, cookie, "XAEAD(HASH(\"cookie--\" || Spub_r), nonce, cookie, mac1)");

        assertTrue(gen.consumeReply(reply, 0, T0));
        assertTrue(gen.hasFreshCookie(T0));
        byte[] retry = initiation();
        gen.addMacs(retry, 0, MAC1_AT, T0 + SECOND);
        assertArrayEquals(MAC1, Arrays.copyOfRange(retry, MAC1_AT, MAC2_AT));
        assertArrayEquals(MAC2_V4, Arrays.copyOfRange(retry, MAC2_AT, 148));
        assertTrue(checker.checkMac2(retry, 0, MAC2_AT, FROM, T0 + SECOND));
    }

    @Test
    void theCookieNamesTheSourceAddressAndPort() {
        CookieChecker checker = new CookieChecker(RESPONDER.publicKey(), new ZeroSecret());
        byte[] m = withMac2(checker, FROM);
        assertTrue(checker.checkMac2(m, 0, MAC2_AT, FROM, T0));
        assertTrue(checker.checkMac2(m, 0, MAC2_AT, endpoint("10.0.0.1", 51820), T0), "an equal endpoint");
        assertFalse(checker.checkMac2(m, 0, MAC2_AT, endpoint("10.0.0.1", 51821), T0), "another port");
        assertFalse(checker.checkMac2(m, 0, MAC2_AT, endpoint("10.0.0.1", 51820 + 256), T0), "another port, same low byte");
        assertFalse(checker.checkMac2(m, 0, MAC2_AT, endpoint("10.0.0.2", 51820), T0), "another address");
        assertFalse(checker.checkMac2(m, 0, MAC2_AT, endpoint("::ffff:10.0.0.2", 51820), T0), "another address, mapped");

        UdpEndpoint v6 = endpoint("2001:db8::1", 0x1234);
        byte[] m6 = withMac2(checker, v6);
        assertTrue(checker.checkMac2(m6, 0, MAC2_AT, v6, T0));
        assertFalse(checker.checkMac2(m6, 0, MAC2_AT, endpoint("2001:db8::1", 0x1235), T0));
        assertFalse(checker.checkMac2(m6, 0, MAC2_AT, endpoint("2001:db8::2", 0x1234), T0));
        byte[] cookie6 = new byte[16];
        io.keymesh.crypto.Blake2s.mac(new byte[32], v6.cookieSource(), 0, 18, cookie6, 0);
        assertArrayEquals(COOKIE_V6, cookie6);
    }

    @Test
    void everyBitOfMac2IsChecked() {
        CookieChecker checker = new CookieChecker(RESPONDER.publicKey(), new ZeroSecret());
        byte[] m = withMac2(checker, FROM);
        for (int i = 0; i < 148; i++) {
            m[i] ^= 0x10;
            assertFalse(checker.checkMac2(m, 0, MAC2_AT, FROM, T0), "byte " + i);
            m[i] ^= 0x10;
        }
        assertTrue(checker.checkMac2(m, 0, MAC2_AT, FROM, T0));
    }

    @Test
    void udpEndpointCookieSourceIsAddressThenPortBigEndianAndRateLimitKeyTheAddress() {
        assertArrayEquals(new byte[] {10, 0, 0, 1, (byte) 0xca, 0x6c}, FROM.cookieSource());
        assertArrayEquals(new byte[] {10, 0, 0, 1}, FROM.rateLimitKey());
        byte[] v6 = endpoint("2001:db8::1", 0x1234).cookieSource();
        assertArrayEquals(HEX.parseHex("20010db80000000000000000000000011234"), v6);
        assertArrayEquals(HEX.parseHex("20010db8000000000000000000000001"), endpoint("2001:db8::1", 0x1234).rateLimitKey());
    }

    @Test
    void theCookieSecretIsReplacedEveryCookieRefreshTime() {
        CookieChecker checker = new CookieChecker(RESPONDER.publicKey(), new SplittableRandom(5));
        byte[] m = withMac2(checker, FROM); // the secret is drawn at T0
        assertTrue(checker.checkMac2(m, 0, MAC2_AT, FROM, T0 + COOKIE_REFRESH_TIME - 1));
        assertFalse(checker.checkMac2(m, 0, MAC2_AT, FROM, T0 + COOKIE_REFRESH_TIME), "a new secret");
        byte[] m2 = withMac2(checker, FROM, T0 + COOKIE_REFRESH_TIME);
        assertTrue(checker.checkMac2(m2, 0, MAC2_AT, FROM, T0 + 2 * COOKIE_REFRESH_TIME - 1));
        assertFalse(checker.checkMac2(m, 0, MAC2_AT, FROM, T0 + 2 * COOKIE_REFRESH_TIME - 1), "the old cookie stays invalid");
    }

    @Test
    void theSenderUsesACookieForCookieRefreshTimeLessRekeyTimeout() {
        CookieChecker checker = new CookieChecker(RESPONDER.publicKey(), new ZeroSecret());
        CookieGenerator gen = new CookieGenerator(RESPONDER.publicKey());
        byte[] m = initiation();
        gen.addMacs(m, 0, MAC1_AT, T0);
        byte[] reply = new byte[CookieReply.LENGTH];
        checker.writeReply(m, 0, 1, MAC1_AT, FROM, T0, reply, 0);
        long got = T0 + 3 * SECOND;
        assertTrue(gen.consumeReply(reply, 0, got));
        long lastUse = got + COOKIE_REFRESH_TIME - REKEY_TIMEOUT - 1;

        byte[] late = initiation();
        assertTrue(gen.hasFreshCookie(lastUse));
        gen.addMacs(late, 0, MAC1_AT, lastUse);
        assertArrayEquals(MAC2_V4, Arrays.copyOfRange(late, MAC2_AT, 148));

        byte[] tooLate = initiation();
        assertFalse(gen.hasFreshCookie(lastUse + 1));
        gen.addMacs(tooLate, 0, MAC1_AT, lastUse + 1);
        assertArrayEquals(new byte[16], Arrays.copyOfRange(tooLate, MAC2_AT, 148));
    }

    @Test
    void aReplyIsTakenOnlyForTheLastMac1SentAndOnlyIntact() {
        CookieChecker checker = new CookieChecker(RESPONDER.publicKey(), new ZeroSecret());
        CookieGenerator gen = new CookieGenerator(RESPONDER.publicKey());
        byte[] first = initiation();
        byte[] reply = new byte[CookieReply.LENGTH];
        checker.writeReply(withMacs(gen, first), 0, 1, MAC1_AT, FROM, T0, reply, 0);
        // Nothing was sent by a fresh generator, so no reply can be for it.
        assertFalse(new CookieGenerator(RESPONDER.publicKey()).consumeReply(reply, 0, T0));

        for (int i = 8; i < CookieReply.LENGTH; i++) {
            byte[] bad = reply.clone();
            bad[i] ^= 1;
            assertFalse(gen.consumeReply(bad, 0, T0), "byte " + i);
        }
        assertFalse(gen.hasFreshCookie(T0), "no cookie from a tampered reply");

        byte[] second = initiation();
        second[20] ^= 1; // another message: another mac1
        withMacs(gen, second);
        assertFalse(gen.consumeReply(reply, 0, T0), "the reply answers the previous mac1");
        assertFalse(gen.hasFreshCookie(T0));

        byte[] offset = new byte[5 + CookieReply.LENGTH];
        checker.writeReply(second, 0, 1, MAC1_AT, FROM, T0, offset, 5);
        assertTrue(gen.consumeReply(offset, 5, T0));
        assertTrue(gen.hasFreshCookie(T0));
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] withMacs(CookieGenerator gen, byte[] m) {
        gen.addMacs(m, 0, MAC1_AT, T0);
        return m;
    }

    /** An initiation with mac1 and a mac2 from the cookie {@code checker} gives {@code source} at T0. */
    private static byte[] withMac2(CookieChecker checker, UdpEndpoint source) {
        return withMac2(checker, source, T0);
    }

    private static byte[] withMac2(CookieChecker checker, UdpEndpoint source, long now) {
        CookieGenerator gen = new CookieGenerator(RESPONDER.publicKey());
        byte[] m = initiation();
        gen.addMacs(m, 0, MAC1_AT, now);
        byte[] reply = new byte[CookieReply.LENGTH];
        checker.writeReply(m, 0, 7, MAC1_AT, source, now, reply, 0);
        assertTrue(gen.consumeReply(reply, 0, now));
        gen.addMacs(m, 0, MAC1_AT, now);
        return m;
    }

    private static byte[] mac(byte[] key, byte[] m) {
        byte[] out = new byte[16];
        io.keymesh.crypto.Blake2s.mac(key, m, 0, MAC1_AT, out, 0);
        return out;
    }

    private static UdpEndpoint endpoint(String ip, int port) {
        return new UdpEndpoint(new InetSocketAddress(ip, port));
    }

    private static byte[] range(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }
}
