package io.keymesh.channel;

import io.keymesh.wire.IdleCloseFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * The agreement by which both ends of a {@link ChannelConnection} forget it when it is idle and
 * holds no channel, so that a pair that stopped talking keeps no connection state (QUIC's idle
 * timeout, made safe for a peer that may open a channel at the same moment).
 *
 * <p>Forgetting on one side only is not safe: the other side's next channel would go to a
 * connection that is gone, and the answer — a new connection id — would tell it that this side
 * restarted, losing that channel. So one side proposes ({@code IDLE_CLOSE}), and the other accepts
 * only if it holds no channel itself, and then forgets at once; the proposer forgets when it hears
 * the acceptance ({@code IDLE_CLOSE_ANSWER}). The rules that make every case safe:
 * <ul>
 *   <li>From its proposal until the answer, the proposer sends no channel data on the connection:
 *       its offers are refused ({@link #refuseOffer}) and taken again after the answer — by the
 *       same connection after a refusal, by the owner's next connection after an acceptance. So
 *       nothing of the proposer's can reach an acceptor that has forgotten.
 *   <li>An acceptor holds no channel, so none of its data is lost; what it sends afterwards goes
 *       on a new connection, whose new id makes a proposer still waiting start over (it holds no
 *       channel either, so nothing is reported lost).
 *   <li>A refusal is sent reliably, and a copy of a refused proposal is refused again (the proposer
 *       may be sending on the connection by then). An acceptance is not repeated: if it is lost, so
 *       is the acknowledgement of the proposal in the same packet. The acceptor makes no connection
 *       for a copy of a proposal; the proposer's probes find its connection gone, and the answer
 *       to them (a new connection id) makes the proposer, which holds no channel, start over — or,
 *       unanswered for the idle timeout, the proposer ends its side too.
 *   <li>Only a connection that has heard the peer proposes: a proposal to an unknown connection id
 *       would go to destination 0, which any new connection of the peer's takes for its own, so a
 *       late copy could bind one to a connection that is gone. A connection that never heard the
 *       peer ends without a word after the idle timeout (the peer holds nothing of it to deliver).
 *   <li>Proposals cross: each side, holding no channel, accepts the other's.
 *   <li>The answer rides in the packet that acknowledges the proposal. A proposal acknowledged
 *       without an answer was refused (the refusal's packet was lost, and a refusal is sent again
 *       anyway) or reached a peer that does not know IDLE_CLOSE (it skips unknown frames): either
 *       way the proposer goes on with the connection, and proposes no more on it until it starts
 *       afresh (an older peer would be asked every idle timeout for nothing).
 * </ul>
 *
 * <p>Not thread-safe; owned by its connection. Off until the owner {@linkplain #setEnabled enables}
 * it; a disabled side refuses every proposal.
 */
final class IdleClose {
    /** What an answer meant for our proposal. */
    enum Outcome { IGNORED, ACCEPTED, REFUSED }

    private boolean enabled;
    /** Our proposals are numbered 1, 2, ... over the connection's life. */
    private long lastProposal;
    /** Our proposal {@link #lastProposal} awaits its answer. */
    private boolean pending;
    /** ... and its frame is to be sent (the first time, or again after its packet was lost). */
    private boolean proposalDue;
    /** When {@link #lastProposal} was made. */
    private long proposedAtNanos;
    /** A packet that carried {@link #lastProposal} was acknowledged while it waits. */
    private boolean proposalAcked;
    /**
     * A proposal of ours was acknowledged without an answer in this connection state: the peer
     * may not know IDLE_CLOSE, so no more are made until the state starts afresh.
     */
    private boolean unanswered;
    /** The peer's proposals up to this one were refused in this connection state. */
    private long refusedUpTo;
    /** An answer to send: to the peer's proposal {@link #answerProposal}, accepted or not. */
    private boolean answerDue;
    private long answerProposal;
    private boolean answerAccepted;
    /** Channels whose offers were refused while our proposal was pending, in order. */
    private final List<Long> refusedOffers = new ArrayList<>();

    void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    boolean enabled() {
        return enabled;
    }

    /** True if a proposal may be made: enabled, none waiting, and none acknowledged without an answer in this state. */
    boolean mayPropose() {
        return enabled && !pending && !unanswered;
    }

    /** True from our proposal until its answer (or the connection state's end). */
    boolean pending() {
        return pending;
    }

    /** When the pending proposal was made. */
    long proposedAtNanos() {
        return proposedAtNanos;
    }

    /** Proposes forgetting the connection at {@code nowNanos}; the next packet carries the proposal. */
    void propose(long nowNanos) {
        proposedAtNanos = nowNanos;
        lastProposal++;
        pending = true;
        proposalDue = true;
        proposalAcked = false;
    }

    /** An offer on {@code channelId} was refused while the proposal is pending: told again after the answer. */
    void refuseOffer(long channelId) {
        if (!refusedOffers.contains(channelId)) {
            refusedOffers.add(channelId);
        }
    }

    /** The channels whose offers were refused while the proposal was pending; the list is emptied. */
    List<Long> takeRefusedOffers() {
        if (refusedOffers.isEmpty()) {
            return List.of();
        }
        List<Long> taken = List.copyOf(refusedOffers);
        refusedOffers.clear();
        return taken;
    }

    /**
     * The peer proposes forgetting the connection ({@code proposal}); {@code canAccept}: this side
     * is enabled and holds no channel. A proposal refused before is refused again.
     *
     * @return true if accepted: the caller sends the answer and forgets the connection
     */
    boolean onProposal(long proposal, boolean canAccept) {
        boolean accept = canAccept && enabled && proposal > refusedUpTo;
        if (!accept) {
            refusedUpTo = Math.max(refusedUpTo, proposal);
        }
        answerDue = true;
        answerProposal = proposal;
        answerAccepted = accept;
        return accept;
    }

    /** The peer's answer to our proposal {@code proposal}. */
    Outcome onAnswer(long proposal, boolean accepted) {
        if (!pending || proposal != lastProposal) {
            return Outcome.IGNORED; // a late copy, or for a proposal we no longer wait on
        }
        pending = false;
        proposalDue = false;
        return accepted ? Outcome.ACCEPTED : Outcome.REFUSED;
    }

    /** The connection state starts afresh (the peer started over) or ends: no proposal waits, none was refused. */
    void reset() {
        unanswered = false;
        pending = false;
        proposalDue = false;
        refusedUpTo = 0;
        answerDue = false;
    }

    /** True if a frame of ours is due (each elicits an acknowledgement). */
    boolean hasWork() {
        return proposalDue || answerDue;
    }

    /** True if an answer to the peer's proposal is due: it goes at once, in a packet of its own with the ACK. */
    boolean answerDue() {
        return answerDue;
    }

    /** Writes the due answer if it fits in {@code out[p..end)} and records a refusal in {@code sent}; returns the new position. */
    int writeAnswer(byte[] out, int p, int end, SentFrames sent) {
        if (answerDue && IdleCloseFrame.answerLength(answerProposal) <= end - p) {
            p += IdleCloseFrame.writeAnswer(out, p, answerProposal, answerAccepted);
            answerDue = false;
            if (!answerAccepted) {
                sent.idleCloseRefusal = answerProposal; // sent again if lost
            }
        }
        return p;
    }

    /** Writes the due proposal if it fits in {@code out[p..end)} and records it in {@code sent}; returns the new position. */
    int writeProposal(byte[] out, int p, int end, SentFrames sent) {
        if (proposalDue && IdleCloseFrame.proposalLength(lastProposal) <= end - p) {
            p += IdleCloseFrame.writeProposal(out, p, lastProposal);
            proposalDue = false;
            sent.idleCloseProposal = lastProposal;
        }
        return p;
    }

    /** A packet that carried our frames was acknowledged. */
    void onAcked(SentFrames f) {
        if (pending && f.idleCloseProposal == lastProposal) {
            proposalAcked = true;
        }
    }

    /**
     * True, once, if the packet the peer acknowledged our proposal in (now fully processed) did not
     * answer it: the proposal counts as refused from then on (see the class comment). Call after
     * each received packet.
     */
    boolean ackedWithoutAnswer() {
        if (!pending || !proposalAcked) {
            return false;
        }
        pending = false;
        proposalDue = false;
        unanswered = true;
        return true;
    }

    /** A packet that carried our frames was lost: the proposal goes again while it waits, a refusal unless another answer is due. */
    void onLost(SentFrames f) {
        if (f.idleCloseProposal >= 0 && pending && f.idleCloseProposal == lastProposal) {
            proposalDue = true;
        }
        if (f.idleCloseRefusal >= 0 && !answerDue) {
            answerDue = true;
            answerProposal = f.idleCloseRefusal;
            answerAccepted = false;
        }
    }
}
