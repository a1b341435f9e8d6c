package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import java.util.Arrays;

/**
 * Numbers for the circuits a node opens on its links. Either end of a link may open circuits on it,
 * so the two ends take numbers of different parity: the end whose key sorts lower (unsigned, byte by
 * byte) takes even numbers, the other odd ones. One counter serves every link, so a number this node
 * gave out names one circuit whatever the link.
 *
 * <p>The counter starts where {@code start} says (below 2^28, so an id stays a 4-byte varint for a
 * long while), different for each run of a node: a relay may still hold the circuits of a node
 * that restarted under the same key, and the restarted node must not open a number the relay
 * already joins to a circuit of the node's former life. Not thread-safe.
 */
final class CircuitIds {
    /** Where counters start: below this. */
    static final long START_RANGE = 1L << 28;

    private final byte[] self;
    private long counter;

    CircuitIds(PublicKey self, long start) {
        this.self = self.toBytes();
        this.counter = Math.floorMod(start, START_RANGE);
    }

    /** A new circuit number for the link to {@code link}. */
    long next(PublicKey link) {
        long parity = Arrays.compareUnsigned(self, link.toBytes()) < 0 ? 0 : 1;
        return (counter++ << 1) | parity;
    }
}
