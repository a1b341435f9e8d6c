package io.keymesh.node;

import io.keymesh.crypto.PublicKey;

/**
 * How a node came to a peer: by the address or the relays configured for it, because the peer
 * reached it first, or by seeking its key through the members ({@code via}: the member next to this
 * node on the way the seek found, the first relay of the circuit the session came up over).
 *
 * @param via the member the seek was answered through; null unless {@link How#SOUGHT}
 */
public record Found(How how, PublicKey via) {
    /** The ways a node comes to a peer. */
    public enum How {
        /** Not met yet (or being sought). */
        NOT_YET,
        /** Its configured endpoint. */
        ENDPOINT,
        /** Its configured relays ({@code via}). */
        RELAYS,
        /** It reached this node first (listed without a way to it, or a member let in). */
        REACHED_US,
        /** Its key was sought through the members, and the session came up over the circuit a member spliced. */
        SOUGHT
    }

    public static final Found NOT_YET = new Found(How.NOT_YET, null);

    @Override
    public String toString() {
        return switch (how) {
            case NOT_YET -> "not yet";
            case ENDPOINT -> "configured endpoint";
            case RELAYS -> "configured relays";
            case REACHED_US -> "reached us";
            case SOUGHT -> "sought, via " + via.toBase64().substring(0, 8) + "…";
        };
    }
}
