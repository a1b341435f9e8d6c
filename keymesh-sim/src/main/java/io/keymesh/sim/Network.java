package io.keymesh.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An IPv4 network: a broadcast domain on one prefix, like a switch that every attached node is
 * cabled to. A datagram for an address attached here goes straight to that node (sender's egress,
 * then receiver's ingress); any other address goes to the network's gateway — the {@link Nat} whose
 * inside this is — or, on a network without one, is dropped ({@link DropReason#NO_ROUTE}).
 *
 * <p>Top-level networks come from {@link Simulation#newNetwork}; a NAT's inside network from
 * {@link #newNat}. Addresses are given or allocated in order from the prefix (skipping the network
 * and broadcast addresses); on a NAT's inside the NAT itself holds the first one.
 *
 * <p>Not thread-safe: use it only from the simulation's thread.
 */
public final class Network {
    private final Simulation sim;
    private final String name;
    private final Ipv4.Prefix prefix;
    private final Map<Integer, Link> byAddress = new HashMap<>();
    /** Attached links in attachment order (deterministic iteration). */
    private final List<Link> links = new ArrayList<>();
    private LinkConditions defaults = LinkConditions.DEFAULT;
    /** The NAT's inside link, for a NAT's inside network; null for a top-level network. */
    private Link gateway;
    private long nextOffset = 1;

    Network(Simulation sim, String name, String cidr) {
        this.sim = sim;
        this.name = Objects.requireNonNull(name, "name");
        this.prefix = Ipv4.Prefix.parse(cidr);
    }

    /** The network's name, for humans. */
    public String name() {
        return name;
    }

    /** The prefix in CIDR notation, e.g. {@code 192.168.1.0/24}. */
    public String prefix() {
        return prefix.toString();
    }

    /** The simulation this network belongs to. */
    public Simulation simulation() {
        return sim;
    }

    /** The links attached now, in the order they attached. */
    public List<Link> links() {
        return Collections.unmodifiableList(links);
    }

    /** The NAT whose inside this network is, or null for a top-level network. */
    public Nat gateway() {
        return gateway == null ? null : (Nat) gateway.node();
    }

    /** Conditions given to links attached from now on. */
    public LinkConditions defaultLinkConditions() {
        return defaults;
    }

    /** Sets the conditions of links attached from now on, leaving existing links as they are. */
    public void setDefaultLinkConditions(LinkConditions conditions) {
        this.defaults = Objects.requireNonNull(conditions, "conditions");
    }

    /** Sets the default and applies it to both directions of every link attached now. */
    public void setLinkConditions(LinkConditions conditions) {
        setDefaultLinkConditions(conditions);
        for (Link l : links) {
            l.setConditions(conditions);
        }
    }

    /** Attaches a new host at the next free address. */
    public Host newHost(String name) {
        return newHost(name, allocate());
    }

    /** Attaches a new host at the given address, which must be free and inside the prefix. */
    public Host newHost(String name, String address) {
        return newHost(name, claim(address));
    }

    private Host newHost(String name, int ip) {
        Host h = new Host(sim, name);
        h.attach(attach(h, ip));
        return h;
    }

    /**
     * Attaches a new NAT at the next free address here (its public side) and creates its inside
     * network on {@code insideCidr}, where the NAT takes the first address.
     */
    public Nat newNat(String name, NatConfig config, String insideCidr) {
        return newNat(name, allocate(), config, insideCidr);
    }

    /** As {@link #newNat(String, NatConfig, String)}, at the given outside address. */
    public Nat newNat(String name, String outsideAddress, NatConfig config, String insideCidr) {
        return newNat(name, claim(outsideAddress), config, insideCidr);
    }

    private Nat newNat(String name, int ip, NatConfig config, String insideCidr) {
        Objects.requireNonNull(config, "config");
        Network inside = new Network(sim, name + "-inside", insideCidr);
        Nat nat = new Nat(sim, name, config, inside);
        Link outside = attach(nat, ip);
        Link insideLink = inside.attach(nat, inside.allocate());
        inside.gateway = insideLink;
        nat.connect(outside, insideLink);
        return nat;
    }

    int allocate() {
        long usable = prefix.usable();
        for (long tried = 0; tried < usable; tried++) {
            int ip = prefix.base() + (int) nextOffset;
            nextOffset = nextOffset % usable + 1;
            if (!byAddress.containsKey(ip)) {
                return ip;
            }
        }
        throw new IllegalStateException("network " + name + " (" + prefix + ") has no free address");
    }

    int claim(String address) {
        int ip = Ipv4.parse(address);
        if (!prefix.contains(ip)) {
            throw new IllegalArgumentException(address + " is not in " + name + " (" + prefix + ")");
        }
        if (byAddress.containsKey(ip)) {
            throw new IllegalArgumentException(address + " is already in use on " + name);
        }
        return ip;
    }

    Link attach(Node node, int ip) {
        Link link = new Link(sim, node, this, ip, defaults);
        byAddress.put(ip, link);
        links.add(link);
        return link;
    }

    void detach(Link link) {
        if (byAddress.get(link.ip()) == link) {
            byAddress.remove(link.ip());
            links.remove(link);
            link.detach();
        }
    }

    /** Sends {@code d} from {@code from} across this network: to its destination here, or to the gateway. */
    void forward(Link from, Datagram d) {
        Link to = byAddress.get(d.dstIp);
        if (to == null) {
            if (gateway == null || from == gateway) {
                sim.drop(from.node(), from.node().counters(), DropReason.NO_ROUTE, d);
                return;
            }
            to = gateway;
        }
        d.hopTo = to;
        from.egress().offer(d);
    }

    /**
     * {@code d} is leaving {@code from}'s egress: on to the receiver's ingress, unless the receiver has
     * gone or a partition cuts them apart.
     *
     * @return the reason it was refused (not yet counted), or null if it went on
     */
    DropReason cross(Link from, Datagram d) {
        Link to = d.hopTo;
        if (!to.isAttached()) {
            return DropReason.NO_ROUTE;
        }
        if (sim.isPartitioned(from.node(), to.node())) {
            return DropReason.PARTITIONED;
        }
        to.ingress().offer(d);
        return null;
    }

    @Override
    public String toString() {
        return name + " (" + prefix + ")";
    }
}
