package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Compares the limiter's hash table with a plain map-based model of the same rules. */
class HandshakeRateLimiterPropertyTest {
    record Call(byte[] address, long advanceNanos) {}

    /** Reference model: a HashMap keyed by source, swept the same way. */
    static final class Model {
        final int maxEntries;
        final Map<String, long[]> entries = new HashMap<>(); // {tokens, lastNanos}
        boolean gcStarted;
        long lastGc;

        Model(int maxEntries) {
            this.maxEntries = maxEntries;
        }

        static String source(byte[] address) {
            try {
                InetAddress a = InetAddress.getByAddress(address); // unmaps ::ffff:a.b.c.d
                if (a instanceof Inet4Address) {
                    return "v4 " + a.getHostAddress();
                }
                return "v6 " + HexFormat.of().formatHex(address, 0, 8);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }

        boolean allow(byte[] address, long now) {
            if (!gcStarted) {
                gcStarted = true;
                lastGc = now;
            } else if (now - lastGc >= 1_000_000_000L) {
                lastGc = now;
                entries.values().removeIf(e -> now - e[1] > 1_000_000_000L);
            }
            String key = source(address);
            long[] e = entries.get(key);
            long cost = 50_000_000L;
            long max = 5 * cost;
            if (e == null) {
                if (entries.size() >= maxEntries) {
                    return false;
                }
                entries.put(key, new long[] {max - cost, now});
                return true;
            }
            if (now - e[1] > 0) { // clock differences, as System.nanoTime() requires
                e[0] = Math.min(max, e[0] + (now - e[1]));
                e[1] = now;
            }
            if (e[0] >= cost) {
                e[0] -= cost;
                return true;
            }
            return false;
        }
    }

    /** Sources: a few IPv4 ones, IPv6 ones in a few /64s, IPv6 twins of the IPv4 keys, and IPv4-mapped IPv6. */
    private static byte[] address(RandomGenerator r) {
        return switch (r.nextInt(4)) {
            case 0 -> {
                int i = Gen.ints(r, 0, 40);
                yield new byte[] {10, 0, (byte) (i >> 8), (byte) i};
            }
            case 1 -> {
                int net = Gen.ints(r, 0, 25);
                long host = Gen.anyLong(r);
                byte[] a = new byte[16];
                a[0] = 0x20;
                a[1] = 0x01;
                a[7] = (byte) net;
                for (int i = 0; i < 8; i++) {
                    a[8 + i] = (byte) (host >>> (8 * i));
                }
                yield a;
            }
            case 2 -> {
                // IPv6 sources whose /64, read as a number, equals the key of an IPv4 source above.
                int i = Gen.ints(r, 0, 40);
                byte[] a = new byte[16];
                a[4] = 10;
                a[6] = (byte) (i >> 8);
                a[7] = (byte) i;
                a[15] = 1;
                yield a;
            }
            default -> {
                int i = Gen.ints(r, 0, 40);
                byte[] a = new byte[16];
                a[10] = (byte) 0xff;
                a[11] = (byte) 0xff;
                a[12] = 10;
                a[14] = (byte) (i >> 8);
                a[15] = (byte) i;
                yield a;
            }
        };
    }

    /** Clock steps: none (5 in 12), up to 60 ms (5 in 12), about a sweep interval (1 in 12), or backwards (1 in 12). */
    private static long advance(RandomGenerator r) {
        int k = r.nextInt(12);
        if (k < 5) {
            return 0;
        }
        if (k < 10) {
            return Gen.longs(r, 1, 60_000_000L);
        }
        return k == 10 ? Gen.longs(r, 900_000_000L, 2_100_000_000L) : Gen.longs(r, -100_000_000L, -1);
    }

    private static List<Call> calls(RandomGenerator r, int count) {
        List<Call> calls = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            calls.add(new Call(address(r), advance(r)));
        }
        return calls;
    }

    private static void checkAgainstModel(List<Call> calls, int maxEntries, long seed, long origin) {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(maxEntries, seed);
        Model model = new Model(maxEntries);
        long now = origin;
        int i = 0;
        for (Call c : calls) {
            now += c.advanceNanos();
            assertEquals(model.allow(c.address(), now), limiter.allow(c.address(), now),
                    "call " + i + " from " + Model.source(c.address()));
            assertEquals(model.entries.size(), limiter.size(), "size after call " + i);
            i++;
        }
    }

    @Test
    void agreesWithModel() {
        SeededProperty.forAll(1000, r -> checkAgainstModel(calls(r, Gen.ints(r, 0, 400)), Gen.ints(r, 1, 80),
                Gen.anyLong(r), Gen.anyLong(r)));
    }

    /** The smallest and largest tables, with clocks that start at the edges of the long range (and wrap). */
    static List<Arguments> tableAndClockEdges() {
        List<Arguments> cases = new ArrayList<>();
        for (long maxEntries : Gen.edges(1, 80)) {
            for (long origin : Gen.edges(Long.MIN_VALUE, Long.MAX_VALUE)) {
                cases.add(Arguments.of((int) maxEntries, origin));
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("tableAndClockEdges")
    void agreesWithModelAtTheEdges(int maxEntries, long origin) {
        SplittableRandom r = new SplittableRandom(origin + maxEntries);
        checkAgainstModel(calls(r, 400), maxEntries, r.nextLong(), origin);
    }
}
