package io.keymesh.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.CandidatesFrame;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node's own candidates: reports, who made them, expiry, bounds, and what counts as a network change. */
class LocalCandidatesTest {
    private static final long SECOND = 1_000_000_000L;

    private static PublicKey peer(int i) {
        byte[] k = new byte[32];
        k[1] = (byte) (i + 1); // not k[0], whose low bits clamping clears
        return PrivateKey.of(k).publicKey();
    }

    private static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    @Test
    void aPeersNewerReportReplacesItsOlderOneAndAnAddressNobodyReportsIsDropped() {
        LocalCandidates c = new LocalCandidates();
        assertTrue(c.reported(10 * SECOND, peer(0), at("203.0.113.1", 4000)), "a first address is a change");
        assertFalse(c.reported(11 * SECOND, peer(1), at("203.0.113.1", 4000)), "a second reporter is not");
        assertEquals(1, c.reflexive(12 * SECOND).size());
        assertEquals(2, c.reflexive(12 * SECOND).getFirst().reporters().size());

        // peer 0 sees us at a new port (our NAT rebound): a change; peer 1 still reports the old one.
        assertTrue(c.reported(20 * SECOND, peer(0), at("203.0.113.1", 4001)));
        assertEquals(2, c.reflexive(21 * SECOND).size());
        assertTrue(c.reported(30 * SECOND, peer(1), at("198.51.100.9", 5000)), "a new IP is a change");
        assertEquals(List.of(at("203.0.113.1", 4001), at("198.51.100.9", 5000)),
                c.reflexive(31 * SECOND).stream().map(LocalCandidates.Reflexive::address).toList(),
                "nobody reports the old port any more");
    }

    @Test
    void aSymmetricNatsPortsOnePerPeerAreNoNetworkChange() {
        LocalCandidates c = new LocalCandidates();
        c.reported(0, peer(0), at("203.0.113.1", 4000));
        long g = c.generation();
        for (int i = 1; i < 5; i++) {
            assertFalse(c.reported(i * SECOND, peer(i), at("203.0.113.1", 4000 + i)));
        }
        assertEquals(g, c.generation());
        assertEquals(5, c.reflexive(5 * SECOND).size());
    }

    @Test
    void reportsExpireAndTheNumberOfAddressesIsBounded() {
        LocalCandidates c = new LocalCandidates();
        for (int i = 0; i < 12; i++) {
            c.reported(i * SECOND, peer(i), at("198.51.100." + (i + 1), 1000));
        }
        assertEquals(LocalCandidates.MAX_REFLEXIVE, c.reflexive(12 * SECOND).size(), "bounded; the oldest went");
        assertFalse(c.reflexive(12 * SECOND).stream().anyMatch(r -> r.address().equals(at("198.51.100.1", 1000))));
        assertEquals(0, c.reflexive(11 * SECOND + LocalCandidates.REFLEXIVE_LIFETIME_NANOS).size(), "all expired");
    }

    @Test
    void candidatesOfferReflexiveAddressesNewestFirstThenHostAddressesWithoutRepeatsAtMostEight() {
        LocalCandidates c = new LocalCandidates();
        long g = c.generation();
        c.setHost(List.of(at("192.168.1.2", 51820), at("10.0.0.2", 51820)));
        assertTrue(c.generation() > g, "new host addresses are a network change");
        g = c.generation();
        c.setHost(List.of(at("10.0.0.2", 51820)));
        assertEquals(g, c.generation(), "losing one is not");
        c.reported(1 * SECOND, peer(0), at("203.0.113.1", 4000));
        c.reported(2 * SECOND, peer(1), at("198.51.100.1", 5000));
        c.reported(3 * SECOND, peer(2), at("10.0.0.2", 51820)); // a peer on our network sees our host address
        List<CandidatesFrame.Candidate> offer = c.candidates(4 * SECOND);
        assertEquals(List.of(at("10.0.0.2", 51820), at("198.51.100.1", 5000), at("203.0.113.1", 4000)),
                offer.stream().map(CandidatesFrame.Candidate::address).toList());
        assertEquals(CandidatesFrame.KIND_SERVER_REFLEXIVE, offer.getFirst().kind());
        for (int i = 3; i < 20; i++) {
            c.reported(4 * SECOND + i, peer(i), at("198.51.100." + (i + 10), 5000));
        }
        assertEquals(CandidatesFrame.MAX_CANDIDATES, c.candidates(5 * SECOND).size());
    }
}
