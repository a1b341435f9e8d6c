package io.keymesh.sim.node;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.NodeListener;

/**
 * The application of one start of a soak member: it checks each channel message against its flow
 * ({@link SoakFlow#delivered}) and passes lost connections on to the flows that send over them; it
 * counts peers up, down and unreachable. What an earlier start's node reports late is ignored.
 * Simulation thread only (the node's loop thread is the simulation's).
 */
final class SoakListener implements NodeListener {
    private final SoakMember self;
    private final int incarnation;
    private final SoakFlow[] flows;
    private final SoakFindings findings;
    private final SoakCounters counters;

    SoakListener(SoakMember self, SoakFlow[] flows, SoakFindings findings, SoakCounters counters) {
        this.self = self;
        this.incarnation = self.incarnation;
        this.flows = flows;
        this.findings = findings;
        this.counters = counters;
    }

    private boolean current() {
        return self.incarnation == incarnation && self.running;
    }

    @Override
    public void onMessage(PublicKey from, long channelId, byte[] message) {
        if (!current()) {
            return;
        }
        SoakMessage m = SoakMessage.decode(message);
        if (m == null || m.flow() < 0 || m.flow() >= flows.length) {
            findings.violation(self + ": a message that is not intact (" + message.length + " bytes) on channel " + channelId);
            return;
        }
        SoakFlow f = flows[m.flow()];
        if (f.to != self || !f.from.member.publicKey().equals(from) || channelId != SoakFlow.CHANNEL) {
            findings.violation(self + ": " + f + "'s message from " + from + " on channel " + channelId + ": misattributed");
            return;
        }
        counters.delivered++;
        f.delivered(m);
    }

    @Override
    public void onChannelsLost(PublicKey peer, String reason) {
        if (!current()) {
            return;
        }
        counters.connectionsLost++;
        for (SoakFlow f : self.outgoing) {
            if (f.to.member.publicKey().equals(peer)) {
                f.senderToldLost();
            }
        }
    }

    @Override
    public void onPeerUp(PublicKey peer) {
        if (current()) {
            counters.peersUp++;
        }
    }

    @Override
    public void onPeerDown(PublicKey peer, String reason) {
        if (current()) {
            counters.peersDown++;
        }
    }

    @Override
    public void onPeerUnreachable(PublicKey peer, String reason) {
        if (current()) {
            counters.unreachable++;
        }
    }
}
