package io.keymesh.pekko;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.remote.transport.AssociationHandle;
import org.apache.pekko.remote.transport.AssociationHandle.Disassociated;
import org.apache.pekko.remote.transport.AssociationHandle.HandleEvent;
import org.apache.pekko.remote.transport.AssociationHandle.HandleEventListener;
import org.apache.pekko.remote.transport.AssociationHandle.InboundPayload;
import org.apache.pekko.remote.transport.Transport;
import org.apache.pekko.remote.transport.Transport.AssociationEvent;
import org.apache.pekko.remote.transport.Transport.AssociationEventListener;
import org.apache.pekko.remote.transport.Transport.InboundAssociation;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import scala.Tuple2;
import scala.concurrent.Future;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;

/**
 * The transport SPI contract, driven directly as classic remoting drives it: listen, associate,
 * back-pressured writes, events held until the read handler registers, both disassociate forms,
 * refusals and invalid addresses.
 */
class TransportSpiTest {
    private TestMesh mesh;
    private ActorSystem systemA;
    private ActorSystem systemB;
    private MeshTransport a;
    private MeshTransport b;
    private final LinkedBlockingQueue<AssociationEvent> inboundAtB = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        mesh = new TestMesh(3); // node 2 is a peer that never runs
        systemA = ActorSystem.create("a", localOnly(0, 7000));
        systemB = ActorSystem.create("b", localOnly(1, 7001));
        a = transport(systemA);
        b = transport(systemB);
        listen(a, new LinkedBlockingQueue<>());
        listen(b, inboundAtB);
    }

    @AfterEach
    void stop() throws Exception {
        for (MeshTransport t : new MeshTransport[] {a, b}) {
            if (t != null) {
                await(t.shutdown());
            }
        }
        for (ActorSystem s : new ActorSystem[] {systemA, systemB}) {
            if (s != null) {
                s.terminate();
                s.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
            }
        }
    }

    private com.typesafe.config.Config localOnly(int node, int port) {
        // the keymesh block and the transport block, but no remoting: the test is classic remoting here
        return ConfigFactory.parseString(mesh.config(node, "keymesh-remoting", port) + "pekko.actor.provider = local\n")
                .withFallback(ConfigFactory.load()).resolve();
    }

    private static MeshTransport transport(ActorSystem s) {
        return new MeshTransport((ExtendedActorSystem) s, s.settings().config().getConfig(MeshTransportSettings.PATH));
    }

    private static void listen(MeshTransport t, LinkedBlockingQueue<AssociationEvent> events) throws Exception {
        Tuple2<Address, Promise<AssociationEventListener>> bound = await(t.listen());
        bound._2().success(new AssociationEventListener() {
            @Override
            public void notify(AssociationEvent ev) {
                events.add(ev);
            }
        });
    }

    private static <T> T await(Future<T> f) throws Exception {
        return FutureConverters.asJava(f).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static LinkedBlockingQueue<HandleEvent> readAll(AssociationHandle h) {
        LinkedBlockingQueue<HandleEvent> q = new LinkedBlockingQueue<>();
        h.readHandlerPromise().success(new HandleEventListener() {
            @Override
            public void notify(HandleEvent ev) {
                q.add(ev);
            }
        });
        return q;
    }

    /** Payloads in {@code events}, which a read handler fills. */
    private static long payloads(LinkedBlockingQueue<HandleEvent> events) {
        return events.stream().filter(e -> e instanceof InboundPayload).count();
    }

    /** Waits up to 30 s for {@code condition}, checking every millisecond. */
    private static void waitFor(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(1);
        }
    }

    private AssociationHandle accepted() throws InterruptedException {
        AssociationEvent ev = inboundAtB.poll(30, TimeUnit.SECONDS);
        return assertInstanceOf(InboundAssociation.class, ev).association();
    }

    private static ByteString numbered(int i, int size) {
        byte[] b = new byte[size];
        ByteBuffer.wrap(b).putInt(i).putInt(size);
        return ByteString.fromArrayUnsafe(b);
    }

    @Test
    void addressesAreKeysAndVirtualPorts() {
        Address local = a.localAddress();
        assertEquals("mesh", local.protocol());
        assertEquals("a", local.system());
        assertEquals(mesh.node(0).host(), local.host().get());
        assertEquals(7000, local.port().get());
        assertTrue(MeshAddress.isValid(b.localAddress()));
        assertFalse(MeshAddress.isValid(new Address("mesh", "b", "localhost", 7001)));
        assertFalse(MeshAddress.isValid(new Address("mesh", "b")));
        assertEquals(mesh.node(1).publicKey(), MeshAddress.keyOf(new Address("mesh", "b", mesh.node(1).host(), 1)));
        assertFalse(MeshAddress.isValid(new Address("mesh", "b", mesh.node(1).host().toUpperCase(), 1)), "Pekko compares hosts as strings");
    }

    @Test
    void payloadsArriveInOrderAndAreHeldUntilTheReadHandlerRegisters() throws Exception {
        AssociationHandle out = await(a.associate(b.localAddress()));
        assertEquals(b.localAddress(), out.remoteAddress());
        LinkedBlockingQueue<HandleEvent> atA = readAll(out);
        AssociationHandle in = accepted();
        assertEquals(new Address("mesh", "a", mesh.node(0).host(), 7000), in.remoteAddress());
        for (int i = 0; i < 100; i++) {
            assertTrue(out.write(numbered(i, 100 + i)));
        }
        MeshAssociationHandle held = assertInstanceOf(MeshAssociationHandle.class, in);
        waitFor("all 100 held at B, which has no read handler yet", () -> held.eventsHeld() == 100);
        LinkedBlockingQueue<HandleEvent> atB = readAll(in);
        for (int i = 0; i < 100; i++) {
            assertEquals(numbered(i, 100 + i), assertInstanceOf(InboundPayload.class, atB.poll(30, TimeUnit.SECONDS)).payload());
        }
        assertTrue(in.write(ByteString.fromString("back")));
        assertEquals(ByteString.fromString("back"), assertInstanceOf(InboundPayload.class, atA.poll(30, TimeUnit.SECONDS)).payload());
    }

    @Test
    void writeRefusesWhenTheChannelIsFullAndNothingAcceptedIsLost() throws Exception {
        AssociationHandle out = await(a.associate(b.localAddress()));
        LinkedBlockingQueue<HandleEvent> atB = readAll(accepted());
        int size = 64 << 10;
        int accepted = 0;
        int refusals = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (accepted < 400 && System.nanoTime() < deadline) {
            if (out.write(numbered(accepted, size))) {
                accepted++;
            } else {
                refusals++; // classic remoting backs off and writes the same payload again
                Thread.sleep(1);
            }
        }
        assertEquals(400, accepted);
        assertTrue(refusals > 0, "25 MiB written as fast as possible must meet a full channel at least once");
        for (int i = 0; i < accepted; i++) {
            assertEquals(numbered(i, size), assertInstanceOf(InboundPayload.class, atB.poll(30, TimeUnit.SECONDS)).payload(),
                    "payload " + i);
        }
    }

    @Test
    void disassociateEndsBothSidesInBothForms() throws Exception {
        AssociationHandle first = await(a.associate(b.localAddress()));
        LinkedBlockingQueue<HandleEvent> firstAtA = readAll(first);
        LinkedBlockingQueue<HandleEvent> firstAtB = readAll(accepted());
        assertTrue(first.write(ByteString.fromString("last words")));
        first.disassociate();
        first.disassociate(); // any number of times
        assertFalse(first.write(ByteString.fromString("too late")));
        assertInstanceOf(Disassociated.class, firstAtA.poll(30, TimeUnit.SECONDS));
        assertEquals(ByteString.fromString("last words"), assertInstanceOf(InboundPayload.class, firstAtB.poll(30, TimeUnit.SECONDS)).payload());
        assertInstanceOf(Disassociated.class, firstAtB.poll(30, TimeUnit.SECONDS));

        AssociationHandle second = await(a.associate(b.localAddress()));
        readAll(second);
        LinkedBlockingQueue<HandleEvent> secondAtB = readAll(accepted());
        second.disassociate("the test is done", Logging.getLogger(systemA, this));
        assertInstanceOf(Disassociated.class, secondAtB.poll(30, TimeUnit.SECONDS));

        // both channels ended both ways: retired, so association churn does not grow the connection
        io.keymesh.node.MeshNode nodeA = MeshTransport.node(systemA).orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int channels;
        while ((channels = nodeA.channelStats(mesh.node(1).publicKey()).get().channels()) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, channels, "channels left on A's connection to B");
    }

    @Test
    void noActorSystemOnTheVirtualPortIsARefusal() {
        Address nobody = new Address("mesh", "b", mesh.node(1).host(), 7999);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(a.associate(nobody)));
        Transport.InvalidAssociationException cause = assertInstanceOf(Transport.InvalidAssociationException.class, e.getCause());
        assertTrue(cause.getMessage().contains("no actor system listens on virtual port 7999"), cause.getMessage());
    }

    @Test
    void invalidAddressesAndStrangersFailAtOnce() throws Exception {
        String stranger = new TestMesh(1).node(0).host(); // a valid key, not a peer
        java.util.Map<Address, String> bad = java.util.Map.of(
                new Address("mesh", "b", "127.0.0.1", 7001), "the host must be a node's public key in base32 (52 characters",
                new Address("mesh", "b", mesh.node(1).host(), 0), "virtual port 0 out of range 1..65535",
                new Address("mesh", "b", stranger, 7001), "node " + stranger + " is not a peer of this node (add it to keymesh.peers, or set keymesh.accept-members");
        for (var entry : bad.entrySet()) {
            assertTrue(a.isResponsibleFor(entry.getKey()), "the transport explains what is wrong itself");
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(a.associate(entry.getKey())));
            Throwable cause = assertInstanceOf(Transport.InvalidAssociationException.class, e.getCause(), entry.getKey().toString());
            assertTrue(cause.getMessage().contains(entry.getValue()), cause.getMessage());
        }
    }

    @Test
    void attemptsToAPeerThatDoesNotAnswerLeaveNoChannelsBehind() throws Exception {
        ActorSystem systemD = ActorSystem.create("d", ConfigFactory.parseString("pekko.remote.classic.keymesh.connection-timeout = 1 s")
                .withFallback(localOnly(0, 7003)));
        ActorSystem systemC = null;
        MeshTransport c = null;
        try {
            MeshTransport d = transport(systemD);
            listen(d, new LinkedBlockingQueue<>());
            Address silent = new Address("mesh", "c", mesh.node(2).host(), 7002); // node 2 does not run yet
            for (int attempt = 0; attempt < 3; attempt++) {
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(d.associate(silent)));
                assertTrue(e.getCause().getMessage().contains("no answer from " + silent), e.getCause().getMessage());
            }
            io.keymesh.node.MeshNode nodeA = MeshTransport.node(systemD).orElseThrow();
            assertEquals(null, nodeA.channelStats(mesh.node(2).publicKey()).get(), "no connection, no channel: nothing waits for node 2");
            assertEquals(0, d.mux().waiting(mesh.node(2).publicKey()), "the attempts that timed out are not kept");

            // node 2 comes up: the next attempt handshakes and associates
            systemC = ActorSystem.create("c", localOnly(2, 7002));
            c = transport(systemC);
            LinkedBlockingQueue<AssociationEvent> inboundAtC = new LinkedBlockingQueue<>();
            listen(c, inboundAtC);
            AssociationHandle out = null;
            for (int attempt = 0; out == null; attempt++) {
                try {
                    out = await(d.associate(silent));
                } catch (ExecutionException e) {
                    if (attempt == 10) {
                        throw e; // a handshake initiation is answered within one attempt once node 2 runs
                    }
                }
            }
            readAll(out);
            LinkedBlockingQueue<HandleEvent> atC = readAll(assertInstanceOf(InboundAssociation.class, inboundAtC.poll(30, TimeUnit.SECONDS)).association());
            assertTrue(out.write(ByteString.fromString("at last")));
            assertEquals(ByteString.fromString("at last"), assertInstanceOf(InboundPayload.class, atC.poll(30, TimeUnit.SECONDS)).payload());
            assertEquals(1, nodeA.channelStats(mesh.node(2).publicKey()).get().channels(), "only the association that succeeded");
        } finally {
            if (c != null) {
                await(c.shutdown());
            }
            for (ActorSystem s : new ActorSystem[] {systemC, systemD}) {
                if (s != null) {
                    s.terminate();
                    s.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void lateMessagesOnAnEndedAssociationAreDroppedNotAnswered() throws Exception {
        AssociationHandle out = await(a.associate(b.localAddress()));
        LinkedBlockingQueue<HandleEvent> atA = readAll(out);
        AssociationHandle in = accepted();
        LinkedBlockingQueue<HandleEvent> atB = readAll(in);
        for (int i = 0; i < 200; i++) {
            assertTrue(out.write(numbered(i, 1000))); // in flight when B ends its side
        }
        in.disassociate();
        int written = 200;
        while (written < 2_000 && out.write(numbered(written, 1000))) {
            written++; // A goes on writing until it learns of the end
        }
        assertInstanceOf(Disassociated.class, atA.poll(30, TimeUnit.SECONDS), "A is told, and gets nothing else first");
        int all = written;
        waitFor("B took every message A wrote: to its handler before the end, dropped after it",
                () -> payloads(atB) + b.mux().strayMessages() == all);
        assertTrue(b.mux().strayMessages() > 0, "some came after the end");
        // A round trip on a new association: an answer B had sent on the ended channel would be ahead of it.
        AssociationHandle again = await(a.associate(b.localAddress()));
        LinkedBlockingQueue<HandleEvent> againAtA = readAll(again);
        AssociationHandle againIn = accepted();
        LinkedBlockingQueue<HandleEvent> againAtB = readAll(againIn);
        assertTrue(again.write(ByteString.fromString("ping")));
        assertEquals(ByteString.fromString("ping"), assertInstanceOf(InboundPayload.class, againAtB.poll(30, TimeUnit.SECONDS)).payload());
        assertTrue(againIn.write(ByteString.fromString("pong")));
        assertEquals(ByteString.fromString("pong"), assertInstanceOf(InboundPayload.class, againAtA.poll(30, TimeUnit.SECONDS)).payload());
        assertTrue(atA.isEmpty(), "no answer came back on the ended channel: " + atA.peek());
    }

    @Test
    void theFirstOfAcceptAndTimeoutDecidesAnOutboundAssociation() throws Exception {
        NodeMux m = a.mux();
        Address remote = b.localAddress();
        MeshAssociationHandle accepted = new MeshAssociationHandle(m, a, new NodeMux.ChannelKey(mesh.node(1).publicKey(), 1_000_000),
                a.localAddress(), remote, false);
        accepted.received(new AssociationControl.Accept().encode());
        accepted.timedOut("too late");
        assertEquals(accepted, await(accepted.established()));
        assertFalse(accepted.isEnded());

        MeshAssociationHandle timedOut = new MeshAssociationHandle(m, a, new NodeMux.ChannelKey(mesh.node(1).publicKey(), 1_000_002),
                a.localAddress(), remote, false);
        timedOut.timedOut("no answer");
        timedOut.received(new AssociationControl.Accept().encode());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(timedOut.established()));
        assertEquals("no answer", e.getCause().getMessage());
        assertTrue(timedOut.isEnded());
        assertFalse(timedOut.write(ByteString.fromString("x")));
    }

    @Test
    void removingThePeerEndsItsAssociations() throws Exception {
        AssociationHandle out = await(a.associate(b.localAddress()));
        LinkedBlockingQueue<HandleEvent> atA = readAll(out);
        readAll(accepted());
        MeshTransport.node(systemA).orElseThrow().removePeer(mesh.node(1).publicKey()).get(10, TimeUnit.SECONDS);
        boolean refused = false;
        for (int i = 0; i < 100 && !refused; i++) {
            refused = !out.write(numbered(i, 100));
        }
        assertTrue(refused);
        assertInstanceOf(Disassociated.class, atA.poll(30, TimeUnit.SECONDS));
    }

    @Test
    void anActorSystemOnTheSameNodeLeavingEndsTheLocalAssociation() throws Exception {
        ActorSystem systemC = ActorSystem.create("c", localOnly(0, 7002));
        try {
            MeshTransport c = transport(systemC);
            LinkedBlockingQueue<AssociationEvent> inboundAtC = new LinkedBlockingQueue<>();
            listen(c, inboundAtC);
            AssociationHandle out = await(a.associate(c.localAddress()));
            assertInstanceOf(LocalAssociation.class, out);
            LinkedBlockingQueue<HandleEvent> atA = readAll(out);
            LinkedBlockingQueue<HandleEvent> atC = readAll(assertInstanceOf(InboundAssociation.class,
                    inboundAtC.poll(10, TimeUnit.SECONDS)).association());
            assertTrue(out.write(ByteString.fromString("in memory")));
            assertEquals(ByteString.fromString("in memory"), assertInstanceOf(InboundPayload.class, atC.poll(10, TimeUnit.SECONDS)).payload());
            await(c.shutdown());
            assertInstanceOf(Disassociated.class, atA.poll(10, TimeUnit.SECONDS));
            assertFalse(out.write(ByteString.fromString("to nobody")));
        } finally {
            systemC.terminate();
            systemC.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }
}
