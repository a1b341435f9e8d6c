package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import java.util.Arrays;

/**
 * Numbers for the circuits a node opens on its links. Either end of a link may open circuits on it,
 * so the two ends take numbers of different parity: the end whose key sorts lower (unsigned, byte by
 * byte) takes even numbers, the other odd ones. One counter serves every link, so a number this node
 * gave out names one circuit whatever the link. Not thread-safe.
 */
final class CircuitIds {
    private final byte[] self;
    private long counter;

    CircuitIds(PublicKey self) {
        this.self = self.toBytes();
    }

    /** A new circuit number for the link to {@code link}. */
    long next(PublicKey link) {
        long parity = Arrays.compareUnsigned(self, link.toBytes()) < 0 ? 0 : 1;
        return (counter++ << 1) | parity;
    }
}
