package io.keymesh.cli.control;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.UnixDomainPrincipal;

/**
 * Who may use a control socket: the daemon's own user, and root (who could read the daemon's keys
 * and memory anyway, and so may ask it things — {@code sudo keymesh status} works). Anyone else is
 * refused, whatever the socket's file permissions say. Users are compared by id, as the kernel
 * reports the connecting process's ({@code SO_PEERCRED}). Immutable.
 *
 * @param self the daemon's user
 * @param root the superuser, or null where it has no entry (then only {@code self} is allowed)
 */
public record ControlAccess(UserPrincipal self, UserPrincipal root) {
    /** The daemon's user as {@code self}, and the system's root. */
    static ControlAccess of(UserPrincipal self) {
        UserPrincipal root;
        try {
            root = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("root");
        } catch (IOException | UnsupportedOperationException e) {
            root = null;
        }
        return new ControlAccess(self, root);
    }

    /** True if a process running as {@code peer}'s user may use the socket. */
    public boolean allows(UnixDomainPrincipal peer) {
        UserPrincipal user = peer.user();
        return user.equals(self) || (root != null && user.equals(root));
    }
}
