package io.keymesh.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.session.Endpoint;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a punching round is due, and how often a peer's offers are taken. */
class HolePunchTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_000 * SECOND;

    /** A peer whose packets take an open relayed path, and nothing else. */
    private static PeerPaths onlyRelayed() {
        PeerPaths p = new PeerPaths(false, new PeerPaths.Actions() {
            @Override
            public boolean probe(Path path, long id) {
                return true;
            }

            @Override
            public void use(Endpoint endpoint, Endpoint previous) {}
        }, 0);
        RelayedEndpoint r = new RelayedEndpoint(PrivateKey.of(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
            9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}).publicKey(), 2);
        p.addRelayed(r, 1);
        p.relayedOpened(T0, r, 1200);
        return p;
    }

    @Test
    void aRoundIsDueAtOnceThenEveryMinuteAndSoonerOnlyAfterANetworkChangeALostDirectPathOrAnUnansweredOffer() {
        PeerPaths paths = onlyRelayed();
        assertTrue(paths.onlyRelayed());
        HolePunch h = new HolePunch();
        assertTrue(h.due(T0, paths, 1), "at once");
        h.offered(T0, 1);
        assertEquals(1, h.rounds());
        assertFalse(h.due(T0 + HolePunch.MIN_ROUND_INTERVAL_NANOS - 1, paths, 1), "not within 5 s");
        assertTrue(h.due(T0 + HolePunch.MIN_ROUND_INTERVAL_NANOS, paths, 1), "an offer never answered: again 5 s later");
        assertTrue(h.answerReceived(h.nextRound() - 1, List.of()));
        assertFalse(h.due(T0 + 30 * SECOND, paths, 1), "answered: not before a minute");
        assertTrue(h.due(T0 + HolePunch.UPGRADE_INTERVAL_NANOS, paths, 1), "a minute later");

        assertFalse(h.due(T0 + 4 * SECOND, paths, 2), "a network change, but within 5 s of the last round");
        assertTrue(h.due(T0 + HolePunch.MIN_ROUND_INTERVAL_NANOS, paths, 2), "5 s after it");
        h.sawDirect();
        assertTrue(h.due(T0 + HolePunch.MIN_ROUND_INTERVAL_NANOS, paths, 1), "after a direct path was lost");
    }

    @Test
    void noRoundWhileARelayedPathIsNotInUse() {
        PeerPaths roaming = new PeerPaths(true, null, 0);
        assertFalse(new HolePunch().due(T0, roaming, 1));
    }

    @Test
    void anOfferCountsAsARoundAndOffersComeAtMostOnceASecond() {
        PeerPaths paths = onlyRelayed();
        HolePunch h = new HolePunch();
        List<InetSocketAddress> c = List.of(new InetSocketAddress("192.0.2.1", 1));
        assertTrue(h.offerReceived(T0, 1, c));
        assertEquals(c, h.remote());
        assertFalse(h.due(T0 + SECOND, paths, 1), "the peer is punching already");
        assertFalse(h.offerReceived(T0 + SECOND / 2, 1, List.of()), "too soon: ignored");
        assertEquals(c, h.remote());
        assertTrue(h.offerReceived(T0 + SECOND, 1, List.of()));

        h.offered(T0 + 2 * SECOND, 1);
        assertFalse(h.answerReceived(h.nextRound(), c), "an answer to a round we did not offer");
        assertTrue(h.answerReceived(h.nextRound() - 1, c));
        assertFalse(h.answerReceived(h.nextRound() - 1, c), "answered once");
    }
}
