package io.keymesh.node;

/**
 * A snapshot of the relay service a node offers and of the circuits it opened itself.
 *
 * @param circuits circuits this node joins as a relay now
 * @param packetsForwarded messages it passed along circuits
 * @param bytesForwarded their bytes
 * @param refused circuit openings it refused, whatever the reason
 * @param packetsOverRate messages it dropped because their circuit was over its rate
 * @param ownCircuits circuit ends of this node's own (opened by it, or opened to it), now
 * @param ownRefused circuits this node opened that were refused or never answered
 * @param relayedDropped packets for a relayed path whose circuit was gone when they were to be sent
 * @param notWireGuard messages it dropped because they were not WireGuard messages
 * @param malformedFrames relay and probe frames dropped as malformed
 * @param unknownCircuitMessages messages for circuits this node neither relays nor ends (closed, or never opened)
 * @param inboundRefused circuits relays wanted to open to this node beyond its limit
 */
public record RelayStats(int circuits, long packetsForwarded, long bytesForwarded, long refused, long packetsOverRate,
        int ownCircuits, long ownRefused, long relayedDropped, long notWireGuard, long malformedFrames,
        long unknownCircuitMessages, long inboundRefused) {}
