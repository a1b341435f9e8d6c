package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.MS;
import static io.keymesh.sim.node.SimMesh.SECOND;
import static io.keymesh.testing.RecordingListener.PeerEvent.Kind.DOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.sim.DropReason;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Nat;
import io.keymesh.sim.NatConfig;
import io.keymesh.sim.NatType;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node behind a NAT with a 30 s binding timeout talks to a public node that does not know where it
 * is. Without keepalive the binding expires in the silence and the public node can no longer reach it;
 * with a persistent keepalive of 25 s the binding is held and the public node's datagrams arrive.
 */
class MeshNodeNatBindingTest {
    private static final Duration BINDING_TIMEOUT = Duration.ofSeconds(30);

    private record Setup(SimMesh mesh, Nat nat, Member inside, Member server) {}

    private static Setup setup(long seed, int persistentKeepaliveSeconds) {
        return setup(seed, persistentKeepaliveSeconds, false);
    }

    private static Setup setup(long seed, int persistentKeepaliveSeconds, boolean inboundRefresh) {
        SimMesh mesh = new SimMesh(seed);
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Nat nat = internet.newNat("home", NatConfig.of(NatType.PORT_RESTRICTED_CONE)
                .withBindingTimeout(BINDING_TIMEOUT).withInboundRefresh(inboundRefresh),
                "192.168.1.0/24");
        Member server = mesh.member("server", internet.newHost("server"));
        Member inside = mesh.member("laptop", nat.inside().newHost("laptop"));
        server.start(List.of(inside.asPeerWithoutEndpoint())); // learns the NAT's mapping when the laptop speaks
        inside.start(List.of(server.asPeer().withPersistentKeepalive(persistentKeepaliveSeconds)));
        return new Setup(mesh, nat, inside, server);
    }

    @Test
    void withoutKeepaliveTheBindingExpiresAndThePublicNodeCannotReachIn() {
        Setup s = setup(31, 0);
        SimMesh mesh = s.mesh();
        // The laptop speaks; the server learns its public endpoint and answers through the binding.
        s.inside().send(s.server(), 0, 100);
        mesh.sim.runFor(SECOND);
        s.server().send(s.inside(), 0, 100);
        mesh.sim.runFor(SECOND);
        assertEquals(1, s.server().receivedFrom(s.inside()).size());
        assertEquals(1, s.inside().receivedFrom(s.server()).size());
        assertEquals(s.nat().publicAddress(), s.server().stats(s.inside()).endpoint().getAddress());
        assertEquals(1, s.nat().activeMappings());

        // Silence: the laptop's last packet (its keepalive answering the server's datagram, 10 s later)
        // refreshes the binding for the last time; 30 s after that it expires.
        mesh.sim.runFor(60 * SECOND);
        assertEquals(0, s.nat().activeMappings());
        assertEquals(1, s.nat().mappingsExpired());
        long refusedBefore = s.nat().counters().dropped(DropReason.NAT_NO_MAPPING);
        long arrivedBefore = s.inside().host.counters().delivered();

        // The server still has a session and the old endpoint, but nothing gets in.
        for (int i = 1; i <= 5; i++) {
            s.server().send(s.inside(), i, 100);
            mesh.sim.runFor(SECOND);
        }
        mesh.sim.runFor(20 * SECOND); // its handshake retries (15 s without an answer) are refused too
        assertEquals(1, s.inside().receivedFrom(s.server()).size(), "nothing new reached the laptop");
        long refused = s.nat().counters().dropped(DropReason.NAT_NO_MAPPING) - refusedBefore;
        assertTrue(refused >= 6, "the NAT refused the server's datagrams and handshake: " + refused);
        assertEquals(arrivedBefore, s.inside().host.counters().delivered(), "not a packet reached the laptop's host");
    }

    /**
     * keymesh's persistent keepalive counts from the last packet <em>sent</em> (wireguard-go's from the last
     * sent or received), so it holds a binding whether the NAT refreshes it on inbound packets too (as Linux
     * conntrack does) or on outbound ones only (RFC 4787 REQ-6's minimum).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "inbound refresh {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void persistentKeepaliveHoldsTheBindingForTenMinutes(boolean inboundRefresh) {
        Setup s = setup(32, 25, inboundRefresh);
        SimMesh mesh = s.mesh();
        s.inside().send(s.server(), 0, 100);
        mesh.sim.runFor(SECOND);
        assertEquals(1, s.server().receivedFrom(s.inside()).size());

        // Ten minutes in which only the laptop's keepalives (and the handshakes they renew the session with) pass.
        for (int minute = 1; minute <= 10; minute++) {
            mesh.sim.runFor(60 * SECOND);
            assertEquals(1, s.nat().activeMappings(), "the binding is held at minute " + minute);
        }
        assertEquals(1, s.nat().mappingsCreated(), "one binding all along");
        assertEquals(0, s.nat().mappingsExpired());

        for (int i = 1; i <= 5; i++) {
            s.server().send(s.inside(), i, 100);
            mesh.sim.runFor(100 * MS);
        }
        mesh.sim.runFor(SECOND);
        assertEquals(5, s.inside().receivedFrom(s.server()).size(), "the server's datagrams arrive");
        assertEquals(0, s.nat().counters().droppedTotal(), "the NAT dropped nothing: " + s.nat().counters());
        assertTrue(s.server().events(DOWN, s.inside()).isEmpty());
    }

}
