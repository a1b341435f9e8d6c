package io.keymesh.node;

import static io.keymesh.testing.Loopback.await;
import static io.keymesh.testing.Loopback.drops;
import static io.keymesh.testing.Loopback.get;
import static io.keymesh.testing.TestKeys.newKey;
import static io.keymesh.testing.TestKeys.newNetworkKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.session.DropReason;
import io.keymesh.testing.Loopback;
import io.keymesh.testing.Loopback.Node;
import io.keymesh.testing.RecordingListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NodeConfig#MAX_ADMITTED_MEMBERS} driven to the limit in a node that accepts members: one
 * member let in by its handshake, 4,095 more taken in by key ({@link MeshNode#reach}, which counts
 * against the same limit); the 4,097th member's initiation is refused as
 * {@link DropReason#UNKNOWN_PEER}, the member let in keeps its session, and one forgotten makes room.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdmittedMembersLimitsTest {
    @AutoClose
    private final Loopback net = new Loopback();
    private final PresharedKey network = newNetworkKey();

    @Test
    void theMemberPastTheLimitIsRefusedAsUnknownPeerAndOneForgottenMakesRoom() {
        assertEquals(4096, NodeConfig.MAX_ADMITTED_MEMBERS);
        PrivateKey hubKey = newKey();
        RecordingListener hubEvents = new RecordingListener();
        MeshNode hub = net.track(MeshNode.start(NodeConfig.of(hubKey, new InetSocketAddress(Loopback.LOCALHOST, 0), network)
                .withAcceptMembers(true), hubEvents));
        Node hubNode = new Node(hubKey, hub, hubEvents);
        Node first = net.start(newKey(), network, List.of(hubNode.asPeer()));
        Node late = net.start(newKey(), network, List.of(hubNode.asPeer()));

        get(first.mesh().connect(hub.publicKey()));
        await("the first member is let in", () -> hubEvents.peersUp().contains(first.publicKey()));
        List<PublicKey> taken = new ArrayList<>();
        for (int i = 1; i < NodeConfig.MAX_ADMITTED_MEMBERS; i++) {
            PublicKey k = newKey().publicKey();
            assertTrue(get(hub.reach(k)), "member " + i);
            taken.add(k);
        }
        assertFalse(get(hub.reach(newKey().publicKey())), "the 4,097th is not taken in");

        get(late.mesh().connect(hub.publicKey()));
        await("the late member's initiation is refused", () -> drops(hubNode).getOrDefault(DropReason.UNKNOWN_PEER, 0L) >= 1);
        assertFalse(hubEvents.peersUp().contains(late.publicKey()));
        assertEquals(PingResult.Setup.READY, get(first.mesh().ping(hub.publicKey(), Duration.ofSeconds(10))).setup(),
                "the member let in keeps its session");

        assertTrue(get(hub.removePeer(taken.getFirst())));
        // the late member's next initiation (WireGuard retries every 5 s) finds room
        await("the late member is let in", () -> hubEvents.peersUp().contains(late.publicKey()));
        assertFalse(get(hub.reach(newKey().publicKey())), "and the limit is reached again");
    }
}
