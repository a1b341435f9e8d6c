package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DPLPMTUD's search against a simulated path that carries UDP payloads up to a limit. */
class PmtuDiscoveryTest {
    /** Runs probes against a path carrying at most {@code pathLimit} bytes until the search completes. */
    private static int search(PmtuDiscovery d, int pathLimit, long now) {
        int probes = 0;
        while (d.state() == PmtuDiscovery.State.SEARCHING) {
            int size = d.probeSizeDue(now);
            assertTrue(size > 0, "a probe is due while searching");
            d.onProbeSent(size);
            probes++;
            if (size <= pathLimit) {
                d.onProbeAcked(size, now);
            } else {
                d.onProbeLost(size, now);
            }
            assertTrue(probes < 100, "the search ends");
        }
        return probes;
    }

    @ParameterizedTest(name = "path carries {0} bytes")
    @ValueSource(ints = {1232, 1240, 1252, 1300, 1392, 1400, 1451, 1452})
    void findsThePathLimitWithinTheGranularity(int pathLimit) {
        PmtuDiscovery d = new PmtuDiscovery(PmtuDiscovery.DEFAULT_MAX_UDP_PAYLOAD);
        assertEquals(PmtuDiscovery.BASE_UDP_PAYLOAD, d.udpPayloadSize(), "starts from the base");
        search(d, pathLimit, 0);
        assertTrue(d.udpPayloadSize() <= pathLimit, "never above what the path carries");
        assertTrue(pathLimit - d.udpPayloadSize() <= PmtuDiscovery.SEARCH_GRANULARITY,
                "within the granularity: found " + d.udpPayloadSize() + " for " + pathLimit);
    }

    @Test
    void aPathCarryingTheMaximumNeedsOneProbe() {
        PmtuDiscovery d = new PmtuDiscovery(1452);
        assertEquals(1, search(d, 9000, 0));
        assertEquals(1452, d.udpPayloadSize());
        assertEquals(0, d.probeSizeDue(Long.MAX_VALUE - 1), "nothing above the maximum to look for");
    }

    @Test
    void aSizeIsGivenUpOnlyAfterMaxProbesLosses() {
        PmtuDiscovery d = new PmtuDiscovery(1452);
        int size = d.probeSizeDue(0);
        for (int i = 1; i < PmtuDiscovery.MAX_PROBES; i++) {
            d.onProbeSent(size);
            d.onProbeLost(size, 0);
            assertEquals(size, d.probeSizeDue(0), "the same size is probed again after loss " + i);
        }
        d.onProbeSent(size);
        d.onProbeLost(size, 0);
        assertTrue(d.probeSizeDue(0) < size, "after " + PmtuDiscovery.MAX_PROBES + " losses a smaller size");
    }

    @Test
    void blackHoleFallsBackToBaseAndSearchesBelowTheFailedSize() {
        PmtuDiscovery d = new PmtuDiscovery(1452);
        search(d, 1452, 0);
        assertEquals(1452, d.udpPayloadSize());
        // The path shrinks to 1392: full-size packets vanish, small ones still get through.
        assertFalse(d.onPacketLost(1452, 1));
        d.onPacketAcked(200);
        for (int i = 2; i < PmtuDiscovery.BLACK_HOLE_LOSSES; i++) {
            assertFalse(d.onPacketLost(1452, 1));
        }
        assertTrue(d.onPacketLost(1452, 1));
        assertEquals(PmtuDiscovery.BASE_UDP_PAYLOAD, d.udpPayloadSize(), "back to the base at once");
        assertEquals(1, d.blackHoles());
        search(d, 1392, 2);
        assertTrue(d.udpPayloadSize() <= 1392 && 1392 - d.udpPayloadSize() <= PmtuDiscovery.SEARCH_GRANULARITY,
                "found again: " + d.udpPayloadSize());
    }

    @Test
    void largeLossesWithNothingGettingThroughAreNotABlackHole() {
        PmtuDiscovery d = new PmtuDiscovery(1452);
        search(d, 1452, 0);
        for (int i = 0; i < 3 * PmtuDiscovery.BLACK_HOLE_LOSSES; i++) {
            assertFalse(d.onPacketLost(1452, 1), "an outage, not a smaller path");
        }
        assertEquals(1452, d.udpPayloadSize());
    }

    @Test
    void anAckBetweenLossesIsNotABlackHole() {
        PmtuDiscovery d = new PmtuDiscovery(1452);
        search(d, 1452, 0);
        for (int round = 0; round < 10; round++) {
            d.onPacketAcked(100);
            for (int i = 1; i < PmtuDiscovery.BLACK_HOLE_LOSSES; i++) {
                assertFalse(d.onPacketLost(1452, 1));
            }
            d.onPacketAcked(1452); // ordinary congestion loss, not a shrinking path
        }
        assertEquals(1452, d.udpPayloadSize());
    }

    @Test
    void searchesAgainAfterTheRaiseInterval() {
        PmtuDiscovery d = new PmtuDiscovery(1452);
        search(d, 1300, 0);
        int found = d.udpPayloadSize();
        assertEquals(0, d.probeSizeDue(PmtuDiscovery.RAISE_INTERVAL_NANOS - 1));
        assertEquals(1452, d.probeSizeDue(PmtuDiscovery.RAISE_INTERVAL_NANOS), "re-probes the maximum first");
        search(d, 1452, PmtuDiscovery.RAISE_INTERVAL_NANOS);
        assertTrue(d.udpPayloadSize() > found, "the grown path is found");
    }
}
