package io.keymesh.node;

/**
 * How many entries a node's tables hold at one moment (docs/bounds.md gives each table's bound),
 * for watching that they stay flat over a long run. A snapshot: counts of entries, not bytes.
 *
 * @param peers peers the session engine holds, configured and admitted
 * @param admittedMembers members let in or reached without being listed (at most
 *     {@link NodeConfig#MAX_ADMITTED_MEMBERS})
 * @param indices receiver indices in use: one per live keypair or handshake in progress
 * @param stagedPackets packets waiting for a session, over all peers
 * @param channelHandles {@link Channel} handles the node keeps, over all peers
 * @param connections peers with a reliable connection
 * @param channels channels open on those connections, over all of them
 * @param overlayPeers peers the overlay keeps state for (paths, punching, address reports)
 * @param paths paths the overlay knows, over all peers (candidates included)
 * @param relayCircuits circuits this node joins as a relay
 * @param ownCircuits circuit ends of this node's own
 * @param splicedOrigins origins with circuits this relay spliced for their seeks
 * @param seeksPending keys this node seeks now
 * @param seeksSeen seeks of others remembered as seen
 * @param seekOrigins origins whose seek rate is remembered
 * @param seekLinks links whose seek rate is kept
 * @param reachFilters links whose reach filter this node holds
 * @param relayedOutbox packets for relayed paths queued for the loop thread
 * @param pings pings outstanding
 */
public record TableSizes(int peers, int admittedMembers, int indices, int stagedPackets, int channelHandles,
        int connections, int channels, int overlayPeers, int paths, int relayCircuits, int ownCircuits,
        int splicedOrigins, int seeksPending, int seeksSeen, int seekOrigins, int seekLinks, int reachFilters,
        int relayedOutbox, int pings) {}
