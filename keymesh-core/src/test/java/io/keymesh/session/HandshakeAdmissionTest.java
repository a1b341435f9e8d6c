package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.SECOND;
import static io.keymesh.session.ProtocolConstants.UNDER_LOAD_AFTER_TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.testing.TestKeys;
import io.keymesh.wire.CookieReply;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link HandshakeAdmission}: mac1 always; under load (a threshold of handshake messages within one
 * second, lasting {@link ProtocolConstants#UNDER_LOAD_AFTER_TIME}) a valid mac2 and the per-address
 * rate limit. Exact boundaries in time and counts.
 */
class HandshakeAdmissionTest {
    private static final int MAC1_AT = 116;
    private static final long T0 = 1_000 * SECOND;
    private static final UdpEndpoint FROM = endpoint("192.0.2.1", 51820);

    private final PrivateKey local = TestKeys.key(new SplittableRandom(3));
    private final HandshakeAdmission admission = new HandshakeAdmission(local.publicKey(), new SplittableRandom(4));
    private final CookieGenerator sender = new CookieGenerator(local.publicKey());
    private final byte[] reply = new byte[CookieReply.LENGTH];

    private byte[] initiation(long now) {
        byte[] m = new byte[148];
        m[0] = 1;
        m[4] = 0x2a;
        sender.addMacs(m, 0, MAC1_AT, now);
        return m;
    }

    private int admit(long now, byte[] m, UdpEndpoint from) {
        return admission.admit(now, m, 0, MAC1_AT, 0x2a, from, reply);
    }

    @Test
    void notUnderLoadOnlyMac1IsLookedAt() {
        admission.setUnderLoadThreshold(1000);
        byte[] m = initiation(T0);
        assertEquals(CookieChecker.MAC1_STANDARD, admit(T0, m, FROM));
        byte[] bad = m.clone();
        bad[MAC1_AT + 15] ^= 1;
        assertEquals(HandshakeAdmission.REFUSED_BAD_MAC1, admit(T0, bad, FROM));
        for (int i = 0; i < 50; i++) {
            assertEquals(CookieChecker.MAC1_STANDARD, admit(T0 + i, m, FROM), "no rate limit when not under load");
        }
        assertFalse(admission.isUnderLoad(T0 + 50));
    }

    @Test
    void theThresholdWithinOneSecondPutsItUnderLoadForUnderLoadAfterTime() {
        admission.setUnderLoadThreshold(3);
        byte[] m = initiation(T0);
        assertEquals(CookieChecker.MAC1_STANDARD, admit(T0, m, FROM));
        byte[] bad = m.clone();
        bad[10] ^= 1;
        assertEquals(HandshakeAdmission.REFUSED_BAD_MAC1, admit(T0 + 1, bad, FROM), "counted all the same");
        assertFalse(admission.isUnderLoad(T0 + 1), "two of three");
        long third = T0 + SECOND - 1;
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN, admit(third, m, FROM),
                "the third in the same second is judged under load: no mac2, a cookie reply");
        assertEquals(CookieReply.LENGTH, reply.length);
        assertEquals(3, reply[0]);
        assertEquals(0x2a, CookieReply.receiver(reply, 0));
        assertTrue(admission.isUnderLoad(third));
        assertTrue(admission.isUnderLoad(third + UNDER_LOAD_AFTER_TIME - 1));
        assertFalse(admission.isUnderLoad(third + UNDER_LOAD_AFTER_TIME));
    }

    @Test
    void theLoadWindowIsOneSecond() {
        admission.setUnderLoadThreshold(2);
        byte[] m = initiation(T0);
        assertEquals(CookieChecker.MAC1_STANDARD, admit(T0, m, FROM));
        assertEquals(CookieChecker.MAC1_STANDARD, admit(T0 + SECOND, m, FROM), "a new window: one of two");
        assertFalse(admission.isUnderLoad(T0 + SECOND));
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN, admit(T0 + 2 * SECOND - 1, m, FROM));
    }

    @Test
    void thresholdOfOneMeansEveryMessageIsUnderLoad() {
        admission.setUnderLoadThreshold(1);
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN, admit(T0, initiation(T0), FROM));
        assertThrows(IllegalArgumentException.class, () -> admission.setUnderLoadThreshold(0));
        assertThrows(IllegalArgumentException.class, () -> admission.setUnderLoadThreshold(-1));
    }

    @Test
    void underLoadAValidMac2IsAdmittedWithinTheSourceAddressRate() {
        admission.setForcedUnderLoad(true);
        assertTrue(admission.isUnderLoad(Long.MIN_VALUE + 1));
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN, admit(T0, initiation(T0), FROM));
        assertTrue(sender.consumeReply(reply, 0, T0));
        byte[] m = initiation(T0);

        // The rate limiter's burst: five from one address, whatever the port; the sixth is refused.
        for (int i = 0; i < HandshakeRateLimiter.PACKETS_BURSTABLE; i++) {
            assertEquals(CookieChecker.MAC1_STANDARD, admit(T0, m, FROM), "burst " + i);
        }
        assertEquals(HandshakeAdmission.REFUSED_RATE_LIMITED, admit(T0, m, FROM));
        // Another port of the same address has another cookie, so mac2 fails first.
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN, admit(T0, m, endpoint("192.0.2.1", 51821)));
        // One packet's worth of time later, one more.
        long later = T0 + HandshakeRateLimiter.PACKET_COST_NANOS;
        assertEquals(CookieChecker.MAC1_STANDARD, admit(later, m, FROM));
        assertEquals(HandshakeAdmission.REFUSED_RATE_LIMITED, admit(later, m, FROM));

        admission.setForcedUnderLoad(false);
        assertFalse(admission.isUnderLoad(later + UNDER_LOAD_AFTER_TIME + SECOND));
        assertEquals(CookieChecker.MAC1_STANDARD, admit(later + UNDER_LOAD_AFTER_TIME + SECOND, m, FROM),
                "not under load: neither mac2 nor the rate is looked at");
    }

    @Test
    void underLoadCookieRepliesAreLimitedPerSourceAddress() {
        admission.setForcedUnderLoad(true);
        byte[] m = initiation(T0);
        // Five at once from one address, whatever the port; the sixth gets nothing.
        for (int i = 0; i < HandshakeRateLimiter.PACKETS_BURSTABLE; i++) {
            assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN, admit(T0, m, endpoint("192.0.2.1", 50_000 + i)), "burst " + i);
        }
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_LIMITED, admit(T0, m, FROM));
        // Another address has its own share.
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN, admit(T0, m, endpoint("192.0.2.2", 51820)));
        // One reply's worth of time later, one more, and not two.
        long later = T0 + HandshakeRateLimiter.PACKET_COST_NANOS;
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN, admit(later, m, FROM));
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_LIMITED, admit(later, m, FROM));
        // A message with a valid mac2 is not held back by the cookie limit: its cookie came earlier.
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN, admit(T0, m, endpoint("192.0.2.3", 51820)));
        assertTrue(sender.consumeReply(reply, 0, T0));
        for (int i = 1; i < HandshakeRateLimiter.PACKETS_BURSTABLE; i++) {
            assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN, admit(T0, m, endpoint("192.0.2.3", 51820)));
        }
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_LIMITED, admit(T0, m, endpoint("192.0.2.3", 51820)));
        assertEquals(CookieChecker.MAC1_STANDARD, admit(T0, initiation(T0), endpoint("192.0.2.3", 51820)));
    }

    @Test
    void theCookieReplyAnswersTheMessageItRefused() {
        admission.setForcedUnderLoad(true);
        byte[] m = initiation(T0);
        Arrays.fill(reply, (byte) 0x77);
        assertEquals(HandshakeAdmission.REFUSED_COOKIE_REPLY_WRITTEN, admit(T0, m, FROM));
        assertTrue(sender.consumeReply(reply, 0, T0), "sealed to the mac1 just sent");
        assertTrue(sender.hasFreshCookie(T0));
    }

    @Test
    void membershipIsPassedToTheMac1Check() {
        byte[] network = new byte[32];
        network[0] = 1;
        admission.setMembership(network, false);
        assertEquals(HandshakeAdmission.REFUSED_BAD_MAC1, admit(T0, initiation(T0), FROM));
        sender.setMembership(network);
        assertEquals(CookieChecker.MAC1_MEMBER, admit(T0, initiation(T0), FROM));
        admission.setMembership(network, true);
        sender.setMembership(null);
        assertEquals(CookieChecker.MAC1_STANDARD, admit(T0, initiation(T0), FROM));
    }

    private static UdpEndpoint endpoint(String ip, int port) {
        return new UdpEndpoint(new InetSocketAddress(ip, port));
    }
}
