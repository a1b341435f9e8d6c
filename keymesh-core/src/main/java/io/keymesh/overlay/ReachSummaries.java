package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.ReachFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each link reaches in one hop, and what this node tells its links it reaches: the REACH
 * frames ({@link ReachFrame}, a {@link ReachFilter} of the keys of the members a node holds
 * sessions with). {@link Seeks} sends a seek only to the links whose filter may hold its target when
 * there are any, so a lookup where some neighbour knows the key costs a frame or two instead of a
 * flood.
 *
 * <p>This node's filter goes to every connected member when the set of members changes (at most
 * once per {@link #MIN_INTERVAL_NANOS}, so a burst of sessions coming up sends one filter), each
 * member getting the filter of the others. Nothing is sent periodically: a REACH is a data packet,
 * and one every so often would keep idle sessions and NAT bindings alive that WireGuard lets go. A
 * filter lost on the way, or stale, costs only efficiency: {@link Seeks} narrows a seek by the filters
 * on its first try only and floods its retries. A link's filter is forgotten when its session ends.
 * Memory: one filter per link, at most {@link ReachFilter#MAX_BYTES} each.
 *
 * <p>Sans-I/O, as {@link Seeks}. Not thread-safe.
 */
public final class ReachSummaries {
    /** The least time between two rounds of this node's filter. */
    public static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    /** What a link's filter says of a key. */
    public enum Answer { MAY_REACH, DOES_NOT_REACH, UNKNOWN }

    private final SeekLinks links;
    private final Map<PublicKey, ReachFilter> received = new HashMap<>();
    private final ReachFrame in = new ReachFrame();
    private byte[] out = new byte[0];
    private Set<PublicKey> lastSent = Set.of();
    private long lastSentAt = Long.MIN_VALUE;
    private boolean dirty;
    private long framesSent;
    private long framesReceived;
    private long malformed;

    public ReachSummaries(SeekLinks links) {
        this.links = links;
    }

    /** A session with a member came up: the filter may have changed. */
    public void linkUp() {
        dirty = true;
    }

    /** The session with {@code key} ended: its filter is forgotten, and ours may have changed. */
    public void linkDown(PublicKey key) {
        received.remove(key);
        dirty = true;
    }

    /** A REACH body from {@code from}; a malformed one is dropped and counted. */
    public void onFrame(PublicKey from, byte[] b, int off, int len) {
        if (!in.decode(b, off, len)) {
            malformed++;
            return;
        }
        framesReceived++;
        received.put(from, ReachFilter.of(in.hashes(), b, in.bitsOffset(), in.bitsLength()));
    }

    /** What {@code link}'s latest filter says of {@code target}. */
    public Answer reaches(PublicKey link, PublicKey target) {
        ReachFilter f = received.get(link);
        if (f == null) {
            return Answer.UNKNOWN;
        }
        return f.mayContain(target) ? Answer.MAY_REACH : Answer.DOES_NOT_REACH;
    }

    /** When {@link #onTimeout} has work: the next round of this node's filter, or {@link Long#MAX_VALUE}. */
    public long nextTimeout() {
        if (!dirty) {
            return Long.MAX_VALUE;
        }
        return lastSentAt == Long.MIN_VALUE ? Long.MIN_VALUE + 1 : lastSentAt + MIN_INTERVAL_NANOS;
    }

    /**
     * Sends each connected member the filter of the other members, if the members changed since the
     * last round. A member that is this node's only one is sent nothing (there is nothing to tell it),
     * so two nodes alone exchange no REACH at all.
     */
    public void onTimeout(long now) {
        if (now < nextTimeout()) {
            return;
        }
        dirty = false;
        List<PublicKey> members = links.connectedMembers();
        Set<PublicKey> current = new HashSet<>(members);
        if (current.equals(lastSent)) {
            return; // a session came and went, or was renewed: nothing to tell
        }
        lastSent = Set.copyOf(current);
        lastSentAt = now;
        if (members.size() < 2) {
            return;
        }
        for (PublicKey link : members) {
            List<PublicKey> others = new ArrayList<>(members.size() - 1);
            for (PublicKey m : members) {
                if (!m.equals(link)) {
                    others.add(m);
                }
            }
            ReachFilter f = ReachFilter.of(others);
            int n = ReachFrame.frameLength(f.length());
            if (out.length < n) {
                out = new byte[n];
            }
            int len = ReachFrame.write(out, 0, f.hashes(), f.bits(), 0, f.length());
            links.sendOverlayFrame(link, out, 0, len);
            framesSent++;
        }
    }

    /** REACH frames this node sent. */
    public long framesSent() {
        return framesSent;
    }

    /** REACH frames this node took. */
    public long framesReceived() {
        return framesReceived;
    }

    /** REACH frames dropped as malformed. */
    public long malformed() {
        return malformed;
    }

    /** Links whose filter this node holds now. */
    public int size() {
        return received.size();
    }
}
