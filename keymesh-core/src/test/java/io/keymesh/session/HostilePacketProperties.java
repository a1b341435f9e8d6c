package io.keymesh.session;

import static io.keymesh.session.ProtocolConstants.SECOND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.Blake2s;
import io.keymesh.crypto.ChaCha20Poly1305;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.wire.Bytes;
import io.keymesh.wire.CookieReply;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.HandshakeResponse;
import io.keymesh.wire.MessageType;
import io.keymesh.wire.TransportData;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Hostile datagrams against an established session: random bytes, mutated captures of every
 * message type, replays, stale initiations, unknown receiver indices and a peer with another
 * network key. For each bad packet: nothing is thrown, exactly one drop is counted (under the
 * reason the packet's bytes determine, see {@link #expectedDrop}), nothing is delivered, nothing
 * is sent in answer, no endpoint moves, the bytes around the packet in the caller's buffer are
 * untouched, and afterwards the session still carries data both ways.
 */
class HostilePacketProperties {
    private static final UdpEndpoint ATTACKER = UdpEndpoint.of(new InetSocketAddress("192.0.2.66", 4444));
    private static final UdpEndpoint ADDR_C = UdpEndpoint.of(new InetSocketAddress("10.0.0.3", 51820));

    // ------------------------------------------------------------------ the world under attack

    /** An established session between a (initiator) and b, and the packets captured on the way. */
    static final class World {
        final EnginePair w;
        /** The initiation b accepted (the retransmission carrying mac2). */
        final byte[] initiation;
        /** The response a accepted. */
        final byte[] response;
        /** The cookie reply a consumed. */
        final byte[] cookieReply;
        /** Transport packets b accepted (from a) and a accepted (from b). */
        final List<byte[]> acceptedByB;
        final List<byte[]> acceptedByA;

        World(long seed) {
            this(seed, PresharedKey.ZERO);
        }

        World(long seed, PresharedKey networkKey) {
            w = new EnginePair(seed, networkKey, networkKey);
            // The load estimate stays out of the way: under load, handshakes with a valid mac1 get a
            // cookie reply, which is an answer by design. Forcing load (below) is explicit.
            w.a.engine.setUnderLoadThreshold(Integer.MAX_VALUE);
            w.b.engine.setUnderLoadThreshold(Integer.MAX_VALUE);

            // A cookie round first, so that every message type is captured.
            w.b.engine.setForcedUnderLoad(true);
            w.a.send(frame("first"));
            w.flush();
            cookieReply = only(w.b.transmitted, MessageType.COOKIE_REPLY);
            assertEquals(1, w.a.peer.cookieRepliesReceived());
            w.advance(6 * SECOND); // the retransmitted initiation carries mac2
            w.b.engine.setForcedUnderLoad(false);
            initiation = last(w.a.transmitted, MessageType.HANDSHAKE_INITIATION);
            response = only(w.b.transmitted, MessageType.HANDSHAKE_RESPONSE);

            w.a.send(frame("second"));
            w.flush();
            w.b.send(frame("third"));
            w.b.send(frame("fourth"));
            w.flush();
            acceptedByB = all(w.a.transmitted, MessageType.TRANSPORT_DATA);
            acceptedByA = all(w.b.transmitted, MessageType.TRANSPORT_DATA);
            assertEquals(1, w.a.handshakes);
            assertEquals(1, w.b.handshakes);
            assertEquals(2, w.b.delivered.size());
            assertEquals(2, w.a.delivered.size());
            assertEquals(2, acceptedByB.size());
            assertEquals(2, acceptedByA.size());
            assertEquals(1, w.b.engine.dropped(DropReason.COOKIE_REQUIRED));
            assertEquals(1, w.b.engine.droppedTotal());
            assertEquals(0, w.a.engine.droppedTotal());
        }

        EnginePair.Side victimOf(int target) {
            return target == 0 || target == 3 || target == 4 ? w.b : w.a;
        }

        byte[] captured(int target) {
            return switch (target) {
                case 0 -> initiation;
                case 1 -> response;
                case 2 -> cookieReply;
                case 3, 4 -> acceptedByB.get(target - 3);
                default -> acceptedByA.get(target - 5);
            };
        }

        /** Transport packets {@code v} has accepted. */
        List<byte[]> acceptedBy(EnginePair.Side v) {
            return v == w.b ? acceptedByB : acceptedByA;
        }

        /** The address the real peer of {@code v} sends from. */
        Endpoint peerAddressOf(EnginePair.Side v) {
            return v == w.b ? EnginePair.ADDR_A : EnginePair.ADDR_B;
        }
    }

    // ------------------------------------------------------------------ (a) random datagrams

    @Property(tries = 150)
    void randomDatagramsAreDroppedSilently(@ForAll long seed, @ForAll("datagrams") List<byte[]> datagrams,
            @ForAll boolean underLoad, @ForAll boolean spoofed) {
        World x = new World(seed);
        x.w.a.engine.setForcedUnderLoad(underLoad);
        x.w.b.engine.setForcedUnderLoad(underLoad);
        SplittableRandom r = new SplittableRandom(seed);
        for (byte[] d : datagrams) {
            EnginePair.Side v = r.nextBoolean() ? x.w.a : x.w.b;
            DropReason expected = expectedDrop(x, v, d);
            if (MessageType.of(d, 0, d.length) == MessageType.INVALID) {
                assertEquals(DropReason.MALFORMED, expected);
            }
            feedBad(x, v, d, spoofed ? x.peerAddressOf(v) : ATTACKER, expected, r);
        }
        x.w.a.engine.setForcedUnderLoad(false);
        x.w.b.engine.setForcedUnderLoad(false);
        sessionStillWorks(x, r);
    }

    /** Random bytes of any length, short ones, and random bodies behind each valid type field. */
    @Provide
    Arbitrary<List<byte[]>> datagrams() {
        Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(2000);
        Arbitrary<byte[]> tiny = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        Arbitrary<byte[]> typed = Combinators.combine(
                        Arbitraries.integers().between(1, 4),
                        Arbitraries.integers().between(-1, 1),
                        Arbitraries.integers().between(TransportData.MIN_LENGTH, 2000),
                        Arbitraries.longs())
                .as((type, delta, transportLength, bodySeed) -> {
                    int len = switch (type) {
                        case 1 -> HandshakeInitiation.LENGTH + delta;
                        case 2 -> HandshakeResponse.LENGTH + delta;
                        case 3 -> CookieReply.LENGTH + delta;
                        default -> delta < 0 ? TransportData.MIN_LENGTH - 1 : transportLength;
                    };
                    byte[] b = new byte[len];
                    new SplittableRandom(bodySeed).nextBytes(b);
                    Bytes.putIntLE(b, 0, type);
                    return b;
                });
        return Arbitraries.frequencyOf(Tuple.of(3, any), Tuple.of(1, tiny), Tuple.of(4, typed)).list().ofMaxSize(25);
    }

    // ------------------------------------------------------------------ (b) mutated captures

    /** One bit flipped, a truncation (to position mod (length + 1)) or bytes appended. */
    record Mutation(int op, int position, int bit, byte[] extra) {
        byte[] apply(byte[] p) {
            return switch (op) {
                case 0 -> {
                    if (p.length == 0) {
                        yield p;
                    }
                    byte[] q = p.clone();
                    q[Math.floorMod(position, p.length)] ^= (byte) (1 << bit);
                    yield q;
                }
                case 1 -> Arrays.copyOf(p, Math.floorMod(position, p.length + 1));
                default -> {
                    byte[] q = Arrays.copyOf(p, p.length + extra.length);
                    System.arraycopy(extra, 0, q, p.length, extra.length);
                    yield q;
                }
            };
        }

        @Override
        public String toString() {
            return switch (op) {
                case 0 -> "flip(" + position + "," + bit + ")";
                case 1 -> "truncate(" + position + ")";
                default -> "append(" + extra.length + ")";
            };
        }
    }

    /** A captured packet (see {@link World#captured}) with mutations, from the real peer's address or not. */
    record Mutant(int target, List<Mutation> mutations, boolean spoofed) {}

    @Property(tries = 120)
    void mutatedCapturesAreDroppedSilently(@ForAll long seed, @ForAll("mutants") List<Mutant> mutants) {
        World x = new World(seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (Mutant m : mutants) {
            EnginePair.Side v = x.victimOf(m.target());
            byte[] p = x.captured(m.target());
            for (Mutation mu : m.mutations()) {
                p = mu.apply(p);
            }
            feedBad(x, v, p, m.spoofed() ? x.peerAddressOf(v) : ATTACKER, expectedDrop(x, v, p), r);
        }
        sessionStillWorks(x, r);
    }

    @Provide
    Arbitrary<List<Mutant>> mutants() {
        Arbitrary<Integer> position = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 31), // the header and the first key bytes
                Arbitraries.integers().greaterOrEqual(0));
        Arbitrary<Mutation> flip = Combinators.combine(position, Arbitraries.integers().between(0, 7))
                .as((pos, bit) -> new Mutation(0, pos, bit, null));
        Arbitrary<Mutation> truncate = Arbitraries.integers().greaterOrEqual(0).map(pos -> new Mutation(1, pos, 0, null));
        Arbitrary<Mutation> append = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64)
                .map(extra -> new Mutation(2, 0, 0, extra));
        Arbitrary<List<Mutation>> mutations = Arbitraries.frequencyOf(
                Tuple.of(12, flip), Tuple.of(1, truncate), Tuple.of(1, append)).list().ofMinSize(1).ofMaxSize(3);
        return Combinators.combine(Arbitraries.integers().between(0, 6), mutations, Arbitraries.of(true, false))
                .as(Mutant::new).list().ofMinSize(5).ofMaxSize(25);
    }

    // ------------------------------------------------------------------ (c) replays

    @Property(tries = 100)
    void replayedTransportPacketsAreDroppedAsReplays(@ForAll long seed,
            @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 0, max = 3) Integer> picks, @ForAll boolean spoofed) {
        World x = new World(seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int pick : picks) {
            EnginePair.Side v = pick < 2 ? x.w.b : x.w.a;
            byte[] p = x.acceptedBy(v).get(pick % 2);
            feedBad(x, v, p, spoofed ? x.peerAddressOf(v) : ATTACKER, DropReason.REPLAY, r);
        }
        sessionStillWorks(x, r);
    }

    // ------------------------------------------------------------------ (d) stale initiations

    @Property(tries = 60)
    void initiationsWithStaleTimestampsAreDropped(@ForAll long seed,
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 3_600_000) Integer> millisBefore,
            @ForAll boolean spoofed) {
        World x = new World(seed);
        SplittableRandom r = new SplittableRandom(seed);
        EnginePair.Side b = x.w.b;
        byte[] accepted = acceptedTimestamp(x);
        long acceptedNanos = nanosOf(accepted);
        Endpoint from = spoofed ? EnginePair.ADDR_A : ATTACKER;

        // The captured initiation, replayed as it was.
        feedBad(x, b, x.initiation, from, DropReason.STALE_TIMESTAMP, r);
        for (int ms : millisBefore) {
            // A genuine initiation from a's key (what an attacker replays from an older session),
            // timestamped at or before the one accepted.
            byte[] ts = new byte[Tai64n.LENGTH];
            Tai64n.write(acceptedNanos - ms * ProtocolConstants.MILLISECOND, ts, 0);
            byte[] init = initiationFrom(x.w.a.key, b.key.publicKey(), ts, r);
            assertEquals(DropReason.STALE_TIMESTAMP, expectedDrop(x, b, init));
            feedBad(x, b, init, from, DropReason.STALE_TIMESTAMP, r);
        }
        // Timestamps that are not time at all but compare below the accepted one.
        byte[] low = new byte[Tai64n.LENGTH];
        r.nextBytes(low);
        low[0] = (byte) (accepted[0] - 1);
        feedBad(x, b, initiationFrom(x.w.a.key, b.key.publicKey(), low, r), from, DropReason.STALE_TIMESTAMP, r);
        feedBad(x, b, initiationFrom(x.w.a.key, b.key.publicKey(), new byte[Tai64n.LENGTH], r), from,
                DropReason.STALE_TIMESTAMP, r);
        sessionStillWorks(x, r);
    }

    // ------------------------------------------------------------------ (e) unknown receiver indices

    @Property(tries = 100)
    void packetsForUnknownReceiverIndicesAreDropped(@ForAll long seed, @ForAll @Size(min = 1, max = 10) List<Integer> indices,
            @ForAll boolean spoofed) {
        World x = new World(seed);
        SplittableRandom r = new SplittableRandom(seed);
        EnginePair.Side a = x.w.a;
        EnginePair.Side b = x.w.b;
        for (int index : indices) {
            // Transport to b: a random counter and body behind an index b never gave out.
            int ib = unknownIndex(b, index);
            byte[] t = new byte[TransportData.MIN_LENGTH + r.nextInt(1500)];
            r.nextBytes(t);
            TransportData.writeHeader(t, 0, ib, r.nextLong() >>> 1);
            assertEquals(DropReason.UNKNOWN_INDEX, expectedDrop(x, b, t));
            feedBad(x, b, t, spoofed ? EnginePair.ADDR_A : ATTACKER, DropReason.UNKNOWN_INDEX, r);

            // The captured transport packet to b, readdressed.
            byte[] moved = x.acceptedByB.get(r.nextInt(2)).clone();
            Bytes.putIntLE(moved, TransportData.RECEIVER, ib);
            feedBad(x, b, moved, spoofed ? EnginePair.ADDR_A : ATTACKER, DropReason.UNKNOWN_INDEX, r);

            // A response to a with a valid mac1 (anyone can compute it from a's public key) for an
            // index that names no handshake in progress.
            int ia = unknownIndex(a, index);
            byte[] resp = x.response.clone();
            HandshakeResponse.writeHeader(resp, 0, r.nextInt(), ia);
            addMac1(resp, HandshakeResponse.MAC1, a.key.publicKey());
            feedBad(x, a, resp, spoofed ? EnginePair.ADDR_B : ATTACKER, DropReason.UNEXPECTED_MESSAGE, r);

            // A cookie reply for such an index.
            byte[] cookie = x.cookieReply.clone();
            CookieReply.writeHeader(cookie, 0, ia);
            feedBad(x, a, cookie, spoofed ? EnginePair.ADDR_B : ATTACKER, DropReason.UNEXPECTED_MESSAGE, r);
        }
        // A response with a valid mac1 addressed to a's live keypair: an index, but not a handshake.
        byte[] resp = x.response.clone();
        HandshakeResponse.writeHeader(resp, 0, r.nextInt(), a.peer.current.localIndex);
        addMac1(resp, HandshakeResponse.MAC1, a.key.publicKey());
        feedBad(x, a, resp, ATTACKER, DropReason.UNEXPECTED_MESSAGE, r);
        // The captured response and cookie reply again: their handshake is over.
        feedBad(x, a, x.response, EnginePair.ADDR_B, DropReason.UNEXPECTED_MESSAGE, r);
        feedBad(x, a, x.cookieReply, EnginePair.ADDR_B, DropReason.UNEXPECTED_MESSAGE, r);
        sessionStillWorks(x, r);
    }

    // ------------------------------------------------------------------ (f) another network key

    /**
     * c is a peer of b but holds another network key. IKpsk2 mixes the psk in only at the
     * response, so b cannot tell from the initiation and answers it as WireGuard does; c then
     * finds the response does not authenticate. No session forms, nothing is delivered, and the
     * session between a and b is unaffected.
     */
    @Property(tries = 50)
    void aPeerWithAnotherNetworkKeyNeverGetsASession(@ForAll long seed, @ForAll("keys") byte[] networkKey,
            @ForAll("keys") byte[] otherKey, @ForAll("keys") byte[] cKey) {
        Assume.that(!Arrays.equals(networkKey, otherKey));
        World x = new World(seed, PresharedKey.of(networkKey));
        SplittableRandom r = new SplittableRandom(seed);
        EnginePair.Side b = x.w.b;
        EnginePair.Side c = x.w.new Side(PrivateKey.of(cKey), seed + 1, ADDR_C);
        Assume.that(!c.key.publicKey().equals(b.key.publicKey()) && !c.key.publicKey().equals(x.w.a.key.publicKey()));
        c.other = b;
        Peer cAtB = b.engine.addPeer(c.key.publicKey(), PresharedKey.of(networkKey));
        c.peer = c.engine.addPeer(b.key.publicKey(), PresharedKey.of(otherKey));
        c.peer.setEndpoint(EnginePair.ADDR_B);

        long bDrops = b.engine.droppedTotal();
        int bTx = b.transmitted.size();
        int bDelivered = b.delivered.size();
        assertTrue(c.send(frame("let me in")));
        x.w.flush();
        assertEquals(bDrops, b.engine.droppedTotal(), "b cannot tell a wrong psk from the initiation");
        assertEquals(bTx + 1, b.transmitted.size(), "b answers the initiation, as WireGuard does");
        byte[] resp = b.transmitted.get(b.transmitted.size() - 1);
        assertEquals(MessageType.HANDSHAKE_RESPONSE, MessageType.of(resp, 0, resp.length));

        c.engine.receive(x.w.now, resp.clone(), 0, resp.length, EnginePair.ADDR_B);
        assertEquals(1, c.engine.dropped(DropReason.HANDSHAKE_FAILED));
        assertEquals(1, c.engine.droppedTotal());
        assertEquals(0, c.handshakes);
        assertEquals(1, c.transmitted.size(), "c sent its initiation and nothing else");
        assertTrue(c.delivered.isEmpty());
        assertEquals(bDelivered, b.delivered.size());
        assertFalse(cAtB.hasSession(x.w.now), "b never confirmed a session with c");
        assertEquals(1, b.handshakes, "b completed no handshake with c");
        sessionStillWorks(x, r);
    }

    @Provide
    Arbitrary<byte[]> keys() {
        return Arbitraries.bytes().array(byte[].class).ofSize(32);
    }

    // ------------------------------------------------------------------ malformed inner packets

    /**
     * An authenticated peer (not a network attacker) sends IP packets whose length field does not
     * fit: an IPv4 total length below its 20-byte header or past the payload, an IPv6 payload
     * length past the payload, or a header cut short. They are dropped as MALFORMED, not delivered
     * (wireguard-go's receive path drops the same packets).
     */
    @Property(tries = 50)
    void badInnerIpPacketsFromAPeerAreNotDelivered(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int size,
            @ForAll @IntRange(min = 0, max = 65535) int lengthField, @ForAll boolean v6) {
        World x = new World(seed);
        SplittableRandom r = new SplittableRandom(seed);
        byte[] ip = new byte[size];
        r.nextBytes(ip);
        int padded = TransportData.paddedLength(size, 0);
        int claimed;
        if (v6) {
            ip[0] = (byte) (0x60 | ip[0] & 0x0f);
            if (size >= 2 + 4) {
                Bytes.putShortBE(ip, 4, lengthField);
            }
            claimed = lengthField + 40;
            Assume.that(padded < 40 || claimed > padded);
        } else {
            ip[0] = (byte) (0x40 | ip[0] & 0x0f);
            if (size >= 2 + 2) {
                Bytes.putShortBE(ip, 2, lengthField);
            }
            claimed = lengthField;
            Assume.that(padded < 20 || claimed < 20 || claimed > padded);
        }
        EnginePair.Side b = x.w.b;
        long malformed = b.engine.dropped(DropReason.MALFORMED);
        long total = b.engine.droppedTotal();
        int delivered = b.delivered.size();
        assertTrue(x.w.a.send(ip));
        x.w.flush();
        assertEquals(malformed + 1, b.engine.dropped(DropReason.MALFORMED));
        assertEquals(total + 1, b.engine.droppedTotal());
        assertEquals(delivered, b.delivered.size(), "nothing delivered");
        sessionStillWorks(x, r);
    }

    // ------------------------------------------------------------------ the oracle

    /**
     * The drop reason the packet's bytes determine at {@code v}, recomputed from the victim's keys
     * and state as WireGuard defines them; null where the bytes alone do not decide it.
     */
    static DropReason expectedDrop(World x, EnginePair.Side v, byte[] p) {
        switch (MessageType.of(p, 0, p.length)) {
            case MessageType.HANDSHAKE_INITIATION -> {
                if (!mac1Valid(p, HandshakeInitiation.MAC1, v.key.publicKey())) {
                    return DropReason.BAD_MAC1;
                }
                // Not under load, so mac2 is not looked at: the captured initiation with another
                // mac2 is the same initiation again, its timestamp not newer than itself.
                if (v == x.w.b && Arrays.equals(p, 0, HandshakeInitiation.MAC2, x.initiation, 0, HandshakeInitiation.MAC2)) {
                    return DropReason.STALE_TIMESTAMP;
                }
                if (v == x.w.b && HandshakeInitiation.LENGTH == p.length) {
                    byte[] ts = timestampOf(v.key, p);
                    if (ts == null) {
                        return DropReason.UNKNOWN_PEER;
                    }
                    if (!Tai64n.isAfter(ts, 0, acceptedTimestamp(x), 0)) {
                        return DropReason.STALE_TIMESTAMP;
                    }
                }
                return null;
            }
            case MessageType.HANDSHAKE_RESPONSE -> {
                if (!mac1Valid(p, HandshakeResponse.MAC1, v.key.publicKey())) {
                    return DropReason.BAD_MAC1;
                }
                int receiver = HandshakeResponse.receiver(p, 0);
                for (Peer peer : v.engine.peers()) {
                    if (peer.handshake.state == Handshake.State.INITIATION_CREATED && peer.handshake.localIndex == receiver) {
                        return null;
                    }
                }
                return DropReason.UNEXPECTED_MESSAGE;
            }
            case MessageType.COOKIE_REPLY -> {
                // A cookie reply decrypts only against the mac1 of the last handshake message sent;
                // none of these answers one.
                return DropReason.UNEXPECTED_MESSAGE;
            }
            case MessageType.TRANSPORT_DATA -> {
                Keypair kp = keypairAt(v, TransportData.receiver(p, 0));
                if (kp == null) {
                    return DropReason.UNKNOWN_INDEX;
                }
                if (Long.compareUnsigned(TransportData.counter(p, 0), ProtocolConstants.REJECT_AFTER_MESSAGES) >= 0) {
                    return DropReason.KEYPAIR_EXPIRED;
                }
                for (byte[] accepted : x.acceptedBy(v)) {
                    if (Arrays.equals(accepted, p)) {
                        return DropReason.REPLAY;
                    }
                }
                return DropReason.BAD_TAG;
            }
            default -> {
                return DropReason.MALFORMED;
            }
        }
    }

    private static Keypair keypairAt(EnginePair.Side v, int index) {
        for (Peer peer : v.engine.peers()) {
            for (Keypair kp : new Keypair[] {peer.previous, peer.current, peer.next}) {
                if (kp != null && kp.localIndex == index) {
                    return kp;
                }
            }
        }
        return null;
    }

    private static boolean indexInUse(EnginePair.Side v, int index) {
        if (keypairAt(v, index) != null) {
            return true;
        }
        for (Peer peer : v.engine.peers()) {
            if (peer.handshake.state == Handshake.State.INITIATION_CREATED && peer.handshake.localIndex == index) {
                return true;
            }
        }
        return false;
    }

    private static int unknownIndex(EnginePair.Side v, int index) {
        while (indexInUse(v, index)) {
            index++;
        }
        return index;
    }

    // ------------------------------------------------------------------ feeding and checking

    /**
     * Feeds one bad packet to {@code v}, embedded at a random offset in a buffer of random bytes,
     * and checks everything a dropped packet must leave as it was.
     */
    private static void feedBad(World x, EnginePair.Side v, byte[] p, Endpoint from, DropReason expected,
            SplittableRandom r) {
        int off = r.nextInt(9);
        byte[] buf = new byte[off + p.length + r.nextInt(9)];
        r.nextBytes(buf);
        System.arraycopy(p, 0, buf, off, p.length);
        byte[] around = buf.clone();

        long[] before = drops(v.engine);
        int transmitted = v.transmitted.size();
        int delivered = v.delivered.size();
        int inFlight = x.w.inFlight.size();
        int handshakes = v.handshakes;
        Endpoint endpoint = v.peer.endpoint();
        String what = describe(p) + " from " + from;

        assertDoesNotThrow(() -> v.engine.receive(x.w.now, buf, off, p.length, from), what);

        long[] after = drops(v.engine);
        assertEquals(sum(before) + 1, sum(after), "exactly one drop for " + what + ", got " + diff(before, after));
        if (expected != null) {
            assertEquals(before[expected.ordinal()] + 1, after[expected.ordinal()],
                    "expected " + expected + " for " + what + ", got " + diff(before, after));
        }
        assertEquals(transmitted, v.transmitted.size(), "silence on the wire after " + what);
        assertEquals(inFlight, x.w.inFlight.size());
        assertEquals(delivered, v.delivered.size(), "nothing delivered for " + what);
        assertEquals(handshakes, v.handshakes);
        assertEquals(endpoint, v.peer.endpoint(), "no roaming on " + what);
        assertArrayEquals(Arrays.copyOf(around, off), Arrays.copyOf(buf, off), "bytes before the packet");
        assertArrayEquals(Arrays.copyOfRange(around, off + p.length, around.length),
                Arrays.copyOfRange(buf, off + p.length, buf.length), "bytes after the packet");
    }

    /** A fresh payload each way is delivered, and nothing more is dropped. */
    private static void sessionStillWorks(World x, SplittableRandom r) {
        EnginePair.Side a = x.w.a;
        EnginePair.Side b = x.w.b;
        long aDrops = a.engine.droppedTotal();
        long bDrops = b.engine.droppedTotal();
        for (EnginePair.Side from : new EnginePair.Side[] {a, b}) {
            EnginePair.Side to = from.other;
            byte[] payload = new byte[1 + r.nextInt(200)];
            r.nextBytes(payload);
            payload[0] = 0x01; // a mesh frame: delivered with WireGuard's zero padding
            int delivered = to.delivered.size();
            assertTrue(from.send(payload));
            x.w.flush();
            assertEquals(delivered + 1, to.delivered.size(), "the session still carries data");
            assertArrayEquals(Arrays.copyOf(payload, TransportData.paddedLength(payload.length, 0)),
                    to.delivered.get(to.delivered.size() - 1));
        }
        assertEquals(aDrops, a.engine.droppedTotal());
        assertEquals(bDrops, b.engine.droppedTotal());
        assertEquals(1, a.handshakes, "no new handshake was needed");
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] frame(String s) {
        byte[] t = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] m = new byte[t.length + 1];
        m[0] = 0x01;
        System.arraycopy(t, 0, m, 1, t.length);
        return m;
    }

    private static List<byte[]> all(List<byte[]> packets, int type) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] p : packets) {
            if (MessageType.of(p, 0, p.length) == type) {
                out.add(p.clone());
            }
        }
        return out;
    }

    private static byte[] only(List<byte[]> packets, int type) {
        List<byte[]> l = all(packets, type);
        assertEquals(1, l.size(), "packets of type " + type);
        return l.get(0);
    }

    private static byte[] last(List<byte[]> packets, int type) {
        List<byte[]> l = all(packets, type);
        assertFalse(l.isEmpty());
        return l.get(l.size() - 1);
    }

    private static boolean mac1Valid(byte[] p, int mac1Offset, PublicKey receiver) {
        byte[] expected = new byte[Blake2s.MAC_LENGTH];
        Blake2s.mac(Blake2s.hash(ProtocolConstants.LABEL_MAC1, receiver.toBytes()), p, 0, mac1Offset, expected, 0);
        return Arrays.equals(expected, 0, 16, p, mac1Offset, mac1Offset + 16);
    }

    private static void addMac1(byte[] p, int mac1Offset, PublicKey receiver) {
        Blake2s.mac(Blake2s.hash(ProtocolConstants.LABEL_MAC1, receiver.toBytes()), p, 0, mac1Offset, p, mac1Offset);
    }

    /** The timestamp in an initiation to {@code responder}, or null if it does not decrypt. */
    private static byte[] timestampOf(PrivateKey responder, byte[] initiation) {
        NoiseIKpsk2 noise = NoiseIKpsk2.responder(new ChaCha20Poly1305(), NoiseIKpsk2.initialState(
                ProtocolConstants.CONSTRUCTION, ProtocolConstants.IDENTIFIER, responder.publicKey()), responder);
        byte[] ts = noise.readMessageA(Arrays.copyOfRange(initiation, HandshakeInitiation.EPHEMERAL, HandshakeInitiation.MAC1));
        return ts != null && ts.length == Tai64n.LENGTH ? ts : null;
    }

    private static byte[] acceptedTimestamp(World x) {
        byte[] ts = timestampOf(x.w.b.key, x.initiation);
        assertNotNull(ts);
        return ts;
    }

    /** Unix time in nanoseconds of a TAI64N label written by {@link Tai64n#write}. */
    private static long nanosOf(byte[] ts) {
        long label = 0;
        for (int i = 0; i < 8; i++) {
            label = label << 8 | (ts[i] & 0xff);
        }
        long nanos = (ts[8] & 0xffL) << 24 | (ts[9] & 0xffL) << 16 | (ts[10] & 0xffL) << 8 | (ts[11] & 0xffL);
        return (label - Tai64n.LABEL_BASE) * SECOND + nanos;
    }

    /** A well-formed initiation from {@code initiator} to {@code responder} carrying {@code timestamp}. */
    private static byte[] initiationFrom(PrivateKey initiator, PublicKey responder, byte[] timestamp, SplittableRandom r) {
        NoiseIKpsk2 noise = NoiseIKpsk2.initiator(new ChaCha20Poly1305(), NoiseIKpsk2.initialState(
                ProtocolConstants.CONSTRUCTION, ProtocolConstants.IDENTIFIER, responder), initiator, responder);
        byte[] ephemeral = new byte[32];
        r.nextBytes(ephemeral);
        byte[] msgA = noise.writeMessageA(ephemeral, timestamp);
        byte[] p = new byte[HandshakeInitiation.LENGTH];
        HandshakeInitiation.writeHeader(p, 0, r.nextInt());
        System.arraycopy(msgA, 0, p, HandshakeInitiation.EPHEMERAL, msgA.length);
        addMac1(p, HandshakeInitiation.MAC1, responder);
        return p;
    }

    private static long[] drops(SessionEngine e) {
        long[] d = new long[DropReason.values().length];
        for (DropReason reason : DropReason.values()) {
            d[reason.ordinal()] = e.dropped(reason);
        }
        return d;
    }

    private static long sum(long[] d) {
        long s = 0;
        for (long v : d) {
            s += v;
        }
        return s;
    }

    private static String diff(long[] before, long[] after) {
        StringBuilder sb = new StringBuilder("{");
        for (DropReason reason : DropReason.values()) {
            long n = after[reason.ordinal()] - before[reason.ordinal()];
            if (n != 0) {
                sb.append(reason).append('+').append(n).append(' ');
            }
        }
        return sb.append('}').toString();
    }

    private static String describe(byte[] p) {
        String head = java.util.HexFormat.of().formatHex(p, 0, Math.min(p.length, 12));
        return p.length + "-byte packet " + head + (p.length > 12 ? "..." : "");
    }
}
