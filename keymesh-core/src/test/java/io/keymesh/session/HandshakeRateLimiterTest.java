package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeRateLimiterTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    /** An arbitrary clock origin, to show only differences matter. */
    private static final long T0 = -7 * SECOND;

    private final HandshakeRateLimiter limiter = new HandshakeRateLimiter(0x1234_5678_9abc_def0L);

    static byte[] ip(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code ::ffff:a.b.c.d} as 16 bytes (InetAddress would turn it into 4). */
    static byte[] mapped(String ipv4) {
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(ip(ipv4), 0, out, 12, 4);
        return out;
    }

    private int allowedOf(byte[] address, int attempts, long now) {
        int allowed = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.allow(address, now)) {
                allowed++;
            }
        }
        return allowed;
    }

    /** The sequence of wireguard-go's ratelimiter_test.go, applied to every address at each step. */
    @Test
    void burstThenRefusalThenRefillForEachAddress() {
        List<byte[]> addresses = List.of(
                ip("127.0.0.1"), ip("192.168.1.1"), ip("172.16.2.3"), ip("203.0.113.7"),
                ip("2001:db8:a0b:12f0::1"), ip("2001:db8:1::1"), ip("fd00:1:2:3:4:5:6:7"), mapped("198.51.100.9"));
        long cost = HandshakeRateLimiter.PACKET_COST_NANOS;
        record Step(long waitNanos, boolean allowed, String what) {}
        List<Step> steps = List.of(
                new Step(0, true, "burst 1"),
                new Step(0, true, "burst 2"),
                new Step(0, true, "burst 3"),
                new Step(0, true, "burst 4"),
                new Step(0, true, "burst 5"),
                new Step(0, false, "after the burst"),
                new Step(cost - 1, false, "one nanosecond short of a packet's credit"),
                new Step(1, true, "one packet's credit"),
                new Step(0, false, "not refilled"),
                new Step(2 * cost, true, "two packets' credit, first"),
                new Step(0, true, "two packets' credit, second"),
                new Step(0, false, "after the two"));
        long now = T0;
        for (Step step : steps) {
            now += step.waitNanos();
            for (byte[] a : addresses) {
                assertEquals(step.allowed(), limiter.allow(a, now), step.what() + " for " + a.length + "-byte address");
            }
        }
        assertEquals(addresses.size(), limiter.size());
    }

    @Test
    void refillRateIsTwentyPerSecond() {
        byte[] a = ip("192.0.2.1");
        int allowed = 0;
        for (long t = 0; t <= 10 * SECOND; t += MS) {
            if (limiter.allow(a, T0 + t)) {
                allowed++;
            }
        }
        assertEquals(5 + 20 * 10, allowed);
    }

    @Test
    void burstIsCappedAtFive() {
        byte[] a = ip("192.0.2.1");
        assertEquals(5, allowedOf(a, 10, T0));
        // 900 ms is worth 18 packets, but the bucket holds 5.
        assertEquals(5, allowedOf(a, 10, T0 + 900 * MS));
    }

    @Test
    void sourcesHaveSeparateBuckets() {
        byte[] a = ip("192.0.2.1");
        byte[] b = ip("192.0.2.2");
        assertEquals(5, allowedOf(a, 10, T0));
        assertEquals(5, allowedOf(b, 10, T0));
        assertEquals(2, limiter.size());
    }

    @Test
    void ipv6AddressesInOneSlash64ShareABucket() {
        byte[] a = ip("2001:db8:1:2::1");
        byte[] b = ip("2001:db8:1:2:ffff:ffff:ffff:ffff");
        byte[] otherNet = ip("2001:db8:1:3::1");
        assertEquals(3, allowedOf(a, 3, T0));
        assertEquals(2, allowedOf(b, 10, T0));
        assertFalse(limiter.allow(a, T0));
        assertEquals(5, allowedOf(otherNet, 10, T0));
        assertEquals(2, limiter.size());
    }

    @Test
    void ipv4MappedAddressesCountAsIpv4() {
        assertEquals(3, allowedOf(ip("192.0.2.1"), 3, T0));
        assertEquals(2, allowedOf(mapped("192.0.2.1"), 10, T0));
        // Mapped addresses all lie in ::ffff:0:0/96; they must not share one /64 bucket.
        assertEquals(5, allowedOf(mapped("192.0.2.2"), 10, T0));
        assertEquals(2, limiter.size());
    }

    @Test
    void ipv4AndIpv6WithTheSameKeyBitsAreSeparate() {
        // 0.0.0.1 and the /64 0:0:0:1::/64 are both the number 1.
        assertEquals(5, allowedOf(ip("0.0.0.1"), 10, T0));
        assertEquals(5, allowedOf(ip("0:0:0:1::"), 10, T0));
        assertEquals(2, limiter.size());
        // Many such pairs, so that some share a probe sequence in the table.
        HandshakeRateLimiter l = new HandshakeRateLimiter(256, 3);
        for (int x = 1; x <= 100; x++) {
            byte[] v4 = {0, 0, 0, (byte) x};
            byte[] v6 = new byte[16];
            v6[7] = (byte) x;
            assertEquals(5, countAllowed(l, v4, 10, T0), "0.0.0." + x);
            assertEquals(5, countAllowed(l, v6, 10, T0), "0:0:0:" + Integer.toHexString(x) + "::");
        }
        assertEquals(200, l.size());
    }

    @Test
    void idleEntriesAreCollectedAtMostOncePerSecond() {
        byte[] a = ip("192.0.2.1");
        byte[] b = ip("192.0.2.2");
        byte[] c = ip("192.0.2.3");
        limiter.allow(a, T0); // starts the collection clock
        limiter.allow(b, T0 + 900 * MS);
        assertEquals(2, limiter.size());
        limiter.allow(b, T0 + SECOND); // a sweep runs; a is idle exactly 1 s, which is not more than 1 s
        assertEquals(2, limiter.size());
        limiter.allow(c, T0 + 1_950 * MS); // a is idle 1.95 s, but the last sweep was 0.95 s ago
        assertEquals(3, limiter.size());
        limiter.allow(c, T0 + 2_000 * MS + 1); // a sweep: a (idle 2 s) and b (idle 1 s + 1 ns) go
        assertEquals(1, limiter.size());
        // a was forgotten, so it gets a fresh burst.
        assertEquals(5, allowedOf(a, 10, T0 + 2_000 * MS + 2));
    }

    @Test
    void activeEntriesSurviveSweeps() {
        byte[] a = ip("192.0.2.1");
        byte[] other = ip("192.0.2.9");
        assertEquals(5, allowedOf(a, 6, T0));
        assertEquals(5, allowedOf(a, 6, T0 + 800 * MS));
        assertEquals(5, allowedOf(a, 6, T0 + 1_600 * MS)); // a sweep; a is idle 0.8 s
        limiter.allow(other, T0 + 2_600 * MS); // a sweep; a is idle exactly 1 s and stays
        assertEquals(2, limiter.size());
        limiter.allow(other, T0 + 3_600 * MS + 1); // a sweep; a is idle 2 s + 1 ns and goes
        assertEquals(1, limiter.size());
    }

    @Test
    void fullTableRefusesNewSourcesButServesKnownOnes() {
        HandshakeRateLimiter small = new HandshakeRateLimiter(3, 42);
        assertTrue(small.allow(ip("192.0.2.1"), T0));
        assertTrue(small.allow(ip("192.0.2.2"), T0));
        assertTrue(small.allow(ip("2001:db8::1"), T0));
        assertFalse(small.allow(ip("192.0.2.4"), T0), "table full");
        assertEquals(3, small.size());
        assertTrue(small.allow(ip("192.0.2.1"), T0), "known sources keep their buckets");
        assertTrue(small.allow(ip("2001:db8::2"), T0), "same /64 as a known source");
        // Once the idle entries are swept, new sources are admitted again.
        assertTrue(small.allow(ip("192.0.2.4"), T0 + 1_500 * MS));
        assertEquals(1, small.size());
    }

    @Test
    void aLimiterThatAllowsUntrackedSourcesAllowsNewOnesWhileFullAndStillLimitsKnownOnes() {
        HandshakeRateLimiter open = new HandshakeRateLimiter(2, 42, true);
        assertTrue(open.allow(ip("192.0.2.1"), T0));
        assertTrue(open.allow(ip("192.0.2.2"), T0));
        for (int i = 0; i < 10; i++) {
            assertTrue(open.allow(ip("192.0.2.3"), T0), "untracked: allowed every time");
        }
        assertEquals(2, open.size(), "and not tracked");
        for (int i = 1; i < HandshakeRateLimiter.PACKETS_BURSTABLE; i++) {
            assertTrue(open.allow(ip("192.0.2.1"), T0));
        }
        assertFalse(open.allow(ip("192.0.2.1"), T0), "a tracked source keeps its limit");
    }

    @Test
    void manySourcesGrowTheTableAndAreAllSwept() {
        HandshakeRateLimiter big = new HandshakeRateLimiter(10_000, 7);
        byte[] a = new byte[4];
        for (int i = 0; i < 10_000; i++) {
            a[0] = 10;
            a[1] = (byte) (i >> 16);
            a[2] = (byte) (i >> 8);
            a[3] = (byte) i;
            assertTrue(big.allow(a, T0));
        }
        assertEquals(10_000, big.size());
        assertFalse(big.allow(ip("192.0.2.1"), T0), "the cap is reached");
        for (int i = 0; i < 10_000; i++) {
            a[1] = (byte) (i >> 16);
            a[2] = (byte) (i >> 8);
            a[3] = (byte) i;
            assertEquals(4, countAllowed(big, a, 10, T0 + 1), "source " + i + " has four packets left");
        }
        assertTrue(big.allow(ip("192.0.2.1"), T0 + 2 * SECOND));
        assertEquals(1, big.size());
    }

    private static int countAllowed(HandshakeRateLimiter l, byte[] address, int attempts, long now) {
        int n = 0;
        for (int i = 0; i < attempts; i++) {
            if (l.allow(address, now)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void timeGoingBackwardsCreditsNothing() {
        byte[] a = ip("192.0.2.1");
        assertEquals(5, allowedOf(a, 5, T0 + SECOND));
        assertFalse(limiter.allow(a, T0));
        // Only the 50 ms after the latest time seen count.
        assertEquals(1, allowedOf(a, 5, T0 + SECOND + 50 * MS));
    }

    @Test
    void rejectsAddressesOfOtherLengths() {
        assertThrows(IllegalArgumentException.class, () -> limiter.allow(new byte[5], T0));
        assertThrows(IllegalArgumentException.class, () -> limiter.allow(new byte[0], T0));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeRateLimiter(0, 1));
        assertEquals(0, limiter.size());
    }

    @Test
    void tableSizeBoundsAreInclusive() {
        assertThrows(IllegalArgumentException.class, () -> new HandshakeRateLimiter(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeRateLimiter((1 << 29) + 1, 1));
        HandshakeRateLimiter one = new HandshakeRateLimiter(1, 1);
        assertTrue(one.allow(ip("192.0.2.1"), T0));
        assertFalse(one.allow(ip("192.0.2.2"), T0), "one source at most");
        assertEquals(1, one.size());
        HandshakeRateLimiter largest = new HandshakeRateLimiter(1 << 29, 1); // slots are allocated as it grows
        assertTrue(largest.allow(ip("192.0.2.1"), T0));
    }

    @Test
    void ipv6AddressesThatMerelyEndLikeAnIpv4AddressAreNotMapped() {
        byte[] v4 = ip("198.51.100.9");
        byte[] netA = ip("2001:db8:0:1::c633:6409"); // ends in 198.51.100.9
        byte[] netB = ip("2001:db8:0:2::c633:6409");
        assertEquals(5, allowedOf(v4, 10, T0));
        assertEquals(5, allowedOf(netA, 10, T0), "not the IPv4 address's bucket");
        assertEquals(5, allowedOf(netB, 10, T0), "nor the other /64's");
        assertEquals(0, allowedOf(mapped("198.51.100.9"), 10, T0), "the mapped address is the IPv4 address");
        assertEquals(3, limiter.size());
        // Addresses of the zero /64 that are not ::ffff:a.b.c.d: one IPv6 bucket, not the IPv4 address's.
        // Each in a limiter of its own where the IPv4 address has spent its burst.
        for (int[] change : new int[][] {{10, 0}, {11, 0}, {9, 1}, {0, 0}}) {
            HandshakeRateLimiter l = new HandshakeRateLimiter(16, 5);
            assertEquals(5, countAllowed(l, v4, 10, T0));
            byte[] notMapped = mapped("198.51.100.9");
            notMapped[change[0]] = (byte) change[1];
            boolean stillMapped = change[0] == 0;
            assertEquals(stillMapped ? 0 : 5, countAllowed(l, notMapped, 10, T0), "byte " + change[0] + " = " + change[1]);
        }
    }

    @Test
    void anEntryIdleExactlyTheCollectionIntervalIsKeptOnAClockThatStartsNegative() {
        HandshakeRateLimiter l = new HandshakeRateLimiter(16, 3);
        long start = Long.MIN_VALUE / 2; // any origin: System.nanoTime() may be negative
        assertEquals(5, countAllowed(l, ip("192.0.2.1"), 10, start));
        assertEquals(1, countAllowed(l, ip("192.0.2.2"), 1, start + HandshakeRateLimiter.GARBAGE_COLLECT_NANOS + 1));
        assertEquals(1, l.size(), "swept: the first source was idle longer than the interval");
        assertEquals(5, countAllowed(l, ip("192.0.2.1"), 10, start + HandshakeRateLimiter.GARBAGE_COLLECT_NANOS + 1),
                "a fresh bucket");
    }

    /**
     * Sources an attacker can enumerate (consecutive IPv4 addresses, consecutive /64s) spread over
     * the table: no run of occupied slots grows long, so a lookup stays short. Measured on the
     * table's slots, which is what a flood of chosen addresses would make slow.
     */
    @Test
    void consecutiveSourcesSpreadOverTheTable() throws ReflectiveOperationException {
        for (long seed : new long[] {0, 1, -1, 0x1234_5678_9abc_def0L}) {
            HandshakeRateLimiter l = new HandshakeRateLimiter(8192, seed);
            byte[] v6 = new byte[16];
            v6[0] = 0x20;
            v6[1] = 0x01;
            for (int i = 0; i < 4096; i++) {
                assertTrue(l.allow(new byte[] {10, 0, (byte) (i >> 8), (byte) i}, T0));
                v6[6] = (byte) (i >> 8);
                v6[7] = (byte) i;
                assertTrue(l.allow(v6, T0));
            }
            java.lang.reflect.Field f = HandshakeRateLimiter.class.getDeclaredField("families");
            f.setAccessible(true);
            byte[] families = (byte[]) f.get(l);
            assertEquals(16384, families.length);
            int longest = 0;
            int run = 0;
            for (int i = 0; i < 2 * families.length; i++) {
                run = families[i % families.length] != 0 ? run + 1 : 0;
                longest = Math.max(longest, run);
            }
            assertTrue(longest < 100, "seed " + seed + ": a run of " + longest + " occupied slots");
        }
    }
}
