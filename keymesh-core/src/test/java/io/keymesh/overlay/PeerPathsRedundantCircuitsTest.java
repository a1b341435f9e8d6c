package io.keymesh.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Of a peer's relayed paths through one relay only the one in use, or else the newest, is probed:
 * the others add nothing as a fallback, and unprobed their circuits idle out at the relay. A path
 * through another relay is a real fallback and keeps its heartbeat.
 */
class PeerPathsRedundantCircuitsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    private static PublicKey key(int b) {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) b);
        return PrivateKey.of(k).publicKey();
    }

    private final Map<String, Integer> probes = new TreeMap<>();
    private Endpoint using;
    private final PeerPaths paths = new PeerPaths(false, new PeerPaths.Actions() {
        @Override
        public boolean probe(Path path, long id) {
            probes.merge(name(path.endpoint()), 1, Integer::sum);
            return true;
        }

        @Override
        public void use(Endpoint endpoint, Endpoint previous) {
            using = endpoint;
        }
    }, 1);

    private final RelayedEndpoint c1 = new RelayedEndpoint(key(1), 11);
    private final RelayedEndpoint c2 = new RelayedEndpoint(key(1), 12);
    private final RelayedEndpoint c3 = new RelayedEndpoint(key(1), 13);
    private final RelayedEndpoint other = new RelayedEndpoint(key(2), 21);

    private String name(Endpoint e) {
        return e.equals(c1) ? "c1" : e.equals(c2) ? "c2" : e.equals(c3) ? "c3" : e.equals(other) ? "other" : e.toString();
    }

    /** Runs the policy for {@code nanos}, every peer's probe answered at once. */
    private long run(long now, long nanos) {
        for (long t = now; t < now + nanos; t += 250 * MS) {
            paths.onTimeout(t);
            for (Path p : paths.paths()) {
                if (p.probeSentNanos != Long.MIN_VALUE) {
                    paths.probeAnswered(t + MS, p.endpoint(), p.probeId);
                }
            }
        }
        return now + nanos;
    }

    @Test
    void onlyTheCircuitInUseThroughARelayIsHeartbeatedAndAnotherRelaysIsToo() {
        long now = 100 * SECOND;
        for (RelayedEndpoint c : new RelayedEndpoint[] {c1, c2, c3, other}) {
            paths.addRelayed(c, 1);
            paths.relayedOpened(now, c, 1400);
            paths.authenticated(now, c);
        }
        assertEquals(c1, using, "the first circuit open is in use");
        now = run(now, 20 * SECOND);
        assertEquals(Map.of("c1", 5, "other", 5), probes, "every 4 s, the one in use and the other relay's");

        probes.clear();
        paths.relayedGone(now, c1); // the circuit in use closes: another through the same relay takes over
        Endpoint next = using;
        run(now, 20 * SECOND);
        assertEquals(Map.of(name(next), 5, "other", 5), probes, "again one circuit through the relay, and the other relay's");
    }

    @Test
    void whileAnotherRelaysPathIsInUseTheNewestThroughTheFirstRelayIsItsFallback() {
        long now = 100 * SECOND;
        for (RelayedEndpoint c : new RelayedEndpoint[] {other, c1, c2, c3}) {
            paths.addRelayed(c, 1);
            paths.relayedOpened(now, c, 1400);
            paths.authenticated(now, c);
        }
        assertEquals(other, using);
        run(now, 20 * SECOND);
        assertEquals(Map.of("c3", 5, "other", 5), probes, "the newest of the three is the standby");
    }
}
