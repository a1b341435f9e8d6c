package io.keymesh.node;

import io.keymesh.overlay.RelayedEndpoint;
import io.keymesh.session.Endpoint;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.wire.TransportData;

/**
 * The largest datagram {@link MeshNode#send} takes for a peer, from the path its packets take: on
 * this host's loopback interface {@link MeshNode#MAX_DATAGRAM_LENGTH}; on another direct path the
 * configured largest UDP payload ({@code ChannelConfig.maxUdpPayload}, 1,452 by default) less what
 * WireGuard and the frame add; on a relayed path the circuit's largest message less the same. The
 * socket sets don't-fragment, so a larger datagram would not arrive; it is refused at the API
 * instead. While no path is known yet, {@link MeshNode#MAX_DATAGRAM_LENGTH}.
 */
final class DatagramLimit {
    /** What a datagram gains on the way: WireGuard's header and tag, the worst padding (15) and the frame header (5). */
    static final int OVERHEAD = TransportData.MIN_LENGTH + 15 + 5;

    private DatagramLimit() {}

    static int of(Endpoint path, int maxUdpPayload, int relayedMaxMessage) {
        if (path instanceof RelayedEndpoint) {
            return Math.max(0, relayedMaxMessage - OVERHEAD);
        }
        if (path instanceof UdpEndpoint u) {
            int loopback = LoopbackPath.maxUdpPayload(u.address());
            return Math.max(0, Math.max(loopback, maxUdpPayload) - OVERHEAD);
        }
        return MeshNode.MAX_DATAGRAM_LENGTH;
    }
}
