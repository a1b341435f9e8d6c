package io.keymesh.node;

import io.keymesh.session.UdpEndpoint;
import java.net.InetSocketAddress;

/**
 * The {@link UdpEndpoint} for a received datagram's source address without an allocation per
 * datagram: a small direct-mapped table from address to endpoint (the socket hands over the same
 * address object while a source keeps sending, and equal ones otherwise). A miss makes a new
 * endpoint and replaces the slot's. Not thread-safe: the loop thread.
 */
final class EndpointCache {
    private static final int SLOTS = 256; // a power of two
    private final InetSocketAddress[] addresses = new InetSocketAddress[SLOTS];
    private final UdpEndpoint[] endpoints = new UdpEndpoint[SLOTS];

    /** The endpoint for {@code from}, or null for null. */
    UdpEndpoint of(InetSocketAddress from) {
        if (from == null) {
            return null;
        }
        int h = from.hashCode();
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        InetSocketAddress a = addresses[slot];
        if (a == from || from.equals(a)) {
            return endpoints[slot];
        }
        UdpEndpoint e = new UdpEndpoint(from);
        addresses[slot] = from;
        endpoints[slot] = e;
        return e;
    }
}
