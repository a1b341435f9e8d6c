package io.keymesh.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Nat} behaves, in RFC 4787's terms. Immutable; start from {@link #of(NatType)} and
 * adjust with the {@code with...} methods.
 *
 * @param mapping mapping behaviour (RFC 4787 section 4.1)
 * @param filtering filtering behaviour (section 5)
 * @param bindingTimeout how long a mapping lives after the last packet that refreshed it (section 4.3).
 *     REQ-5 asks for at least 2 minutes (5 recommended); shorter values are allowed because real NATs use them
 * @param inboundRefresh whether inbound packets that pass the filter refresh the mapping ("NAT inbound
 *     refresh behavior", REQ-6 makes it optional); outbound packets always refresh it
 * @param portPreservation whether a new mapping takes the internal port as its external port when that
 *     port is free (section 4.2.1); otherwise, and when it is taken, the port is drawn at random from
 *     {@value Nat#MIN_EXTERNAL_PORT}..65535 with the simulation's seed
 * @param hairpinning whether packets from the inside to the NAT's own public address are turned back to
 *     the inside, with the sender's external address as source (section 6, REQ-9)
 */
public record NatConfig(
        MappingBehavior mapping,
        FilteringBehavior filtering,
        Duration bindingTimeout,
        boolean inboundRefresh,
        boolean portPreservation,
        boolean hairpinning) {

    /** RFC 4787 REQ-5: "The value of the NAT UDP mapping timer ... 5 minutes or more is RECOMMENDED". */
    public static final Duration DEFAULT_BINDING_TIMEOUT = Duration.ofMinutes(5);

    /** Validates: behaviours non-null, timeout positive. */
    public NatConfig {
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(filtering, "filtering");
        Objects.requireNonNull(bindingTimeout, "bindingTimeout");
        if (bindingTimeout.isNegative() || bindingTimeout.isZero()) {
            throw new IllegalArgumentException("bindingTimeout must be positive, got " + bindingTimeout);
        }
    }

    /**
     * The preset's mapping and filtering, with a {@link #DEFAULT_BINDING_TIMEOUT}, outbound-only
     * refresh, no port preservation and hairpinning on (REQ-9).
     */
    public static NatConfig of(NatType type) {
        return new NatConfig(type.mapping(), type.filtering(), DEFAULT_BINDING_TIMEOUT, false, false, true);
    }

    /** Same, with the given mapping behaviour. */
    public NatConfig withMapping(MappingBehavior mapping) {
        return new NatConfig(mapping, filtering, bindingTimeout, inboundRefresh, portPreservation, hairpinning);
    }

    /** Same, with the given filtering behaviour. */
    public NatConfig withFiltering(FilteringBehavior filtering) {
        return new NatConfig(mapping, filtering, bindingTimeout, inboundRefresh, portPreservation, hairpinning);
    }

    /** Same, with the given binding timeout. */
    public NatConfig withBindingTimeout(Duration timeout) {
        return new NatConfig(mapping, filtering, timeout, inboundRefresh, portPreservation, hairpinning);
    }

    /** Same, with inbound refresh on or off. */
    public NatConfig withInboundRefresh(boolean on) {
        return new NatConfig(mapping, filtering, bindingTimeout, on, portPreservation, hairpinning);
    }

    /** Same, with port preservation on or off. */
    public NatConfig withPortPreservation(boolean on) {
        return new NatConfig(mapping, filtering, bindingTimeout, inboundRefresh, on, hairpinning);
    }

    /** Same, with hairpinning on or off. */
    public NatConfig withHairpinning(boolean on) {
        return new NatConfig(mapping, filtering, bindingTimeout, inboundRefresh, portPreservation, on);
    }
}
