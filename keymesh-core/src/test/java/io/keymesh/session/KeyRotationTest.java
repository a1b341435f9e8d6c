package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.SECOND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.X25519;
import io.keymesh.testing.TestKeys;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.HandshakeResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Keypairs as they rotate through previous, current and next (wireguard-go's {@code keypair.go}):
 * which one is retired — keys zeroed, index freed — at each step, so that at most three keypairs
 * per peer ever hold keys; and what a handshake leaves behind: nothing in the index table it does
 * not need, no handshake state once complete, an ephemeral key drawn from the engine's randomness
 * and wiped after use.
 */
class KeyRotationTest {

    private static void assertRetired(Keypair kp, String what) {
        assertTrue(kp.isRetired(), what + " retired");
        assertArrayEquals(new byte[32], kp.sendKey, what + " send key zeroed");
        assertArrayEquals(new byte[32], kp.receiveKey, what + " receive key zeroed");
    }

    @Test
    void eachRekeyRetiresTheKeypairBeforeLastOnBothSides() {
        EnginePair w = new EnginePair(71);
        List<Keypair> a = new ArrayList<>();
        List<Keypair> b = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            w.now += 10 * SECOND; // past REKEY_TIMEOUT: a may initiate again
            w.handshake();
            a.add(w.a.peer.current);
            b.add(w.b.peer.current);
            assertSame(a.get(i), w.a.peer.current);
            assertNull(w.b.peer.next, "promoted by a's keepalive");
        }
        // After three handshakes: previous = the second, current = the third, the first retired.
        assertRetired(a.get(0), "a's first");
        assertRetired(b.get(0), "b's first");
        assertSame(a.get(1), w.a.peer.previous);
        assertSame(b.get(1), w.b.peer.previous);
        assertFalse(a.get(1).isRetired());
        assertFalse(b.get(1).isRetired());
        assertEquals(2, w.a.engine.indicesInUse(), "previous and current");
        assertEquals(2, w.b.engine.indicesInUse());
        assertNull(indexed(w.a.engine, a.get(0).localIndex));
        assertNull(indexed(w.b.engine, b.get(0).localIndex));
    }

    @Test
    void aResponderThatCompletesItsOwnHandshakeKeepsTheWaitingKeypairAsPrevious() {
        EnginePair w = new EnginePair(72);
        w.handshake();
        w.now += 10 * SECOND;
        w.handshake();
        Keypair bPrevious = w.b.peer.previous;
        Keypair bCurrent = w.b.peer.current;

        // a initiates again; b answers, but the response is lost: b's keypair waits as next.
        w.now += 10 * SECOND;
        assertTrue(w.a.engine.initiateHandshake(w.now, w.a.peer));
        byte[] init = w.a.transmitted.getLast();
        w.inFlight.clear();
        w.b.engine.receive(w.now, init.clone(), 0, init.length, EnginePair.ADDR_A);
        Keypair bNext = w.b.peer.next;
        assertFalse(bNext == null, "b's answer waits as next");
        assertNull(w.b.peer.previous, "while a keypair waits as next there is no previous");
        assertSame(bPrevious, w.b.peer.retiring, "b's previous left the rotation but still opens packets for a while");
        assertFalse(bPrevious.isRetired());
        w.inFlight.clear();

        // b initiates, and completes as initiator.
        assertTrue(w.b.engine.initiateHandshake(w.now, w.b.peer));
        w.flush();
        assertEquals(3, w.b.handshakes);
        assertRetired(bPrevious, "b's previous, at b's next rotation");
        assertSame(bCurrent, w.b.peer.retiring, "b's old current left the rotation: a may still send on it");
        assertFalse(bCurrent.isRetired());
        assertSame(bNext, w.b.peer.previous, "the keypair that waited becomes previous");
        assertFalse(bNext.isRetired());
        assertTrue(w.b.peer.current.isInitiator);
        assertNull(w.b.peer.next);
    }

    @Test
    void anUnansweredInitiationFreesItsIndexWhenReplacedAndACompletedHandshakeLeavesNoState() {
        EnginePair w = new EnginePair(73);
        w.wireUp = false;
        assertTrue(w.a.engine.initiateHandshake(w.now, w.a.peer));
        int first = HandshakeInitiation.sender(w.a.transmitted.getLast(), 0);
        assertEquals(1, w.a.engine.indicesInUse());
        w.now += 10 * SECOND;
        assertTrue(w.a.engine.initiateHandshake(w.now, w.a.peer));
        int second = HandshakeInitiation.sender(w.a.transmitted.getLast(), 0);
        assertEquals(1, w.a.engine.indicesInUse(), "the first initiation's index is freed");
        assertNull(indexed(w.a.engine, first));
        assertSame(w.a.peer, indexed(w.a.engine, second));
        w.flush();

        w.wireUp = true;
        w.now += 10 * SECOND;
        w.handshake();
        Handshake hs = w.a.peer.handshake;
        assertEquals(Handshake.State.ZEROED, hs.state, "complete: nothing in flight");
        assertNull(hs.noise);
        assertEquals(1, w.a.engine.indicesInUse(), "the keypair's index only");
    }

    @Test
    void theEphemeralKeyComesFromTheEnginesRandomnessAndIsWipedAfterUse() {
        Recording random = new Recording(74);
        PrivateKey key = TestKeys.key(new SplittableRandom(1));
        List<byte[]> sent = new ArrayList<>();
        SessionEngine engine = new SessionEngine(key, random, EnginePair.WALL_OFFSET,
                (to, packet, off, len) -> sent.add(Arrays.copyOfRange(packet, off, off + len)), (p, from, kind, payload, off, len) -> {});
        Peer peer = engine.addPeer(TestKeys.key(new SplittableRandom(2)).publicKey(), PresharedKey.ZERO);
        peer.setEndpoint(UdpEndpoint.of(new InetSocketAddress("10.0.0.2", 51820)));
        random.drawn.clear();
        random.given.clear();
        assertTrue(engine.initiateHandshake(EnginePair.START, peer));

        assertEquals(1, random.drawn.size(), "one 32-byte draw: the ephemeral private key");
        byte[] ephemeral = random.drawn.getFirst().clone();
        X25519.clamp(ephemeral);
        byte[] init = sent.getLast();
        assertArrayEquals(X25519.publicKey(ephemeral), Arrays.copyOfRange(init, HandshakeInitiation.EPHEMERAL,
                HandshakeInitiation.EPHEMERAL + 32), "the unencrypted ephemeral is the public key of the draw");
        assertArrayEquals(new byte[32], random.given.getFirst(), "the engine's copy of the private key is wiped");
    }

    @Test
    void aSecondAnswerBeforeTheFirstWasUsedRetiresTheFirst() {
        EnginePair w = new EnginePair(75);
        w.wireUp = false;
        assertTrue(w.a.engine.initiateHandshake(w.now, w.a.peer));
        byte[] first = w.a.transmitted.getLast();
        w.now += 10 * SECOND;
        assertTrue(w.a.engine.initiateHandshake(w.now, w.a.peer));
        byte[] second = w.a.transmitted.getLast();
        w.inFlight.clear();
        w.b.engine.receive(w.now, first.clone(), 0, first.length, EnginePair.ADDR_A);
        Keypair waiting = w.b.peer.next;
        assertFalse(waiting == null);
        w.b.engine.receive(w.now + SECOND, second.clone(), 0, second.length, EnginePair.ADDR_A);
        assertRetired(waiting, "the first answer's keypair");
        assertFalse(w.b.peer.next.isRetired());
        assertEquals(1, w.b.engine.indicesInUse(), "the second answer's only");
    }

    @Test
    void theRespondersEphemeralKeyIsWipedAfterUse() {
        EnginePair w = new EnginePair(76);
        assertTrue(w.a.engine.initiateHandshake(w.now, w.a.peer));
        byte[] init = w.a.transmitted.getLast();
        w.inFlight.clear();

        Recording random = new Recording(77);
        List<byte[]> sent = new ArrayList<>();
        SessionEngine b = new SessionEngine(w.b.key, random, EnginePair.WALL_OFFSET,
                (to, packet, off, len) -> sent.add(Arrays.copyOfRange(packet, off, off + len)), (p, from, kind, payload, off, len) -> {});
        b.addPeer(w.a.key.publicKey(), PresharedKey.ZERO);
        random.drawn.clear();
        random.given.clear();
        b.receive(w.now, init.clone(), 0, init.length, EnginePair.ADDR_A);
        assertEquals(1, b.responsesSent());
        assertEquals(1, random.drawn.size(), "one 32-byte draw: the ephemeral private key");
        byte[] ephemeral = random.drawn.getFirst().clone();
        X25519.clamp(ephemeral);
        assertArrayEquals(X25519.publicKey(ephemeral), Arrays.copyOfRange(sent.getLast(), HandshakeResponse.EPHEMERAL, HandshakeResponse.EPHEMERAL + 32),
                "the response's unencrypted ephemeral");
        assertArrayEquals(new byte[32], random.given.getFirst(), "the engine's copy of the private key is wiped");
    }

    /** What the engine's index table holds at {@code index}, or null. */
    private static Object indexed(SessionEngine engine, int index) {
        try {
            java.lang.reflect.Field f = SessionEngine.class.getDeclaredField("indices");
            f.setAccessible(true);
            return ((IndexTable) f.get(engine)).get(index);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** A seeded generator that remembers each 32-byte array it filled: what it wrote and the array. */
    private static final class Recording implements RandomGenerator {
        private final SplittableRandom r;
        final List<byte[]> drawn = new ArrayList<>();
        final List<byte[]> given = new ArrayList<>();

        Recording(long seed) {
            r = new SplittableRandom(seed);
        }

        @Override
        public long nextLong() {
            return r.nextLong();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            r.nextBytes(bytes);
            if (bytes.length == 32) {
                drawn.add(bytes.clone());
                given.add(bytes);
            }
        }
    }
}
