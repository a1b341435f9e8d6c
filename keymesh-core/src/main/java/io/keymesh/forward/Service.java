package io.keymesh.forward;

import io.keymesh.crypto.PublicKey;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A TCP service this node exposes to the members of the mesh under a name: a member that opens
 * {@code name} gets a connection to {@code target}, made from this node. Immutable.
 *
 * @param name letters, digits, '.', '_' and '-', 1..63 characters, starting with a letter or digit
 * @param target where connections go (a name is resolved at each connection)
 * @param allow the keys that may use it; empty: any member
 */
public record Service(String name, TcpAddress target, Set<PublicKey> allow) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public Service {
        checkName(name);
        if (target == null) {
            throw new IllegalArgumentException("service " + name + ": no target");
        }
        allow = Set.copyOf(allow);
    }

    /** A service any member may use. */
    public static Service of(String name, TcpAddress target) {
        return new Service(name, target, Set.of());
    }

    /** True if {@code key} may use the service. */
    public boolean allows(PublicKey key) {
        return allow.isEmpty() || allow.contains(key);
    }

    /**
     * Checks a service name.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a service name is 1..63 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit; got " + (name == null ? "nothing" : "\"" + name + "\""));
        }
    }
}
