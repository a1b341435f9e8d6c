package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import java.util.Arrays;
import java.util.Objects;

/**
 * A relayed path as a session {@link Endpoint}: a circuit, numbered {@code circuit} on the link to
 * the relay {@code via}, that carries WireGuard messages to and from a peer further on. What goes to
 * it is wrapped in a RELAY_DATA frame and sent inside the session with {@code via}; what comes out of
 * it arrives from it.
 *
 * <p>For the session layer: a cookie is bound to the relay and the circuit, and handshakes under
 * load are rate-limited per relay (every peer behind one relay shares its limit, as every host behind
 * one IP address does for UDP). An immutable value.
 */
public record RelayedEndpoint(PublicKey via, long circuit) implements Endpoint {
    public RelayedEndpoint {
        Objects.requireNonNull(via, "via");
        if (circuit < 0) {
            throw new IllegalArgumentException("circuit " + circuit);
        }
    }

    @Override
    public byte[] cookieSource() {
        byte[] b = Arrays.copyOf(via.toBytes(), 40);
        for (int i = 0; i < 8; i++) {
            b[32 + i] = (byte) (circuit >>> (56 - 8 * i));
        }
        return b;
    }

    @Override
    public byte[] rateLimitKey() {
        return via.toBytes();
    }

    @Override
    public String toString() {
        return "relay " + via.toBase64().substring(0, 8) + "… circuit " + circuit;
    }
}
