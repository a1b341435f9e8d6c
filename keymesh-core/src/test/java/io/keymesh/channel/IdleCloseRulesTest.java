package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.wire.IdleCloseFrame;
import io.keymesh.wire.MeshFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of {@link IdleClose} one by one, and the bytes of its frames. */
class IdleCloseRulesTest {
    private static IdleClose enabled() {
        IdleClose c = new IdleClose();
        c.setEnabled(true);
        return c;
    }

    @Test
    void aProposalRefusedOnceIsRefusedAgainAndALaterOneIsJudgedAnew() {
        IdleClose c = enabled();
        assertFalse(c.onProposal(1, false), "a side holding a channel refuses");
        assertFalse(c.onProposal(1, true), "a copy of the refused proposal: refused again, the proposer may be sending");
        assertTrue(c.onProposal(2, true), "the proposer's next proposal");
    }

    @Test
    void aDisabledSideRefusesAndAResetForgetsTheRefusals() {
        IdleClose off = new IdleClose();
        assertFalse(off.onProposal(1, true));
        IdleClose c = enabled();
        assertFalse(c.onProposal(3, false));
        c.reset(); // the peer started over: its proposals are numbered afresh
        assertTrue(c.onProposal(1, true));
    }

    @Test
    void onlyTheAnswerToTheProposalPendingCounts() {
        IdleClose c = enabled();
        assertEquals(IdleClose.Outcome.IGNORED, c.onAnswer(1, true), "nothing pending");
        c.propose(5);
        c.propose(6); // the second proposal of the connection's life
        assertTrue(c.pending());
        assertEquals(6, c.proposedAtNanos());
        assertEquals(IdleClose.Outcome.IGNORED, c.onAnswer(1, true), "an answer to the first");
        assertTrue(c.pending());
        assertEquals(IdleClose.Outcome.REFUSED, c.onAnswer(2, false));
        assertFalse(c.pending());
        assertFalse(c.hasWork(), "no proposal to send after its answer");
        assertEquals(IdleClose.Outcome.IGNORED, c.onAnswer(2, true), "a late copy");
        c.propose(7);
        assertEquals(IdleClose.Outcome.ACCEPTED, c.onAnswer(3, true));
    }

    @Test
    void aProposalAcknowledgedWithoutAnAnswerCountsAsRefusedOnce() {
        IdleClose c = enabled();
        c.propose(1);
        SentFrames carried = new SentFrames();
        c.writeProposal(new byte[8], 0, 8, carried);
        SentFrames other = new SentFrames();
        c.onAcked(other);
        assertFalse(c.ackedWithoutAnswer(), "another packet's acknowledgement says nothing");
        c.onAcked(carried);
        assertTrue(c.ackedWithoutAnswer());
        assertFalse(c.pending());
        assertFalse(c.ackedWithoutAnswer(), "once");
        assertFalse(c.mayPropose(), "no more proposals to a peer that acknowledges them without an answer");
        c.reset();
        assertTrue(c.mayPropose(), "until the connection state starts afresh");
        c.propose(2);
        SentFrames second = new SentFrames();
        c.writeProposal(new byte[8], 0, 8, second);
        c.onAcked(carried); // a late acknowledgement of the first proposal's packet
        assertFalse(c.ackedWithoutAnswer());
        c.onAcked(second);
        assertEquals(IdleClose.Outcome.ACCEPTED, c.onAnswer(2, true), "answered in the same packet");
        assertFalse(c.ackedWithoutAnswer());
    }

    @Test
    void refusedOffersAreToldOnceInOrder() {
        IdleClose c = enabled();
        c.propose(1);
        c.refuseOffer(7);
        c.refuseOffer(3);
        c.refuseOffer(7);
        assertEquals(List.of(7L, 3L), c.takeRefusedOffers());
        assertEquals(List.of(), c.takeRefusedOffers());
    }

    @Test
    void theProposalGoesAgainWhenLostWhileItWaitsAndTheRefusalUnlessAnotherAnswerIsDue() {
        IdleClose c = enabled();
        c.propose(1);
        byte[] out = new byte[64];
        SentFrames first = new SentFrames();
        int n = c.writeProposal(out, 0, out.length, first);
        assertArrayEquals(new byte[] {(byte) MeshFrame.IDLE_CLOSE, 1, 1}, java.util.Arrays.copyOf(out, n));
        assertEquals(1, first.idleCloseProposal);
        assertFalse(c.hasWork());
        assertEquals(0, c.writeProposal(out, 0, out.length, new SentFrames()), "sent once");
        c.onLost(first);
        assertTrue(c.hasWork());
        assertEquals(3, c.writeProposal(out, 0, out.length, new SentFrames()));
        c.onAnswer(1, false);
        c.onLost(first);
        assertFalse(c.hasWork(), "answered: a lost copy is not sent again");

        assertFalse(c.onProposal(4, false));
        SentFrames refusal = new SentFrames();
        n = c.writeAnswer(out, 0, out.length, refusal);
        assertArrayEquals(new byte[] {(byte) MeshFrame.IDLE_CLOSE_ANSWER, 2, 4, 0}, java.util.Arrays.copyOf(out, n));
        assertEquals(4, refusal.idleCloseRefusal);
        assertFalse(c.answerDue());
        c.onLost(refusal);
        assertTrue(c.answerDue(), "a lost refusal goes again");
        c.writeAnswer(out, 0, out.length, new SentFrames());
        assertTrue(c.onProposal(5, true));
        SentFrames acceptance = new SentFrames();
        n = c.writeAnswer(out, 0, out.length, acceptance);
        assertArrayEquals(new byte[] {(byte) MeshFrame.IDLE_CLOSE_ANSWER, 2, 5, 1}, java.util.Arrays.copyOf(out, n));
        assertEquals(-1, acceptance.idleCloseRefusal, "an acceptance is not sent again");
        assertFalse(c.onProposal(6, false));
        c.onLost(refusal); // the old refusal's packet declared lost while a newer answer is due
        c.writeAnswer(out, 0, out.length, new SentFrames());
        assertEquals(6, out[2], "the newer answer went");
    }

    @Test
    void framesThatDoNotFitWait() {
        IdleClose c = enabled();
        c.propose(1);
        assertFalse(c.onProposal(9, false));
        byte[] out = new byte[8];
        SentFrames sent = new SentFrames();
        assertEquals(5, c.writeProposal(out, 5, 7, sent), "two bytes of room: the three-byte frame waits");
        assertEquals(1, c.writeAnswer(out, 1, 4, sent), "three bytes of room: the four-byte answer waits");
        assertTrue(c.answerDue() && c.hasWork());
        assertEquals(-1, sent.idleCloseProposal);
        assertEquals(-1, sent.idleCloseRefusal);
        assertEquals(7, c.writeProposal(out, 4, 7, sent), "exactly its three bytes: it goes");
        assertEquals(8, c.writeAnswer(out, 4, 8, sent), "exactly its four bytes: it goes");
        assertEquals(1, sent.idleCloseProposal);
        assertEquals(9, sent.idleCloseRefusal);
    }

    @Test
    void aRefusalOfAnyNumberGoesAgainWhenLost() {
        IdleClose c = enabled();
        assertFalse(c.onProposal(0, true), "0 is never a proposal of ours: nothing is above the refusals yet");
        SentFrames refusal = new SentFrames();
        c.writeAnswer(new byte[8], 0, 8, refusal);
        assertEquals(0, refusal.idleCloseRefusal);
        c.onLost(refusal);
        assertTrue(c.answerDue());
    }

    @Test
    void framesReadBackAndMalformedBodiesAreRefused() {
        byte[] b = new byte[16];
        int n = IdleCloseFrame.writeAnswer(b, 0, 300, true);
        long[] out = new long[2];
        assertTrue(IdleCloseFrame.readAnswer(b, 2, n - 2, out));
        assertArrayEquals(new long[] {300, 1}, out);
        assertFalse(IdleCloseFrame.readAnswer(new byte[] {1, 2}, 0, 2, out), "accepted must be 0 or 1");
        assertFalse(IdleCloseFrame.readAnswer(new byte[] {1}, 0, 1, out), "two varints");
        assertFalse(IdleCloseFrame.readAnswer(new byte[] {1, 0, 0}, 0, 3, out), "nothing after them");
        assertEquals(-1, IdleCloseFrame.readProposal(new byte[] {1, 0}, 0, 2));
        n = IdleCloseFrame.writeProposal(b, 0, 1L << 40);
        assertEquals(IdleCloseFrame.proposalLength(1L << 40), n);
        assertEquals(1L << 40, IdleCloseFrame.readProposal(b, 2, n - 2));
    }
}
