package io.keymesh.sim;

import static io.keymesh.sim.FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT;
import static io.keymesh.sim.FilteringBehavior.ADDRESS_DEPENDENT;
import static io.keymesh.sim.FilteringBehavior.ENDPOINT_INDEPENDENT;
import static io.keymesh.sim.Recorder.MS;
import static io.keymesh.sim.Recorder.SECOND;
import static io.keymesh.sim.Recorder.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 4787 behaviours of {@link Nat}. */
class NatTest {
    private static final int P1 = 3478;
    private static final int P2 = 3479;

    /** A host H behind a NAT, and two servers S1 and S2 on the internet, each listening on P1 and P2. */
    static final class World {
        final Simulation sim;
        final Network internet;
        final Nat nat;
        final Host h;
        final Recorder rh;
        final VirtualUdpSocket sh;
        final Host s1;
        final Host s2;
        final Recorder r1p1;
        final Recorder r1p2;
        final Recorder r2p1;
        final Recorder r2p2;
        final VirtualUdpSocket s1p1;
        final VirtualUdpSocket s1p2;
        final VirtualUdpSocket s2p1;
        final VirtualUdpSocket s2p2;

        World(long seed, NatConfig config) {
            sim = new Simulation(seed);
            internet = sim.newNetwork("internet", "198.18.0.0/15");
            internet.setLinkConditions(LinkConditions.DEFAULT.withLatency(Duration.ofMillis(5)));
            s1 = internet.newHost("s1", "198.18.0.1");
            s2 = internet.newHost("s2", "198.18.0.2");
            nat = internet.newNat("nat", "198.18.1.1", config, "192.168.1.0/24");
            h = nat.inside().newHost("h", "192.168.1.10");
            rh = new Recorder(sim);
            sh = h.openUdp(5000, rh);
            r1p1 = new Recorder(sim);
            r1p2 = new Recorder(sim);
            r2p1 = new Recorder(sim);
            r2p2 = new Recorder(sim);
            s1p1 = s1.openUdp(P1, r1p1);
            s1p2 = s1.openUdp(P2, r1p2);
            s2p1 = s2.openUdp(P1, r2p1);
            s2p2 = s2.openUdp(P2, r2p2);
        }

        /** H sends to {@code to}; returns the source the server saw. */
        InetSocketAddress hSendsTo(VirtualUdpSocket to, Recorder seenBy) {
            sh.send(to.localAddress(), text("hello"));
            sim.runFor(100 * MS);
            return seenBy.last().from();
        }

        int mappedPortToS1() {
            return hSendsTo(s1p1, r1p1).getPort();
        }

        void settle() {
            sim.runFor(100 * MS);
        }
    }

    @ParameterizedTest
    @EnumSource(NatType.class)
    void presetsMapOntoRfc4787(NatType type) {
        NatConfig c = NatConfig.of(type);
        MappingBehavior m = MappingBehavior.ENDPOINT_INDEPENDENT;
        switch (type) {
            case FULL_CONE -> assertEquals(List.of(m, ENDPOINT_INDEPENDENT), List.of(c.mapping(), c.filtering()));
            case RESTRICTED_CONE -> assertEquals(List.of(m, ADDRESS_DEPENDENT), List.of(c.mapping(), c.filtering()));
            case PORT_RESTRICTED_CONE ->
                    assertEquals(List.of(m, ADDRESS_AND_PORT_DEPENDENT), List.of(c.mapping(), c.filtering()));
            case SYMMETRIC -> assertEquals(List.of(MappingBehavior.ADDRESS_AND_PORT_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT),
                    List.of(c.mapping(), c.filtering()));
        }
        assertEquals(NatConfig.DEFAULT_BINDING_TIMEOUT, c.bindingTimeout());
        assertTrue(c.hairpinning(), "RFC 4787 REQ-9");
    }

    /**
     * The table: for each mapping and filtering behaviour, H sends to S1:p1, S1:p2, S2:p1.
     * {@code sameMappings} says which of those reuse the first mapping (S1:p2, S2:p1); {@code inbound}
     * which unsolicited senders get through the first mapping (S1:p2, S2:p1, S2:p2) after H has sent
     * only to S1:p1.
     */
    static Stream<Arguments> rfc4787Table() {
        var eim = MappingBehavior.ENDPOINT_INDEPENDENT;
        var adm = MappingBehavior.ADDRESS_DEPENDENT;
        var apdm = MappingBehavior.ADDRESS_AND_PORT_DEPENDENT;
        return Stream.of(
                Arguments.of(eim, ENDPOINT_INDEPENDENT, List.of(true, true), List.of(true, true, true)),
                Arguments.of(eim, ADDRESS_DEPENDENT, List.of(true, true), List.of(true, false, false)),
                Arguments.of(eim, ADDRESS_AND_PORT_DEPENDENT, List.of(true, true), List.of(false, false, false)),
                Arguments.of(adm, ENDPOINT_INDEPENDENT, List.of(true, false), List.of(true, true, true)),
                Arguments.of(adm, ADDRESS_DEPENDENT, List.of(true, false), List.of(true, false, false)),
                Arguments.of(adm, ADDRESS_AND_PORT_DEPENDENT, List.of(true, false), List.of(false, false, false)),
                Arguments.of(apdm, ENDPOINT_INDEPENDENT, List.of(false, false), List.of(true, true, true)),
                Arguments.of(apdm, ADDRESS_DEPENDENT, List.of(false, false), List.of(true, false, false)),
                Arguments.of(apdm, ADDRESS_AND_PORT_DEPENDENT, List.of(false, false), List.of(false, false, false)));
    }

    @ParameterizedTest(name = "{0} mapping, {1} filtering")
    @MethodSource("rfc4787Table")
    void mappingAndFilteringFollowRfc4787(MappingBehavior mapping, FilteringBehavior filtering,
            List<Boolean> sameMappings, List<Boolean> inbound) {
        NatConfig config = NatConfig.of(NatType.FULL_CONE).withMapping(mapping).withFiltering(filtering);

        // Mapping: which destinations share the first mapping.
        World w = new World(1, config);
        InetSocketAddress m1 = w.hSendsTo(w.s1p1, w.r1p1);
        InetSocketAddress m2 = w.hSendsTo(w.s1p2, w.r1p2);
        InetSocketAddress m3 = w.hSendsTo(w.s2p1, w.r2p1);
        for (InetSocketAddress m : List.of(m1, m2, m3)) {
            assertEquals(w.nat.publicAddress(), m.getAddress(), "servers see the NAT's public address");
        }
        assertEquals(sameMappings, List.of(m2.equals(m1), m3.equals(m1)), "reuse of " + m1 + ": " + m2 + ", " + m3);
        assertEquals(m2.equals(m3), sameMappings.get(0) && sameMappings.get(1));
        long distinct = Stream.of(m1, m2, m3).distinct().count();
        assertEquals(distinct, w.nat.mappingsCreated());
        assertEquals(distinct, w.nat.activeMappings());

        // Filtering: H has sent only to S1:p1; who else may send to that mapping?
        World f = new World(2, config);
        InetSocketAddress mapped = f.hSendsTo(f.s1p1, f.r1p1);
        f.s1p1.send(mapped, text("reply"));
        f.s1p2.send(mapped, text("S1:p2"));
        f.s2p1.send(mapped, text("S2:p1"));
        f.s2p2.send(mapped, text("S2:p2"));
        f.settle();
        List<String> got = f.rh.received.stream().map(Recorder.Received::text).toList();
        assertEquals("reply", got.getFirst(), "a reply from the destination always gets through");
        assertEquals(inbound, List.of(got.contains("S1:p2"), got.contains("S2:p1"), got.contains("S2:p2")), "got " + got);
        long blocked = inbound.stream().filter(x -> !x).count();
        assertEquals(blocked, f.nat.counters().dropped(DropReason.NAT_FILTERED));
        assertEquals(blocked, f.sim.counters().dropped(DropReason.NAT_FILTERED));
        for (Recorder.Received r : f.rh.received) {
            assertTrue(r.from().getAddress().equals(f.s1.address()) || r.from().getAddress().equals(f.s2.address()),
                    "the inside host sees the true sender " + r.from());
        }
    }

    @Test
    void inboundWithoutAMappingIsDropped() {
        World w = new World(1, NatConfig.of(NatType.FULL_CONE));
        w.s1p1.send(new InetSocketAddress(w.nat.publicAddress(), 5000), text("unsolicited"));
        w.settle();
        assertEquals(0, w.rh.count());
        assertEquals(1, w.nat.dropped(DropReason.NAT_NO_MAPPING));
    }

    @Test
    void theNatItselfAnswersNothing() {
        World w = new World(1, NatConfig.of(NatType.FULL_CONE));
        w.sh.send(new InetSocketAddress(w.nat.insideLink().address(), 53), text("dns?"));
        w.settle();
        assertEquals(1, w.nat.dropped(DropReason.PORT_UNREACHABLE));
        assertEquals(0, w.nat.mappingsCreated());
    }

    @Test
    void bindingsExpireWithoutTraffic() {
        World w = new World(1, NatConfig.of(NatType.PORT_RESTRICTED_CONE).withBindingTimeout(Duration.ofSeconds(30)));
        InetSocketAddress mapped = w.hSendsTo(w.s1p1, w.r1p1); // at t = 0, refreshed then
        w.sim.runUntil(25 * SECOND);
        w.s1p1.send(mapped, text("before expiry")); // inbound does not refresh by default
        w.sim.runUntil(29 * SECOND);
        assertEquals(1, w.nat.activeMappings());
        w.sim.runUntil(31 * SECOND);
        assertEquals(0, w.nat.activeMappings(), "expired at 30 s, with no packet to notice");
        assertEquals(1, w.nat.mappingsExpired());
        w.s1p1.send(mapped, text("after expiry"));
        w.settle();
        assertEquals(List.of("before expiry"), w.rh.received.stream().map(Recorder.Received::text).toList());
        assertEquals(1, w.nat.dropped(DropReason.NAT_NO_MAPPING));

        InetSocketAddress remapped = w.hSendsTo(w.s1p1, w.r1p1);
        assertNotEquals(mapped, remapped, "a new mapping (random port) after expiry");
        assertEquals(2, w.nat.mappingsCreated());
    }

    @Test
    void periodicOutboundPacketsKeepABindingAlive() {
        World w = new World(1, NatConfig.of(NatType.PORT_RESTRICTED_CONE).withBindingTimeout(Duration.ofSeconds(30)));
        InetSocketAddress mapped = w.hSendsTo(w.s1p1, w.r1p1);
        for (long t = 25; t <= 300; t += 25) {
            w.sim.schedule(t * SECOND, () -> w.sh.send(w.s1p1.localAddress(), text("keepalive")));
        }
        w.sim.runUntil(320 * SECOND);
        w.s1p1.send(mapped, text("still there"));
        w.settle();
        assertEquals("still there", w.rh.last().text());
        assertTrue(w.r1p1.received.stream().allMatch(r -> r.from().equals(mapped)), "one mapping throughout");
        assertEquals(1, w.nat.mappingsCreated());
        assertEquals(0, w.nat.mappingsExpired());
    }

    @Test
    void inboundRefreshIsOptional() {
        for (boolean inboundRefresh : new boolean[] {false, true}) {
            World w = new World(1, NatConfig.of(NatType.PORT_RESTRICTED_CONE)
                    .withBindingTimeout(Duration.ofSeconds(30)).withInboundRefresh(inboundRefresh));
            InetSocketAddress mapped = w.hSendsTo(w.s1p1, w.r1p1);
            for (long t = 20; t <= 200; t += 20) {
                w.sim.schedule(t * SECOND, () -> w.s1p1.send(mapped, text("inbound")));
            }
            w.sim.runUntil(210 * SECOND);
            assertEquals(inboundRefresh ? 10 : 1, w.rh.count(), "inbound refresh " + inboundRefresh);
            assertEquals(inboundRefresh ? 0 : 1, w.nat.mappingsExpired());
        }
    }

    @Test
    void portPreservationKeepsTheInternalPortWhenFree() {
        World w = new World(1, NatConfig.of(NatType.FULL_CONE).withPortPreservation(true));
        assertEquals(5000, w.hSendsTo(w.s1p1, w.r1p1).getPort());
        Host h2 = w.nat.inside().newHost("h2");
        VirtualUdpSocket s2 = h2.openUdp(5000, new Recorder(w.sim));
        s2.send(w.s1p1.localAddress(), text("same port"));
        w.settle();
        int second = w.r1p1.last().from().getPort();
        assertNotEquals(5000, second, "taken: another port");
        assertTrue(second >= Nat.MIN_EXTERNAL_PORT);

        World sym = new World(1, NatConfig.of(NatType.SYMMETRIC).withPortPreservation(true));
        assertEquals(5000, sym.hSendsTo(sym.s1p1, sym.r1p1).getPort());
        assertNotEquals(5000, sym.hSendsTo(sym.s2p1, sym.r2p1).getPort());
    }

    @Test
    void withoutPortPreservationPortsAreRandomButSeeded() {
        int a = new World(1, NatConfig.of(NatType.FULL_CONE)).mappedPortToS1();
        int b = new World(1, NatConfig.of(NatType.FULL_CONE)).mappedPortToS1();
        int c = new World(2, NatConfig.of(NatType.FULL_CONE)).mappedPortToS1();
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertNotEquals(5000, a);
        assertTrue(a >= Nat.MIN_EXTERNAL_PORT && c >= Nat.MIN_EXTERNAL_PORT);
    }

    @Test
    void hairpinningTurnsPacketsBackWithTheExternalSource() {
        for (boolean hairpin : new boolean[] {true, false}) {
            World w = new World(1, NatConfig.of(NatType.FULL_CONE).withHairpinning(hairpin));
            Host h2 = w.nat.inside().newHost("h2");
            Recorder r2 = new Recorder(w.sim);
            VirtualUdpSocket s2 = h2.openUdp(6000, r2);
            InetSocketAddress h1External = w.hSendsTo(w.s1p1, w.r1p1);
            s2.send(w.s1p1.localAddress(), text("learn"));
            w.settle();
            InetSocketAddress h2External = w.r1p1.last().from();

            w.sh.send(h2External, text("hairpin"));
            w.settle();
            if (hairpin) {
                assertEquals("hairpin", r2.last().text());
                assertEquals(h1External, r2.last().from(), "RFC 4787 REQ-9: the source is H1's external endpoint");
                assertEquals(1, w.nat.hairpinned());
            } else {
                assertEquals(0, r2.count());
                assertEquals(1, w.nat.dropped(DropReason.NAT_HAIRPIN_DISABLED));
            }
        }
    }

    @Test
    void hairpinnedPacketsAreFiltered() {
        World w = new World(1, NatConfig.of(NatType.PORT_RESTRICTED_CONE));
        Host h2 = w.nat.inside().newHost("h2");
        Recorder r2 = new Recorder(w.sim);
        VirtualUdpSocket s2 = h2.openUdp(6000, r2);
        InetSocketAddress h1External = w.hSendsTo(w.s1p1, w.r1p1);
        s2.send(w.s1p1.localAddress(), text("learn"));
        w.settle();
        InetSocketAddress h2External = w.r1p1.last().from();

        w.sh.send(h2External, text("too early"));
        w.settle();
        assertEquals(1, w.nat.dropped(DropReason.NAT_FILTERED));
        s2.send(h1External, text("opening"));
        w.settle();
        w.sh.send(h2External, text("now"));
        w.settle();
        assertEquals("opening", w.rh.last().text());
        assertEquals(List.of("now"), r2.received.stream().map(Recorder.Received::text).toList());
    }

    @Test
    void natsNestForCarrierGradeNat() {
        Simulation sim = new Simulation(9);
        Network internet = sim.newNetwork("internet", "198.18.0.0/15");
        Host server = internet.newHost("server");
        Host other = internet.newHost("other");
        Recorder rs = new Recorder(sim);
        VirtualUdpSocket ss = server.openUdp(443, rs);
        VirtualUdpSocket so = other.openUdp(443, new Recorder(sim));
        Nat cgn = internet.newNat("cgn", NatConfig.of(NatType.PORT_RESTRICTED_CONE), "100.64.0.0/10");
        Nat home1 = cgn.inside().newNat("home1", NatConfig.of(NatType.FULL_CONE), "192.168.1.0/24");
        Nat home2 = cgn.inside().newNat("home2", NatConfig.of(NatType.FULL_CONE), "192.168.1.0/24");
        Host h1 = home1.inside().newHost("h1");
        Host h2 = home2.inside().newHost("h2");
        assertEquals(h1.address(), h2.address(), "both homes use the same private addresses");
        Recorder r1 = new Recorder(sim);
        Recorder r2 = new Recorder(sim);
        VirtualUdpSocket s1 = h1.openUdp(5000, r1);
        VirtualUdpSocket s2 = h2.openUdp(5000, r2);

        s1.send(ss.localAddress(), text("h1"));
        s2.send(ss.localAddress(), text("h2"));
        sim.runFor(SECOND); // not runUntilIdle: that would run on to the bindings' expiry
        InetSocketAddress e1 = rs.received.get(0).from();
        InetSocketAddress e2 = rs.received.get(1).from();
        assertEquals(cgn.publicAddress(), e1.getAddress());
        assertEquals(cgn.publicAddress(), e2.getAddress());
        assertNotEquals(e1.getPort(), e2.getPort());
        assertEquals(1, home1.activeMappings());
        assertEquals(2, cgn.activeMappings());

        ss.send(e1, text("to h1"));
        ss.send(e2, text("to h2"));
        so.send(e1, text("unsolicited"));
        sim.runFor(SECOND);
        assertEquals(List.of("to h1"), r1.received.stream().map(Recorder.Received::text).toList());
        assertEquals(List.of("to h2"), r2.received.stream().map(Recorder.Received::text).toList());
        assertEquals(ss.localAddress(), r1.last().from());
        assertEquals(1, cgn.dropped(DropReason.NAT_FILTERED));

        // Two subscribers of one CGN reach each other by hairpinning there.
        s2.send(e1, text("open for h1"));
        s1.send(e2, text("via the cgn"));
        sim.runFor(SECOND);
        assertEquals("via the cgn", r2.last().text());
        assertEquals(e1, r2.last().from());
        assertEquals(2, cgn.hairpinned());
    }
}
