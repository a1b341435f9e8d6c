package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.CandidatesFrame;
import io.keymesh.wire.CandidatesFrame.Candidate;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's own candidates (RFC 8445 section 5.1.1): its host addresses, and the server-reflexive
 * addresses its peers report seeing its packets come from (OBSERVED_ADDRESS, and PROBE_ACKs on
 * direct paths) — a STUN server's answer without a STUN server.
 *
 * <p>At most {@link #MAX_REFLEXIVE} reflexive addresses are kept, each with the peers that reported
 * it and when; a peer's newer report replaces its older one, an address no peer reports any more is
 * dropped, and one not reported for {@link #REFLEXIVE_LIFETIME_NANOS} expires. {@link #generation()}
 * changes on a network change — a new host address, a reflexive address on a new IP, or a peer
 * seeing us at another address than before (a NAT rebinding) — and that is when punching runs
 * again. A symmetric NAT's many ports, one per peer, are no network change. Sans-I/O; not thread-safe: the node's thread.
 */
public final class LocalCandidates {
    /** Most server-reflexive addresses kept; past it, the one reported longest ago goes. */
    public static final int MAX_REFLEXIVE = 8;
    /** Reporters kept per address. */
    public static final int MAX_REPORTERS = 8;
    /**
     * A reflexive address not reported for this long expires. Peers report at every handshake,
     * which a session in use repeats at least every REJECT_AFTER_TIME (180 s).
     */
    public static final long REFLEXIVE_LIFETIME_NANOS = 300_000_000_000L;

    /** A server-reflexive address: who reported it, and when (nanoseconds on the node's clock). */
    public record Reflexive(InetSocketAddress address, Map<PublicKey, Long> reporters) {
        /** When the latest report came. */
        public long lastReportNanos() {
            return reporters.values().stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE);
        }
    }

    private List<InetSocketAddress> host = List.of();
    private final Map<InetSocketAddress, Map<PublicKey, Long>> reflexive = new LinkedHashMap<>();
    private long generation;

    /** The host addresses now (the socket's addresses, with its port); a change of set is a network change. */
    public void setHost(List<InetSocketAddress> addresses) {
        List<InetSocketAddress> copy = List.copyOf(addresses);
        if (!copy.isEmpty() && !host.containsAll(copy)) {
            generation++;
        }
        host = copy;
    }

    /**
     * {@code peer} reports, at {@code now}, that our packets reach it from {@code address}.
     *
     * @return true if this is a network change (the generation changed)
     */
    public boolean reported(long now, PublicKey peer, InetSocketAddress address) {
        expire(now);
        boolean moved = false;
        boolean knownIp = false;
        for (var it = reflexive.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            knownIp |= e.getKey().getAddress().equals(address.getAddress());
            if (!e.getKey().equals(address) && e.getValue().remove(peer) != null) {
                moved = true;
                if (e.getValue().isEmpty()) {
                    it.remove(); // only that peer saw it, and it sees us elsewhere now
                }
            }
        }
        Map<PublicKey, Long> by = reflexive.get(address);
        boolean fresh = by == null && (moved || !knownIp);
        if (by == null) {
            if (reflexive.size() == MAX_REFLEXIVE) {
                reflexive.remove(oldest());
            }
            by = new LinkedHashMap<>();
            reflexive.put(address, by);
        }
        if (fresh) {
            generation++;
        }
        by.remove(peer);
        if (by.size() == MAX_REPORTERS) {
            by.remove(by.keySet().iterator().next()); // insertion order: the least recent reporter
        }
        by.put(peer, now);
        return fresh;
    }

    private InetSocketAddress oldest() {
        InetSocketAddress worst = null;
        long worstAt = Long.MAX_VALUE;
        for (var e : reflexive.entrySet()) {
            long at = latest(e.getValue());
            if (at < worstAt) {
                worstAt = at;
                worst = e.getKey();
            }
        }
        return worst;
    }

    private static long latest(Map<PublicKey, Long> by) {
        long at = Long.MIN_VALUE;
        for (long t : by.values()) {
            at = Math.max(at, t);
        }
        return at;
    }

    /** Drops the reflexive addresses not reported within {@link #REFLEXIVE_LIFETIME_NANOS} of {@code now}. */
    public void expire(long now) {
        reflexive.values().removeIf(by -> now - latest(by) >= REFLEXIVE_LIFETIME_NANOS);
    }

    /** Changes on a network change (see above). */
    public long generation() {
        return generation;
    }

    /** The host addresses. */
    public List<InetSocketAddress> host() {
        return host;
    }

    /** The server-reflexive addresses kept, with their reporters; copies. */
    public List<Reflexive> reflexive(long now) {
        expire(now);
        List<Reflexive> out = new ArrayList<>();
        for (var e : reflexive.entrySet()) {
            out.add(new Reflexive(e.getKey(), Collections.unmodifiableMap(new LinkedHashMap<>(e.getValue()))));
        }
        return out;
    }

    /**
     * What to offer a peer: server-reflexive addresses, latest report first (the ones a peer behind
     * another NAT can reach), then host addresses (a peer on the same network); no repeats; at most
     * {@link CandidatesFrame#MAX_CANDIDATES}.
     */
    public List<Candidate> candidates(long now) {
        expire(now);
        List<Map.Entry<InetSocketAddress, Map<PublicKey, Long>>> byAge = new ArrayList<>(reflexive.entrySet());
        byAge.sort((x, y) -> Long.compare(latest(y.getValue()), latest(x.getValue())));
        List<Candidate> out = new ArrayList<>();
        List<InetSocketAddress> seen = new ArrayList<>();
        for (var e : byAge) {
            add(out, seen, CandidatesFrame.KIND_SERVER_REFLEXIVE, e.getKey());
        }
        for (InetSocketAddress a : host) {
            add(out, seen, CandidatesFrame.KIND_HOST, a);
        }
        return out;
    }

    private static void add(List<Candidate> out, List<InetSocketAddress> seen, int kind, InetSocketAddress a) {
        if (out.size() < CandidatesFrame.MAX_CANDIDATES && !seen.contains(a)) {
            seen.add(a);
            out.add(new Candidate(kind, a));
        }
    }
}
