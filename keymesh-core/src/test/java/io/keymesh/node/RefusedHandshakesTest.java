package io.keymesh.node;

import static io.keymesh.testing.Loopback.LOCALHOST;
import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.drops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.overlay.RelayedEndpoint;
import io.keymesh.session.DropReason;
import io.keymesh.session.Endpoint;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.SessionEvents;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.keymesh.testing.TestKeys;
import io.keymesh.wire.MessageType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A node on loopback that receives handshake initiations it must refuse — made with another network
 * key, from a key that is not a peer, from a peer without the network key — says so once per
 * source address in its log, in words that name the address, the key where the initiation proves
 * it, and what to check; it counts every one, and answers none.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RefusedHandshakesTest {
    private static final int FLOOD = 25;

    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = TestKeys.newNetworkKey();
    private final Logger logger = (Logger) LoggerFactory.getLogger(RefusedHandshakes.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<DatagramChannel> channels = new ArrayList<>();

    @BeforeEach
    void attach() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void detach() throws IOException {
        logger.detachAppender(logs);
        for (DatagramChannel c : channels) {
            c.close();
        }
    }

    /** The lines logged, all at WARN. */
    private List<String> lines() {
        synchronized (logs) {
            List<ILoggingEvent> events = List.copyOf(logs.list);
            events.forEach(e -> assertEquals(Level.WARN, e.getLevel(), e.getFormattedMessage()));
            return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** A socket on {@code ip} (any 127.x address works on loopback): one source address. */
    private DatagramChannel socket(String ip) throws IOException {
        DatagramChannel c = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        c.bind(new InetSocketAddress(InetAddress.getByName(ip), 0));
        c.configureBlocking(false);
        channels.add(c);
        return c;
    }

    private static String address(DatagramChannel c) throws IOException {
        InetSocketAddress a = (InetSocketAddress) c.getLocalAddress();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /**
     * The handshake initiation {@code key} sends {@code to}, made with {@code membership} as its
     * network key (null: WireGuard's standard mac1, no pre-shared key).
     */
    private static byte[] initiation(PrivateKey key, PresharedKey membership, Node to) {
        List<byte[]> sent = new ArrayList<>();
        SessionEngine engine = new SessionEngine(key, new SplittableRandom(1), System.currentTimeMillis() * 1_000_000L,
                (Endpoint dst, byte[] b, int off, int len) -> sent.add(Arrays.copyOfRange(b, off, off + len)),
                new SessionEvents() {
                    @Override
                    public void deliver(Peer peer, Endpoint from, int kind, byte[] payload, int off, int len) {}
                });
        if (membership != null) {
            engine.setMembershipKey(membership);
        }
        Peer p = engine.addPeer(to.publicKey(), membership == null ? PresharedKey.ZERO : membership);
        p.setEndpoint(UdpEndpoint.of(to.address()));
        engine.initiateHandshake(1_000_000_000_000L, p);
        return sent.getLast();
    }

    /** Sends {@code packet} {@code n} times from {@code from} to {@code node}. */
    private static void flood(DatagramChannel from, byte[] packet, int n, Node node) throws IOException {
        for (int i = 0; i < n; i++) {
            from.send(ByteBuffer.wrap(packet), node.address());
        }
    }

    private static void awaitDrops(Node node, DropReason reason, long n) {
        await(() -> reason + " " + n + ", have " + drops(node), () -> drops(node).getOrDefault(reason, 0L) >= n);
    }

    /** Nothing came back: WireGuard's silence towards what it refuses. */
    private static void assertSilence(DatagramChannel c) throws IOException {
        assertNull(c.receive(ByteBuffer.allocate(2048)), "the node answered");
    }

    @Test
    void anotherNetworkKeyIsLoggedOncePerAddressAndEveryInitiationIsCounted() throws IOException {
        PrivateKey stranger = TestKeys.newKey();
        Node node = net.start(TestKeys.newKey(), network, List.of(PeerConfig.of(stranger.publicKey(), null)));
        byte[] wrongNetwork = initiation(stranger, TestKeys.newNetworkKey(), node);
        DatagramChannel first = socket("127.0.0.1");
        DatagramChannel second = socket("127.0.0.2");

        flood(first, wrongNetwork, FLOOD, node);
        awaitDrops(node, DropReason.BAD_MAC1, FLOOD);
        flood(second, wrongNetwork, FLOOD, node);
        awaitDrops(node, DropReason.BAD_MAC1, 2 * FLOOD);

        String expected = "handshake initiation from %s refused: its mac1 was not made with this node's public key and "
                + "network key: does that node use the same network key and list this node's key, " + node.publicKey()
                + ", as a peer? (a stock WireGuard peer must be listed with wireguard = true)";
        assertEquals(List.of(expected.formatted(address(first)), expected.formatted(address(second))), lines(),
                "one line per source address, whatever the flood");
        assertEquals(2L * FLOOD, drops(node).get(DropReason.BAD_MAC1));
        assertSilence(first);
        assertSilence(second);
    }

    @Test
    void aKeyThatIsNotAPeerIsNamed() throws IOException {
        PrivateKey stranger = TestKeys.newKey();
        Node node = net.start(TestKeys.newKey(), network, List.of());
        DatagramChannel from = socket("127.0.0.1");
        flood(from, initiation(stranger, network, node), FLOOD, node);
        awaitDrops(node, DropReason.UNKNOWN_PEER, FLOOD);
        assertEquals(List.of(stranger.publicKey() + " (not a peer) tried to connect from " + address(from)
                + "; add it to peers, or set accept-members = true to let in any node holding the network key"), lines());
        assertEquals((long) FLOOD, drops(node).get(DropReason.UNKNOWN_PEER));
        assertSilence(from);
    }

    /** A peer listed by name that comes without the network key (WireGuard's standard mac1). */
    @Test
    void aPeerWithoutTheNetworkKeyIsNamedByItsName() throws IOException {
        PrivateKey peer = TestKeys.newKey();
        PublicKey stock = TestKeys.newKey().publicKey();
        Node node = net.start(TestKeys.newKey(), network, List.of(PeerConfig.of(peer.publicKey(), null).withName("db-eu"),
                new PeerConfig(stock, null, 0, true))); // a stock WireGuard peer: standard mac1 is checked at all
        DatagramChannel from = socket("127.0.0.1");
        flood(from, initiation(peer, null, node), 3, node);
        awaitDrops(node, DropReason.NOT_A_MEMBER, 3);
        assertEquals(List.of("peer db-eu (" + peer.publicKey() + ") sent a handshake initiation from " + address(from)
                + " made without the network key (WireGuard's standard mac1): give it the network key, or, if it is a "
                + "stock WireGuard peer, list it with wireguard = true"), lines());
        assertSilence(from);
    }

    /** The words for what comes through a relay; a full table of members. */
    @Test
    void aRelayedSourceIsNamedByItsRelay() {
        PublicKey relay = TestKeys.newKey().publicKey();
        RefusedHandshakes r = new RefusedHandshakes(relay, true, true, k -> "hub (" + k + ")", () -> true);
        assertEquals("hub (" + relay + ") (not a peer) tried to connect from a circuit through relay hub (" + relay + "); "
                + "accept-members is on, but 4096 members are let in already, the most at once: add it to peers",
                r.describe(DropReason.UNKNOWN_PEER, MessageType.HANDSHAKE_INITIATION, new RelayedEndpoint(relay, 3), relay));
    }

    /** On the loop's clock: the next line about an address, an interval later, says how many were not logged. */
    @Test
    void theNextLineSaysHowManyWereNotLogged() {
        RefusedHandshakes r = new RefusedHandshakes(TestKeys.newKey().publicKey(), true, false, PublicKey::toBase64, () -> false);
        UdpEndpoint from = new UdpEndpoint(new InetSocketAddress(LOCALHOST, 4000));
        UdpEndpoint samePlaceOtherPort = new UdpEndpoint(new InetSocketAddress(LOCALHOST, 4001));
        long t = 5_000_000_000L;
        r.refused(t, DropReason.BAD_MAC1, MessageType.HANDSHAKE_RESPONSE, from, null);
        r.refused(t + 1, DropReason.BAD_MAC1, MessageType.HANDSHAKE_RESPONSE, samePlaceOtherPort, null);
        r.refused(t + RefusedHandshakes.INTERVAL_NANOS - 1, DropReason.BAD_MAC1, MessageType.HANDSHAKE_RESPONSE, from, null);
        r.refused(t + RefusedHandshakes.INTERVAL_NANOS, DropReason.BAD_MAC1, MessageType.HANDSHAKE_RESPONSE, from, null);
        String line = "handshake response from 127.0.0.1:4000 refused: its mac1 was not made with this node's public key "
                + "and network key: does the node there hold the same network key?";
        assertEquals(List.of(line, line + " (2 more from there since the last line about it)"), lines());
    }
}
