package io.keymesh.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Of the circuits relays opened to us (a seek's splices) through one relay, only the one in use, or
 * else the newest, is probed: the others add nothing as a fallback, and unprobed they idle out at
 * the relay. A path through another relay is a real fallback and keeps its heartbeat, and so do
 * circuits of our own (configured routes), which would only be opened again.
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

    /** Runs the policy for {@code nanos} with every probe answered at once. */
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

    /** We send, and for 6 s nothing answers (a standby probe every 4 s, unanswered for 1 s): every path is failing. */
    private long everyPathFails(long now) {
        for (long t = now; t <= now + 6 * SECOND; t += 250 * MS) {
            paths.sent(t);
            paths.onTimeout(t);
        }
        return now + 6 * SECOND + 250 * MS;
    }

    /** The peer comes in on {@code circuit}, a relay opened to us; then the paths that failed are heard again. */
    private void comesInOn(long now, RelayedEndpoint circuit, RelayedEndpoint... heardAgain) {
        paths.authenticated(now, circuit);
        assertEquals(circuit, using, "the new circuit is taken while the others fail");
        for (RelayedEndpoint e : heardAgain) {
            paths.authenticated(now + MS, e);
        }
    }

    @Test
    void ofTheCircuitsARelayOpenedOnlyTheOneInUseIsHeartbeatedAndAnotherRelaysToo() {
        long now = 100 * SECOND;
        paths.addRelayed(other, 1); // our own circuit, through another relay
        paths.relayedOpened(now, other, 1400);
        paths.authenticated(now, other);
        now = everyPathFails(run(now, SECOND));
        comesInOn(now, c1, other); // sought again: a splice through the first relay
        now = everyPathFails(run(now, 10 * SECOND));
        comesInOn(now, c2, c1, other); // again, and the old circuits come back
        now = everyPathFails(run(now, 10 * SECOND));
        comesInOn(now, c3, c1, c2, other);
        now = run(now, 6 * SECOND); // past the sending window: standby heartbeats only
        probes.clear();
        now = run(now, 20 * SECOND);
        assertEquals(Map.of("c3", 5, "other", 5), probes, "every 4 s, the circuit in use and the other relay's");

        probes.clear();
        paths.relayedGone(now, c3); // the circuit in use closes: another takes over
        run(now, 20 * SECOND);
        Map<String, Integer> expected = using.equals(other) ? Map.of("c2", 5, "other", 5) : Map.of(name(using), 5, "other", 5);
        assertEquals(expected, probes, "again one circuit through the first relay, and the other relay's");
    }

    @Test
    void ourOwnCircuitsThroughOneRelayKeepTheirHeartbeats() {
        long now = 100 * SECOND;
        for (RelayedEndpoint c : new RelayedEndpoint[] {c1, c2}) {
            paths.addRelayed(c, 1); // two configured routes through the same relay
            paths.relayedOpened(now, c, 1400);
            paths.authenticated(now, c);
        }
        run(now, 20 * SECOND);
        assertEquals(Map.of("c1", 5, "c2", 5), probes);
    }
}
