package io.keymesh.sim.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.node.Channel;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pair with a channel open but quiet keeps its path with the idle heartbeat (a probe every
 * {@code PeerPaths.STANDBY_PROBE_INTERVAL_NANOS}, 4 s), not the half-second probing of a pair that
 * is sending: the channel connection's own PINGs (one every third of the idle timeout) and their
 * acknowledgements are no application traffic.
 */
class MeshNodeQuietChannelSimTest {
    @Test
    void aQuietOpenChannelIsKeptWithTheIdleHeartbeat() {
        SimMesh mesh = new SimMesh(66);
        Network net = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        net.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Member p = mesh.member("p", net.newHost("p"));
        Member a = mesh.member("a", net.newHost("a"));
        Member b = mesh.member("b", net.newHost("b"));
        // a and b know each other by key only: found through p, then direct; the overlay keeps their path
        p.start(List.of(a.asPeerWithoutEndpoint(), b.asPeerWithoutEndpoint()));
        a.start(List.of(p.asPeer().withPersistentKeepalive(25), b.asPeerWithoutEndpoint()));
        b.start(List.of(p.asPeer().withPersistentKeepalive(25), a.asPeerWithoutEndpoint()));
        a.node.connect(p.publicKey());
        b.node.connect(p.publicKey());
        mesh.sim.runFor(Duration.ofSeconds(2));
        Channel ch = a.node.channel(b.publicKey(), 2);
        assertTrue(ch.send(new byte[] {1}));
        mesh.sim.runFor(Duration.ofSeconds(30)); // the message, its acknowledgement, the sending window over
        assertEquals(1, b.events.messages(a.publicKey(), 2).size());

        long aBefore = a.host.sent();
        long bBefore = b.host.sent();
        mesh.sim.runFor(Duration.ofMinutes(4));
        long aSent = a.host.sent() - aBefore;
        long bSent = b.host.sent() - bBefore;
        System.out.printf("quiet channel, 4 minutes: a sent %d packets, b %d (informational)%n", aSent, bSent);
        // Each end probes its paths to the other (direct, and the standby through p) and answers the
        // other's, keeps p's path open (25 s), and its connection sends a PING every 40 s and
        // acknowledges the other's: 300 packets each. With the connection's PINGs and acknowledgements
        // taken for sending, the path in use was probed every 0.5 s for 5 s after each: 662 each.
        assertTrue(aSent <= 400 && bSent <= 400, "a sent " + aSent + ", b " + bSent + " packets in 4 quiet minutes");
        assertTrue(ch.send(new byte[] {2}));
        mesh.sim.runFor(Duration.ofSeconds(1));
        assertEquals(2, b.events.messages(a.publicKey(), 2).size(), "the channel still works");
    }
}
