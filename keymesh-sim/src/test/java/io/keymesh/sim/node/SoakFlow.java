package io.keymesh.sim.node;

import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One direction of a pair's traffic in a soak run: {@link #from}'s application sends a message on
 * channel {@link #CHANNEL} to {@link #to} at each {@link #tick}, and {@link #to}'s application checks
 * each one it is given ({@link #delivered}).
 *
 * <p>The sender works as an application does with the channel API: it reaches the peer by key if it
 * is not a peer, takes the channel's handle, and, once that handle reports its connection lost
 * ({@link Channel#lostReason()}), takes a new one. Each handle is a <em>generation</em>; a message
 * counts as accepted when {@link Channel#send} returns true (one it refuses is not sent again: the
 * next tick sends a new one under the same sequence number).
 *
 * <p>The receiver holds every generation to the channel contract: within a generation the messages
 * arrive exactly once, whole and in order (0, 1, 2 ...), and never after a later generation's. At
 * the end ({@link #finish}) every generation whose handle was never reported lost, and whose sender
 * did not crash, must have delivered every message it accepted; so must one whose sender stopped
 * after its node reported everything acknowledged ({@link MeshNode#drained()}).
 *
 * <p>Simulation thread only.
 */
final class SoakFlow {
    static final long CHANNEL = 1;
    /** How long before a handle was made a restart of either end may still cost it its connection: the idle timeout. */
    static final long RESTART_WINDOW_NANOS = 30_000_000_000L;

    /** One channel handle of the flow: what it accepted, what arrived, and how it ended. */
    static final class Generation {
        final int number;
        final long openedAt;
        int accepted;
        int delivered;
        /** Why the sender's handle was lost, as it said, or null. */
        String lostReason;
        long lostAt = -1;
        /** The sender stopped while this was its handle. */
        boolean senderStopped;
        /** It stopped gracefully, with everything acknowledged and this handle not lost. */
        boolean drainedAtStop;

        Generation(int number, long openedAt) {
            this.number = number;
            this.openedAt = openedAt;
        }
    }

    final int id;
    final SoakMember from;
    final SoakMember to;
    private final SimMesh mesh;
    private final SoakFindings findings;
    private final SplittableRandom random;
    private final List<Generation> generations = new ArrayList<>();
    private Channel handle;
    private Generation sending;
    private int seq;
    private int receiving = -1;
    private int next;
    long accepted;
    long deliveredTotal;
    long refused;
    /** Since when the flow waits for a message sent after a churn event to arrive, or -1. */
    private long waitingSince = -1;
    private String waitingFor;

    SoakFlow(int id, SoakMember from, SoakMember to, SimMesh mesh, SoakFindings findings, long seed) {
        this.id = id;
        this.from = from;
        this.to = to;
        this.mesh = mesh;
        this.findings = findings;
        this.random = new SplittableRandom(seed ^ (id * 0x9E3779B97F4A7C15L));
    }

    /** The sender's application sends one message, if its node runs. */
    void tick() {
        if (!from.running || from.stopping) {
            return;
        }
        long now = mesh.sim.now();
        MeshNode node = from.member.node;
        if (handle != null && handle.lostReason() != null) {
            lost(now, handle.lostReason());
        }
        if (handle == null) {
            if (!node.isPeer(to.member.publicKey()) && !node.reach(to.member.publicKey()).join()) {
                findings.violation(this + ": reach refused");
                return;
            }
            try {
                handle = node.channel(to.member.publicKey(), CHANNEL);
            } catch (IllegalArgumentException notAPeer) {
                return; // forgotten between the two calls: the next tick reaches it again
            }
            sending = new Generation(generations.size(), now);
            generations.add(sending);
            seq = 0;
        }
        byte[] m = new SoakMessage(id, sending.number, seq, now).encode(SoakMessage.HEADER + random.nextInt(1000));
        try {
            if (handle.send(m)) {
                seq++;
                sending.accepted++;
                accepted++;
            } else {
                refused++;
            }
        } catch (IllegalStateException lostMeanwhile) {
            lost(now, handle.lostReason() == null ? lostMeanwhile.getMessage() : handle.lostReason());
        }
    }

    /** The sender's handle reports its connection lost: the generation ends, the next tick takes a new handle. */
    private void lost(long now, String reason) {
        if (sending != null && sending.lostReason == null) {
            sending.lostReason = reason;
            sending.lostAt = now;
            findings.lossReason(reason);
            if (!restarted(sending.openedAt, now)) {
                findings.unexplainedLoss(String.format("%s: generation %d (from %.1f s) lost at %.1f s: %s", this,
                        sending.number, sending.openedAt / 1e9, now / 1e9, reason));
            }
        }
        handle = null;
    }

    /**
     * True if either end was away at some time from {@link #RESTART_WINDOW_NANOS} before {@code since}
     * until {@code until}: a connection made around then may be lost for it (a peer that restarted is
     * noticed when its packets or ours next cross, up to the idle timeout later).
     */
    private boolean restarted(long since, long until) {
        return to.awayBetween(since - RESTART_WINDOW_NANOS, until) || from.awayBetween(since - RESTART_WINDOW_NANOS, until);
    }

    /** The sender's listener heard its channels to {@link #to} were lost: the handle says so too. */
    void senderToldLost() {
        if (handle != null && handle.lostReason() != null) {
            lost(mesh.sim.now(), handle.lostReason());
        }
    }

    /** The sender's node stops; {@code drained}: gracefully, after it reported every accepted message acknowledged. */
    void senderStops(boolean drained) {
        senderToldLost();
        if (sending != null && handle != null) {
            sending.senderStopped = true;
            sending.drainedAtStop = drained && handle.lostReason() == null;
        }
        handle = null;
        sending = null;
    }

    /** {@link #to}'s application got {@code m} (already checked to be intact and on this flow's channel from its sender). */
    void delivered(SoakMessage m) {
        long now = mesh.sim.now();
        if (m.generation() >= generations.size()) {
            findings.violation(this + ": message of generation " + m.generation() + " that was never opened");
            return;
        }
        if (m.generation() < receiving) {
            findings.violation(this + ": message " + m.seq() + " of generation " + m.generation()
                    + " after generation " + receiving + "'s");
            return;
        }
        if (m.generation() > receiving) {
            receiving = m.generation();
            next = 0;
        }
        Generation g = generations.get(m.generation());
        if (m.seq() != next) {
            findings.violation(String.format("%s: generation %d: message %d where %d was due (%s) at %.1f s", this,
                    m.generation(), m.seq(), next, m.seq() < next ? "repeated" : "out of order or a gap", now / 1e9));
            if (m.seq() < next) {
                return;
            }
        }
        next = m.seq() + 1;
        g.delivered = next;
        deliveredTotal++;
        if (waitingSince >= 0 && m.sentAtNanos() >= waitingSince) {
            findings.reconnected(waitingFor, now - waitingSince);
            waitingSince = -1;
        }
    }

    /**
     * A churn event at {@code since} touched this flow (or its node is back): a message sent from then
     * on must arrive. A wait already running keeps its earlier start.
     */
    void watch(long since, String cause) {
        if (waitingSince < 0) {
            waitingSince = since;
            waitingFor = cause;
        }
    }

    /** Stops waiting (an end of the flow stops; its return starts a new wait). */
    void unwatch() {
        waitingSince = -1;
    }

    /** Reports the flow if it has waited longer than {@code bound}; true if it is waiting at all. */
    boolean checkWait(long now, long bound) {
        if (waitingSince >= 0 && now - waitingSince > bound) {
            findings.slowReconnect(String.format("%s: no message sent after %s at %.1f s had arrived %.1f s later", this,
                    waitingFor, waitingSince / 1e9, (now - waitingSince) / 1e9));
            findings.reconnected(waitingFor + " (late)", now - waitingSince);
            waitingSince = -1;
        }
        return waitingSince >= 0;
    }

    /** True if the flow waits for a message to arrive after a churn event. */
    boolean waiting() {
        return waitingSince >= 0;
    }

    /** The flow's last message was accepted and has arrived, on a handle that is not lost. */
    boolean caughtUp() {
        return sending != null && handle != null && handle.lostReason() == null && sending.delivered == sending.accepted
                && sending.accepted > 0;
    }

    /** End of the run: every generation is held to the contract (see the class comment). */
    void finish() {
        if (handle != null && handle.lostReason() != null) {
            lost(mesh.sim.now(), handle.lostReason());
        }
        for (Generation g : generations) {
            int missing = g.accepted - g.delivered;
            if (missing == 0) {
                continue;
            }
            boolean told = g.lostReason != null;
            boolean crashed = g.senderStopped && !g.drainedAtStop;
            if (!told && !crashed) {
                findings.violation(String.format("%s: generation %d (from %.1f s): %d of %d accepted messages never arrived,"
                        + " and the sender was never told%s", this, g.number, g.openedAt / 1e9, missing, g.accepted,
                        g.drainedAtStop ? " (it had stopped after the node reported everything acknowledged)" : ""));
            } else {
                findings.lostReported(crashed ? "sender stopped" : restarted(g.openedAt, g.lostAt)
                        ? "an end restarted" : "connection lost, no restart", missing);
            }
        }
    }

    @Override
    public String toString() {
        return "flow " + id + " " + from + "->" + to;
    }
}
