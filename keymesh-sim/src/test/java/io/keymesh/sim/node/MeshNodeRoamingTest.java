package io.keymesh.sim.node;

import static io.keymesh.sim.node.SimMesh.SECOND;
import static io.keymesh.testing.RecordingListener.PeerEvent.Kind.ENDPOINT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.keymesh.sim.DropReason;
import io.keymesh.sim.LinkConditions;
import io.keymesh.sim.Nat;
import io.keymesh.sim.NatConfig;
import io.keymesh.sim.NatType;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import io.keymesh.testing.RecordingListener.PeerEvent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A host moves to another network ({@code Host.moveTo}) with its node still running. Until it speaks,
 * its peer's datagrams go to the old address and are lost; once it speaks, the peer follows it to the
 * new address ({@code onEndpointChanged}) and its datagrams arrive there — without a new handshake.
 */
class MeshNodeRoamingTest {
    @Test
    void aLaptopMovesFromOneNatToAnotherAndTheServerFollowsItOnceItSpeaks() {
        SimMesh mesh = new SimMesh(71);
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Nat home = internet.newNat("home", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "192.168.1.0/24");
        Nat cafe = internet.newNat("cafe", NatConfig.of(NatType.SYMMETRIC), "10.20.0.0/16");
        Member server = mesh.member("server", internet.newHost("server"));
        Member laptop = mesh.member("laptop", home.inside().newHost("laptop"));
        server.start(List.of(laptop.asPeerWithoutEndpoint()));
        laptop.start(List.of(server.asPeer()));

        laptop.send(server, 0, 100);
        mesh.sim.runFor(SECOND);
        InetSocketAddress atHome = server.stats(laptop).endpoint();
        assertEquals(home.publicAddress(), atHome.getAddress());
        assertEquals(List.of(atHome.toString()), details(server.events(ENDPOINT, laptop)));

        laptop.host.moveTo(cafe.inside());
        server.send(laptop, 1, 100);
        mesh.sim.runFor(SECOND);
        assertEquals(0, laptop.receivedFrom(server).size(), "sent to the old address: lost");
        assertEquals(1, mesh.sim.counters().dropped(DropReason.NO_ROUTE), "the home NAT has no one to give it to");

        laptop.send(server, 2, 100);
        mesh.sim.runFor(SECOND);
        InetSocketAddress atCafe = server.stats(laptop).endpoint();
        assertEquals(cafe.publicAddress(), atCafe.getAddress());
        assertEquals(List.of(atHome.toString(), atCafe.toString()), details(server.events(ENDPOINT, laptop)));
        server.send(laptop, 3, 100);
        mesh.sim.runFor(SECOND);
        assertEquals(List.of(3), laptop.receivedFrom(server).stream().map(SimMesh::seq).toList());
        assertEquals(List.of(0, 2), server.receivedFrom(laptop).stream().map(SimMesh::seq).toList());
        assertEquals(1, server.stats(laptop).handshakes(), "the session moved with the laptop: no new handshake");
    }

    @Test
    void aPublicHostChangesAddressAndItsPeerFollows() {
        SimMesh mesh = new SimMesh(72);
        Network internet = mesh.sim.newNetwork("internet", "198.18.0.0/15");
        internet.setDefaultLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));
        Member a = mesh.member("a", internet.newHost("a"));
        Member b = mesh.member("b", internet.newHost("b"));
        a.start(List.of(b.asPeer()));
        b.start(List.of(a.asPeer()));
        a.send(b, 0, 100);
        b.send(a, 0, 100);
        mesh.sim.runFor(SECOND);
        InetSocketAddress before = b.address();
        assertEquals(before, a.stats(b).endpoint());

        b.host.moveTo(internet, "198.19.7.7");
        a.send(b, 1, 100);
        mesh.sim.runFor(SECOND);
        assertEquals(List.of(0), b.receivedFrom(a).stream().map(SimMesh::seq).toList(), "lost at the old address");

        b.send(a, 1, 100);
        mesh.sim.runFor(SECOND);
        assertNotEquals(before, b.address());
        assertEquals(b.address(), a.stats(b).endpoint());
        assertEquals(List.of(b.address().toString()), details(a.events(ENDPOINT, b)));
        a.send(b, 2, 100);
        mesh.sim.runFor(SECOND);
        assertEquals(List.of(0, 2), b.receivedFrom(a).stream().map(SimMesh::seq).toList());
        assertEquals(List.of(0, 1), a.receivedFrom(b).stream().map(SimMesh::seq).toList());
    }

    private static List<String> details(List<PeerEvent> events) {
        return events.stream().map(PeerEvent::detail).toList();
    }
}
