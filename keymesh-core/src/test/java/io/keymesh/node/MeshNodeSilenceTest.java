package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.drops;
import static io.keymesh.testing.Loopback.stats;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.DropReason;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.SessionEvents;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.keymesh.testing.RecordingListener;
import io.keymesh.wire.CookieReply;
import io.keymesh.wire.HandshakeInitiation;
import io.keymesh.wire.HandshakeResponse;
import io.keymesh.wire.MessageType;
import io.keymesh.wire.TransportData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Strangers get silence, verified on the wire: every intruder's packets pass through a
 * {@link UdpTap} or come from a plain {@link DatagramChannel}, and the test counts what comes back
 * — nothing, for {@link #QUIET} — and checks that the node counted each packet under the expected
 * {@link DropReason}. A member through the same tap is answered, so a zero is not the tap's doing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshNodeSilenceTest {
    /** How long an intruder listens for an answer. A node answers within one receive call, if at all. */
    static final Duration QUIET = Duration.ofSeconds(2);

    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();

    @Test
    void aMemberThroughTheTapIsAnswered() {
        PrivateKey memberKey = newKey();
        Node target = net.start(newKey(), network, List.of(PeerConfig.of(memberKey.publicKey(), null)));
        UdpTap tap = net.track(new UdpTap(target.address()));
        Node member = net.start(memberKey, network, List.of(PeerConfig.of(target.publicKey(), tap.address())));

        member.mesh().send(target.publicKey(), bytes("ping"));
        await("the target receives ping", () -> target.events().datagramCount() == 1);
        target.mesh().send(member.publicKey(), bytes("pong"));
        await("the member receives pong", () -> member.events().datagramCount() == 1);

        assertTrue(tap.toClient() >= 2, "a handshake response and pong came back through the tap: " + tap.toClient());
        assertEquals(tap.address(), stats(target, memberKey.publicKey()).endpoint());
    }

    @Test
    void aNodeWithTheWrongNetworkKeyGetsSilence() {
        PrivateKey intruderKey = newKey();
        // The target allows the intruder's key: only the network key is wrong.
        Node target = net.start(newKey(), network, List.of(PeerConfig.of(intruderKey.publicKey(), null)));
        UdpTap tap = net.track(new UdpTap(target.address()));
        Node intruder = net.start(intruderKey, newNetworkKey(), List.of(PeerConfig.of(target.publicKey(), tap.address())));

        intruder.mesh().send(target.publicKey(), bytes("let me in"));
        assertSilence(target, tap, DropReason.BAD_MAC1);
        assertNull(stats(target, intruderKey.publicKey()).endpoint(), "the target never learned the intruder's address");
        assertEquals(0, stats(target, intruderKey.publicKey()).rxPackets());
        assertEquals(List.of(), intruder.events().peersUp());
    }

    @Test
    void aKeyThatIsNotAllowedGetsSilence() {
        Node target = net.start(newKey(), network, List.of(PeerConfig.of(newKey().publicKey(), null)));
        UdpTap tap = net.track(new UdpTap(target.address()));
        // The right network key, but the target does not list this key.
        Node intruder = net.start(newKey(), network, List.of(PeerConfig.of(target.publicKey(), tap.address())));

        intruder.mesh().send(target.publicKey(), bytes("let me in"));
        assertSilence(target, tap, DropReason.UNKNOWN_PEER);
        assertEquals(List.of(), intruder.events().peersUp());
    }

    /**
     * Waits until the tap relayed the intruder's packets and the target counted every one of them
     * as {@code reason}, then listens {@link #QUIET}: nothing may come back.
     */
    private static void assertSilence(Node target, UdpTap tap, DropReason reason) {
        await("the intruder's packets reach the target", () -> tap.toServer() >= 1);
        await(() -> "the target drops all " + tap.toServer() + " as " + reason + ": " + drops(target),
                () -> drops(target).equals(Map.of(reason, tap.toServer())));
        assertFalse(Loopback.holdsWithin(QUIET, () -> tap.toClient() > 0 || !tap.fromServer().isEmpty()),
                "the target answered: " + tap.fromServer().size() + " packets");
        assertEquals(0, tap.toClient());
        assertEquals(List.of(), tap.fromServer());
        await(() -> "still exactly " + tap.toServer() + " drops, all " + reason + ": " + drops(target),
                () -> drops(target).equals(Map.of(reason, tap.toServer())));
    }

    @Test
    void garbageGetsSilence() throws IOException {
        Node target = net.start(newKey(), network, List.of(PeerConfig.of(newKey().publicKey(), null)));
        RawSocket raw = net.track(new RawSocket());
        SplittableRandom r = new SplittableRandom(1);
        Map<DropReason, Long> expected = new EnumMap<>(DropReason.class);

        // Not WireGuard at all: an unknown type, or a known type at a length it never has.
        for (int len : new int[] {0, 1, 3, 4, 31, 64, 92, 100, 147, 148, 149, 1400, 65_507}) {
            byte[] b = random(r, len);
            if (len > 0) {
                b[0] = (byte) 0xab;
            }
            raw.send(b, target.address());
            expected.merge(DropReason.MALFORMED, 1L, Long::sum);
        }
        raw.send(typed(random(r, HandshakeInitiation.LENGTH - 1), MessageType.HANDSHAKE_INITIATION), target.address());
        raw.send(typed(random(r, HandshakeResponse.LENGTH + 1), MessageType.HANDSHAKE_RESPONSE), target.address());
        raw.send(typed(random(r, CookieReply.LENGTH - 1), MessageType.COOKIE_REPLY), target.address());
        raw.send(typed(random(r, TransportData.MIN_LENGTH - 1), MessageType.TRANSPORT_DATA), target.address());
        expected.merge(DropReason.MALFORMED, 4L, Long::sum);

        // Random bytes in WireGuard's shapes.
        raw.send(typed(random(r, HandshakeInitiation.LENGTH), MessageType.HANDSHAKE_INITIATION), target.address());
        raw.send(typed(random(r, HandshakeResponse.LENGTH), MessageType.HANDSHAKE_RESPONSE), target.address());
        expected.put(DropReason.BAD_MAC1, 2L);
        raw.send(typed(random(r, CookieReply.LENGTH), MessageType.COOKIE_REPLY), target.address());
        expected.put(DropReason.UNEXPECTED_MESSAGE, 1L);
        raw.send(typed(random(r, 1400), MessageType.TRANSPORT_DATA), target.address());
        expected.put(DropReason.UNKNOWN_INDEX, 1L);

        assertSilence(target, raw, expected);
    }

    @Test
    void wellFormedInitiationsFromStrangersGetSilence() throws IOException {
        PrivateKey listed = newKey();
        Node target = net.start(newKey(), network, List.of(PeerConfig.of(listed.publicKey(), null)));
        RawSocket raw = net.track(new RawSocket());

        // Stock WireGuard (no network key: WireGuard's own mac1), from a stranger and from a listed key.
        raw.send(initiation(newKey(), null, target), target.address());
        raw.send(initiation(listed, null, target), target.address());
        // keymesh with another network's key, from a listed key.
        raw.send(initiation(listed, newNetworkKey(), target), target.address());
        // keymesh with the right network key, from a key that is not listed.
        raw.send(initiation(newKey(), network, target), target.address());

        assertSilence(target, raw, Map.of(DropReason.BAD_MAC1, 3L, DropReason.UNKNOWN_PEER, 1L));
        assertNull(stats(target, listed.publicKey()).endpoint(), "the target never learned a stranger's address");
    }

    @Test
    void replayedPacketsGetSilence() throws IOException {
        PrivateKey memberKey = newKey();
        Node target = net.start(newKey(), network, List.of(PeerConfig.of(memberKey.publicKey(), null)));
        UdpTap tap = net.track(new UdpTap(target.address()));
        Node member = net.start(memberKey, network, List.of(PeerConfig.of(target.publicKey(), tap.address())));
        for (int i = 0; i < 3; i++) {
            member.mesh().send(target.publicKey(), bytes("ping " + i));
        }
        await("the target receives three pings", () -> target.events().datagramCount() == 3);
        Map<DropReason, Long> before = drops(target);

        // Everything the member sent, captured on the wire, replayed from another address.
        RawSocket raw = net.track(new RawSocket());
        Map<DropReason, Long> expected = new EnumMap<>(before);
        for (byte[] packet : tap.fromClient()) {
            raw.send(packet, target.address());
            DropReason reason = switch (MessageType.of(packet, 0, packet.length)) {
                case MessageType.HANDSHAKE_INITIATION -> DropReason.STALE_TIMESTAMP;
                case MessageType.TRANSPORT_DATA -> DropReason.REPLAY;
                default -> throw new AssertionError("unexpected packet from the member: type " + packet[0]);
            };
            expected.merge(reason, 1L, Long::sum);
        }
        assertTrue(expected.getOrDefault(DropReason.STALE_TIMESTAMP, 0L) > before.getOrDefault(DropReason.STALE_TIMESTAMP, 0L));
        assertTrue(expected.getOrDefault(DropReason.REPLAY, 0L) >= before.getOrDefault(DropReason.REPLAY, 0L) + 3);

        assertSilence(target, raw, expected);
        assertEquals(3, target.events().datagramCount(), "no replay was delivered");
        assertEquals(tap.address(), stats(target, memberKey.publicKey()).endpoint(), "replays did not move the member");
        assertEquals(List.of(new RecordingListener.EndpointChange(memberKey.publicKey(), tap.address())),
                target.events().endpointChanges(), "learned once, from the member's own handshake");
    }

    /** Waits until the target's drop counters are {@code expected}, then listens {@link #QUIET}: nothing may come back. */
    private static void assertSilence(Node target, RawSocket raw, Map<DropReason, Long> expected) throws IOException {
        await(() -> "drops " + expected + ", got " + drops(target), () -> drops(target).equals(expected));
        assertEquals(0, raw.receivedWithin(QUIET), "packets that came back to the intruder");
        assertEquals(expected, drops(target));
    }

    /** A handshake initiation from {@code from} to {@code to}, made by a real session engine (null network: stock WireGuard). */
    private static byte[] initiation(PrivateKey from, PresharedKey network, Node to) {
        List<byte[]> out = new ArrayList<>();
        SessionEngine engine = new SessionEngine(from, new SecureRandom(),
                System.currentTimeMillis() * 1_000_000L - System.nanoTime(),
                (dest, packet, off, len) -> out.add(java.util.Arrays.copyOfRange(packet, off, off + len)),
                (SessionEvents) (p, source, kind, payload, off, len) -> { });
        engine.setMembershipKey(network);
        Peer peer = engine.addPeer(to.publicKey(), network == null ? PresharedKey.ZERO : network);
        peer.setEndpoint(UdpEndpoint.of(to.address()));
        assertTrue(engine.initiateHandshake(System.nanoTime(), peer));
        assertEquals(1, out.size());
        byte[] packet = out.getFirst();
        assertEquals(MessageType.HANDSHAKE_INITIATION, MessageType.of(packet, 0, packet.length));
        return packet;
    }

    private static byte[] random(SplittableRandom r, int len) {
        byte[] b = new byte[len];
        r.nextBytes(b);
        return b;
    }

    /** {@code b} with WireGuard's little-endian type field set to {@code type}. */
    private static byte[] typed(byte[] b, int type) {
        b[0] = (byte) type;
        b[1] = 0;
        b[2] = 0;
        b[3] = 0;
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** An intruder: a plain UDP socket on 127.0.0.1 that sends what it is given and counts what comes back. */
    static final class RawSocket implements AutoCloseable {
        private final DatagramChannel channel;
        private final Selector selector;

        RawSocket() throws IOException {
            channel = DatagramChannel.open(StandardProtocolFamily.INET);
            channel.bind(new InetSocketAddress(Loopback.LOCALHOST, 0));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }

        void send(byte[] packet, InetSocketAddress to) throws IOException {
            assertEquals(packet.length, channel.send(ByteBuffer.wrap(packet), to), "sent whole");
        }

        /** Datagrams received within {@code within}. */
        int receivedWithin(Duration within) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(65535);
            int count = 0;
            long deadline = System.nanoTime() + within.toNanos();
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                selector.selectedKeys().clear();
                buf.clear();
                while (channel.receive(buf) != null) {
                    count++;
                    buf.clear();
                }
            }
            return count;
        }

        @Override
        public void close() throws IOException {
            selector.close();
            channel.close();
        }
    }
}
