package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.KEEPALIVE_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.REJECT_AFTER_TIME;
import static io.keymesh.session.ProtocolConstants.REKEY_AFTER_TIME;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT;
import static io.keymesh.session.ProtocolConstants.REKEY_TIMEOUT_JITTER_MAX;
import static io.keymesh.session.ProtocolConstants.SECOND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.Aead;
import io.keymesh.session.SendPath.Result;
import io.keymesh.wire.MessageType;
import io.keymesh.wire.TransportData;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SendPath}: packets it sends are the engine's (same wire format, counted, delivered), it
 * declines whenever the engine has something to do, WireGuard's timers see its sends exactly as
 * the engine's own, and it never sends with a keypair being retired or reuses a nonce while many
 * threads send and the engine rekeys and removes the peer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SendPathTest {
    private final Aead aead = Aead.jdk();

    /** Sends {@code payload} through {@code side}'s send path onto the pair's wire. */
    private static Result fastSend(EnginePair pair, EnginePair.Side side, byte[] payload, Aead aead) {
        byte[] buf = new byte[SessionEngine.SEND_HEADROOM + payload.length + side.engine.sendTailroom(payload.length)];
        System.arraycopy(payload, 0, buf, SessionEngine.SEND_HEADROOM, payload.length);
        return side.peer.sendPath().send(pair.now, buf, SessionEngine.SEND_HEADROOM, payload.length, aead,
                side);
    }

    private static EnginePair connected(long seed) {
        EnginePair pair = new EnginePair(seed);
        pair.a.send(new byte[] {1});
        pair.flush();
        assertEquals(1, pair.a.handshakes);
        pair.advance(KEEPALIVE_TIMEOUT + 1); // B's keepalive answers the data: no timer but key zeroing runs
        pair.a.delivered.clear();
        pair.b.delivered.clear();
        pair.a.transmitted.clear();
        pair.b.transmitted.clear();
        return pair;
    }

    private static long transportPackets(List<byte[]> packets) {
        return packets.stream().filter(p -> MessageType.of(p, 0, p.length) == MessageType.TRANSPORT_DATA).count();
    }

    private static long initiations(List<byte[]> packets) {
        return packets.stream().filter(p -> MessageType.of(p, 0, p.length) == MessageType.HANDSHAKE_INITIATION).count();
    }

    @Test
    void sendsWhatTheEngineWouldAndCountsIt() {
        EnginePair pair = connected(1);
        long txBefore = pair.a.peer.txPackets();
        byte[] payload = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}; // not an IP packet: delivered as is
        assertNotSame(Result.DECLINED, fastSend(pair, pair.a, payload, aead));
        pair.flush();
        assertEquals(1, pair.b.delivered.size());
        byte[] got = pair.b.delivered.get(0);
        assertArrayEquals(payload, Arrays.copyOf(got, payload.length));
        assertEquals(txBefore + 1, pair.a.peer.txPackets());
        assertEquals(0, pair.b.engine.droppedTotal());
        // and the engine's own next packet takes a later counter: B accepts it too
        pair.a.send(new byte[] {2});
        pair.flush();
        assertEquals(2, pair.b.delivered.size());
        assertEquals(0, pair.b.engine.droppedTotal());
    }

    private static void assertNotSame(Result unexpected, Result actual) {
        assertTrue(actual != unexpected, "got " + actual);
    }

    @Test
    void declinesWithoutASessionAndWhilePacketsAreStaged() {
        EnginePair pair = new EnginePair(2);
        assertEquals(Result.DECLINED, fastSend(pair, pair.a, new byte[] {1}, aead));
        pair.wireUp = false;
        pair.a.send(new byte[] {1}); // staged behind a handshake that is lost
        pair.flush();
        assertEquals(1, pair.a.peer.stagedPackets());
        assertEquals(Result.DECLINED, fastSend(pair, pair.a, new byte[] {2}, aead));
        pair.wireUp = true;
        pair.advance(REKEY_TIMEOUT + REKEY_TIMEOUT_JITTER_MAX + 1); // retransmitted: the handshake completes
        assertEquals(0, pair.a.peer.stagedPackets());
        assertNotSame(Result.DECLINED, fastSend(pair, pair.a, new byte[] {3}, aead));
    }

    @Test
    void declinesOnceTheInitiatorMustRekeyThenUsesTheNewKeypair() {
        EnginePair pair = connected(3);
        Keypair first = pair.a.peer.current;
        assertTrue(first.isInitiator);
        pair.now += REKEY_AFTER_TIME + 1;
        assertEquals(Result.DECLINED, fastSend(pair, pair.a, new byte[] {1}, aead));
        assertEquals(0, initiations(pair.a.transmitted));
        pair.a.send(new byte[] {1}); // the engine's path sends it and starts the rekey
        assertEquals(1, initiations(pair.a.transmitted));
        pair.flush();
        assertTrue(pair.a.peer.current != first);
        assertSame(pair.a.peer.current, pair.a.peer.sendPath().publishedKeypair());
        assertNotSame(Result.DECLINED, fastSend(pair, pair.a, new byte[] {2}, aead));
        pair.flush();
        assertEquals(2, pair.b.delivered.size());
    }

    @Test
    void responderUsesItsKeypairUntilRejectAfterTime() {
        EnginePair pair = connected(4);
        assertTrue(!pair.b.peer.current.isInitiator);
        pair.now += REKEY_AFTER_TIME + 1;
        assertNotSame(Result.DECLINED, fastSend(pair, pair.b, new byte[] {1}, aead));
        pair.now += REJECT_AFTER_TIME - REKEY_AFTER_TIME;
        assertEquals(Result.DECLINED, fastSend(pair, pair.b, new byte[] {2}, aead));
    }

    @Test
    void routeIsWithdrawnWhenThePeerIsRemoved() {
        EnginePair pair = connected(5);
        Keypair kp = pair.a.peer.current;
        pair.a.engine.removePeer(pair.b.key.publicKey());
        assertTrue(kp.isRetired());
        assertNull(pair.a.peer.sendPath().publishedKeypair());
        assertEquals(Result.DECLINED, fastSend(pair, pair.a, new byte[] {1}, aead));
    }

    @Test
    void aRetiredKeypairIsNeverUsedEvenIfStillPublished() {
        EnginePair pair = connected(6);
        Keypair kp = pair.a.peer.current;
        kp.wipe(); // as if the engine were retiring it while this thread read the route
        assertSame(kp, pair.a.peer.sendPath().publishedKeypair());
        long before = transportPackets(pair.a.transmitted);
        assertEquals(Result.DECLINED, fastSend(pair, pair.a, new byte[] {1}, aead));
        assertEquals(before, transportPackets(pair.a.transmitted));
    }

    @Test
    void aKeypairRetiredWhileSealingIsNotSent() {
        EnginePair pair = connected(13);
        Keypair kp = pair.a.peer.current;
        Aead retiringMidway = new Aead() { // the engine's thread retires the keypair during the seal
            @Override
            public int seal(byte[] key, long counter, byte[] ad, int adLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
                kp.wipe();
                return aead.seal(key, counter, ad, adLen, in, inOff, len, out, outOff);
            }

            @Override
            public int open(byte[] key, long counter, byte[] ad, int adLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
                return aead.open(key, counter, ad, adLen, in, inOff, len, out, outOff);
            }
        };
        long before = transportPackets(pair.a.transmitted);
        assertEquals(Result.DECLINED, fastSend(pair, pair.a, new byte[] {1}, retiringMidway));
        assertEquals(before, transportPackets(pair.a.transmitted));
    }

    // ------------------------------------------------------------------ timers

    @Test
    void dataSentStartsTheNewHandshakeTimerAndWakesTheEngineOnlyOnce() {
        EnginePair pair = connected(7);
        long sentAt = pair.now;
        assertTrue(pair.a.engine.nextDeadline() > sentAt + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT, "nothing due soon");
        assertEquals(Result.SENT_WAKE_ENGINE, fastSend(pair, pair.a, new byte[] {1}, aead));
        assertEquals(Result.SENT, fastSend(pair, pair.a, new byte[] {2}, aead));
        pair.wireUp = false; // no answer: WireGuard starts a handshake 15 s (plus jitter) after the data
        assertEquals(sentAt + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT, pair.a.engine.nextDeadline());
        pair.advanceTo(sentAt + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT - 1);
        assertEquals(0, initiations(pair.a.transmitted));
        pair.advanceTo(sentAt + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + REKEY_TIMEOUT_JITTER_MAX);
        assertEquals(1, initiations(pair.a.transmitted));
    }

    @Test
    void anAnswerStopsTheNewHandshakeTimer() {
        EnginePair pair = connected(8);
        fastSend(pair, pair.a, new byte[] {1}, aead);
        pair.flush();
        pair.b.send(new byte[] {2}); // B answers with data
        pair.flush();
        pair.advance(KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + REKEY_TIMEOUT_JITTER_MAX + 1);
        assertEquals(0, initiations(pair.a.transmitted));
        assertEquals(0, initiations(pair.b.transmitted));
    }

    @Test
    void aSendThroughThePathStopsThePendingKeepalive() {
        EnginePair pair = connected(9);
        pair.a.send(new byte[] {1}); // B received data: its keepalive timer runs
        pair.flush();
        pair.now += SECOND;
        fastSend(pair, pair.b, new byte[] {2}, aead); // B answers through its send path
        pair.flush();
        long fromB = transportPackets(pair.b.transmitted);
        pair.advance(KEEPALIVE_TIMEOUT + 1);
        assertEquals(fromB, transportPackets(pair.b.transmitted), "no keepalive: B has sent since receiving");
    }

    @Test
    void withoutASendTheKeepaliveGoesOut() {
        EnginePair pair = connected(10);
        pair.a.send(new byte[] {1});
        pair.flush();
        long fromB = transportPackets(pair.b.transmitted);
        pair.advance(KEEPALIVE_TIMEOUT + 1);
        assertEquals(fromB + 1, transportPackets(pair.b.transmitted));
    }

    @Test
    void persistentKeepaliveCountsFromTheLatestSendThroughThePath() {
        EnginePair pair = connected(11);
        pair.a.peer.setPersistentKeepaliveSeconds(25);
        pair.a.send(new byte[] {1}); // arms the persistent keepalive from now
        pair.flush();
        long start = pair.now;
        pair.advanceTo(start + 20 * SECOND);
        fastSend(pair, pair.a, new byte[] {2}, aead);
        pair.flush();
        long fromA = transportPackets(pair.a.transmitted);
        pair.advanceTo(start + 44 * SECOND);
        assertEquals(fromA, transportPackets(pair.a.transmitted), "the keepalive moved to 45 s");
        pair.advanceTo(start + 45 * SECOND);
        assertEquals(fromA + 1, transportPackets(pair.a.transmitted));
    }

    // ------------------------------------------------------------------ races

    /**
     * Threads send through the path while the engine's thread rekeys over and over (each rekey
     * retires the keypair before last) and finally removes the peer (retiring the published one).
     * Every packet that left must authenticate under the keys its index named when they were live,
     * and no (index, counter) pair may repeat.
     */
    @Test
    void sendersRacingRekeysAndRemovalNeverUseARetiredKeyNorRepeatANonce() throws Exception {
        for (int round = 0; round < 20; round++) {
            raceOnce(100 + round);
        }
    }

    private void raceOnce(long seed) throws Exception {
        EnginePair pair = connected(seed);
        Map<Integer, byte[]> sendKeys = new ConcurrentHashMap<>(); // remote index -> a copy of the live send key
        Runnable recordKeys = () -> {
            Keypair kp = pair.a.peer.current;
            sendKeys.putIfAbsent(kp.remoteIndex, kp.sendKey.clone());
        };
        recordKeys.run();
        ConcurrentLinkedQueue<byte[]> wire = new ConcurrentLinkedQueue<>();
        AtomicLong clock = new AtomicLong(pair.now);
        AtomicBoolean stop = new AtomicBoolean();
        int threads = 4;
        CountDownLatch started = new CountDownLatch(threads);
        Thread[] senders = new Thread[threads];
        SendPath path = pair.a.peer.sendPath();
        for (int t = 0; t < threads; t++) {
            senders[t] = Thread.ofPlatform().start(() -> {
                Aead mine = Aead.jdk();
                byte[] payload = new byte[48];
                started.countDown();
                while (!stop.get()) {
                    byte[] buf = new byte[SessionEngine.SEND_HEADROOM + payload.length + 16 + 16];
                    System.arraycopy(payload, 0, buf, SessionEngine.SEND_HEADROOM, payload.length);
                    path.send(clock.get(), buf, SessionEngine.SEND_HEADROOM, payload.length, mine,
                            (to, p, off, len) -> wire.add(Arrays.copyOfRange(p, off, off + len)));
                }
            });
        }
        started.await();
        for (int rekey = 0; rekey < 5; rekey++) {
            pair.now += REKEY_TIMEOUT + 1; // initiations are limited to one per REKEY_TIMEOUT
            clock.set(pair.now);
            assertTrue(pair.a.engine.initiateHandshake(pair.now, pair.a.peer));
            pair.flush();
            recordKeys.run();
            Thread.onSpinWait();
        }
        pair.a.engine.removePeer(pair.b.key.publicKey());
        stop.set(true);
        for (Thread t : senders) {
            t.join();
        }
        assertTrue(wire.size() > 0);
        Aead check = Aead.jdk();
        java.util.Set<String> nonces = new java.util.HashSet<>();
        for (byte[] p : wire) {
            int index = TransportData.receiver(p, 0);
            long counter = TransportData.counter(p, 0);
            assertTrue(nonces.add(index + "/" + counter), "nonce used twice: " + index + "/" + counter);
            byte[] key = sendKeys.get(index);
            assertNotNull(key, "sent with a keypair the engine never made current: " + index);
            byte[] plain = new byte[p.length];
            int n = check.open(key, counter, null, 0, p, TransportData.HEADER_LENGTH, p.length - TransportData.HEADER_LENGTH,
                    plain, 0);
            assertTrue(n >= 0, "packet " + index + "/" + counter + " does not authenticate under its live key");
        }
        for (Thread t : senders) {
            assertTrue(!t.isAlive());
        }
    }

    @Test
    void addressChangePublishesTheNewEndpoint() {
        EnginePair pair = connected(12);
        UdpEndpoint moved = UdpEndpoint.of(new InetSocketAddress("10.0.0.9", 4000));
        pair.a.peer.setEndpoint(moved);
        Endpoint[] seen = new Endpoint[1];
        byte[] buf = new byte[SessionEngine.SEND_HEADROOM + 1 + pair.a.engine.sendTailroom(1)];
        pair.a.peer.sendPath().send(pair.now, buf, SessionEngine.SEND_HEADROOM, 1, aead, (to, p, off, len) -> seen[0] = to);
        assertEquals(moved, seen[0]);
    }
}
