package io.keymesh.channel;

/** How the path to the peer changed, for {@link ChannelConnection#onPathChanged} (RFC 9000 section 9.4). */
public enum PathChange {
    /**
     * Only the peer's UDP port changed, as a NAT rebinding does (RFC 9000 section 9.3): the packets
     * most likely take the same route, so what was measured on it still holds.
     */
    PORT_ONLY,
    /** The peer's address changed, or its packets now go another way (through a relay, or a different one). */
    NEW_ADDRESS
}
