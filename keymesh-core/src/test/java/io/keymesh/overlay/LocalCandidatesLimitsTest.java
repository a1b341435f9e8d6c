package io.keymesh.overlay;

import static io.keymesh.overlay.RecordingLinks.key;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LocalCandidates#MAX_REPORTERS} driven to the limit and one past it. */
class LocalCandidatesLimitsTest {
    private static final long SECOND = 1_000_000_000L;

    /**
     * Eight peers report one address; the first reports again, so the second is the least recent;
     * a ninth reporter takes the second's place, and the address keeps eight reporters.
     */
    @Test
    void aNinthReporterEvictsTheLeastRecentOne() {
        assertEquals(8, LocalCandidates.MAX_REPORTERS);
        LocalCandidates c = new LocalCandidates();
        InetSocketAddress seen = new InetSocketAddress("203.0.113.7", 4000);
        List<PublicKey> peers = new ArrayList<>();
        for (int i = 0; i < LocalCandidates.MAX_REPORTERS + 1; i++) {
            peers.add(key(10 + i));
        }
        for (int i = 0; i < LocalCandidates.MAX_REPORTERS; i++) {
            c.reported(i * SECOND, peers.get(i), seen);
        }
        assertEquals(peers.subList(0, 8), reporters(c, 8 * SECOND));
        c.reported(8 * SECOND, peers.get(0), seen);
        assertEquals(8, reporters(c, 9 * SECOND).size(), "a reporter reporting again is no new reporter");

        c.reported(9 * SECOND, peers.get(8), seen);
        List<PublicKey> expected = new ArrayList<>(peers.subList(2, 8));
        expected.add(peers.get(0));
        expected.add(peers.get(8));
        assertEquals(expected, reporters(c, 10 * SECOND), "peer 1, the least recent, went");
        assertEquals(9 * SECOND, (long) c.reflexive(10 * SECOND).getFirst().reporters().get(peers.get(8)));
    }

    private static List<PublicKey> reporters(LocalCandidates c, long now) {
        List<LocalCandidates.Reflexive> r = c.reflexive(now);
        assertEquals(1, r.size());
        return List.copyOf(r.getFirst().reporters().keySet());
    }
}
