package io.keymesh.session;

import static io.keymesh.session.HostileWorld.acceptedTimestamp;
import static io.keymesh.session.HostileWorld.addMac1;
import static io.keymesh.session.HostileWorld.expectedDrop;
import static io.keymesh.session.HostileWorld.feedBad;
import static io.keymesh.session.HostileWorld.frame;
import static io.keymesh.session.HostileWorld.initiationFrom;
import static io.keymesh.session.HostileWorld.nanosOf;
import static io.keymesh.session.HostileWorld.sessionStillWorks;
import static io.keymesh.session.HostileWorld.unknownIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.testing.Gen;
import io.keymesh.testing.SeededProperty;
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
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile datagrams against an established session: random bytes, mutated captures of every
 * message type, replays, stale initiations, unknown receiver indices and a peer with another
 * network key. For each bad packet: nothing is thrown, exactly one drop is counted (under the
 * reason the packet's bytes determine, see {@link HostileWorld#expectedDrop}), nothing is delivered, nothing
 * is sent in answer, no endpoint moves, the bytes around the packet in the caller's buffer are
 * untouched, and afterwards the session still carries data both ways.
 */
class HostilePacketProperties {
    private static final UdpEndpoint ATTACKER = UdpEndpoint.of(new InetSocketAddress("192.0.2.66", 4444));
    private static final UdpEndpoint ADDR_C = UdpEndpoint.of(new InetSocketAddress("10.0.0.3", 51820));

    // ------------------------------------------------------------------ (a) random datagrams

    private static void checkRandomDatagrams(HostileWorld x, List<byte[]> datagrams, boolean underLoad, boolean spoofed,
            RandomGenerator r) {
        x.w.a.engine.setForcedUnderLoad(underLoad);
        x.w.b.engine.setForcedUnderLoad(underLoad);
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

    @Test
    void randomDatagramsAreDroppedSilently() {
        SeededProperty.forAll(150, r -> checkRandomDatagrams(new HostileWorld(r.nextLong()), datagrams(r), r.nextBoolean(),
                r.nextBoolean(), r));
    }

    /**
     * Up to 25 datagrams: random bytes of any length up to 2000 (3 in 8), short ones up to 40 bytes
     * (1 in 8), and random bodies behind each valid type field, at the type's length, one byte
     * short or one byte long (4 in 8).
     */
    private static List<byte[]> datagrams(RandomGenerator r) {
        int n = Gen.ints(r, 0, 25);
        List<byte[]> datagrams = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(8);
            if (kind < 3) {
                datagrams.add(Gen.bytes(r, 0, 2000));
            } else if (kind < 4) {
                datagrams.add(Gen.bytes(r, 0, 40));
            } else {
                datagrams.add(typed(r, Gen.ints(r, 1, 4), Gen.ints(r, -1, 1), Gen.ints(r, TransportData.MIN_LENGTH, 2000)));
            }
        }
        return datagrams;
    }

    /**
     * Random bytes behind type field {@code type}, {@code delta} bytes off its length (transport:
     * one byte too short, or {@code transportLength}).
     */
    private static byte[] typed(RandomGenerator r, int type, int delta, int transportLength) {
        int len = switch (type) {
            case 1 -> HandshakeInitiation.LENGTH + delta;
            case 2 -> HandshakeResponse.LENGTH + delta;
            case 3 -> CookieReply.LENGTH + delta;
            default -> delta < 0 ? TransportData.MIN_LENGTH - 1 : transportLength;
        };
        byte[] b = new byte[len];
        r.nextBytes(b);
        Bytes.putIntLE(b, 0, type);
        return b;
    }

    /**
     * The empty datagram, single bytes, each handshake type at its length and one byte either
     * side, transport one byte short of its shortest, at its shortest and at 2000 bytes, and
     * uniform datagrams of the largest length: under load or not, from the peer's address or not.
     */
    @ParameterizedTest
    @CsvSource({"false, false", "false, true", "true, false", "true, true"})
    void edgeDatagramsAreDroppedSilently(boolean underLoad, boolean spoofed) {
        SplittableRandom r = new SplittableRandom(underLoad ? 11 : 12);
        List<byte[]> datagrams = new ArrayList<>();
        datagrams.add(new byte[0]);
        for (byte b : new byte[] {0, 1, 2, 3, 4, 5, -1}) {
            datagrams.add(new byte[] {b});
        }
        for (int type = 1; type <= 4; type++) {
            for (int delta = -1; delta <= 1; delta++) {
                datagrams.add(typed(r, type, delta, delta == 0 ? TransportData.MIN_LENGTH : 2000));
            }
        }
        for (byte fill : new byte[] {0, -1}) {
            byte[] d = new byte[2000];
            Arrays.fill(d, fill);
            datagrams.add(d);
        }
        checkRandomDatagrams(new HostileWorld(spoofed ? 21 : 22), datagrams, underLoad, spoofed, r);
    }

    // ------------------------------------------------------------------ (b) mutated captures

    /** One bit flipped, a truncation (to position mod (length + 1)) or bytes appended. */
    record Mutation(int op, int position, int bit, byte[] extra) {
        static Mutation flip(int position, int bit) {
            return new Mutation(0, position, bit, null);
        }

        static Mutation truncate(int position) {
            return new Mutation(1, position, 0, null);
        }

        static Mutation append(byte[] extra) {
            return new Mutation(2, 0, 0, extra);
        }

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

    /** A captured packet (see {@link HostileWorld#captured}) with mutations, from the real peer's address or not. */
    record Mutant(int target, List<Mutation> mutations, boolean spoofed) {}

    private static void checkMutants(HostileWorld x, List<Mutant> mutants, RandomGenerator r) {
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

    @Test
    void mutatedCapturesAreDroppedSilently() {
        SeededProperty.forAll(120, r -> checkMutants(new HostileWorld(r.nextLong()), mutants(r), r));
    }

    /**
     * 5 to 25 mutants of any captured packet, each with one to three mutations: a flipped bit (12
     * in 14; half of them in the first 32 bytes, the header and the first key bytes), a truncation
     * or appended bytes (1 in 14 each).
     */
    private static List<Mutant> mutants(RandomGenerator r) {
        int n = Gen.ints(r, 5, 25);
        List<Mutant> mutants = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int count = Gen.ints(r, 1, 3);
            List<Mutation> mutations = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                int kind = r.nextInt(14);
                if (kind < 12) {
                    int position = r.nextBoolean() ? Gen.ints(r, 0, 31) : Gen.ints(r, 0, Integer.MAX_VALUE);
                    mutations.add(Mutation.flip(position, Gen.ints(r, 0, 7)));
                } else if (kind == 12) {
                    mutations.add(Mutation.truncate(Gen.ints(r, 0, Integer.MAX_VALUE)));
                } else {
                    mutations.add(Mutation.append(Gen.bytes(r, 1, 64)));
                }
            }
            mutants.add(new Mutant(Gen.ints(r, 0, 6), mutations, r.nextBoolean()));
        }
        return mutants;
    }

    /**
     * Every captured packet with each edge mutation alone: the first and last bit of the first
     * byte, the last bit of byte 31, a position past any packet, truncations to nothing, one byte
     * and (mod length + 1) the largest position, and one or 64 bytes appended.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void edgeMutationsOfEveryCaptureAreDroppedSilently(boolean spoofed) {
        byte[] sixtyFour = new byte[64];
        Arrays.fill(sixtyFour, (byte) -1);
        List<Mutation> edges = List.of(Mutation.flip(0, 0), Mutation.flip(0, 7), Mutation.flip(31, 7),
                Mutation.flip(Integer.MAX_VALUE, 7), Mutation.truncate(0), Mutation.truncate(1),
                Mutation.truncate(Integer.MAX_VALUE), Mutation.append(new byte[1]), Mutation.append(sixtyFour));
        List<Mutant> mutants = new ArrayList<>();
        for (int target = 0; target <= 6; target++) {
            for (Mutation m : edges) {
                mutants.add(new Mutant(target, List.of(m), spoofed));
            }
        }
        checkMutants(new HostileWorld(spoofed ? 31 : 32), mutants, new SplittableRandom(33));
    }

    // ------------------------------------------------------------------ (c) replays

    /** Picks 0 and 1 are the transport packets b accepted, 2 and 3 those a accepted. */
    private static void checkReplays(HostileWorld x, List<Integer> picks, boolean spoofed, RandomGenerator r) {
        for (int pick : picks) {
            EnginePair.Side v = pick < 2 ? x.w.b : x.w.a;
            byte[] p = x.acceptedBy(v).get(pick % 2);
            feedBad(x, v, p, spoofed ? x.peerAddressOf(v) : ATTACKER, DropReason.REPLAY, r);
        }
        sessionStillWorks(x, r);
    }

    @Test
    void replayedTransportPacketsAreDroppedAsReplays() {
        SeededProperty.forAll(100, r -> {
            HostileWorld x = new HostileWorld(r.nextLong());
            int n = Gen.ints(r, 1, 20);
            List<Integer> picks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                picks.add(Gen.ints(r, 0, 3));
            }
            checkReplays(x, picks, r.nextBoolean(), r);
        });
    }

    /** Each accepted packet replayed, then each again in reverse order. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyAcceptedTransportPacketReplayedTwiceIsDroppedAsAReplay(boolean spoofed) {
        checkReplays(new HostileWorld(spoofed ? 41 : 42), List.of(0, 1, 2, 3, 3, 2, 1, 0), spoofed, new SplittableRandom(43));
    }

    // ------------------------------------------------------------------ (d) stale initiations

    private static void checkStaleInitiations(HostileWorld x, List<Integer> millisBefore, boolean spoofed, RandomGenerator r) {
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

    @Test
    void initiationsWithStaleTimestampsAreDropped() {
        SeededProperty.forAll(60, r -> {
            HostileWorld x = new HostileWorld(r.nextLong());
            int n = Gen.ints(r, 1, 6);
            List<Integer> millisBefore = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                millisBefore.add(Gen.ints(r, 0, 3_600_000));
            }
            checkStaleInitiations(x, millisBefore, r.nextBoolean(), r);
        });
    }

    /** Exactly the accepted time, a millisecond before it, and an hour (and a millisecond less) before it. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void initiationsStampedAtOrJustBeforeTheAcceptedTimeAreDropped(boolean spoofed) {
        checkStaleInitiations(new HostileWorld(spoofed ? 51 : 52), List.of(0, 1, 3_599_999, 3_600_000), spoofed,
                new SplittableRandom(53));
    }

    // ------------------------------------------------------------------ (e) unknown receiver indices

    private static void checkUnknownIndices(HostileWorld x, List<Integer> indices, boolean spoofed, RandomGenerator r) {
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

    @Test
    void packetsForUnknownReceiverIndicesAreDropped() {
        SeededProperty.forAll(100, r -> {
            HostileWorld x = new HostileWorld(r.nextLong());
            int n = Gen.ints(r, 1, 10);
            List<Integer> indices = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                indices.add(Gen.anyInt(r));
            }
            checkUnknownIndices(x, indices, r.nextBoolean(), r);
        });
    }

    /** The edges of the int range as receiver indices (the largest wraps to the smallest if in use). */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void packetsForEdgeReceiverIndicesAreDropped(boolean spoofed) {
        List<Integer> indices = new ArrayList<>();
        for (long index : Gen.edges(Integer.MIN_VALUE, Integer.MAX_VALUE)) {
            indices.add((int) index);
        }
        checkUnknownIndices(new HostileWorld(spoofed ? 61 : 62), indices, spoofed, new SplittableRandom(63));
    }

    // ------------------------------------------------------------------ (f) another network key

    /**
     * c is a peer of b but holds another network key. IKpsk2 mixes the psk in only at the
     * response, so b cannot tell from the initiation and answers it as WireGuard does; c then
     * finds the response does not authenticate. No session forms, nothing is delivered, and the
     * session between a and b is unaffected. The two network keys differ, and c's key is neither
     * a's nor b's.
     */
    private static void checkAnotherNetworkKey(HostileWorld x, byte[] networkKey, byte[] otherKey, byte[] cKey, long cSeed,
            RandomGenerator r) {
        EnginePair.Side b = x.w.b;
        EnginePair.Side c = x.w.new Side(PrivateKey.of(cKey), cSeed, ADDR_C);
        assertFalse(Arrays.equals(networkKey, otherKey));
        assertFalse(isKeyOf(x, cKey));
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

    /** Whether {@code key} is a's or b's private key (they have the same public key). */
    private static boolean isKeyOf(HostileWorld x, byte[] key) {
        PublicKey k = PrivateKey.of(key).publicKey();
        return k.equals(x.w.a.key.publicKey()) || k.equals(x.w.b.key.publicKey());
    }

    /** Keys are drawn again until the two network keys differ and c's key is neither a's nor b's. */
    @Test
    void aPeerWithAnotherNetworkKeyNeverGetsASession() {
        SeededProperty.forAll(50, r -> {
            long seed = r.nextLong();
            byte[] networkKey = Gen.bytes(r, 32, 32);
            byte[] otherKey = Gen.bytes(r, 32, 32);
            while (Arrays.equals(networkKey, otherKey)) {
                otherKey = Gen.bytes(r, 32, 32);
            }
            HostileWorld x = new HostileWorld(seed, PresharedKey.of(networkKey));
            byte[] cKey = Gen.bytes(r, 32, 32);
            while (isKeyOf(x, cKey)) {
                cKey = Gen.bytes(r, 32, 32);
            }
            checkAnotherNetworkKey(x, networkKey, otherKey, cKey, seed + 1, r);
        });
    }

    /** Network keys and c's key of all zero bytes, all ones, or all 0x01 (the zero network key is the default one). */
    @ParameterizedTest
    @CsvSource({"0, -1, 0", "0, 1, -1", "-1, 0, 0", "-1, 1, -1", "1, 0, 1", "1, -1, 0"})
    void aPeerWithAnotherUniformNetworkKeyNeverGetsASession(byte network, byte other, byte c) {
        HostileWorld x = new HostileWorld(71, PresharedKey.of(filled(network)));
        checkAnotherNetworkKey(x, filled(network), filled(other), filled(c), 72, new SplittableRandom(73));
    }

    private static byte[] filled(byte value) {
        byte[] key = new byte[32];
        Arrays.fill(key, value);
        return key;
    }

    // ------------------------------------------------------------------ malformed inner packets

    /**
     * Whether an inner packet of {@code size} bytes with {@code lengthField} in its header is one an
     * authenticated peer must not get delivered: an IPv4 total length below its 20-byte header or
     * past the (padded) payload, an IPv6 payload length past the payload, or a header cut short.
     */
    private static boolean badInnerLength(int size, int lengthField, boolean v6) {
        int padded = TransportData.paddedLength(size, 0);
        return v6 ? padded < 40 || lengthField + 40 > padded : padded < 20 || lengthField < 20 || lengthField > padded;
    }

    /**
     * An authenticated peer (not a network attacker) sends IP packets whose length field does not
     * fit (see {@link #badInnerLength}). They are dropped as MALFORMED, not delivered (wireguard-go's
     * receive path drops the same packets).
     */
    private static void checkBadInnerPacket(long seed, int size, int lengthField, boolean v6, RandomGenerator r) {
        assertTrue(badInnerLength(size, lengthField, v6));
        HostileWorld x = new HostileWorld(seed);
        byte[] ip = new byte[size];
        r.nextBytes(ip);
        if (v6) {
            ip[0] = (byte) (0x60 | ip[0] & 0x0f);
            if (size >= 2 + 4) {
                Bytes.putShortBE(ip, 4, lengthField);
            }
        } else {
            ip[0] = (byte) (0x40 | ip[0] & 0x0f);
            if (size >= 2 + 2) {
                Bytes.putShortBE(ip, 2, lengthField);
            }
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

    /** Sizes and length fields that a peer may legitimately send are drawn again. */
    @Test
    void badInnerIpPacketsFromAPeerAreNotDelivered() {
        SeededProperty.forAll(50, r -> {
            int size;
            int lengthField;
            boolean v6;
            do {
                size = Gen.ints(r, 1, 300);
                lengthField = Gen.ints(r, 0, 65535);
                v6 = r.nextBoolean();
            } while (!badInnerLength(size, lengthField, v6));
            checkBadInnerPacket(r.nextLong(), size, lengthField, v6, r);
        });
    }

    /**
     * Sizes around where the length field is cut short and where the headers end, with length
     * fields at the ends of their range and one past the padded payload; those a peer may
     * legitimately send are left out.
     */
    static List<Arguments> badInnerPacketEdges() {
        List<Arguments> cases = new ArrayList<>();
        for (int size : new int[] {1, 3, 4, 5, 6, 20, 40, 41, 300}) {
            int padded = TransportData.paddedLength(size, 0);
            for (boolean v6 : new boolean[] {false, true}) {
                for (int lengthField : new int[] {0, 19, 20, 65535, v6 ? Math.max(0, padded - 39) : padded + 1}) {
                    if (badInnerLength(size, lengthField, v6)) {
                        cases.add(Arguments.of(size, lengthField, v6));
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("badInnerPacketEdges")
    void badInnerIpPacketsAtTheEdgesAreNotDelivered(int size, int lengthField, boolean v6) {
        checkBadInnerPacket(size * 2L + (v6 ? 1 : 0), size, lengthField, v6, new SplittableRandom(size));
    }

}
