package io.keymesh.sim;

/**
 * The classic NAT names (RFC 3489's cone/symmetric terms) as points in RFC 4787's two dimensions,
 * as RFC 4787 section 4.1 and 5 relate them. Use {@link NatConfig#of(NatType)} to get a config.
 */
public enum NatType {
    /** Endpoint-independent mapping and filtering. */
    FULL_CONE(MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT),
    /** Endpoint-independent mapping, address-dependent filtering. */
    RESTRICTED_CONE(MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ADDRESS_DEPENDENT),
    /** Endpoint-independent mapping, address-and-port-dependent filtering. */
    PORT_RESTRICTED_CONE(MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT),
    /** Address-and-port-dependent mapping and filtering. */
    SYMMETRIC(MappingBehavior.ADDRESS_AND_PORT_DEPENDENT, FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT);

    private final MappingBehavior mapping;
    private final FilteringBehavior filtering;

    NatType(MappingBehavior mapping, FilteringBehavior filtering) {
        this.mapping = mapping;
        this.filtering = filtering;
    }

    /** The mapping behaviour. */
    public MappingBehavior mapping() {
        return mapping;
    }

    /** The filtering behaviour. */
    public FilteringBehavior filtering() {
        return filtering;
    }
}
