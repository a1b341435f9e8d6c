package io.keymesh.session;

/**
 * Where a peer's packets go and where a received datagram came from, opaque to the session layer
 * (wireguard-go's {@code conn.Endpoint}). The session needs two things of it: the bytes a cookie is
 * bound to (WireGuard's mac2 names the source address and port) and the key by which handshakes are
 * rate-limited under load (the source address, so that changing ports does not escape the limit).
 * Which endpoint a peer's packets go to is decided above the session layer ({@link SessionEvents#authenticated}).
 *
 * <p>Implementations are immutable values: {@code equals} and {@code hashCode} compare what they
 * name. {@link UdpEndpoint} is the UDP kind.
 */
public interface Endpoint {
    /** The bytes a cookie is bound to: for UDP the IP address followed by the port, big-endian. A new array. */
    byte[] cookieSource();

    /** The bytes handshakes are rate-limited by under load: for UDP the IP address. A new array. */
    byte[] rateLimitKey();
}
