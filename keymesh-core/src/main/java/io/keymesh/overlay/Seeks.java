package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.SeekFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Discovery by key: finding a member this node has no path to through the members it holds
 * sessions with, and passing on the seeks of others.
 *
 * <p><b>Seeking.</b> The session layer sends its handshake initiation for a peer with no known path
 * to the peer's {@link SeekEndpoint}; the node hands it to {@link #seek}, which sends a SEEK carrying
 * it to every connected member ({@link SeekFrame}, {@link DiscoveryConfig#maxHops()} hops). A member
 * that holds a session with the target splices a circuit ({@link Relay#splice}): one half back to this
 * node along the members the seek passed, in reverse; the other to the target, which gets the
 * initiation on it. The target's handshake response comes back over that circuit, so the first
 * session is up relayed over the route the seek found, without another round trip. A seek not
 * answered is sent again (with a new id, and a fresh initiation if the node can make one:
 * {@link Listener#retry}) every {@link #RETRY_NANOS}; after
 * {@link DiscoveryConfig#timeoutNanos()} without a session the key is unreachable
 * ({@link Listener#unreachable}).
 *
 * <p><b>Passing seeks on.</b> A seek is taken only from the member it names as its last hop (the
 * origin, or the last passed key), once per (origin, seek id) — the memory of seeks seen is bounded
 * ({@link #SEEN_CAPACITY}, oldest forgotten first) and forgets a seek after {@link #SEEN_LIFETIME_NANOS}
 * — and within a rate per origin and per link.
 * A member that knows the target splices; one that does not passes it on, with one hop fewer and
 * itself appended, to every connected member the seek has not been to, while hops are left.
 * Where some link's reach filter ({@link ReachSummaries}) may hold the target, the seek goes to
 * those links only (the origin's first try to at most {@link #MAX_NARROWED}; its retries go to every
 * member, in case a filter was stale). Whatever is dropped is counted by reason. Members only: seeks travel inside sessions, so only
 * nodes holding the network key and admitted as members ever see one.
 *
 * <p>Sans-I/O: the owner hands in frames with the time, sends what {@link SeekLinks} is given,
 * reports sessions coming up ({@link #found}) and calls {@link #onTimeout} at {@link #nextTimeout()}.
 * Not thread-safe.
 */
public final class Seeks {
    /** An unanswered seek is sent again after this long (seeks travel over UDP and may be lost). */
    public static final long RETRY_NANOS = 1_000_000_000L;
    /** Seeks remembered as seen, to pass each on once. */
    public static final int SEEN_CAPACITY = 4096;
    /**
     * How long a seek is remembered as seen: its copies over other ways arrive within moments (at
     * most {@link SeekFrame#MAX_HOPS} hops), and the origin's retries carry new ids; ten times the
     * default {@link DiscoveryConfig#timeoutNanos() timeout}. Without it the memory only ever filled
     * up to its capacity, on every member that passes seeks on.
     */
    public static final long SEEN_LIFETIME_NANOS = 30_000_000_000L;
    /**
     * The most links the origin's first try goes to when reach filters name links that may hold its
     * target: in a mesh where many members hold sessions with a popular key, every one of them would
     * otherwise get the seek and splice a circuit for it. Members passing a seek on send it to every
     * link their filters name (the origin's filters may be stale; theirs are a second opinion).
     */
    public static final int MAX_NARROWED = 3;
    /** Origins whose seek rate is tracked; the oldest is forgotten beyond this. */
    static final int ORIGIN_CAPACITY = 1024;

    /** What seeking tells the node. */
    public interface Listener {
        /** No member within reach knows {@code target}: nothing answered for the timeout. */
        void unreachable(long now, PublicKey target);

        /**
         * The seek for {@code target} is due again: make a fresh handshake initiation for it, which
         * comes back through {@link #seek} (a lost response would leave the old one answered in the
         * target's eyes: WireGuard takes each initiation once).
         *
         * @return false if none could be made now; the last initiation then goes again
         */
        default boolean retry(long now, PublicKey target) {
            return false;
        }
    }

    /** Why a seek that arrived was not acted on; counted. */
    public enum Dropped {
        /** Malformed, or its last hop is not the member it came from. */
        MALFORMED,
        /** Seen before (the same origin and id), or this node's own, or it had passed this node. */
        DUPLICATE,
        /** Over the rate of its origin or of the link it came on. */
        RATE_LIMITED,
        /** Discovery is off here. */
        DISABLED,
        /** It seeks this node: a member that knows us would have spliced instead. */
        FOR_SELF,
        /** This node knows the target but could not splice (relaying off, at capacity, no link back). */
        NOT_SPLICED
    }

    /** A seek of this node's, not yet answered. */
    private static final class Pending {
        final PublicKey target;
        final byte[] initiation = new byte[HandshakeInitiation.LENGTH];
        final long startedAt;
        long sentAt;
        int floods;

        Pending(PublicKey target, long now) {
            this.target = target;
            this.startedAt = now;
        }
    }

    private record Seen(PublicKey origin, long id) {}

    private final PublicKey self;
    private final byte[] selfBytes;
    private DiscoveryConfig config;
    private final SeekLinks links;
    private final Relay relay;
    private final ReachSummaries reach;
    private final Listener listener;
    private long nextId;

    private final Map<PublicKey, Pending> pending = new LinkedHashMap<>();
    /** Seeks seen, with when, oldest first. */
    private final LinkedHashMap<Seen, Long> seen = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Seen, Long> eldest) {
            return size() > SEEN_CAPACITY;
        }
    };
    private final Map<PublicKey, SeekRate> originRates = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PublicKey, SeekRate> eldest) {
            return size() > ORIGIN_CAPACITY;
        }
    };
    private final Map<PublicKey, SeekRate> linkRates = new HashMap<>();

    private final SeekFrame in = new SeekFrame();
    private final byte[] out = new byte[SeekFrame.frameLength(SeekFrame.MAX_PASSED)];
    private final byte[] passedOut = new byte[SeekFrame.MAX_PASSED * SeekFrame.KEY_LENGTH];

    private final long[] dropped = new long[Dropped.values().length];
    private long received;
    private long narrowed;
    private long seeksStarted;
    private long seeksSent;
    private long seeksPassedOn;
    private long spliced;
    private long unreachable;

    /**
     * @param idSeed where this node's seek ids start (differs per run, so ids are not guessable and
     *     a restarted node's seeks are not taken for its old ones)
     */
    public Seeks(PublicKey self, DiscoveryConfig config, SeekLinks links, Relay relay, ReachSummaries reach,
            Listener listener, long idSeed) {
        this.self = self;
        this.reach = reach;
        this.selfBytes = self.toBytes();
        this.config = config;
        this.links = links;
        this.relay = relay;
        this.listener = listener;
        this.nextId = idSeed;
    }

    public DiscoveryConfig config() {
        return config;
    }

    public void setConfig(DiscoveryConfig config) {
        this.config = config;
    }

    // ------------------------------------------------------------------ seeking

    /**
     * Looks for {@code target}, carrying the handshake initiation at
     * {@code initiation[off..off+148)}: sent now to every connected member, unless a seek for it
     * went out less than {@link #RETRY_NANOS} ago (then the newer initiation rides the next retry).
     * With discovery off, or no member connected, the key is unreachable at the timeout.
     */
    public void seek(long now, PublicKey target, byte[] initiation, int off) {
        Pending p = pending.get(target);
        if (p == null) { // a new seek
            p = new Pending(target, now);
            pending.put(target, p);
            seeksStarted++;
            System.arraycopy(initiation, off, p.initiation, 0, HandshakeInitiation.LENGTH);
            flood(now, p);
            return;
        }
        System.arraycopy(initiation, off, p.initiation, 0, HandshakeInitiation.LENGTH);
        if (now - p.sentAt >= RETRY_NANOS) {
            flood(now, p);
        }
    }

    private void flood(long now, Pending p) {
        p.sentAt = now;
        p.floods++;
        if (!config.enabled()) {
            return;
        }
        int n = SeekFrame.write(out, 0, nextId++, config.maxHops(), selfBytes, p.target.toBytes(), passedOut, 0, 0,
                p.initiation, 0);
        List<PublicKey> to = new ArrayList<>();
        for (PublicKey link : links.connectedMembers()) {
            if (!link.equals(p.target)) {
                to.add(link);
            }
        }
        for (PublicKey link : p.floods == 1 ? narrow(to, p.target, MAX_NARROWED) : to) { // a retry asks everyone: a filter may be stale
            links.sendOverlayFrame(link, out, 0, n);
            seeksSent++;
        }
    }

    /** A session with {@code key} is up: a seek for it, if any, has done its work. */
    public void found(PublicKey key) {
        pending.remove(key);
    }

    /** True while this node seeks {@code key}. */
    public boolean isSeeking(PublicKey key) {
        return pending.containsKey(key);
    }

    /** Stops seeking {@code key} (it is no longer a peer), without calling it unreachable. */
    public void cancel(PublicKey key) {
        pending.remove(key);
    }

    // ------------------------------------------------------------------ seeks of others

    /** A SEEK body from the member {@code from}. */
    public void onFrame(long now, PublicKey from, byte[] b, int off, int len) {
        received++;
        if (!in.decode(b, off, len)) {
            drop(Dropped.MALFORMED);
            return;
        }
        PublicKey origin = PublicKey.of(in.origin());
        int passed = in.passedCount();
        PublicKey lastHop = passed == 0 ? origin : PublicKey.of(in.passed(passed - 1));
        if (!lastHop.equals(from) || in.hopsLeft() + passed > SeekFrame.MAX_HOPS) {
            drop(Dropped.MALFORMED); // a seek names the way it came; one that does not is not believed
            return;
        }
        if (!config.enabled()) {
            drop(Dropped.DISABLED);
            return;
        }
        if (origin.equals(self) || contains(in.passedKeys(), passed, selfBytes)) {
            drop(Dropped.DUPLICATE);
            return;
        }
        forgetSeen(now);
        Seen id = new Seen(origin, in.seekId());
        if (seen.containsKey(id)) {
            drop(Dropped.DUPLICATE); // the same seek over another way: no tokens spent on it
            return;
        }
        if (!linkRate(from, now).take(now) || !originRate(origin, now).take(now)) {
            drop(Dropped.RATE_LIMITED);
            return;
        }
        seen.put(id, now);
        PublicKey target = PublicKey.of(in.target());
        if (target.equals(self)) {
            drop(Dropped.FOR_SELF);
            return;
        }
        if (links.isConnected(target)) {
            if (target.equals(origin) || contains(in.passedKeys(), passed, in.target())) {
                drop(Dropped.MALFORMED);
                return;
            }
            List<PublicKey> back = new ArrayList<>(passed + 1);
            for (int i = passed - 1; i >= 0; i--) {
                back.add(PublicKey.of(in.passed(i)));
            }
            back.add(origin);
            if (relay.splice(now, back, target, in.initiation(), 0)) {
                spliced++;
            } else {
                drop(Dropped.NOT_SPLICED);
            }
            return;
        }
        if (in.hopsLeft() > 1) {
            passOn(origin, passed);
        }
    }

    private void passOn(PublicKey origin, int passed) {
        byte[] keys = in.passedKeys();
        System.arraycopy(keys, 0, passedOut, 0, passed * SeekFrame.KEY_LENGTH);
        System.arraycopy(selfBytes, 0, passedOut, passed * SeekFrame.KEY_LENGTH, SeekFrame.KEY_LENGTH);
        int n = SeekFrame.write(out, 0, in.seekId(), in.hopsLeft() - 1, in.origin(), in.target(), passedOut, 0,
                passed + 1, in.initiation(), 0);
        List<PublicKey> to = new ArrayList<>();
        for (PublicKey link : links.connectedMembers()) {
            if (!link.equals(origin) && !contains(keys, passed, link.toBytes())) {
                to.add(link);
            }
        }
        for (PublicKey link : narrow(to, PublicKey.of(in.target()), Integer.MAX_VALUE)) {
            links.sendOverlayFrame(link, out, 0, n);
            seeksPassedOn++;
        }
    }

    /**
     * The links a seek for {@code target} goes to: those whose reach filter may hold it, if any
     * does (one of them can splice); otherwise all of {@code candidates}, which look further.
     */
    private List<PublicKey> narrow(List<PublicKey> candidates, PublicKey target, int max) {
        List<PublicKey> hits = null;
        for (PublicKey link : candidates) {
            if (reach.reaches(link, target) == ReachSummaries.Answer.MAY_REACH) {
                if (hits == null) {
                    hits = new ArrayList<>(MAX_NARROWED);
                }
                hits.add(link);
                if (hits.size() == max) {
                    break; // each would splice a circuit: a few are enough, the retry asks everyone
                }
            }
        }
        if (hits != null) {
            narrowed++;
            return hits;
        }
        return candidates;
    }

    private static boolean contains(byte[] keys, int count, byte[] key) {
        for (int i = 0; i < count; i++) {
            if (Arrays.equals(keys, i * SeekFrame.KEY_LENGTH, (i + 1) * SeekFrame.KEY_LENGTH, key, 0, key.length)) {
                return true;
            }
        }
        return false;
    }

    private SeekRate linkRate(PublicKey link, long now) {
        return linkRates.computeIfAbsent(link, k -> new SeekRate(config.seeksPerSecondPerLink(), now));
    }

    /**
     * The rate of {@code origin}'s seeks. A new origin first makes the table forget the origins whose
     * bucket has refilled (each is then the same as a fresh one, so no decision changes), from the
     * least recently used on: the table holds the origins seeking lately, not every origin ever seen.
     */
    private SeekRate originRate(PublicKey origin, long now) {
        SeekRate r = originRates.get(origin);
        if (r == null) {
            Iterator<SeekRate> idle = originRates.values().iterator();
            while (idle.hasNext() && idle.next().isFull(now)) {
                idle.remove();
            }
            r = new SeekRate(config.seeksPerSecondPerOrigin(), now);
            originRates.put(origin, r);
        }
        return r;
    }

    private void drop(Dropped why) {
        dropped[why.ordinal()]++;
    }

    /** The session with {@code key} ended: its link's rate is forgotten. */
    public void linkDown(PublicKey key) {
        linkRates.remove(key);
    }

    // ------------------------------------------------------------------ timers

    /** When {@link #onTimeout} has work, or {@link Long#MAX_VALUE}. */
    public long nextTimeout() {
        long t = Long.MAX_VALUE;
        for (Pending p : pending.values()) {
            t = Math.min(t, Math.min(p.sentAt + RETRY_NANOS, p.startedAt + config.timeoutNanos()));
        }
        return t;
    }

    /** Sends unanswered seeks again; calls the ones past the timeout unreachable. */
    public void onTimeout(long now) {
        for (Pending p : List.copyOf(pending.values())) {
            if (now - p.startedAt >= config.timeoutNanos()) {
                pending.remove(p.target);
                unreachable++;
                listener.unreachable(now, p.target);
            } else if (now - p.sentAt >= RETRY_NANOS && !listener.retry(now, p.target)) {
                flood(now, p);
            }
        }
    }

    // ------------------------------------------------------------------ counters

    /** Seeks this node started (one per key looked for, however often it was sent). */
    public long seeksStarted() {
        return seeksStarted;
    }

    /** SEEK frames this node sent for its own seeks. */
    public long seeksSent() {
        return seeksSent;
    }

    /** SEEK frames this node passed on for others. */
    public long seeksPassedOn() {
        return seeksPassedOn;
    }

    /** Seeks (own or passed on) sent only to links whose reach filter may hold the target, not flooded. */
    public long narrowed() {
        return narrowed;
    }

    /** SEEK frames that arrived from members, whatever became of them. */
    public long received() {
        return received;
    }

    /** Seeks of others this node answered by splicing a circuit to the target. */
    public long spliced() {
        return spliced;
    }

    /** Keys this node sought and did not find in time. */
    public long unreachable() {
        return unreachable;
    }

    /** Seeks of others dropped for {@code why}. */
    public long dropped(Dropped why) {
        return dropped[why.ordinal()];
    }

    /** Forgets the seeks seen more than {@link #SEEN_LIFETIME_NANOS} ago (the oldest come first). */
    private void forgetSeen(long now) {
        var it = seen.values().iterator();
        while (it.hasNext() && now - it.next() > SEEN_LIFETIME_NANOS) {
            it.remove();
        }
    }

    /** Seeks remembered as seen now (bounded by {@link #SEEN_CAPACITY}, each for {@link #SEEN_LIFETIME_NANOS}). */
    public int seenSize() {
        return seen.size();
    }

    /** Keys this node seeks now (one per sought peer). */
    public int pendingSize() {
        return pending.size();
    }

    /** Origins whose seek rate is remembered now (bounded by {@link #ORIGIN_CAPACITY}). */
    public int originsSize() {
        return originRates.size();
    }

    /** Links whose seek rate is kept now (one per connected link that sent a seek). */
    public int linksSize() {
        return linkRates.size();
    }
}
