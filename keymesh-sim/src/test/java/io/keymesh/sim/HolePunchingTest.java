package io.keymesh.sim;

import static io.keymesh.sim.Recorder.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * UDP hole punching with plain sockets: two peers behind NATs register with a public rendezvous
 * server, learn each other's server-reflexive endpoint from it, and send punches there, answering
 * any punch to the address it came from. It works when at least one side's mapping is
 * endpoint-independent and the filtering lets the other side's packets in; it fails between
 * symmetric NATs (the mapping towards the peer is not the one the server saw).
 */
class HolePunchingTest {
    private static final byte REGISTER = 1;
    private static final byte PEER = 2;
    private static final byte PUNCH = 3;
    private static final byte ACK = 4;

    /** One peer: registers, punches, and records who reached it. */
    static final class Peer {
        final Simulation sim;
        final InetSocketAddress rendezvous;
        VirtualUdpSocket socket;
        final List<InetSocketAddress> heardFromPeer = new ArrayList<>();

        Peer(Simulation sim, Host host, InetSocketAddress rendezvous) {
            this.sim = sim;
            this.rendezvous = rendezvous;
            this.socket = host.openUdp(0, this::receive);
        }

        void start() {
            socket.send(rendezvous, new byte[] {REGISTER});
        }

        private void receive(InetSocketAddress from, byte[] data, int off, int len) {
            switch (data[off]) {
                case PEER -> {
                    InetSocketAddress peer = decode(data, off + 1);
                    for (int i = 0; i < 10; i++) {
                        sim.scheduleAfter(i * 100 * MS, () -> socket.send(peer, new byte[] {PUNCH}));
                    }
                }
                case PUNCH -> {
                    heardFromPeer.add(from);
                    socket.send(from, new byte[] {ACK});
                }
                case ACK -> heardFromPeer.add(from);
                default -> throw new AssertionError("unexpected message " + data[off]);
            }
        }
    }

    /** Introduces the first two endpoints that register to each other. */
    static final class Rendezvous {
        final VirtualUdpSocket socket;
        final List<InetSocketAddress> registered = new ArrayList<>();

        Rendezvous(Host host) {
            socket = host.openUdp(3478, this::receive);
        }

        private void receive(InetSocketAddress from, byte[] data, int off, int len) {
            if (data[off] != REGISTER) {
                return;
            }
            registered.add(from);
            if (registered.size() == 2) {
                socket.send(registered.get(0), encode(registered.get(1)));
                socket.send(registered.get(1), encode(registered.get(0)));
            }
        }
    }

    static byte[] encode(InetSocketAddress a) {
        return ByteBuffer.allocate(7).put(PEER).put(a.getAddress().getAddress()).putShort((short) a.getPort()).array();
    }

    static InetSocketAddress decode(byte[] data, int off) {
        ByteBuffer b = ByteBuffer.wrap(data, off, 6);
        byte[] ip = new byte[4];
        b.get(ip);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), b.getShort() & 0xffff);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of(NatType.FULL_CONE, NatType.FULL_CONE, true),
                Arguments.of(NatType.RESTRICTED_CONE, NatType.RESTRICTED_CONE, true),
                Arguments.of(NatType.PORT_RESTRICTED_CONE, NatType.PORT_RESTRICTED_CONE, true),
                Arguments.of(NatType.PORT_RESTRICTED_CONE, NatType.RESTRICTED_CONE, true),
                Arguments.of(NatType.FULL_CONE, NatType.SYMMETRIC, true),
                Arguments.of(NatType.RESTRICTED_CONE, NatType.SYMMETRIC, true),
                Arguments.of(NatType.PORT_RESTRICTED_CONE, NatType.SYMMETRIC, false),
                Arguments.of(NatType.SYMMETRIC, NatType.SYMMETRIC, false));
    }

    @ParameterizedTest(name = "{0} and {1}: punched = {2}")
    @MethodSource("pairs")
    void holePunchingBetweenNats(NatType typeA, NatType typeB, boolean expected) {
        for (long seed = 1; seed <= 3; seed++) {
            Simulation sim = new Simulation(seed);
            Network internet = sim.newNetwork("internet", "198.18.0.0/15");
            internet.setLinkConditions(LinkConditions.DEFAULT
                    .withLatency(Duration.ofMillis(10)).withJitter(Duration.ofMillis(5)));
            Rendezvous server = new Rendezvous(internet.newHost("rendezvous"));
            Nat natA = internet.newNat("nat-a", NatConfig.of(typeA), "192.168.1.0/24");
            Nat natB = internet.newNat("nat-b", NatConfig.of(typeB), "10.0.0.0/24");
            Peer a = new Peer(sim, natA.inside().newHost("a"), server.socket.localAddress());
            Peer b = new Peer(sim, natB.inside().newHost("b"), server.socket.localAddress());
            a.start();
            b.start();
            sim.runFor(5_000 * MS);

            assertEquals(2, server.registered.size());
            boolean punched = !a.heardFromPeer.isEmpty() && !b.heardFromPeer.isEmpty();
            assertEquals(expected, punched, "seed " + seed + ": a heard " + a.heardFromPeer + ", b heard "
                    + b.heardFromPeer);
            if (punched) {
                assertTrue(a.heardFromPeer.stream().allMatch(x -> x.getAddress().equals(natB.publicAddress())));
                assertTrue(b.heardFromPeer.stream().allMatch(x -> x.getAddress().equals(natA.publicAddress())));
            } else {
                assertTrue(natA.dropped(DropReason.NAT_FILTERED) + natB.dropped(DropReason.NAT_FILTERED) > 0,
                        "the punches died in the NATs' filters");
            }
        }
    }
}
