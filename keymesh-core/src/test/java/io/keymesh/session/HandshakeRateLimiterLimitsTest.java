package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link HandshakeRateLimiter#DEFAULT_MAX_ENTRIES} (the size {@link HandshakeAdmission} uses) run at
 * its full size: 8,192 sources, IPv4 addresses and IPv6 /64s, are tracked; the next new source is
 * refused while known ones keep their buckets; one swept makes room for exactly one.
 */
class HandshakeRateLimiterLimitsTest {
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000_000 * MS;

    private static byte[] ipv4(int i) {
        return new byte[] {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
    }

    /** An address in the /64 numbered {@code i}, with {@code host} in its low bits. */
    private static byte[] ipv6(int i, int host) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[2] = 0x0d;
        a[3] = (byte) 0xb8;
        a[6] = (byte) (i >>> 8);
        a[7] = (byte) i;
        a[15] = (byte) host;
        return a;
    }

    @Test
    void theDefaultTableTakes8192SourcesRefusesTheNextAndOneSweptMakesRoom() {
        assertEquals(8192, HandshakeRateLimiter.DEFAULT_MAX_ENTRIES);
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(0x5eed);
        int half = HandshakeRateLimiter.DEFAULT_MAX_ENTRIES / 2;
        assertTrue(limiter.allow(ipv4(0), T0)); // the one that will go idle
        for (int i = 1; i < half; i++) {
            assertTrue(limiter.allow(ipv4(i), T0 + 500 * MS), "IPv4 source " + i);
        }
        for (int i = 0; i < half; i++) {
            assertTrue(limiter.allow(ipv6(i, 1), T0 + 500 * MS), "IPv6 /64 " + i);
        }
        assertEquals(HandshakeRateLimiter.DEFAULT_MAX_ENTRIES, limiter.size());

        assertFalse(limiter.allow(ipv4(half), T0 + 500 * MS), "the 8,193rd source is refused");
        assertFalse(limiter.allow(ipv6(half, 1), T0 + 500 * MS), "as is a new /64");
        assertEquals(HandshakeRateLimiter.DEFAULT_MAX_ENTRIES, limiter.size());
        assertTrue(limiter.allow(ipv4(7), T0 + 500 * MS), "a known source keeps its bucket");
        assertTrue(limiter.allow(ipv6(7, 99), T0 + 500 * MS), "another address in a known /64 is that /64");
        int burst = 0;
        while (limiter.allow(ipv4(9), T0 + 500 * MS)) {
            burst++;
        }
        assertEquals(HandshakeRateLimiter.PACKETS_BURSTABLE - 1, burst, "its bucket, charged once already");

        // A second after the first: source 0, idle over a second, is swept; the rest are not.
        long later = T0 + HandshakeRateLimiter.GARBAGE_COLLECT_NANOS + 1;
        assertTrue(limiter.allow(ipv4(half), later), "one swept makes room");
        assertEquals(HandshakeRateLimiter.DEFAULT_MAX_ENTRIES, limiter.size());
        assertFalse(limiter.allow(ipv4(half + 1), later), "for one only");
    }
}
