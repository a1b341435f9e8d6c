package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import java.util.Objects;

/**
 * Where a peer's packets go while no path to it is known: "find this key". The session layer sends
 * a handshake initiation to it like to any endpoint; the node floods it to its members in a SEEK
 * ({@link Seeks}), and the answer comes back over the circuit the member that knows the key opens.
 * Nothing else is sent to it (the session layer holds data until a handshake completes), and nothing
 * is ever received from it. An immutable value.
 */
public record SeekEndpoint(PublicKey target) implements Endpoint {
    public SeekEndpoint {
        Objects.requireNonNull(target, "target");
    }

    @Override
    public byte[] cookieSource() {
        return target.toBytes(); // never a datagram's source: nothing binds a cookie to it
    }

    @Override
    public byte[] rateLimitKey() {
        return target.toBytes();
    }

    @Override
    public String toString() {
        return "seeking " + target.toBase64().substring(0, 8) + "…";
    }
}
