package io.keymesh.sim;

/**
 * RFC 4787 section 4.1: when a NAT reuses a mapping (internal X:x to external X1':x1') for packets
 * from X:x to another destination.
 */
public enum MappingBehavior {
    /** Same mapping for every destination Y:y (RFC 4787 REQ-1 requires this). */
    ENDPOINT_INDEPENDENT,
    /** Same mapping for destinations with the same address Y, any port. */
    ADDRESS_DEPENDENT,
    /** Same mapping only for the same destination Y:y ("symmetric"). */
    ADDRESS_AND_PORT_DEPENDENT
}
