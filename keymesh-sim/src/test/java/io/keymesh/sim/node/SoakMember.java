package io.keymesh.sim.node;

import io.keymesh.node.NodeConfig;
import io.keymesh.node.PeerConfig;
import io.keymesh.sim.Nat;
import io.keymesh.sim.Network;
import io.keymesh.sim.node.SimMesh.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One node of a soak run: its {@link Member} (host, key, running node), where it lives when at
 * home, the peers it lists and how it is configured (the same at every start), whether it runs
 * now, and the flows it sends and receives. Simulation thread only.
 */
final class SoakMember {
    /** Where a member sits: a relay, a public host, or a host behind a NAT of one of the simulator's kinds. */
    enum Kind {
        RELAY, PUBLIC, FULL_CONE, RESTRICTED, PORT_RESTRICTED, ADDRESS_DEPENDENT, SYMMETRIC, NESTED;

        /** True if a NAT on the way maps each destination to its own port (no hole punching towards a filter). */
        boolean endpointDependent() {
            return this == ADDRESS_DEPENDENT || this == SYMMETRIC;
        }
    }

    final Member member;
    final Kind kind;
    /** The network the host lives on when at home. */
    final Network home;
    /** The NAT the host is behind at home (the outer one of a nested pair), or null. */
    final Nat homeNat;
    /** The peers it lists: the other relays for a relay, two relays for any other member. */
    final List<PeerConfig> listed;
    final UnaryOperator<NodeConfig> config;
    final List<SoakFlow> outgoing = new ArrayList<>();
    final List<SoakFlow> incoming = new ArrayList<>();
    /** Virtual times the member stopped (crash or graceful), in order. */
    final List<Long> stops = new ArrayList<>();
    /** Virtual times the member started, in order (the first at the run's start). */
    final List<Long> starts = new ArrayList<>();
    boolean running;
    /** Told to stop gracefully: sends nothing new while its channels drain. */
    boolean stopping;
    /** Starts so far; the listener of an earlier start ignores what it is told late. */
    int incarnation;

    SoakMember(Member member, Kind kind, Network home, Nat homeNat, List<PeerConfig> listed,
            UnaryOperator<NodeConfig> config) {
        this.member = member;
        this.kind = kind;
        this.home = home;
        this.homeNat = homeNat;
        this.listed = listed;
        this.config = config;
    }

    /** True if the member was away (stopped, not yet started again) at some time in [from, to]. */
    boolean awayBetween(long from, long to) {
        for (int i = stops.size() - 1; i >= 0; i--) {
            long stop = stops.get(i);
            long back = i + 1 < starts.size() ? starts.get(i + 1) : Long.MAX_VALUE;
            if (stop <= to && back >= from) {
                return true;
            }
            if (back < from) {
                return false;
            }
        }
        return false;
    }

    /** True if the host is at home now. */
    boolean atHome() {
        return member.host.network() == home;
    }

    @Override
    public String toString() {
        return member.name + "(" + kind + ")";
    }
}
