package io.keymesh.forward;

import java.util.Map;

/**
 * A snapshot of a {@link Forwarder}'s counters, both directions (connections it opened to peers and
 * connections peers opened to it) together. Counts are since the forwarder started; the
 * {@code active}, {@code bufferedBytes} and {@code waitingForWindow} figures are now.
 *
 * @param connectionsOpened forwarded connections that were accepted (ACCEPT sent or received)
 * @param connectionsRefused connections and remote listen requests refused (REFUSE sent or received)
 * @param connectionsReset connections that ended abruptly: a TCP reset on either side, the peer's
 *     connection lost or no answer in time, a protocol error, or the forwarder closing
 * @param connectionsActive connections with a TCP socket open now
 * @param bytesToPeers stream bytes read from local sockets and taken by channels
 * @param bytesFromPeers stream bytes received from peers and written to local sockets
 * @param bufferedBytes stream bytes the forwarder holds now: received and not yet written to a
 *     socket, or read and not yet taken by a channel; at most about a window per connection
 * @param waitingForWindow connections whose sending side waits now for the peer to grant more
 * @param malformedMessages messages from peers that broke the protocol (each ended its channel)
 * @param strayMessages messages on channels that carry no forwarded connection any more (dropped)
 * @param refusedBy the refusals counted in {@code connectionsRefused}, by reason
 */
public record ForwardStats(long connectionsOpened, long connectionsRefused, long connectionsReset, long connectionsActive,
        long bytesToPeers, long bytesFromPeers, long bufferedBytes, long waitingForWindow, long malformedMessages,
        long strayMessages, Map<RefuseReason, Long> refusedBy) {
    public ForwardStats {
        refusedBy = Map.copyOf(refusedBy);
    }

    /** Refusals for {@code reason} (0 if none). */
    public long refused(RefuseReason reason) {
        return refusedBy.getOrDefault(reason, 0L);
    }
}
