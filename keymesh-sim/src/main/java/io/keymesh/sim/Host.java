package io.keymesh.sim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A simulated computer with one IPv4 address on one {@link Network}, on which code opens
 * {@link VirtualUdpSocket}s. A host can {@link #moveTo move} to another network (a laptop changing
 * Wi-Fi), keeping its sockets and ports but changing its address.
 *
 * <p>Not thread-safe: use it only from the simulation's thread.
 */
public final class Host extends Node {
    /** RFC 6335 section 6: the dynamic (ephemeral) port range. */
    public static final int EPHEMERAL_PORT_MIN = 49152;
    /** Upper end of the dynamic port range. */
    public static final int EPHEMERAL_PORT_MAX = 65535;

    private final Map<Integer, VirtualUdpSocket> sockets = new HashMap<>();
    private final RandomGenerator random;
    private Link link;
    private long sent;

    Host(Simulation sim, String name) {
        super(sim, name);
        this.random = sim.newRandomStream();
    }

    void attach(Link link) {
        this.link = link;
    }

    /** The host's link to its network. */
    public Link link() {
        return link;
    }

    @Override
    public List<Link> links() {
        return List.of(link);
    }

    /** The network the host is on now. */
    public Network network() {
        return link.network();
    }

    /** The host's address now. */
    public InetAddress address() {
        return link.address();
    }

    /** The host's address now with the given port. */
    public InetSocketAddress socketAddress(int port) {
        return new InetSocketAddress(address(), port);
    }

    /** Datagrams sent by this host's sockets. */
    public long sent() {
        return sent;
    }

    /**
     * Opens a UDP socket bound to {@code port} on this host, or to a free port in the ephemeral range
     * (chosen at random from the simulation's seed) if {@code port} is 0.
     *
     * @param handler called for each datagram that arrives
     * @throws IllegalArgumentException if the port is out of range
     * @throws IllegalStateException if the port is taken (like {@code EADDRINUSE}) or no ephemeral port is free
     */
    public VirtualUdpSocket openUdp(int port, DatagramHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
        if (port == 0) {
            port = ephemeralPort();
        } else if (sockets.containsKey(port)) {
            throw new IllegalStateException("port " + port + " is in use on " + this);
        }
        VirtualUdpSocket s = new VirtualUdpSocket(this, port, handler);
        sockets.put(port, s);
        return s;
    }

    private int ephemeralPort() {
        int range = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1;
        int start = random.nextInt(range);
        for (int i = 0; i < range; i++) {
            int port = EPHEMERAL_PORT_MIN + (start + i) % range;
            if (!sockets.containsKey(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free ephemeral port on " + this);
    }

    /** Moves the host to {@code network} at its next free address; sockets stay open on the same ports. */
    public void moveTo(Network network) {
        moveTo(network, network.allocate());
    }

    /** Moves the host to {@code network} at the given address. */
    public void moveTo(Network network, String address) {
        moveTo(network, network.claim(address));
    }

    private void moveTo(Network network, int ip) {
        if (network.simulation() != simulation()) {
            throw new IllegalArgumentException(network + " belongs to another simulation");
        }
        link.network().detach(link);
        link = network.attach(this, ip);
    }

    void closed(VirtualUdpSocket s) {
        sockets.remove(s.port(), s);
    }

    void send(Datagram d) {
        sent++;
        link.network().forward(link, d);
    }

    int ip() {
        return link.ip();
    }

    @Override
    void receive(Datagram d, Link via) {
        VirtualUdpSocket s = sockets.get(d.dstPort);
        if (s == null) {
            simulation().drop(this, counters(), DropReason.PORT_UNREACHABLE, d);
            return;
        }
        counters().countDelivered(d.data.length);
        simulation().delivered(this, d);
        s.deliver(d);
    }

    /** The sockets open now, in port order. */
    public List<VirtualUdpSocket> sockets() {
        List<VirtualUdpSocket> list = new ArrayList<>(sockets.values());
        list.sort((a, b) -> Integer.compare(a.port(), b.port()));
        return list;
    }

    @Override
    public String toString() {
        return name() + "(" + Ipv4.toString(link.ip()) + ")";
    }
}
