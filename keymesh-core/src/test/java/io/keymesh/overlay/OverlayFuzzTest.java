package io.keymesh.overlay;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.Endpoint;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.MessageType;
import io.keymesh.wire.VarInt;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes {@link Overlay#onFrame} of a relay (at most {@link #MAX_CIRCUITS} circuits) with relay,
 * probe, candidates and address-report frames from four connected peers, the last of which it
 * reaches through the third (so its candidates land in a path table). The input is a sequence of records, each a control byte
 * (peer: low two bits; milliseconds to advance the clock: the rest times 100) and one mesh frame
 * (type, varint length, body); a type that is not the overlay's stands for one that is. Peer keys
 * are 32 bytes of 0x11, 0x22, 0x33 and 0x44, so routes in the seeds name them. Invariant: nothing
 * throws, the relay never holds more than {@link #MAX_CIRCUITS} circuits, and nothing is relayed
 * on a link that is not a WireGuard message, and no path table or candidate list outgrows its bound. Regression inputs are in
 * {@code OverlayFuzzTestInputs/frames/}.
 */
class OverlayFuzzTest {
    static final int MAX_CIRCUITS = 3;
    private static final int[] OVERLAY_TYPES = {MeshFrame.RELAY_OPEN, MeshFrame.RELAY_OPENED, MeshFrame.RELAY_REFUSED,
        MeshFrame.RELAY_DATA, MeshFrame.RELAY_CLOSE, MeshFrame.PROBE, MeshFrame.PROBE_ACK, MeshFrame.SEEK,
        MeshFrame.REACH};
    private static final long MS = 1_000_000L;

    static PublicKey peerKey(int i) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) (0x11 * (i + 1)));
        return PublicKey.of(k);
    }

    @FuzzTest
    void frames(byte[] input) {
        PublicKey self = PublicKey.of(new byte[32]);
        PublicKey[] peers = {peerKey(0), peerKey(1), peerKey(2), peerKey(3)};
        Endpoint[] from = new Endpoint[peers.length];
        for (int i = 0; i < peers.length; i++) {
            from[i] = UdpEndpoint.of(new InetSocketAddress("192.0.2." + (i + 1), 51820));
        }
        Overlay overlay = new Overlay(self, RelayConfig.DEFAULT.withMaxCircuits(MAX_CIRCUITS), DiscoveryConfig.DEFAULT, 4,
                new Host(), new Links(peers), 1);
        long now = 1_000_000 * MS;
        for (PublicKey p : peers) {
            overlay.linkUp(now, p);
        }
        overlay.addPeer(now, peers[3], null, List.of(List.of(peers[2])), false);
        int p = 0;
        while (p + 2 < input.length) {
            int control = input[p] & 0xff;
            int t = input[p + 1] & 0xff;
            int type = Overlay.isOverlayFrame(t) ? t : OVERLAY_TYPES[t % OVERLAY_TYPES.length];
            long bodyLen = VarInt.read(input, p + 2, input.length);
            if (bodyLen < 0) {
                return;
            }
            int bodyOff = p + 2 + VarInt.encodedLength(input[p + 2]);
            int len = (int) Math.min(bodyLen, input.length - bodyOff);
            now += (control >>> 2) * 100 * MS;
            while (overlay.nextTimeout(now) <= now) {
                overlay.onTimeout(now);
            }
            overlay.onFrame(now, peers[control & 3], from[control & 3], type, input, bodyOff, len);
            assertTrue(overlay.relay().circuits() <= MAX_CIRCUITS,
                    "the relay holds " + overlay.relay().circuits() + " circuits");
            assertTrue(overlay.seeks().seenSize() <= Seeks.SEEN_CAPACITY, "seeks remembered: bounded");
            long direct = overlay.paths(peers[3]).paths().stream().filter(x -> x.kind() == Path.Kind.DIRECT).count();
            assertTrue(direct <= PeerPaths.MAX_DIRECT_PATHS, direct + " direct paths");
            assertTrue(overlay.localCandidates().reflexive(now).size() <= LocalCandidates.MAX_REFLEXIVE);
            p = bodyOff + len;
        }
    }

    /** A host that accepts everything and does nothing. */
    private static final class Host implements Overlay.Host {
        @Override
        public void receive(RelayedEndpoint from, byte[] buf, int off, int len) {}

        @Override
        public boolean sendVia(PublicKey peer, Endpoint path, byte[] frame, int off, int len) {
            return true;
        }

        @Override
        public void use(PublicKey peer, Endpoint endpoint, Endpoint previous) {}

        @Override
        public long packetsSent(PublicKey peer) {
            return 0;
        }
    }

    /** Links to every peer, up; relayed data must be WireGuard messages, seeks well formed. */
    private static final class Links implements OverlayLinks {
        private final List<PublicKey> members;
        private final io.keymesh.wire.SeekFrame check = new io.keymesh.wire.SeekFrame();

        Links(PublicKey[] members) {
            this.members = List.of(members);
        }

        @Override
        public List<PublicKey> connectedMembers() {
            return members;
        }

        @Override
        public void sendOverlayFrame(PublicKey link, byte[] frame, int off, int len) {
            int body = off + 1 + io.keymesh.wire.VarInt.encodedLength(frame[off + 1]);
            if (frame[off] == MeshFrame.REACH) {
                assertTrue(new io.keymesh.wire.ReachFrame().decode(frame, body, off + len - body), "a REACH sent is well formed");
            } else {
                assertTrue(check.decode(frame, body, off + len - body), "a seek sent is well formed");
            }
        }

        @Override
        public boolean isConnected(PublicKey key) {
            return true;
        }

        @Override
        public int maxInnerMessage(PublicKey key) {
            return 1400;
        }

        @Override
        public void sendOpen(PublicKey link, long circuit, List<PublicKey> route) {}

        @Override
        public void sendOpened(PublicKey link, long circuit, int maxMessage) {}

        @Override
        public void sendRefused(PublicKey link, long circuit, int reason) {}

        @Override
        public void sendData(PublicKey link, long circuit, byte[] buf, int off, int len) {
            assertNotEquals(MessageType.INVALID, MessageType.of(buf, off, len), "relayed something not WireGuard");
        }

        @Override
        public void sendClose(PublicKey link, long circuit, int reason) {}
    }
}
