package io.keymesh.channel;

/**
 * Datagram Packetization Layer Path MTU Discovery (DPLPMTUD, RFC 8899) for one path, in UDP
 * payload bytes: starts from a size every IPv6 path carries and searches upward with padded probe
 * packets; a probe that is acknowledged raises the size, {@link #MAX_PROBES} unanswered probes of
 * a size cap the search below it; a black hole (full-size packets lost while the path was
 * thought to carry them) drops back to the base size and searches again.
 *
 * <p>The search is binary between the largest size confirmed and the smallest size that failed
 * (or the configured maximum), to a {@link #SEARCH_GRANULARITY} precision. After it completes, the
 * search is repeated every {@link #RAISE_INTERVAL_NANOS} (RFC 8899 section 5.1.1, PMTU_RAISE_TIMER)
 * in case the path grew.
 *
 * <p>Sans-I/O: the connection asks {@link #probeSizeDue(long)} whether to send a probe now, tells
 * {@link #onProbeSent}, {@link #onProbeAcked} and {@link #onProbeLost}, and reports the fate of
 * ordinary full-size packets for black-hole detection. Probe losses must not be treated as
 * congestion (RFC 8899 section 3, requirement 7). Not thread-safe.
 */
public final class PmtuDiscovery {
    /** IPv6 minimum MTU (1280) less IPv6 and UDP headers (48): every path carries it (BASE_PLPMTU). */
    public static final int BASE_UDP_PAYLOAD = 1232;
    /** A 1500-byte Ethernet MTU less the IPv6 and UDP headers. */
    public static final int DEFAULT_MAX_UDP_PAYLOAD = 1452;
    /** MAX_PROBES (RFC 8899 section 5.1.2): unanswered probes of one size before it is taken as too big. */
    public static final int MAX_PROBES = 3;
    /** The search stops when the remaining interval is smaller than this. */
    public static final int SEARCH_GRANULARITY = 16;
    /** PMTU_RAISE_TIMER: how long a completed search stands before searching again. */
    public static final long RAISE_INTERVAL_NANOS = 600_000_000_000L;
    /**
     * Consecutive lost full-size packets, with none of them acknowledged between but some smaller
     * packet acknowledged meanwhile, that signal a black hole. High enough that random loss does
     * not fake one (at 30 % loss, ten in a row happen about once in 170,000 runs).
     */
    public static final int BLACK_HOLE_LOSSES = 10;

    /** The RFC 8899 section 5.2 states used here. */
    public enum State { SEARCHING, SEARCH_COMPLETE }

    private final int maxUdpPayload;
    private State state = State.SEARCHING;
    private int confirmed = BASE_UDP_PAYLOAD;
    private int ceiling;
    private boolean triedMax;
    private int probing;
    private int probeCount;
    private boolean probeInFlight;
    private long raiseAt = Long.MAX_VALUE;
    private int consecutiveLargeLosses;
    private boolean smallAckedDuringLosses;
    private long blackHoles;

    /** Searches up to {@code maxUdpPayload} bytes (at least {@link #BASE_UDP_PAYLOAD}). */
    public PmtuDiscovery(int maxUdpPayload) {
        if (maxUdpPayload < BASE_UDP_PAYLOAD || maxUdpPayload > 65_507) {
            throw new IllegalArgumentException("max UDP payload must be " + BASE_UDP_PAYLOAD + "..65507, got " + maxUdpPayload);
        }
        this.maxUdpPayload = maxUdpPayload;
        this.ceiling = maxUdpPayload + 1;
        checkComplete(0);
    }

    /** The largest UDP payload the path is known to carry: what ordinary packets may use. */
    public int udpPayloadSize() {
        return confirmed;
    }

    public State state() {
        return state;
    }

    /** Black holes detected so far. */
    public long blackHoles() {
        return blackHoles;
    }

    /** The size of the probe to send now, or 0 if none is due. */
    public int probeSizeDue(long nowNanos) {
        if (probeInFlight) {
            return 0;
        }
        if (state == State.SEARCH_COMPLETE) {
            if (nowNanos < raiseAt) {
                return 0;
            }
            state = State.SEARCHING; // PMTU_RAISE_TIMER: the path may have grown
            ceiling = maxUdpPayload + 1;
            triedMax = false;
        }
        if (probing == 0) {
            probing = nextCandidate();
            probeCount = 0;
        }
        return probing;
    }

    /** A probe of {@code size} bytes went out. */
    public void onProbeSent(int size) {
        if (size == probing) {
            probeInFlight = true;
            probeCount++;
        }
    }

    /** A probe of {@code size} bytes was acknowledged: the path carries it. */
    public void onProbeAcked(int size, long nowNanos) {
        if (size != probing) {
            return;
        }
        probeInFlight = false;
        probing = 0;
        confirmed = Math.max(confirmed, size);
        consecutiveLargeLosses = 0;
        checkComplete(nowNanos);
    }

    /** A probe of {@code size} bytes was declared lost; after {@link #MAX_PROBES} the size is taken as too big. */
    public void onProbeLost(int size, long nowNanos) {
        if (size != probing) {
            return;
        }
        probeInFlight = false;
        if (probeCount >= MAX_PROBES) {
            ceiling = size;
            probing = 0;
            checkComplete(nowNanos);
        }
    }

    /** An ordinary packet of {@code size} bytes was acknowledged. */
    public void onPacketAcked(int size) {
        if (size > BASE_UDP_PAYLOAD) {
            consecutiveLargeLosses = 0;
            smallAckedDuringLosses = false;
        } else if (consecutiveLargeLosses > 0) {
            smallAckedDuringLosses = true; // small packets get through while large ones vanish
        }
    }

    /**
     * An ordinary packet of {@code size} bytes was declared lost. {@link #BLACK_HOLE_LOSSES}
     * losses in a row of packets of the confirmed size (larger than the base), with none of them
     * acknowledged between while a smaller packet was, mean the path shrank (RFC 8899 section 4.3): fall back to the base size and search
     * again below the size that failed.
     *
     * @return true if this loss revealed a black hole (the packet size just dropped)
     */
    public boolean onPacketLost(int size, long nowNanos) {
        if (size <= BASE_UDP_PAYLOAD || size != confirmed) {
            return false; // small, or sent before the size last changed
        }
        if (++consecutiveLargeLosses < BLACK_HOLE_LOSSES || !smallAckedDuringLosses) {
            return false;
        }
        blackHoles++;
        consecutiveLargeLosses = 0;
        smallAckedDuringLosses = false;
        ceiling = confirmed;
        confirmed = BASE_UDP_PAYLOAD;
        triedMax = true;
        probing = 0;
        probeInFlight = false;
        state = State.SEARCHING;
        checkComplete(nowNanos);
        return true;
    }

    private int nextCandidate() {
        if (!triedMax && ceiling > maxUdpPayload) {
            triedMax = true; // most paths carry the maximum: try it first
            return maxUdpPayload;
        }
        int mid = (confirmed + ceiling) >>> 1;
        return Math.max(confirmed + 1, Math.min(mid, ceiling - 1));
    }

    private void checkComplete(long nowNanos) {
        if (confirmed >= maxUdpPayload) {
            state = State.SEARCH_COMPLETE;
            raiseAt = Long.MAX_VALUE;
        } else if (ceiling - confirmed <= SEARCH_GRANULARITY) {
            state = State.SEARCH_COMPLETE;
            raiseAt = nowNanos + RAISE_INTERVAL_NANOS;
        }
    }
}
