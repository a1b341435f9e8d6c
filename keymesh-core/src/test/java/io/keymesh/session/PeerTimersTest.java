package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.KEEPALIVE_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.MAX_TIMER_HANDSHAKES;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT_JITTER_MAX;
import static io.keymesh.session.ProtocolConstants.SECOND;
import static io.keymesh.session.ProtocolConstants.ZERO_KEY_MATERIAL_AFTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link PeerTimers} on its own: each of WireGuard's timers (wireguard-go {@code device/timers.go})
 * started and stopped by the events the engine reports, its deadline to the nanosecond, and what
 * it has the engine do when due. Jitter is drawn from a seeded generator; a twin of it with the
 * same seed gives the expected values.
 */
class PeerTimersTest {
    private static final long T0 = 1_000 * SECOND;
    private static final long NEVER = PeerTimers.NEVER;

    private final Peer peer = new EnginePair(1).a.peer;
    private final SplittableRandom twin = new SplittableRandom(99);
    private final PeerTimers timers = new PeerTimers(peer, peer.sendPath(), new SplittableRandom(99));
    private final List<String> log = new ArrayList<>();

    /** Records each action; a sent initiation starts the retransmit timer, as the engine's does. */
    private final PeerTimers.Actions actions = new PeerTimers.Actions() {
        @Override
        public void sendInitiation(long now, Peer p, boolean isRetry) {
            log.add((isRetry ? "retry@" : "initiation@") + (now - T0));
            if (!isRetry) {
                timers.resetHandshakeAttempts();
            }
            timers.handshakeInitiated(now);
        }

        @Override
        public void sendKeepalive(long now, Peer p) {
            log.add("keepalive@" + (now - T0));
        }

        @Override
        public void flushStaged(Peer p) {
            log.add("flushStaged");
        }

        @Override
        public void clearHandshake(Peer p) {
            log.add("clearHandshake");
        }

        @Override
        public void handshakeGaveUp(Peer p) {
            log.add("gaveUp");
        }

        @Override
        public void zeroKeyMaterial(Peer p) {
            log.add("zero");
        }

        @Override
        public void keysZeroed(Peer p) {
            log.add("keysZeroed");
        }
    };

    private long jitter() {
        return twin.nextLong(REKEY_TIMEOUT_JITTER_MAX + 1);
    }

    /** Runs what is due at {@code now}; returns what was done and clears the log. */
    private List<String> run(long now) {
        timers.runDue(now, actions);
        List<String> done = List.copyOf(log);
        log.clear();
        return done;
    }

    @Test
    void nothingRunsAtFirst() {
        assertEquals(NEVER, timers.nextDeadline());
        assertEquals(List.of(), run(T0 + 1_000 * SECOND));
    }

    @Test
    void anUnansweredInitiationIsRetriedAfterRekeyTimeoutPlusJitter() {
        timers.handshakeInitiated(T0);
        long at = T0 + REKEY_TIMEOUT + jitter();
        assertEquals(at, timers.nextDeadline());
        assertEquals(List.of(), run(at - 1));
        assertEquals(List.of("retry@" + (at - T0)), run(at));
        long next = at + REKEY_TIMEOUT + jitter();
        assertEquals(next, timers.nextDeadline());
        timers.handshakeComplete();
        assertEquals(NEVER, timers.nextDeadline(), "answered: nothing to retransmit");
        assertEquals(List.of(), run(next));
    }

    @Test
    void afterMaxTimerHandshakesRetriesItGivesUpAndSchedulesZeroing() {
        timers.handshakeInitiated(T0);
        long now = T0;
        int retries = 0;
        List<String> done = List.of();
        for (int fired = 0; fired < 100; fired++) {
            now = timers.nextDeadline();
            done = run(now);
            if (!(done.size() == 1 && done.getFirst().startsWith("retry@"))) {
                break;
            }
            retries++;
        }
        assertEquals(List.of("flushStaged", "clearHandshake", "gaveUp"), done);
        // wireguard-go: give up once handshakeAttempts > MaxTimerHandshakes, counting every retry.
        assertEquals(MAX_TIMER_HANDSHAKES + 1, retries);
        assertEquals(now + ZERO_KEY_MATERIAL_AFTER, timers.nextDeadline(), "key material goes too");
        assertEquals(List.of(), run(now + ZERO_KEY_MATERIAL_AFTER - 1));
        assertEquals(List.of("zero", "keysZeroed"), run(now + ZERO_KEY_MATERIAL_AFTER));
        assertEquals(NEVER, timers.nextDeadline());
    }

    @Test
    void givingUpKeepsAZeroingAlreadyScheduled() {
        timers.sessionDerived(T0);
        timers.handshakeInitiated(T0 + SECOND);
        boolean gaveUp = false;
        for (int fired = 0; fired < 100 && !gaveUp; fired++) {
            gaveUp = run(Math.min(timers.nextDeadline(), T0 + ZERO_KEY_MATERIAL_AFTER - 1)).contains("gaveUp");
        }
        assertTrue(gaveUp, "gave up before the zeroing");
        assertEquals(T0 + ZERO_KEY_MATERIAL_AFTER, timers.nextDeadline(), "not moved later");
    }

    @Test
    void aNewHandshakeCountsItsAttemptsFromZero() {
        timers.handshakeInitiated(T0);
        for (int i = 0; i < MAX_TIMER_HANDSHAKES; i++) {
            assertEquals(List.of("retry@" + (timers.nextDeadline() - T0)), run(timers.nextDeadline()));
        }
        timers.resetHandshakeAttempts(); // a new handshake, not a retry, was asked for
        for (int i = 0; i <= MAX_TIMER_HANDSHAKES; i++) {
            assertEquals(List.of("retry@" + (timers.nextDeadline() - T0)), run(timers.nextDeadline()), "retry " + i);
        }
        assertEquals(List.of("flushStaged", "clearHandshake", "gaveUp"), run(timers.nextDeadline()));
    }

    @Test
    void completingAHandshakeAlsoResetsTheAttempts() {
        timers.handshakeInitiated(T0);
        for (int i = 0; i < MAX_TIMER_HANDSHAKES; i++) {
            run(timers.nextDeadline());
        }
        timers.handshakeComplete();
        timers.handshakeInitiated(T0 + 200 * SECOND);
        for (int i = 0; i <= MAX_TIMER_HANDSHAKES; i++) {
            assertEquals(1, run(timers.nextDeadline()).size(), "retry " + i);
        }
    }

    @Test
    void dataReceivedSendsAKeepaliveAfterKeepaliveTimeoutUnlessSomethingIsSent() {
        timers.dataReceived(T0);
        assertEquals(T0 + KEEPALIVE_TIMEOUT, timers.nextDeadline());
        timers.dataReceived(T0 + SECOND);
        assertEquals(T0 + KEEPALIVE_TIMEOUT, timers.nextDeadline(), "not moved by more data");
        assertEquals(List.of(), run(T0 + KEEPALIVE_TIMEOUT - 1));
        assertEquals(List.of("keepalive@" + KEEPALIVE_TIMEOUT), run(T0 + KEEPALIVE_TIMEOUT));
        // Data arrived while it ran: once more, KEEPALIVE_TIMEOUT after it fired.
        assertEquals(T0 + 2 * KEEPALIVE_TIMEOUT, timers.nextDeadline());
        assertEquals(List.of("keepalive@" + 2 * KEEPALIVE_TIMEOUT), run(T0 + 2 * KEEPALIVE_TIMEOUT));
        assertEquals(NEVER, timers.nextDeadline(), "and only once more");

        timers.dataReceived(T0 + 100 * SECOND);
        timers.anyAuthenticatedPacketSent();
        assertEquals(NEVER, timers.nextDeadline(), "a packet sent is as good as a keepalive");
    }

    @Test
    void dataSentWithoutAnAnswerStartsANewHandshakeAfterKeepalivePlusRekeyTimeout() {
        timers.dataSent(T0);
        long at = T0 + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter();
        assertEquals(at, timers.nextDeadline());
        timers.dataSent(T0 + SECOND);
        assertEquals(at, timers.nextDeadline(), "not moved by more data");
        assertEquals(List.of(), run(at - 1));
        assertEquals(List.of("initiation@" + (at - T0)), run(at));
        assertEquals(at + REKEY_TIMEOUT + jitter(), timers.nextDeadline(), "only the initiation's retransmission is left");

        timers.handshakeComplete();
        timers.dataSent(T0 + 100 * SECOND);
        long again = T0 + 100 * SECOND + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter();
        assertEquals(again, timers.nextDeadline(), "restarted by data after it fired");
        timers.anyAuthenticatedPacketReceived();
        assertEquals(NEVER, timers.nextDeadline(), "an answer stops it");
        timers.dataSent(T0 + 200 * SECOND);
        assertEquals(T0 + 200 * SECOND + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter(), timers.nextDeadline());
    }

    @Test
    void keyMaterialIsZeroedThreeRejectAfterTimesAfterTheLastSession() {
        timers.sessionDerived(T0);
        timers.sessionDerived(T0 + 7 * SECOND);
        assertEquals(T0 + 7 * SECOND + ZERO_KEY_MATERIAL_AFTER, timers.nextDeadline());
        assertEquals(T0 + 7 * SECOND + 3 * ProtocolConstants.REJECT_AFTER_TIME, timers.nextDeadline());
        assertEquals(List.of(), run(T0 + 7 * SECOND + ZERO_KEY_MATERIAL_AFTER - 1));
        assertEquals(List.of("zero", "keysZeroed"), run(T0 + 7 * SECOND + ZERO_KEY_MATERIAL_AFTER));
        assertEquals(NEVER, timers.nextDeadline());
    }

    @Test
    void persistentKeepaliveRunsFromTheLastPacketSent() {
        long interval = 25 * SECOND;
        timers.anyAuthenticatedPacketTraversal(T0);
        assertEquals(NEVER, timers.nextDeadline(), "off");
        timers.setPersistentKeepaliveNanos(interval);
        assertEquals(interval, timers.persistentKeepaliveNanos());
        timers.anyAuthenticatedPacketTraversal(T0);
        assertEquals(T0 + interval, timers.nextDeadline());
        timers.anyAuthenticatedPacketTraversal(T0 + 3 * SECOND);
        assertEquals(T0 + 3 * SECOND + interval, timers.nextDeadline(), "restarted by each send");
        assertEquals(List.of(), run(T0 + 3 * SECOND + interval - 1));
        assertEquals(List.of("keepalive@" + (3 * SECOND + interval)), run(T0 + 3 * SECOND + interval));
        assertEquals(NEVER, timers.nextDeadline(), "the keepalive's own send restarts it (the engine reports it)");

        timers.anyAuthenticatedPacketTraversal(T0 + 100 * SECOND);
        timers.setPersistentKeepaliveNanos(0);
        assertEquals(NEVER, timers.nextDeadline(), "turned off: stopped");
        assertEquals(0, timers.persistentKeepaliveNanos());
    }

    @Test
    void dueTimersRunInWireGuardsOrder() {
        timers.setPersistentKeepaliveNanos(SECOND);
        timers.handshakeInitiated(T0);
        timers.dataReceived(T0);
        timers.dataSent(T0);
        timers.sessionDerived(T0 - ZERO_KEY_MATERIAL_AFTER + SECOND);
        timers.anyAuthenticatedPacketTraversal(T0);
        long now = T0 + 20 * SECOND;
        assertEquals(List.of("retry@" + 20 * SECOND, "keepalive@" + 20 * SECOND, "initiation@" + 20 * SECOND,
                "zero", "keysZeroed", "keepalive@" + 20 * SECOND), run(now));
    }

    // ---------------------------------------------------------------- sends through the SendPath

    /** A connected pair's initiator side, with timers of this test's own over its send path. */
    private static final class Connected {
        final EnginePair w = new EnginePair(2);
        final PeerTimers timers;

        Connected(long seed) {
            w.handshake();
            timers = new PeerTimers(w.a.peer, w.a.peer.sendPath(), new SplittableRandom(seed));
        }

        void sendThroughPath(long now, int len) {
            byte[] buf = new byte[SessionEngine.SEND_HEADROOM + len + w.a.engine.sendTailroom(len)];
            SendPath.Result r = w.a.peer.sendPath().send(now, buf, SessionEngine.SEND_HEADROOM, len, io.keymesh.crypto.Aead.jdk(), w.a);
            assertTrue(r == SendPath.Result.SENT || r == SendPath.Result.SENT_WAKE_ENGINE, r.toString());
        }
    }

    @Test
    void aSendThroughThePathRestartsThePersistentKeepaliveFromItsTime() {
        Connected c = new Connected(5);
        long t = c.w.now;
        c.timers.setPersistentKeepaliveNanos(25 * SECOND);
        c.timers.anyAuthenticatedPacketTraversal(t);
        c.timers.dataReceived(t);
        assertEquals(t + KEEPALIVE_TIMEOUT, c.timers.nextDeadline());
        c.sendThroughPath(t + 5 * SECOND, 0); // a keepalive: no data
        c.timers.absorbSendPath();
        assertEquals(t + 30 * SECOND, c.timers.nextDeadline(), "the keepalive timer stopped, the persistent one moved");
        c.timers.absorbSendPath();
        assertEquals(t + 30 * SECOND, c.timers.nextDeadline(), "taken in once");
        c.timers.anyAuthenticatedPacketTraversal(t + 40 * SECOND);
        c.sendThroughPath(t + 39 * SECOND, 0); // an older send, taken in after a newer one
        c.timers.absorbSendPath();
        assertEquals(t + 65 * SECOND, c.timers.nextDeadline(), "never moved earlier");
    }

    @Test
    void aSendThroughThePathWithThePersistentKeepaliveOffStartsNothing() {
        Connected c = new Connected(6);
        c.sendThroughPath(c.w.now + SECOND, 0);
        c.timers.absorbSendPath();
        assertEquals(NEVER, c.timers.nextDeadline());
    }

    @Test
    void dataThroughThePathStartsTheNewHandshakeTimerFromItsTime() {
        Connected c = new Connected(7);
        SplittableRandom twin7 = new SplittableRandom(7);
        long t = c.w.now + 2 * SECOND;
        c.sendThroughPath(t, 3);
        assertEquals(t + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT, c.timers.nextDeadline(), "reported, not yet taken in");
        c.timers.absorbSendPath();
        long at = t + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + twin7.nextLong(REKEY_TIMEOUT_JITTER_MAX + 1);
        assertEquals(at, c.timers.nextDeadline());
        c.sendThroughPath(t + SECOND, 3);
        c.timers.absorbSendPath();
        assertEquals(at, c.timers.nextDeadline(), "running: not moved by more data");
    }
}
