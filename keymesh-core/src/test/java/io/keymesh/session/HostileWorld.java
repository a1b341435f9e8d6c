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
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.HandshakeResponse;
import io.keymesh.wire.MessageType;
import io.keymesh.wire.TransportData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * An established session between a (initiator) and b, the packets captured on the way, and what
 * {@link HostilePacketProperties} checks with it: the drop a hostile packet's bytes call for
 * ({@link #expectedDrop}), feeding one and checking everything a dropped packet must leave as it
 * was ({@link #feedBad}), and that the session still carries data afterwards.
 */
final class HostileWorld {
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

    HostileWorld(long seed) {
        this(seed, PresharedKey.ZERO);
    }

    HostileWorld(long seed, PresharedKey networkKey) {
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

    // ------------------------------------------------------------------ the oracle

    /**
     * The drop reason the packet's bytes determine at {@code v}, recomputed from the victim's keys
     * and state as WireGuard defines them; null where the bytes alone do not decide it.
     */
    static DropReason expectedDrop(HostileWorld x, EnginePair.Side v, byte[] p) {
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

    static Keypair keypairAt(EnginePair.Side v, int index) {
        for (Peer peer : v.engine.peers()) {
            for (Keypair kp : new Keypair[] {peer.previous, peer.current, peer.next}) {
                if (kp != null && kp.localIndex == index) {
                    return kp;
                }
            }
        }
        return null;
    }

    static boolean indexInUse(EnginePair.Side v, int index) {
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

    static int unknownIndex(EnginePair.Side v, int index) {
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
    static void feedBad(HostileWorld x, EnginePair.Side v, byte[] p, Endpoint from, DropReason expected,
            RandomGenerator r) {
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
    static void sessionStillWorks(HostileWorld x, RandomGenerator r) {
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

    static byte[] frame(String s) {
        byte[] t = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] m = new byte[t.length + 1];
        m[0] = 0x01;
        System.arraycopy(t, 0, m, 1, t.length);
        return m;
    }

    static List<byte[]> all(List<byte[]> packets, int type) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] p : packets) {
            if (MessageType.of(p, 0, p.length) == type) {
                out.add(p.clone());
            }
        }
        return out;
    }

    static byte[] only(List<byte[]> packets, int type) {
        List<byte[]> l = all(packets, type);
        assertEquals(1, l.size(), "packets of type " + type);
        return l.get(0);
    }

    static byte[] last(List<byte[]> packets, int type) {
        List<byte[]> l = all(packets, type);
        assertFalse(l.isEmpty());
        return l.get(l.size() - 1);
    }

    static boolean mac1Valid(byte[] p, int mac1Offset, PublicKey receiver) {
        byte[] expected = new byte[Blake2s.MAC_LENGTH];
        Blake2s.mac(Blake2s.hash(ProtocolConstants.LABEL_MAC1, receiver.toBytes()), p, 0, mac1Offset, expected, 0);
        return Arrays.equals(expected, 0, 16, p, mac1Offset, mac1Offset + 16);
    }

    static void addMac1(byte[] p, int mac1Offset, PublicKey receiver) {
        Blake2s.mac(Blake2s.hash(ProtocolConstants.LABEL_MAC1, receiver.toBytes()), p, 0, mac1Offset, p, mac1Offset);
    }

    /** The timestamp in an initiation to {@code responder}, or null if it does not decrypt. */
    static byte[] timestampOf(PrivateKey responder, byte[] initiation) {
        NoiseIKpsk2 noise = NoiseIKpsk2.responder(new ChaCha20Poly1305(), NoiseIKpsk2.initialState(
                ProtocolConstants.CONSTRUCTION, ProtocolConstants.IDENTIFIER, responder.publicKey()), responder);
        byte[] ts = noise.readMessageA(Arrays.copyOfRange(initiation, HandshakeInitiation.EPHEMERAL, HandshakeInitiation.MAC1));
        return ts != null && ts.length == Tai64n.LENGTH ? ts : null;
    }

    static byte[] acceptedTimestamp(HostileWorld x) {
        byte[] ts = timestampOf(x.w.b.key, x.initiation);
        assertNotNull(ts);
        return ts;
    }

    /** Unix time in nanoseconds of a TAI64N label written by {@link Tai64n#write}. */
    static long nanosOf(byte[] ts) {
        long label = 0;
        for (int i = 0; i < 8; i++) {
            label = label << 8 | (ts[i] & 0xff);
        }
        long nanos = (ts[8] & 0xffL) << 24 | (ts[9] & 0xffL) << 16 | (ts[10] & 0xffL) << 8 | (ts[11] & 0xffL);
        return (label - Tai64n.LABEL_BASE) * SECOND + nanos;
    }

    /** A well-formed initiation from {@code initiator} to {@code responder} carrying {@code timestamp}. */
    static byte[] initiationFrom(PrivateKey initiator, PublicKey responder, byte[] timestamp, RandomGenerator r) {
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

    static long[] drops(SessionEngine e) {
        long[] d = new long[DropReason.values().length];
        for (DropReason reason : DropReason.values()) {
            d[reason.ordinal()] = e.dropped(reason);
        }
        return d;
    }

    static long sum(long[] d) {
        long s = 0;
        for (long v : d) {
            s += v;
        }
        return s;
    }

    static String diff(long[] before, long[] after) {
        StringBuilder sb = new StringBuilder("{");
        for (DropReason reason : DropReason.values()) {
            long n = after[reason.ordinal()] - before[reason.ordinal()];
            if (n != 0) {
                sb.append(reason).append('+').append(n).append(' ');
            }
        }
        return sb.append('}').toString();
    }

    static String describe(byte[] p) {
        String head = java.util.HexFormat.of().formatHex(p, 0, Math.min(p.length, 12));
        return p.length + "-byte packet " + head + (p.length > 12 ? "..." : "");
    }
}
