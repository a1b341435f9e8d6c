package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.SECOND;
import static io.keymesh.testing.RecordingListener.PeerEvent.Kind.DOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An idle session held only by persistent keepalives is renewed before its keys expire: as in
 * wireguard-go, where every sent packet, keepalives included, passes {@code keepKeyFreshSending}, the
 * initiator's first keepalive after REKEY_AFTER_TIME (120 s) starts a handshake. Without that, the
 * keypair would lapse at REJECT_AFTER_TIME (180 s) and the session would be down until the next keepalive.
 */
class MeshNodeKeepaliveRekeyTest {
    @Test
    void keepalivesAloneRenewTheSessionBeforeItExpires() {
        SimMesh mesh = new SimMesh(41);
        Network net = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        net.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Member a = mesh.member("a", net.newHost("a"));
        Member b = mesh.member("b", net.newHost("b"));
        a.start(List.of(b.asPeer().withPersistentKeepalive(25)));
        b.start(List.of(a.asPeer()));
        a.send(b, 0, 100);
        mesh.sim.runFor(SECOND);

        int lapses = 0;
        for (int second = 1; second <= 20 * 60; second++) {
            mesh.sim.runFor(SECOND);
            boolean aHas = a.engine((e, now) -> e.peer(b.publicKey()).hasSession(now));
            boolean bHas = b.engine((e, now) -> e.peer(a.publicKey()).hasSession(now));
            if (!aHas || !bHas) {
                lapses++;
            }
        }
        long handshakes = a.stats(b).handshakes();
        assertEquals(0, lapses, "seconds without a usable session on either side");
        // One handshake at the start, then one per REKEY_AFTER_TIME plus up to one keepalive interval.
        assertTrue(handshakes >= 1 + 20 * 60 / 145 && handshakes <= 1 + 20 * 60 / 120, "handshakes " + handshakes);
        assertTrue(a.events(DOWN, b).isEmpty() && b.events(DOWN, a).isEmpty(), a.events(DOWN, b) + " " + b.events(DOWN, a));
    }
}
