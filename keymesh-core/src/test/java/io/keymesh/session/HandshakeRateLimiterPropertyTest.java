package io.keymesh.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

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

    @Provide
    Arbitrary<List<Call>> calls() {
        Arbitrary<byte[]> v4 = Arbitraries.integers().between(0, 40).map(i -> new byte[] {10, 0, (byte) (i >> 8), (byte) (int) i});
        Arbitrary<byte[]> v6 = Combinators.combine(
                        Arbitraries.integers().between(0, 25), Arbitraries.longs())
                .as((net, host) -> {
                    byte[] a = new byte[16];
                    a[0] = 0x20;
                    a[1] = 0x01;
                    a[7] = (byte) (int) net;
                    for (int i = 0; i < 8; i++) {
                        a[8 + i] = (byte) (host >>> (8 * i));
                    }
                    return a;
                });
        // IPv6 sources whose /64, read as a number, equals the key of an IPv4 source above.
        Arbitrary<byte[]> v6Twin = Arbitraries.integers().between(0, 40).map(i -> {
            byte[] a = new byte[16];
            a[4] = 10;
            a[6] = (byte) (i >> 8);
            a[7] = (byte) (int) i;
            a[15] = 1;
            return a;
        });
        Arbitrary<byte[]> mapped = Arbitraries.integers().between(0, 40).map(i -> {
            byte[] a = new byte[16];
            a[10] = (byte) 0xff;
            a[11] = (byte) 0xff;
            a[12] = 10;
            a[14] = (byte) (i >> 8);
            a[15] = (byte) (int) i;
            return a;
        });
        Arbitrary<Long> advance = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.just(0L)),
                net.jqwik.api.Tuple.of(5, Arbitraries.longs().between(1, 60_000_000L)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(900_000_000L, 2_100_000_000L)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(-100_000_000L, -1)));
        return Combinators.combine(Arbitraries.oneOf(v4, v6, v6Twin, mapped), advance)
                .as(Call::new)
                .list()
                .ofMaxSize(400);
    }

    @Property
    void agreesWithModel(
            @ForAll("calls") List<Call> calls,
            @ForAll @IntRange(min = 1, max = 80) int maxEntries,
            @ForAll long seed,
            @ForAll long origin) {
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
}
