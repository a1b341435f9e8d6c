package io.keymesh.session;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;

/** A UDP address as an {@link Endpoint}: an immutable value, equal when the addresses are equal. */
public record UdpEndpoint(InetSocketAddress address) implements Endpoint {
    public UdpEndpoint {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
    }

    /** The endpoint for {@code address}, or null for null. */
    public static UdpEndpoint of(InetSocketAddress address) {
        return address == null ? null : new UdpEndpoint(address);
    }

    /** The address of {@code endpoint} if it is a {@link UdpEndpoint}, else null. */
    public static InetSocketAddress addressOf(Endpoint endpoint) {
        return endpoint instanceof UdpEndpoint u ? u.address : null;
    }

    @Override
    public byte[] cookieSource() {
        byte[] ip = address.getAddress().getAddress();
        byte[] src = Arrays.copyOf(ip, ip.length + 2);
        src[ip.length] = (byte) (address.getPort() >>> 8);
        src[ip.length + 1] = (byte) address.getPort();
        return src;
    }

    @Override
    public byte[] rateLimitKey() {
        return address.getAddress().getAddress();
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
