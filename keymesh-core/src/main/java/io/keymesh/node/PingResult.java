package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import java.net.InetSocketAddress;

/**
 * One answered {@link MeshNode#ping}: the path the answer came back over — direct from
 * {@code address}, or relayed through {@code via} (the first relay) — the round-trip time, and
 * what the ping had to do first.
 *
 * @param relayed true if the answer came over a relayed path
 * @param address the peer's address on a direct path; null on a relayed one
 * @param via the first relay of a relayed path; null on a direct one
 * @param rttNanos from sending the probe to its answer, in nanoseconds on the node's clock (the
 *     wait for a session, if any, not included)
 * @param setup whether a session was up, or the ping waited for a handshake (and a seek) first
 */
public record PingResult(boolean relayed, InetSocketAddress address, PublicKey via, long rttNanos, Setup setup) {
    /** What a ping found when it started. */
    public enum Setup {
        /** A session was up: the probe went at once. */
        READY,
        /** No session: the ping started a handshake (or joined one under way) and sent once it completed. */
        HANDSHAKE,
        /** No session and no path: the peer's key was sought through the members, then the handshake completed. */
        SEEK
    }
}
