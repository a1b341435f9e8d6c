package io.keymesh.sim;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The attachment of a {@link Node} to a {@link Network} at one IPv4 address: a cable to the network's
 * switch, with an {@link #egress()} direction (node to network) and an {@link #ingress()} direction
 * (network to node), each with its own {@link LinkConditions}, queue and counters.
 *
 * <p>A datagram crossing a network passes the sender's egress and then the receiver's ingress, so its
 * one-way delay there is the sum of the two latencies. New links take the network's
 * {@linkplain Network#defaultLinkConditions() default conditions} in both directions.
 *
 * <p>Not thread-safe: use it only from the simulation's thread.
 */
public final class Link {
    private final Node node;
    private final Network network;
    private final int ip;
    private final LinkDirection egress;
    private final LinkDirection ingress;
    private boolean attached = true;

    Link(Simulation sim, Node node, Network network, int ip, LinkConditions conditions) {
        this.node = node;
        this.network = network;
        this.ip = ip;
        this.egress = new LinkDirection(sim, this, true, conditions);
        this.ingress = new LinkDirection(sim, this, false, conditions);
    }

    /** The node this link attaches. */
    public Node node() {
        return node;
    }

    /** The network it attaches to. */
    public Network network() {
        return network;
    }

    /** The node's address on that network. */
    public InetAddress address() {
        return Ipv4.toInetAddress(ip);
    }

    int ip() {
        return ip;
    }

    /** Node to network. */
    public LinkDirection egress() {
        return egress;
    }

    /** Network to node. */
    public LinkDirection ingress() {
        return ingress;
    }

    /** Sets the same conditions on both directions, for datagrams entering from now on. */
    public void setConditions(LinkConditions conditions) {
        Objects.requireNonNull(conditions, "conditions");
        egress.setConditions(conditions);
        ingress.setConditions(conditions);
    }

    /** False once the node has left the network ({@link Host#moveTo}); datagrams still heading here are dropped. */
    public boolean isAttached() {
        return attached;
    }

    void detach() {
        attached = false;
    }

    @Override
    public String toString() {
        return node.name() + "@" + Ipv4.toString(ip);
    }
}
