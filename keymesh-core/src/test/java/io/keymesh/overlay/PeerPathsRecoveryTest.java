package io.keymesh.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The end of an episode without a working path: when the path in use answers again with no switch,
 * the owner — which sent the peer's packets to a seek when told {@code noWorkingPath} — is told to
 * use that path again, once.
 */
class PeerPathsRecoveryTest {
    private static final long SECOND = 1_000_000_000L;

    /** What the policy asked, in order: "use ENDPOINT from PREVIOUS", "no working path" (probes are only counted). */
    private final List<String> asked = new ArrayList<>();
    private int probes;
    private final PeerPaths paths = new PeerPaths(false, new PeerPaths.Actions() {
        @Override
        public boolean probe(Path path, long id) {
            probes++;
            return true;
        }

        @Override
        public void use(Endpoint endpoint, Endpoint previous) {
            asked.add("use " + endpoint + " from " + previous);
        }

        @Override
        public void noWorkingPath() {
            asked.add("no working path");
        }
    }, 1);

    private static final PublicKey RELAY = PrivateKey.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}).publicKey();
    private final RelayedEndpoint circuit = new RelayedEndpoint(RELAY, 7);

    /** The only path, a circuit, in use and answering; then a probe on it goes unanswered. */
    private long pathFailsOnce() {
        long now = 100 * SECOND;
        paths.addRelayed(circuit, 1);
        paths.relayedOpened(now, circuit, 1400);
        paths.authenticated(now, circuit);
        paths.onTimeout(now); // in use and heard: it has worked
        paths.sent(now);
        now += PeerPaths.PROBE_INTERVAL_NANOS;
        paths.onTimeout(now); // the probe goes...
        now += PeerPaths.PROBE_TIMEOUT_NANOS;
        paths.onTimeout(now); // ...and is not answered
        return now;
    }

    @Test
    void thePathInUseAnsweringAgainAfterNoWorkingPathIsUsedAgain() {
        long now = pathFailsOnce();
        assertEquals(List.of("use " + circuit + " from null", "no working path"), asked);
        assertEquals(2, probes, "a standby probe when it opened, then the one unanswered");
        asked.clear();
        paths.authenticated(now + 100_000_000L, circuit); // the peer is heard on it again
        assertEquals(List.of("use " + circuit + " from " + circuit), asked, "the packets take the circuit again");
        asked.clear();
        paths.onTimeout(now + 200_000_000L);
        paths.authenticated(now + 300_000_000L, circuit);
        assertEquals(List.of(), asked, "once");
    }

    @Test
    void aSwitchToAnotherPathEndsTheEpisodeWithoutASecondUse() {
        long now = pathFailsOnce();
        asked.clear();
        RelayedEndpoint other = new RelayedEndpoint(RELAY, 9);
        paths.authenticated(now + 100_000_000L, other); // a circuit the seek brought: the peer came in on it
        assertEquals(List.of("use " + other + " from " + circuit), asked);
        asked.clear();
        paths.authenticated(now + 200_000_000L, circuit); // the old one answers too
        paths.onTimeout(now + 300_000_000L);
        assertEquals(List.of(), asked, "the switch ended the episode; the old circuit is a standby path");
    }
}
