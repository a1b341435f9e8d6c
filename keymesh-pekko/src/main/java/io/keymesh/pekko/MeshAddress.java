package io.keymesh.pekko;

import io.keymesh.crypto.PublicKey;
import org.apache.pekko.actor.Address;
import scala.Option;

/**
 * Pekko addresses of actor systems on keymesh nodes: {@code pekko.mesh://system@KEY:PORT}, where
 * KEY is the node's public key in lowercase base32 (52 characters) and PORT a virtual port, so
 * that several actor systems can share one node (one UDP port).
 *
 * <p>The transport sees addresses with its own scheme identifier as protocol ({@code mesh}, or
 * {@code tcp} for Pekko Cluster); classic remoting adds the {@code pekko.} prefix.
 */
public final class MeshAddress {
    /** Virtual ports are 1..65535; 0 asks for a free one when listening. */
    public static final int MAX_PORT = 65535;

    private MeshAddress() {}

    /** The address of actor system {@code system} at virtual port {@code port} of node {@code key}. */
    public static Address of(String protocol, String system, PublicKey key, int port) {
        return new Address(protocol, system, Option.apply(key.toBase32()), Option.apply(port));
    }

    /**
     * The node key of {@code address}.
     *
     * @throws IllegalArgumentException naming the address, if it has no host or the host is not a
     *     52-character base32 key
     */
    public static PublicKey keyOf(Address address) {
        if (address.host().isEmpty()) {
            throw new IllegalArgumentException(address + ": no host; a keymesh address's host is the node's public key in base32 (52 characters)");
        }
        String host = address.host().get();
        if (!host.equals(host.toLowerCase(java.util.Locale.ROOT))) {
            // Pekko compares addresses as strings: an upper-case spelling would be another address
            throw new IllegalArgumentException(address + ": the host must be the node key in lowercase base32 (as `keymesh pubkey --base32` prints it)");
        }
        try {
            return PublicKey.fromBase32(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(address + ": the host must be a node's public key in base32 (52 characters, as `keymesh pubkey --base32` prints it): " + e.getMessage(), e);
        }
    }

    /**
     * The virtual port of {@code address}.
     *
     * @throws IllegalArgumentException naming the address, if it has no port or one out of 1..65535
     */
    public static int portOf(Address address) {
        if (address.port().isEmpty()) {
            throw new IllegalArgumentException(address + ": no port; a keymesh address names a virtual port 1.." + MAX_PORT);
        }
        int port = (Integer) address.port().get();
        if (port < 1 || port > MAX_PORT) {
            throw new IllegalArgumentException(address + ": virtual port " + port + " out of range 1.." + MAX_PORT);
        }
        return port;
    }

    /** True if {@code address} has a base32 key as host and a port in range. */
    public static boolean isValid(Address address) {
        try {
            keyOf(address);
            portOf(address);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
