package io.keymesh.session;

import static io.keymesh.session.EnginePair.msg;
import static io.keymesh.session.EnginePair.text;
import static io.keymesh.session.ProtocolConstants.SECOND;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.wire.MessageType;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SessionEngineTest {

    @Test
    void aResponseGoesWhereTheInitiationCameFromWhenThePolicyNamedNoEndpointYet() {
        EnginePair w = new EnginePair(33);
        w.b.roam = false;
        w.b.peer.setEndpoint(null);
        w.a.send(msg("hello"));
        w.flush();
        assertEquals(1, w.b.handshakes, "b answered; a's keepalive confirmed the session");
        assertEquals("hello", text(w.b.delivered.getFirst()));
        assertEquals(null, w.b.peer.endpoint(), "the policy still decides where b's own packets go");
    }

    @Test
    void aMemberThatIsNotAPeerIsLetInOnlyWhenTheOwnerAdmitsIt() {
        PresharedKey network = newNetworkKey();
        EnginePair w = new EnginePair(31, network, network);
        w.a.engine.setMembershipKey(network);
        w.b.engine.setMembershipKey(network);
        assertTrue(w.b.engine.removePeer(w.a.key.publicKey()));
        w.a.send(msg("knock"));
        w.flush();
        assertEquals(1, w.b.engine.dropped(DropReason.UNKNOWN_PEER), "the allow-list by default");
        assertEquals(0, w.b.delivered.size());

        w.b.admit = key -> {
            w.b.peer = w.b.engine.addPeer(key, network);
            return true;
        };
        w.advanceTo(w.now + 6 * SECOND); // the retry comes after REKEY_TIMEOUT
        assertEquals(1, w.b.handshakes, "let in: the handshake completed");
        assertEquals("knock", text(w.b.delivered.getFirst()));
        assertEquals(EnginePair.ADDR_A, w.b.peer.endpoint(), "its endpoint learnt from its packets");
    }

    @Test
    void aStrangerWithoutTheNetworkKeyIsNeverOfferedToTheOwner() {
        PresharedKey network = newNetworkKey();
        EnginePair w = new EnginePair(32, newNetworkKey(), network);
        w.a.engine.setMembershipKey(newNetworkKey());
        w.b.engine.setMembershipKey(network);
        assertTrue(w.b.engine.removePeer(w.a.key.publicKey()));
        int[] asked = new int[1];
        w.b.admit = key -> {
            asked[0]++;
            return false;
        };
        w.a.send(msg("knock"));
        w.flush();
        assertEquals(0, asked[0]);
        assertEquals(1, w.b.engine.dropped(DropReason.BAD_MAC1));
        assertEquals(0, w.b.transmitted.size(), "silence");
    }

    @Test
    void handshakeThenDataBothWays() {
        EnginePair w = new EnginePair(1);
        assertTrue(w.a.send(msg("hello b")));
        assertEquals(1, w.a.peer.stagedPackets());
        w.flush();
        assertEquals(1, w.a.engine.initiationsSent());
        assertEquals(1, w.b.engine.responsesSent());
        assertEquals(1, w.b.delivered.size());
        assertEquals("hello b", text(w.b.delivered.get(0)));
        assertEquals(16, w.b.delivered.get(0).length, "padded to a multiple of 16");
        assertEquals(1, w.a.handshakes);
        assertEquals(1, w.b.handshakes, "responder completes on the first transport packet");
        assertTrue(w.b.send(msg("hello a")));
        w.flush();
        assertEquals("hello a", text(w.a.delivered.get(0)));
        assertEquals(0, w.a.engine.droppedTotal());
        assertEquals(0, w.b.engine.droppedTotal());
    }

    @Test
    void ipPacketsLoseTheirPadding() {
        EnginePair w = new EnginePair(2);
        byte[] ip = new byte[21];
        ip[0] = 0x45;
        ip[3] = 21; // total length
        ip[20] = 7;
        w.a.send(ip);
        w.flush();
        assertArrayEquals(ip, w.b.delivered.get(0));
    }

    @Test
    void wrongNetworkKeyNeverCompletes() {
        EnginePair w = new EnginePair(3, newNetworkKey(), newNetworkKey());
        w.a.send(msg("x"));
        w.flush();
        assertEquals(1, w.a.engine.dropped(DropReason.HANDSHAKE_FAILED));
        assertEquals(0, w.a.handshakes);
        assertTrue(w.b.delivered.isEmpty());
    }

    @Test
    void sameNetworkKeyCompletes() {
        PresharedKey psk = newNetworkKey();
        EnginePair w = new EnginePair(4, psk, psk);
        w.a.send(msg("x"));
        w.flush();
        assertEquals(1, w.b.delivered.size());
    }

    @Test
    void strangerGetsSilence() {
        EnginePair w = new EnginePair(5);
        // A third key that b does not know initiates to b.
        PrivateKey stranger = PrivateKey.of(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
            9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
        EnginePair.Side s = w.new Side(stranger, 77, UdpEndpoint.of(new InetSocketAddress("10.0.0.9", 1)));
        s.other = w.b;
        s.peer = s.engine.addPeer(w.b.key.publicKey(), PresharedKey.ZERO);
        s.peer.setEndpoint(EnginePair.ADDR_B);
        s.send(msg("let me in"));
        int before = w.b.transmitted.size();
        w.flush();
        assertEquals(before, w.b.transmitted.size(), "b sent nothing");
        assertEquals(1, w.b.engine.dropped(DropReason.UNKNOWN_PEER));
    }

    @Test
    void replayedTransportPacketIsDropped() {
        EnginePair w = new EnginePair(6);
        w.a.send(msg("one"));
        w.flush();
        byte[] last = w.a.transmitted.get(w.a.transmitted.size() - 1).clone();
        assertEquals(MessageType.TRANSPORT_DATA, last[0]);
        w.b.engine.receive(w.now, last.clone(), 0, last.length, EnginePair.ADDR_A);
        assertEquals(1, w.b.engine.dropped(DropReason.REPLAY));
        assertEquals(1, w.b.delivered.size());
    }

    @Test
    void replayedInitiationIsStale() {
        EnginePair w = new EnginePair(7);
        w.a.send(msg("one"));
        byte[] init = w.a.transmitted.get(0).clone();
        w.flush();
        w.now += SECOND;
        w.b.engine.receive(w.now, init, 0, init.length, EnginePair.ADDR_A);
        assertEquals(1, w.b.engine.dropped(DropReason.STALE_TIMESTAMP));
    }

    @Test
    void aKeymeshPeerSendsItsInitiationAgainWithMac2AsSoonAsACookieReplyComes() {
        EnginePair w = new EnginePair(8);
        w.b.engine.setForcedUnderLoad(true);
        w.a.send(msg("through the cookie"));
        w.flush();
        assertEquals(1, w.b.engine.cookieRepliesSent());
        assertEquals(1, w.a.peer.cookieRepliesReceived());
        assertEquals(0, w.a.handshakes);
        long initiated = w.now;
        assertEquals(initiated + ProtocolConstants.HANDSHAKE_INITIATION_RATE, w.a.engine.nextDeadline(),
                "the retry is due when b takes another initiation from a, not 5 s on");
        w.advanceTo(initiated + ProtocolConstants.HANDSHAKE_INITIATION_RATE);
        assertEquals(2, w.a.engine.initiationsSent());
        assertEquals(1, w.a.handshakes, "the retry carried mac2: b answered it");
        assertEquals("through the cookie", text(w.b.delivered.get(0)));
        assertEquals(1, w.b.engine.cookieRepliesSent());
    }

    @Test
    void underLoadCookieReplyThenMac2() {
        EnginePair w = new EnginePair(8);
        w.a.engine.setWireGuardCompatible(w.a.peer, true); // WireGuard's pace: the retry at REKEY_TIMEOUT
        w.b.engine.setWireGuardCompatible(w.b.peer, true);
        w.b.engine.setForcedUnderLoad(true);
        w.a.send(msg("through the cookie"));
        w.flush();
        assertEquals(1, w.b.engine.cookieRepliesSent());
        assertEquals(1, w.a.peer.cookieRepliesReceived());
        assertEquals(0, w.a.handshakes);
        w.advance(4 * SECOND);
        assertEquals(0, w.a.handshakes, "no retry before REKEY_TIMEOUT");
        w.advance(2 * SECOND); // retransmission with mac2
        assertEquals(1, w.a.handshakes);
        assertEquals("through the cookie", text(w.b.delivered.get(0)));
        assertEquals(1, w.b.engine.cookieRepliesSent());
    }

    @Test
    void rekeysEvery120SecondsWhileTrafficFlows() {
        EnginePair w = new EnginePair(9);
        int sent = 0;
        for (int i = 0; i < 400; i++) { // 400 s of one packet per second each way
            w.a.send(msg("a" + i));
            w.b.send(msg("b" + i));
            sent++;
            w.flush();
            w.advance(SECOND);
        }
        assertEquals(sent, w.b.delivered.size());
        assertEquals(sent, w.a.delivered.size());
        // Both sides send first at 0 s without a session, so both initiate, and each holds as
        // current a keypair it initiated. An initiator rekeys on the first packet it sends once its
        // keypair is older than REKEY_AFTER_TIME (strictly: at 120 s it is not yet), so both
        // initiate at 0, 121, 242 and 363 s; REJECT_AFTER_TIME is never approached.
        assertTrue(w.a.peer.current.isInitiator);
        assertTrue(w.b.peer.current.isInitiator);
        assertEquals(4, w.a.peer.handshakesCompleted(), "rekeyed");
        assertEquals(4, w.a.engine.initiationsSent());
        assertEquals(4, w.b.engine.initiationsSent());
        assertEquals(4, w.a.handshakes);
        assertEquals(4, w.b.handshakes);
        assertEquals(0, w.a.engine.droppedTotal());
        assertEquals(0, w.b.engine.droppedTotal());
    }

    @Test
    void theInitiatorRekeysOnTheFirstSendOnceItsKeypairIsOlderThanRekeyAfterTime() {
        EnginePair w = new EnginePair(41);
        w.handshake();
        long created = w.now;
        w.advanceTo(created + ProtocolConstants.REKEY_AFTER_TIME);
        assertEquals(1, w.a.engine.initiationsSent(), "nothing sent, nothing due");
        w.a.send(msg("at 120 s"));
        w.flush();
        assertEquals(1, w.a.engine.initiationsSent(), "120 s old is not older than REKEY_AFTER_TIME");
        w.advanceTo(created + ProtocolConstants.REKEY_AFTER_TIME + 1);
        w.b.send(msg("from the responder, on a keypair as old"));
        w.flush();
        assertEquals(0, w.b.engine.initiationsSent(), "the responder does not rekey on time");
        assertEquals(1, w.a.engine.initiationsSent());
        w.a.send(msg("a nanosecond later"));
        assertEquals(2, w.a.engine.initiationsSent());
        w.flush();
        assertEquals(2, w.a.handshakes);
        assertEquals(0, w.b.engine.initiationsSent());
    }

    @Test
    void keepaliveAfterReceivingData() {
        EnginePair w = new EnginePair(10);
        w.a.send(msg("ping"));
        w.flush();
        long bTx = w.b.peer.txPackets();
        w.advance(11 * SECOND);
        assertEquals(bTx + 1, w.b.peer.txPackets(), "b sent one keepalive");
        assertEquals(1, w.b.delivered.size());
        assertEquals(0, w.a.delivered.size(), "keepalives are not delivered");
    }

    @Test
    void persistentKeepalive() {
        EnginePair w = new EnginePair(11);
        w.a.peer.setPersistentKeepaliveSeconds(25);
        w.a.send(msg("x"));
        w.flush();
        long tx = w.a.peer.txPackets();
        long bTx = w.b.peer.txPackets();
        w.advance(100 * SECOND);
        // Every 25 s after a's last send: at 25, 50, 75 and 100 s. keymesh restarts the timer on
        // packets sent only (PeerTimers#anyAuthenticatedPacketTraversal), so b's keepalive at 10 s
        // (an answer to "x") does not move it, as it would in wireguard-go.
        assertEquals(4, w.a.peer.txPackets() - tx, "keepalives");
        assertEquals(bTx + 1, w.b.peer.txPackets(), "b's keepalive for the data; a's keepalives ask for none");
        assertEquals(0, w.a.engine.initiationsSent() - 1, "no rekey");
        w.advance(25 * SECOND - 1);
        assertEquals(4, w.a.peer.txPackets() - tx, "not before 125 s");
        w.advance(1);
        // The keepalive at 125 s goes on a keypair older than REKEY_AFTER_TIME: it starts a rekey,
        // and the initiator confirms the new keypair with one more keepalive.
        assertEquals(2, w.a.engine.initiationsSent(), "the rekey");
        assertEquals(6, w.a.peer.txPackets() - tx, "at 125 s: the keepalive and the confirmation");
    }

    @Test
    void roamingFollowsAuthenticatedPackets() {
        EnginePair w = new EnginePair(12);
        w.a.send(msg("x"));
        w.flush();
        UdpEndpoint moved = UdpEndpoint.of(new InetSocketAddress("10.0.0.99", 4000));
        w.a.addr = moved;
        w.a.send(msg("from elsewhere"));
        w.flush();
        assertEquals(moved, w.b.peer.endpoint());
        w.b.send(msg("follow"));
        w.flush();
        assertEquals("follow", text(w.a.delivered.get(0)));
    }

    @Test
    void givesUpAfterRekeyAttemptTime() {
        EnginePair w = new EnginePair(13);
        w.wireUp = false;
        w.a.send(msg("lost"));
        w.flush();
        w.advance(120 * SECOND);
        long init = w.a.engine.initiationsSent();
        // The first initiation, then MAX_TIMER_HANDSHAKES + 1 = 19 retries: the retransmit timer
        // gives up when it fires with more than MAX_TIMER_HANDSHAKES attempts made (wireguard-go's
        // expiredRetransmitHandshake), after at most 20 x (REKEY_TIMEOUT + jitter) < 107 s.
        assertEquals(1 + ProtocolConstants.MAX_TIMER_HANDSHAKES + 1, init, "initiations");
        assertEquals(20, init);
        assertEquals(0, w.a.peer.stagedPackets());
        assertEquals(1, w.a.engine.dropped(DropReason.HANDSHAKE_GAVE_UP));
        w.advance(1000 * SECOND);
        assertEquals(init, w.a.engine.initiationsSent(), "quiet after giving up");
    }

    @Test
    void keysZeroedAfterThreeRejectAfterTimes() {
        EnginePair w = new EnginePair(14);
        w.a.send(msg("x"));
        w.flush();
        assertTrue(w.a.peer.hasSession(w.now));
        w.advance(541 * SECOND);
        assertFalse(w.a.peer.hasSession(w.now));
        assertEquals(null, w.a.peer.current);
    }

    @Test
    void removingAllPeersZeroesEveryKeypairAndHandshakeAndWithdrawsEveryRoute() {
        EnginePair w = new EnginePair(40);
        w.a.send(msg("x"));
        w.flush();
        Keypair kp = w.a.peer.current;
        assertSame(kp, w.a.peer.sendPath().publishedKeypair());
        // A second peer that never answers: a packet staged behind its handshake in flight.
        Peer silent = w.a.engine.addPeer(PrivateKey.generate(new java.security.SecureRandom()).publicKey(), PresharedKey.ZERO);
        silent.setEndpoint(UdpEndpoint.of(new InetSocketAddress("10.0.0.3", 51820)));
        byte[] buf = new byte[SessionEngine.SEND_HEADROOM + 1 + w.a.engine.sendTailroom(1)];
        w.a.engine.send(w.now, silent, buf, SessionEngine.SEND_HEADROOM, 1);
        assertEquals(1, silent.stagedPackets());
        assertEquals(Handshake.State.INITIATION_CREATED, silent.handshake.state);
        Peer b = w.a.peer;

        w.a.engine.removeAllPeers();
        assertTrue(kp.isRetired());
        assertArrayEquals(new byte[kp.sendKey.length], kp.sendKey, "send key zeroed");
        assertArrayEquals(new byte[kp.receiveKey.length], kp.receiveKey, "receive key zeroed");
        assertEquals(null, b.current);
        assertEquals(null, b.sendPath().publishedKeypair());
        assertEquals(Handshake.State.ZEROED, silent.handshake.state);
        assertEquals(null, silent.handshake.noise);
        assertEquals(0, silent.stagedPackets());
        assertTrue(w.a.engine.peers().isEmpty());
        assertEquals(0, w.a.engine.indicesInUse());
    }

    @Test
    void simultaneousInitiationsConverge() {
        EnginePair w = new EnginePair(15);
        w.a.send(msg("from a"));
        w.b.send(msg("from b"));
        w.flush();
        w.advance(30 * SECOND);
        assertEquals("from a", text(w.b.delivered.get(0)));
        assertEquals("from b", text(w.a.delivered.get(0)));
    }

    @Test
    void differentSeedsGiveDifferentIndices() {
        EnginePair w1 = new EnginePair(16);
        EnginePair w2 = new EnginePair(17);
        w1.a.send(msg("x"));
        w2.a.send(msg("x"));
        assertNotEquals(new SplittableRandom(16).nextLong(), new SplittableRandom(17).nextLong());
        assertFalse(java.util.Arrays.equals(w1.a.transmitted.get(0), w2.a.transmitted.get(0)));
    }

    @Test
    void lowOrderPeerKeysAreRefusedAtTheEdge() {
        EnginePair w = new EnginePair(18);
        // A point of order 8 on Curve25519 (RFC 7748 low-order list): no DH with it is possible.
        byte[] lowOrder = java.util.HexFormat.of().parseHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> w.a.engine.addPeer(io.keymesh.crypto.PublicKey.of(lowOrder), PresharedKey.ZERO));
        assertTrue(e.getMessage().contains("low-order"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> w.a.engine.addPeer(w.a.key.publicKey(), PresharedKey.ZERO));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> w.a.engine.addPeer(w.b.key.publicKey(), PresharedKey.ZERO));
    }

    @Test
    void membersWithTheSameNetworkKeyConnect() {
        PresharedKey net = newNetworkKey();
        EnginePair w = new EnginePair(19, net, net);
        w.a.engine.setMembershipKey(net);
        w.b.engine.setMembershipKey(net);
        w.a.send(msg("member"));
        w.flush();
        assertEquals("member", text(w.b.delivered.get(0)));
    }

    @Test
    void aNodeWithAnotherNetworkKeyGetsSilence() {
        PresharedKey netA = newNetworkKey();
        PresharedKey netB = newNetworkKey();
        EnginePair w = new EnginePair(20, netA, netB);
        w.a.engine.setMembershipKey(netA);
        w.b.engine.setMembershipKey(netB);
        w.a.send(msg("let me in"));
        w.flush();
        w.advance(200 * SECOND);
        assertTrue(w.a.engine.initiationsSent() >= 10);
        assertEquals(0, w.b.transmitted.size(), "b answered nothing");
        assertEquals(w.a.engine.initiationsSent(), w.b.engine.dropped(DropReason.BAD_MAC1));
        assertTrue(w.b.delivered.isEmpty());
    }

    @Test
    void plainWireGuardPeerNeedsToBeMarkedCompatible() {
        PresharedKey net = newNetworkKey();
        EnginePair w = new EnginePair(21, net, net);
        w.b.engine.setMembershipKey(net); // a is plain WireGuard: standard mac1
        w.a.send(msg("stock"));
        w.flush();
        assertEquals(0, w.b.transmitted.size());
        assertEquals(1, w.b.engine.dropped(DropReason.BAD_MAC1));
        w.b.engine.setWireGuardCompatible(w.b.peer, true);
        w.advance(6 * SECOND); // a retransmits
        assertEquals("stock", text(w.b.delivered.get(0)));
        assertTrue(w.b.peer.isWireGuardCompatible());
    }

    @Test
    void standardMac1FromAPeerNotMarkedCompatibleIsRefused() {
        PresharedKey net = newNetworkKey();
        EnginePair w = new EnginePair(22, net, net);
        w.b.engine.setMembershipKey(net);
        // Some other peer of b is stock WireGuard, so b accepts standard mac1 in general ...
        PrivateKey other = PrivateKey.of(new byte[] {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3,
            2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5});
        w.b.engine.setWireGuardCompatible(w.b.engine.addPeer(other.publicKey(), PresharedKey.ZERO), true);
        // ... but a is a mesh member and must prove the network key.
        w.a.send(msg("x"));
        w.flush();
        assertEquals(1, w.b.engine.dropped(DropReason.NOT_A_MEMBER));
        assertEquals(0, w.b.transmitted.size());
    }
}
