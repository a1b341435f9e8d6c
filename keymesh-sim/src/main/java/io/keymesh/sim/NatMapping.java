package io.keymesh.sim;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * One NAT mapping (RFC 4787 section 3): internal endpoint X:x ↔ external endpoint X1':x1', with
 * the destinations X:x has sent to through it, which its filtering consults. A read-only view for
 * users; the {@link Nat} owns and changes it.
 *
 * <p>Not thread-safe.
 */
public final class NatMapping {
    final Nat nat;
    final Nat.Key key;
    final int internalIp;
    final int internalPort;
    final int externalPort;
    final long createdNanos;
    long refreshedNanos;
    boolean active = true;
    ScheduledEvent expiryTimer;
    private final Set<Integer> permittedAddresses = new HashSet<>();
    private final Set<Long> permittedEndpoints = new HashSet<>();

    NatMapping(Nat nat, Nat.Key key, int internalIp, int internalPort, int externalPort, long nowNanos) {
        this.nat = nat;
        this.key = key;
        this.internalIp = internalIp;
        this.internalPort = internalPort;
        this.externalPort = externalPort;
        this.createdNanos = nowNanos;
        this.refreshedNanos = nowNanos;
    }

    /** The internal endpoint X:x. */
    public InetSocketAddress internal() {
        return Ipv4.socketAddress(internalIp, internalPort);
    }

    /** The external endpoint X1':x1' (the NAT's public address and the mapped port). */
    public InetSocketAddress external() {
        return new InetSocketAddress(nat.publicAddress(), externalPort);
    }

    /** The mapped external port x1'. */
    public int externalPort() {
        return externalPort;
    }

    /** Virtual time the mapping was created, nanoseconds. */
    public long createdNanos() {
        return createdNanos;
    }

    /** Virtual time of the last packet that refreshed it, nanoseconds. */
    public long refreshedNanos() {
        return refreshedNanos;
    }

    /** Virtual time at which it expires unless refreshed first, nanoseconds (under the NAT's current config). */
    public long expiresNanos() {
        return nat.expiresNanos(this);
    }

    /** False once it has expired. */
    public boolean isActive() {
        return active;
    }

    void permit(int ip, int port) {
        permittedAddresses.add(ip);
        permittedEndpoints.add(endpoint(ip, port));
    }

    /** RFC 4787 section 5: whether an inbound packet from ip:port passes {@code filtering}. */
    boolean permits(FilteringBehavior filtering, int ip, int port) {
        return switch (filtering) {
            case ENDPOINT_INDEPENDENT -> true;
            case ADDRESS_DEPENDENT -> permittedAddresses.contains(ip);
            case ADDRESS_AND_PORT_DEPENDENT -> permittedEndpoints.contains(endpoint(ip, port));
        };
    }

    private static long endpoint(int ip, int port) {
        return (ip & 0xffffffffL) << 16 | port;
    }

    @Override
    public String toString() {
        return Ipv4.toString(internalIp) + ":" + internalPort + " <-> :" + externalPort + (active ? "" : " (expired)");
    }
}
