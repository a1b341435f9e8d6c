package io.keymesh.sim;

/** Why the simulator dropped a datagram. Every drop is counted under exactly one reason. */
public enum DropReason {
    /** Random loss on a link direction ({@link LinkConditions#lossProbability()}). */
    LOSS,
    /** Tail drop: the link direction's queue ({@link LinkConditions#queueCapacityBytes()}) was full. */
    QUEUE_FULL,
    /** The IP packet (payload + {@value LinkConditions#IPV4_UDP_OVERHEAD} bytes) exceeded the link's MTU. */
    MTU_EXCEEDED,
    /** An active {@link Partition} separated the two ends of a hop. */
    PARTITIONED,
    /** No node has the destination address on the network, and no gateway leads elsewhere. */
    NO_ROUTE,
    /** The destination host has no socket bound to the destination port (ICMP port unreachable). */
    PORT_UNREACHABLE,
    /** Inbound to a NAT's public address: no active mapping has the destination port. */
    NAT_NO_MAPPING,
    /** Inbound to a NAT mapping that its filtering behaviour (RFC 4787 section 5) refuses. */
    NAT_FILTERED,
    /** Hairpinning (RFC 4787 section 6) is disabled and an inside host sent to the NAT's public address. */
    NAT_HAIRPIN_DISABLED,
    /** A NAT could not create a mapping: every external port is in use. */
    NAT_PORTS_EXHAUSTED;

    static final DropReason[] VALUES = values();
}
