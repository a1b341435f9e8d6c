package io.keymesh.sim;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * A UDP NAT (RFC 4787) between an outside network, where it has one public address, and its own
 * inside network, where hosts (or further NATs: carrier-grade NAT nests) sit behind it. Made by
 * {@link Network#newNat}; put hosts behind it with {@code nat.inside().newHost(...)}.
 *
 * <p>A datagram from the inside to anywhere but the inside gets a mapping per the
 * {@link NatConfig#mapping() mapping behaviour}, its source rewritten to the public address and the
 * mapped port, and goes out. A datagram from the outside to the public address is let through a
 * mapping only as the {@link NatConfig#filtering() filtering behaviour} allows, then its destination
 * is rewritten to the internal endpoint. Mappings expire {@link NatConfig#bindingTimeout()} after the
 * last refresh; each mapping has its own external port. A datagram from the inside to the public
 * address hairpins back inside if {@link NatConfig#hairpinning()} is on. The NAT itself answers
 * nothing: datagrams to its own inside address are dropped as {@link DropReason#PORT_UNREACHABLE}.
 * Translation takes no time; the NAT's links carry the delays.
 *
 * <p>Not thread-safe: use it only from the simulation's thread.
 */
public final class Nat extends Node {
    /** The lowest external port a NAT assigns at random (ports below are left to preservation). */
    public static final int MIN_EXTERNAL_PORT = 1024;
    private static final int MAX_PORT = 65535;
    private static final int RANDOM_PORT_ATTEMPTS = 64;

    /** What identifies a mapping for reuse: the internal endpoint, plus what the mapping behaviour adds. */
    record Key(int internalIp, int internalPort, int remoteIp, int remotePort) {}

    private final Network inside;
    private final RandomGenerator random;
    private final Map<Key, NatMapping> byKey = new HashMap<>();
    /** Active mappings by external port; ordered, so iteration is deterministic. */
    private final TreeMap<Integer, NatMapping> byPort = new TreeMap<>();
    private Link outsideLink;
    private Link insideLink;
    private NatConfig config;
    private long mappingsCreated;
    private long mappingsExpired;
    private long hairpinned;

    Nat(Simulation sim, String name, NatConfig config, Network inside) {
        super(sim, name);
        this.config = config;
        this.inside = inside;
        this.random = sim.newRandomStream();
    }

    void connect(Link outsideLink, Link insideLink) {
        this.outsideLink = outsideLink;
        this.insideLink = insideLink;
    }

    /** The NAT's address on its outside network: the external address of every mapping. */
    public InetAddress publicAddress() {
        return outsideLink.address();
    }

    /** The network the NAT's public side is on. */
    public Network outside() {
        return outsideLink.network();
    }

    /** The network behind the NAT, where the NAT is the gateway. */
    public Network inside() {
        return inside;
    }

    /** The link on the outside network. */
    public Link outsideLink() {
        return outsideLink;
    }

    /** The link on the inside network. */
    public Link insideLink() {
        return insideLink;
    }

    @Override
    public List<Link> links() {
        return List.of(outsideLink, insideLink);
    }

    /** The behaviour in force. */
    public NatConfig config() {
        return config;
    }

    /**
     * Changes the behaviour from now on. Existing mappings keep their external ports and permissions
     * and expire by the new timeout; a new mapping behaviour applies to mappings made from now on.
     */
    public void setConfig(NatConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        for (NatMapping m : new ArrayList<>(byPort.values())) {
            if (m.expiryTimer != null) {
                m.expiryTimer.cancel();
            }
            if (!expireIfDue(m)) {
                scheduleExpiry(m);
            }
        }
    }

    /** The active mappings, by external port. */
    public List<NatMapping> mappings() {
        return List.copyOf(byPort.values());
    }

    /** How many mappings are active. */
    public int activeMappings() {
        return byPort.size();
    }

    /** Mappings created so far. */
    public long mappingsCreated() {
        return mappingsCreated;
    }

    /** Mappings that have expired so far. */
    public long mappingsExpired() {
        return mappingsExpired;
    }

    /** Datagrams turned back towards the inside by hairpinning (counted before filtering). */
    public long hairpinned() {
        return hairpinned;
    }

    @Override
    void receive(Datagram d, Link via) {
        if (via == insideLink) {
            fromInside(d);
        } else if (d.dstIp == outsideLink.ip()) {
            inbound(d);
        } else {
            simulation().drop(this, counters(), DropReason.NO_ROUTE, d);
        }
    }

    private void fromInside(Datagram d) {
        if (d.dstIp == insideLink.ip()) {
            simulation().drop(this, counters(), DropReason.PORT_UNREACHABLE, d);
            return;
        }
        NatMapping m = outboundMapping(d);
        if (m == null) {
            simulation().drop(this, counters(), DropReason.NAT_PORTS_EXHAUSTED, d);
            return;
        }
        m.permit(d.dstIp, d.dstPort);
        m.refreshedNanos = simulation().now(); // REQ-6: outbound refresh is always on
        d.srcIp = outsideLink.ip();
        d.srcPort = m.externalPort;
        if (d.dstIp != outsideLink.ip()) {
            counters().countDelivered(d.data.length);
            outsideLink.network().forward(outsideLink, d);
        } else if (!config.hairpinning()) {
            simulation().drop(this, counters(), DropReason.NAT_HAIRPIN_DISABLED, d);
        } else {
            hairpinned++;
            inbound(d); // RFC 4787 REQ-9: the source is already the sender's external endpoint
        }
    }

    private void inbound(Datagram d) {
        NatMapping m = byPort.get(d.dstPort);
        if (m == null || expireIfDue(m)) {
            simulation().drop(this, counters(), DropReason.NAT_NO_MAPPING, d);
            return;
        }
        if (!m.permits(config.filtering(), d.srcIp, d.srcPort)) {
            simulation().drop(this, counters(), DropReason.NAT_FILTERED, d);
            return;
        }
        if (config.inboundRefresh()) {
            m.refreshedNanos = simulation().now();
        }
        d.dstIp = m.internalIp;
        d.dstPort = m.internalPort;
        counters().countDelivered(d.data.length);
        inside.forward(insideLink, d);
    }

    /** RFC 4787 section 4.1: finds the mapping the behaviour reuses for this packet, or makes one. */
    private NatMapping outboundMapping(Datagram d) {
        Key key = switch (config.mapping()) {
            case ENDPOINT_INDEPENDENT -> new Key(d.srcIp, d.srcPort, -1, -1);
            case ADDRESS_DEPENDENT -> new Key(d.srcIp, d.srcPort, d.dstIp, -1);
            case ADDRESS_AND_PORT_DEPENDENT -> new Key(d.srcIp, d.srcPort, d.dstIp, d.dstPort);
        };
        NatMapping m = byKey.get(key);
        if (m != null && !expireIfDue(m)) {
            return m;
        }
        int port = allocatePort(d.srcPort);
        if (port < 0) {
            return null;
        }
        m = new NatMapping(this, key, d.srcIp, d.srcPort, port, simulation().now());
        byKey.put(key, m);
        byPort.put(port, m);
        mappingsCreated++;
        scheduleExpiry(m);
        return m;
    }

    /** RFC 4787 section 4.2.1: the internal port if preserving and free, else a free random one; -1 if none. */
    private int allocatePort(int internalPort) {
        if (config.portPreservation() && !byPort.containsKey(internalPort)) {
            return internalPort;
        }
        int range = MAX_PORT - MIN_EXTERNAL_PORT + 1;
        for (int i = 0; i < RANDOM_PORT_ATTEMPTS; i++) {
            int port = MIN_EXTERNAL_PORT + random.nextInt(range);
            if (!byPort.containsKey(port)) {
                return port;
            }
        }
        int start = random.nextInt(range);
        for (int i = 0; i < range; i++) {
            int port = MIN_EXTERNAL_PORT + (start + i) % range;
            if (!byPort.containsKey(port)) {
                return port;
            }
        }
        return -1;
    }

    long expiresNanos(NatMapping m) {
        long timeout;
        try {
            timeout = config.bindingTimeout().toNanos();
        } catch (ArithmeticException tooLong) {
            timeout = Long.MAX_VALUE;
        }
        long at = m.refreshedNanos + timeout;
        return at < m.refreshedNanos ? Long.MAX_VALUE : at;
    }

    private void scheduleExpiry(NatMapping m) {
        long at = expiresNanos(m);
        m.expiryTimer = at == Long.MAX_VALUE ? null : simulation().schedule(at, () -> expiryTimerFired(m));
    }

    private void expiryTimerFired(NatMapping m) {
        m.expiryTimer = null;
        if (m.active && !expireIfDue(m)) {
            scheduleExpiry(m); // refreshed since: look again at the new expiry
        }
    }

    /** Removes {@code m} if its time is up (a mapping is valid while now &lt; expiry). */
    private boolean expireIfDue(NatMapping m) {
        if (simulation().now() < expiresNanos(m)) {
            return false;
        }
        m.active = false;
        byKey.remove(m.key);
        byPort.remove(m.externalPort);
        if (m.expiryTimer != null) {
            m.expiryTimer.cancel();
            m.expiryTimer = null;
        }
        mappingsExpired++;
        return true;
    }

    @Override
    public String toString() {
        return name() + "(" + Ipv4.toString(outsideLink.ip()) + " | " + inside.prefix() + ")";
    }
}
