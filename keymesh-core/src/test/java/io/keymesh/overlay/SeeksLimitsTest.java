package io.keymesh.overlay;

import static io.keymesh.overlay.RecordingLinks.key;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.SeekFrame;
import io.keymesh.wire.VarInt;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Seeks#ORIGIN_CAPACITY} driven to the limit and one past it: the least recently used
 * origin's rate is forgotten, and rotating more origin keys than that through one link does not get
 * past the link's rate.
 */
class SeeksLimitsTest {
    private static final long NOW = 1_000_000_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private final PublicKey self = key(0);
    private final PublicKey link = key(1);
    private final PublicKey target = key(2);
    private final RecordingLinks links = new RecordingLinks();
    private final List<PublicKey> origins = new ArrayList<>();
    private Seeks seeks;
    private long nextId = 1;

    private void start(DiscoveryConfig config) {
        links.connected.add(link);
        Relay relay = new Relay(self, RelayConfig.DEFAULT, links, new CircuitIds(self, 0));
        seeks = new Seeks(self, config, links, relay, new ReachSummaries(links), (now, t) -> { }, 100);
        for (int i = 0; i < 2 * Seeks.ORIGIN_CAPACITY + 2; i++) {
            origins.add(key(100 + i));
        }
    }

    /** A seek from the one link for origin {@code origins[o]} (passed: the link), with a new id, one hop left. */
    private void seekFrom(long now, int o) {
        byte[] passed = link.toBytes();
        byte[] init = new byte[HandshakeInitiation.LENGTH];
        init[0] = 1; // a handshake initiation's type
        byte[] f = new byte[SeekFrame.frameLength(1)];
        int n = SeekFrame.write(f, 0, nextId++, 1, origins.get(o).toBytes(), target.toBytes(), passed, 0, 1,
                init, 0);
        int body = 1 + VarInt.encodedLength(f[1]);
        seeks.onFrame(now, link, f, body, n - body);
    }

    private long limited() {
        return seeks.dropped(Seeks.Dropped.RATE_LIMITED);
    }

    /**
     * One seek a second per origin (a burst of two): origin 0 spends its burst; 1,023 more origins
     * fill the table to {@link Seeks#ORIGIN_CAPACITY} and origin 0 is still over its rate. The
     * 1,025th origin forgets the least recently used one — origin 1, not origin 0, which was just
     * used — and 1,024 new origins later origin 0 is forgotten too and has a fresh burst.
     */
    @Test
    void theLeastRecentlyUsedOriginIsForgottenPastTheCapacity() {
        start(new DiscoveryConfig(true, 3, 3 * SECOND, 1, 1_000_000));
        assertEquals(1024, Seeks.ORIGIN_CAPACITY);
        seekFrom(NOW, 0);
        seekFrom(NOW, 0);
        assertEquals(0, limited());
        seekFrom(NOW, 0);
        assertEquals(1, limited(), "origin 0's burst is spent");

        for (int o = 1; o < Seeks.ORIGIN_CAPACITY; o++) {
            seekFrom(NOW, o);
        }
        assertEquals(1, limited(), "1,023 other origins, one seek each: all within their rate");
        seekFrom(NOW, 0);
        assertEquals(2, limited(), "at the capacity origin 0 is still remembered, and now the most recent");

        seekFrom(NOW, Seeks.ORIGIN_CAPACITY); // the 1,025th origin: origin 1 goes
        assertEquals(2, limited());
        seekFrom(NOW, 0);
        assertEquals(3, limited(), "origin 0 was not the least recently used");
        seekFrom(NOW, 1);
        seekFrom(NOW, 1);
        assertEquals(3, limited(), "origin 1 was forgotten: a fresh burst of two (it had spent one)");
        seekFrom(NOW, 1);
        assertEquals(4, limited());

        for (int o = Seeks.ORIGIN_CAPACITY + 1; o < 2 * Seeks.ORIGIN_CAPACITY + 1; o++) {
            seekFrom(NOW, o);
        }
        assertEquals(4, limited());
        seekFrom(NOW, 0);
        seekFrom(NOW, 0);
        assertEquals(4, limited(), "1,024 newer origins later origin 0 is forgotten: a fresh burst");
    }

    /**
     * An origin whose bucket has refilled (at one a second, a seek's token is back a second after
     * it) is forgotten when a new origin comes, the least recently used first, up to the first that
     * has not refilled; a forgotten origin's rate is the same as a fresh one's.
     */
    @Test
    void originsWhoseRateRefilledAreForgottenWhenANewOneComes() {
        start(new DiscoveryConfig(true, 3, 3 * SECOND, 1, 1_000_000));
        seekFrom(NOW, 0);
        seekFrom(NOW, 0); // origin 0's burst spent: full again 2 s later
        seekFrom(NOW + SECOND, 1); // full again 1 s later
        assertEquals(2, seeks.originsSize());
        seekFrom(NOW + 2 * SECOND - 1, 2);
        assertEquals(3, seeks.originsSize(), "origin 0, the least recently used, has not refilled: nothing forgotten");
        seekFrom(NOW + 2 * SECOND, 3);
        assertEquals(2, seeks.originsSize(), "origins 0 and 1 refilled and forgotten; origin 2 not yet");
        assertEquals(0, limited());
        seekFrom(NOW + 10 * SECOND, 4);
        assertEquals(1, seeks.originsSize(), "all refilled by then");
    }

    /**
     * The link's rate (the default, 50 a second, a burst of 100) binds however many origins are
     * written in the seeks: 3,000 seeks naming 2,050 origins at once take 100; a second later, 50 more.
     */
    @Test
    void rotatingMoreOriginsThanTheCapacityThroughOneLinkDoesNotGetPastTheLinksRate() {
        start(DiscoveryConfig.DEFAULT);
        int perLink = DiscoveryConfig.DEFAULT.seeksPerSecondPerLink();
        for (int i = 0; i < 3000; i++) {
            seekFrom(NOW, i % origins.size());
        }
        assertEquals(3000 - 2 * perLink, limited());
        for (int i = 0; i < 3000; i++) {
            seekFrom(NOW + SECOND, i % origins.size());
        }
        assertEquals(3000 - 2 * perLink + 3000 - perLink, limited());
    }
}
