package io.keymesh.sim;

import java.net.InetSocketAddress;

/**
 * A UDP datagram in flight. The payload array is owned by the simulator until delivery, when it
 * passes to the receiving socket's handler. A datagram is in one place at a time, so NATs rewrite
 * its addresses in place; duplication makes a {@link #copy()}.
 */
final class Datagram {
    int srcIp;
    int srcPort;
    int dstIp;
    int dstPort;
    final byte[] data;
    /** The link this datagram is crossing the current network towards. */
    Link hopTo;

    Datagram(int srcIp, int srcPort, int dstIp, int dstPort, byte[] data) {
        this.srcIp = srcIp;
        this.srcPort = srcPort;
        this.dstIp = dstIp;
        this.dstPort = dstPort;
        this.data = data;
    }

    /** The size of the IPv4 packet carrying it: payload plus IPv4 and UDP headers. */
    int wireSize() {
        return data.length + LinkConditions.IPV4_UDP_OVERHEAD;
    }

    Datagram copy() {
        Datagram d = new Datagram(srcIp, srcPort, dstIp, dstPort, data.clone());
        d.hopTo = hopTo;
        return d;
    }

    InetSocketAddress from() {
        return Ipv4.socketAddress(srcIp, srcPort);
    }

    InetSocketAddress to() {
        return Ipv4.socketAddress(dstIp, dstPort);
    }

    @Override
    public String toString() {
        return Ipv4.toString(srcIp) + ":" + srcPort + " -> " + Ipv4.toString(dstIp) + ":" + dstPort + " (" + data.length + " B)";
    }
}
