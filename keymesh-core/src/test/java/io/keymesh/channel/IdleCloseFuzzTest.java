package io.keymesh.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keymesh.channel.ConnectionPair.End;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fuzzes the agreement by which two channel connections forget an idle connection ({@link
 * IdleClose}). The input chooses the link (loss up to 10 %, duplication, reordering, jitter,
 * latency up to 150 ms), the idle timeout (1 to 6 s), the seed, and up to 40 conversations — which
 * end, how long it waits first (around the idle timeout, where proposals go), how many messages —
 * from ends that act as nodes do: a new connection when one was forgotten, messages held while a
 * proposal waits.
 *
 * <p>Invariant: on each channel, what arrives is the start of what was sent, once, whole and in
 * order, and nothing arrives that was not sent; no connection reads the other end as restarted
 * (what a connection forgotten on one side only would show) unless that other end lost its
 * connection for silence (the link may lose many packets in a row; the idle timeout goes down to
 * 1 s), and no protocol violation. Unless a connection was lost for silence, every message arrives. Regression inputs are in {@code IdleCloseFuzzTestInputs/conversations/}.
 */
class IdleCloseFuzzTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int MAX_CONVERSATIONS = 40;

    @FuzzTest
    void conversations(FuzzedDataProvider d) {
        long idle = d.consumeLong(1, 6) * SECOND;
        ChannelConfig config = ChannelConfig.DEFAULT.withIdleTimeoutNanos(idle);
        long seed = d.consumeLong();
        ConnectionPair p = new ConnectionPair(seed, config);
        p.loss = d.consumeInt(0, 10) / 100.0;
        p.duplication = d.consumeInt(0, 10) / 100.0;
        p.reordering = d.consumeInt(0, 20) / 100.0;
        p.latencyNanos = d.consumeLong(100_000, 150_000_000);
        p.jitterNanos = d.consumeLong(0, p.latencyNanos / 2);
        for (End e : List.of(p.a, p.b)) {
            e.connection.setIdleClose(true);
            e.renewConfig = config;
            e.renewIds = new SplittableRandom(seed ^ e.name.hashCode());
        }
        Conversations atA = new Conversations(p, p.a, 1);
        Conversations atB = new Conversations(p, p.b, 2);
        int count = d.consumeInt(1, MAX_CONVERSATIONS);
        for (int i = 0; i < count && d.remainingBytes() > 0; i++) {
            // a pause of up to two idle timeouts, in steps of a hundredth of one
            long pause = idle * d.consumeInt(0, 200) / 100;
            p.runUntil(p.now + pause, () -> false);
            (d.consumeBoolean() ? atA : atB).converse(d.consumeInt(1, 4));
        }
        p.runUntil(p.now + 60 * SECOND, () -> atA.delivered() && atB.delivered());
        p.runUntil(p.now + 60 * SECOND, () -> !p.a.connection.hasChannels() && !p.b.connection.hasChannels());
        p.runUntil(p.now + 3 * idle, () -> false);

        atA.checkPrefixes();
        atB.checkPrefixes();
        for (End e : List.of(p.a, p.b)) {
            boolean otherLostForSilence = e.other.lostReasons.stream().anyMatch(r -> r.startsWith("idle"));
            for (String reason : e.lostReasons) {
                // "the peer restarted" is what a connection forgotten on one side only shows; the
                // one way to it here is the other end losing its connection for silence
                assertTrue(reason.startsWith("idle") || (reason.equals("the peer restarted") && otherLostForSilence),
                        e.name + " lost its connection: " + reason + " (" + e.other.name + "'s losses: " + e.other.lostReasons + ")");
            }
            assertEquals(0, e.connection.protocolViolations(), e.name + "'s protocol violations");
        }
        if (p.a.lostReasons.isEmpty() && p.b.lostReasons.isEmpty()) {
            atA.check();
            atB.check();
            assertFalse(p.a.connection.hasChannels() || p.b.connection.hasChannels(), "every channel finished: "
                    + p.a.connection.stats() + " / " + p.b.connection.stats());
        }
    }
}
