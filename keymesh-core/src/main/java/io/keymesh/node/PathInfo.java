package io.keymesh.node;

import io.keymesh.crypto.PublicKey;
import io.keymesh.overlay.Path;
import io.keymesh.overlay.PeerPaths;
import io.keymesh.overlay.RelayedEndpoint;
import io.keymesh.overlay.SeekEndpoint;
import io.keymesh.session.Endpoint;
import io.keymesh.session.UdpEndpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One path to a peer, as the node reports it: direct to {@code address}, or relayed through
 * {@code via} (the first relay); its smoothed probe round-trip time (0 before the first answer);
 * whether the peer's packets take it now; whether it may carry them ({@code usable}: false for a
 * candidate address of the peer's that no connectivity check has validated yet, or a circuit still
 * opening).
 */
public record PathInfo(boolean relayed, InetSocketAddress address, PublicKey via, long rttNanos, boolean inUse,
        boolean usable) {
    /** A usable path. */
    public PathInfo(boolean relayed, InetSocketAddress address, PublicKey via, long rttNanos, boolean inUse) {
        this(relayed, address, via, rttNanos, inUse, true);
    }

    /** "direct 192.0.2.1:51820", "candidate 192.0.2.1:51820" or "relay KEY…", with the RTT when known. */
    @Override
    public String toString() {
        String where = relayed ? "relay " + via.toBase64().substring(0, 8) + "…"
                : (usable ? "direct " : "candidate ") + address;
        return rttNanos > 0 ? where + String.format(" %.1f ms", rttNanos / 1e6) : where;
    }

    static PathInfo of(Endpoint e, boolean inUse, PeerPaths paths) {
        long rtt = 0;
        boolean usable = true;
        if (paths != null) {
            for (Path p : paths.paths()) {
                if (p.endpoint().equals(e)) {
                    rtt = p.rttNanos();
                    usable = p.usable() || inUse;
                }
            }
        }
        return e instanceof RelayedEndpoint r ? new PathInfo(true, null, r.via(), rtt, inUse, usable)
                : new PathInfo(false, UdpEndpoint.addressOf(e), null, rtt, inUse, usable);
    }

    /**
     * The path in use first, then the other paths of {@code paths}; for a peer that roams as in
     * WireGuard (or without {@code paths}) only the one in use, where its packets go now.
     */
    static List<PathInfo> all(PeerPaths paths, Endpoint current) {
        List<PathInfo> out = new ArrayList<>();
        if (current != null && !(current instanceof SeekEndpoint)) { // being sought: no path yet
            out.add(of(current, true, paths));
        }
        if (paths != null && !paths.isRoaming()) {
            for (Path p : paths.paths()) {
                if (!p.endpoint().equals(current)) {
                    out.add(of(p.endpoint(), false, paths));
                }
            }
        }
        return out;
    }
}
