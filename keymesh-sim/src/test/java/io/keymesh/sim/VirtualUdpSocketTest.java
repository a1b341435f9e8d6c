package io.keymesh.sim;

import static io.keymesh.sim.Recorder.MS;
import static io.keymesh.sim.Recorder.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VirtualUdpSocketTest {
    private final Simulation sim = new Simulation(3);
    private final Network net = sim.newNetwork("lan", "10.0.0.0/24");
    private final Host a = net.newHost("a");
    private final Host b = net.newHost("b", "10.0.0.20");

    @Test
    void deliversWithTheSendersAddressAndCopiesTheBuffer() throws Exception {
        Recorder rb = new Recorder(sim);
        VirtualUdpSocket sa = a.openUdp(1000, new Recorder(sim));
        VirtualUdpSocket sb = b.openUdp(2000, rb);
        assertEquals(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 1000), sa.localAddress());
        assertEquals(new InetSocketAddress(InetAddress.getByName("10.0.0.20"), 2000), sb.localAddress());

        byte[] buf = text("xxhello!!");
        sa.send(sb.localAddress(), buf, 2, 5);
        buf[2] = 'J'; // the socket copied: later changes do not travel
        assertEquals(0, rb.count(), "nothing is delivered inside send");
        sim.runUntilIdle(100);
        assertEquals(1, rb.count());
        assertEquals("hello", rb.last().text());
        assertEquals(sa.localAddress(), rb.last().from());
        assertEquals(1, sa.packetsSent());
        assertEquals(5, sb.bytesReceived());
        assertEquals(1, b.counters().delivered());
        assertEquals(1, sim.counters().delivered());
    }

    @Test
    void ephemeralPortsAreInTheDynamicRangeDistinctAndSeeded() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int p = a.openUdp(0, new Recorder(sim)).port();
            assertTrue(p >= Host.EPHEMERAL_PORT_MIN && p <= Host.EPHEMERAL_PORT_MAX, "port " + p);
            ports.add(p);
        }
        assertEquals(200, ports.size());
        Simulation s1 = new Simulation(99);
        Simulation s2 = new Simulation(99);
        assertEquals(s1.newNetwork("n", "10.0.0.0/8").newHost("h").openUdp(0, new Recorder(s1)).port(),
                s2.newNetwork("n", "10.0.0.0/8").newHost("h").openUdp(0, new Recorder(s2)).port());
    }

    @Test
    void bindingATakenPortFails() {
        a.openUdp(1000, new Recorder(sim));
        assertThrows(IllegalStateException.class, () -> a.openUdp(1000, new Recorder(sim)));
        assertThrows(IllegalArgumentException.class, () -> a.openUdp(70000, new Recorder(sim)));
    }

    @Test
    void datagramsToAClosedOrUnboundPortAreDroppedAsPortUnreachable() {
        VirtualUdpSocket sa = a.openUdp(1000, new Recorder(sim));
        Recorder rb = new Recorder(sim);
        VirtualUdpSocket sb = b.openUdp(2000, rb);
        sa.send(b.socketAddress(2001), text("nobody"));
        sa.send(sb.localAddress(), text("in flight when closed"));
        sb.close();
        sim.runUntilIdle(100);
        assertEquals(0, rb.count());
        assertEquals(2, b.counters().dropped(DropReason.PORT_UNREACHABLE));
        assertEquals(2, sim.counters().dropped(DropReason.PORT_UNREACHABLE));
        assertThrows(IllegalStateException.class, () -> sb.send(sa.localAddress(), text("x")));
        b.openUdp(2000, rb); // the port is free again
    }

    @Test
    void rejectsWhatRealUdpRejects() {
        VirtualUdpSocket sa = a.openUdp(1000, new Recorder(sim));
        assertThrows(IllegalArgumentException.class,
                () -> sa.send(InetSocketAddress.createUnresolved("example.com", 53), text("x")));
        assertThrows(IllegalArgumentException.class, () -> sa.send(b.socketAddress(0), text("x")));
        assertThrows(IllegalArgumentException.class,
                () -> sa.send(b.socketAddress(1), new byte[VirtualUdpSocket.MAX_PAYLOAD + 1]));
        assertThrows(IndexOutOfBoundsException.class, () -> sa.send(b.socketAddress(1), new byte[4], 2, 3));
        assertThrows(IllegalArgumentException.class,
                () -> sa.send(new InetSocketAddress(InetAddress.getByName("::1"), 5), text("x")));
    }

    @Test
    void unknownAddressesHaveNoRoute() {
        VirtualUdpSocket sa = a.openUdp(1000, new Recorder(sim));
        sa.send(new InetSocketAddress("10.0.0.99", 1), text("x"));
        sim.runUntilIdle(100);
        assertEquals(1, a.dropped(DropReason.NO_ROUTE));
    }

    @Test
    void addressesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> net.newHost("c", "10.0.1.5"));
        assertThrows(IllegalArgumentException.class, () -> net.newHost("c", "10.0.0.20"));
        assertThrows(IllegalArgumentException.class, () -> net.newHost("c", "10.0.0.256"));
        assertThrows(IllegalArgumentException.class, () -> sim.newNetwork("x", "10.0.0.1/24"));
        assertEquals("10.0.0.2", net.newHost("c").address().getHostAddress());
    }

    @Test
    void aHostThatMovesKeepsItsSocketsAndIsSeenAtItsNewAddress() {
        Network internet = sim.newNetwork("internet", "198.18.0.0/15");
        Host server = internet.newHost("server");
        Recorder rs = new Recorder(sim);
        VirtualUdpSocket ss = server.openUdp(7000, rs);
        Nat home = internet.newNat("home", NatConfig.of(NatType.FULL_CONE), "192.168.1.0/24");
        Nat cafe = internet.newNat("cafe", NatConfig.of(NatType.FULL_CONE), "192.168.7.0/24");
        Host laptop = home.inside().newHost("laptop");
        Recorder rl = new Recorder(sim);
        VirtualUdpSocket sl = laptop.openUdp(5000, rl);
        internet.setLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(10)));

        sl.send(ss.localAddress(), text("from home"));
        sim.runFor(100 * MS);
        assertEquals(home.publicAddress(), rs.last().from().getAddress());

        ss.send(rs.last().from(), text("to home")); // in flight while the laptop moves
        laptop.moveTo(cafe.inside());
        assertEquals("192.168.7.2", laptop.address().getHostAddress());
        sim.runFor(100 * MS);
        assertEquals(0, rl.count());
        assertEquals(1, home.dropped(DropReason.NO_ROUTE));

        sl.send(ss.localAddress(), text("from cafe"));
        sim.runFor(100 * MS);
        assertEquals(cafe.publicAddress(), rs.last().from().getAddress());
        ss.send(rs.last().from(), text("to cafe"));
        sim.runFor(100 * MS);
        assertEquals("to cafe", rl.last().text());
    }
}
