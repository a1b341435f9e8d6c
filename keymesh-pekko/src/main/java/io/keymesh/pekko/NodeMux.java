package io.keymesh.pekko;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.NodeListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One keymesh node shared by the actor systems of a JVM that use the same node key: it owns the
 * {@link MeshNode}, hands each actor system a virtual port, and routes the node's channels to
 * associations.
 *
 * <p>Channel numbers: each association is one channel, numbered by its initiator. The node whose
 * key sorts lower (unsigned bytes) uses even numbers towards a peer, the other odd ones, so the two
 * never pick the same number at once.
 *
 * <p>An outbound association's channel is opened only once the node has a WireGuard session with
 * the peer ({@link #openWhenUp}): while a peer does not answer, attempts that time out leave
 * nothing behind, instead of a channel each holding its OPEN until the peer is back.
 *
 * <p>Threading: {@link NodeListener} calls arrive on the node's loop thread and only route; work
 * that goes back into the node (sending an answer, closing a channel) runs on the mux's own
 * thread, never re-entrantly inside the node's callbacks.
 */
final class NodeMux implements NodeListener {
    private static final Logger log = LoggerFactory.getLogger(NodeMux.class);
    /** Where a free virtual port is looked for (the IANA dynamic range). */
    private static final int EPHEMERAL_FIRST = 49152;

    /** An association's channel: the peer and the channel number. */
    record ChannelKey(PublicKey peer, long channelId) {}

    private final PublicKey self;
    private final io.keymesh.crypto.PrivateKey privateKey;
    private final byte[] selfBytes;
    private final int maxMessage;
    private final NodeConfig config;
    private final Map<Integer, MeshTransport> ports = new ConcurrentHashMap<>();
    private final Map<ChannelKey, MeshAssociationHandle> associations = new ConcurrentHashMap<>();
    private final Map<PublicKey, PeerGate> gates = new ConcurrentHashMap<>();
    /** Per peer, so that the numbers towards one peer are consecutive (on this node's parity) and retire into one range. */
    private final Map<PublicKey, AtomicLong> nextChannel = new ConcurrentHashMap<>();
    private final AtomicLong strayMessages = new AtomicLong();
    private final AtomicLong refusedOpens = new AtomicLong();
    private final ExecutorService worker;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile MeshNode node;
    int users; // guarded by SharedNodes

    NodeMux(NodeConfig config) {
        this.privateKey = config.privateKey();
        this.self = privateKey.publicKey();
        this.selfBytes = self.toBytes();
        this.maxMessage = config.channels().maxMessage();
        this.config = config;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "keymesh-pekko-" + self.toBase32().substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        try {
            this.node = MeshNode.start(config, this);
        } catch (RuntimeException e) {
            worker.shutdown();
            throw e;
        } finally {
            started.countDown();
        }
    }

    /** The node; waits for its start when called from one of its own early callbacks. */
    MeshNode node() {
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return node;
    }

    PublicKey self() {
        return self;
    }

    /** True if {@code other} describes this node as it runs (same key, address, network key, peers, settings). */
    boolean sameNode(NodeConfig other) {
        return other.equals(config);
    }

    /** The largest message the node's channels take. */
    int maxMessage() {
        return maxMessage;
    }

    /**
     * Gives {@code transport} virtual port {@code port}, or a free one if 0.
     *
     * @return the port
     * @throws IllegalArgumentException if the port is taken by another actor system on this node
     */
    int bind(int port, MeshTransport transport) {
        if (port != 0) {
            if (ports.putIfAbsent(port, transport) != null) {
                throw new IllegalArgumentException(MeshTransportSettings.PATH + ".port: virtual port " + port
                        + " of node " + self.toBase32() + " is taken by another actor system in this JVM");
            }
            return port;
        }
        int span = MeshAddress.MAX_PORT - EPHEMERAL_FIRST + 1;
        int start = ThreadLocalRandom.current().nextInt(span);
        for (int i = 0; i < span; i++) {
            int p = EPHEMERAL_FIRST + (start + i) % span;
            if (ports.putIfAbsent(p, transport) == null) {
                return p;
            }
        }
        throw new IllegalStateException("no free virtual port on node " + self.toBase32());
    }

    /** The actor system's transport on virtual port {@code port}, or null. */
    MeshTransport transportAt(int port) {
        return ports.get(port);
    }

    void unbind(int port, MeshTransport transport) {
        ports.remove(port, transport);
    }

    /** A new channel number towards {@code peer}, never one the peer picks. */
    long newChannelId(PublicKey peer) {
        return nextChannel.computeIfAbsent(peer, k -> new AtomicLong()).getAndIncrement() * 2 + parityTowards(peer);
    }

    /** The low bit of the channel numbers this node picks towards {@code peer} (the peer picks the other). */
    private int parityTowards(PublicKey peer) {
        return Arrays.compareUnsigned(selfBytes, peer.toBytes()) < 0 ? 0 : 1;
    }

    /** Whether the node has a session with a peer, and the outbound associations waiting for one. */
    private static final class PeerGate {
        /** An outbound association and what opens its channel. */
        record Waiting(MeshAssociationHandle handle, Runnable open) {}

        boolean up; // guarded by this
        final List<Waiting> waiting = new ArrayList<>(); // guarded by this
    }

    private PeerGate gate(PublicKey peer) {
        return gates.computeIfAbsent(peer, k -> new PeerGate());
    }

    /**
     * Runs {@code open} (which opens {@code h}'s channel and sends OPEN) on the mux's thread as soon
     * as the node has a session with {@code peer}: at once if it has one; otherwise the node is asked
     * to handshake and {@code open} waits for the peer to come up. An association that ends while it
     * waits (its connection-timeout) is dropped without a channel ever being opened.
     */
    void openWhenUp(PublicKey peer, MeshAssociationHandle h, Runnable open) {
        PeerGate g = gate(peer);
        boolean up;
        synchronized (g) {
            up = g.up;
            if (!up) {
                g.waiting.add(new PeerGate.Waiting(h, open));
            }
        }
        if (up) {
            runLater(open);
        } else {
            node().connect(peer).exceptionally(e -> false); // not a peer any more: the timeout ends it
        }
    }

    /** Outbound associations waiting for {@code peer}'s session. */
    int waiting(PublicKey peer) {
        PeerGate g = gates.get(peer);
        if (g == null) {
            return 0;
        }
        synchronized (g) {
            return g.waiting.size();
        }
    }

    /** Registers an association so that its channel's messages reach it. */
    void register(MeshAssociationHandle h) {
        associations.put(h.key(), h);
    }

    /** Unregisters an ended association (also from its peer's waiting list, if it waited there). */
    void forget(MeshAssociationHandle h) {
        associations.remove(h.key(), h);
        PeerGate g = gates.get(h.peer());
        if (g != null) {
            synchronized (g) {
                g.waiting.removeIf(w -> w.handle() == h);
            }
        }
    }

    /** The associations of {@code transport}. */
    Iterable<MeshAssociationHandle> associationsOf(MeshTransport transport) {
        return associations.values().stream().filter(h -> h.transport() == transport).toList();
    }

    /** Closes {@code c} (if any) from the mux's thread. */
    void closeLater(Channel c) {
        if (c != null) {
            runLater(c::close);
        }
    }

    /** Runs {@code task} on the mux's thread, after the tasks before it. */
    void runLater(Runnable task) {
        try {
            worker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.debug("keymesh-pekko: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            // closed: nothing left to do
        }
    }

    /** Messages dropped on channels that carry no association (late, stray or malformed). */
    long strayMessages() {
        return strayMessages.get();
    }

    /** Counts a message that came for an association after it ended, before it was forgotten here. */
    void lateMessage() {
        strayMessages.incrementAndGet();
    }

    /** OPENs refused: no actor system on the virtual port. */
    long refusedOpens() {
        return refusedOpens.get();
    }

    /** How long the node may take, when the last actor system leaves, to deliver what its channels took. */
    private static final Duration DRAIN = Duration.ofSeconds(2);

    /**
     * Stops the node (after the last actor system left) once its channels have delivered what they
     * accepted (at most {@link #DRAIN}), and wipes its private key.
     */
    void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        node().close(DRAIN);
        privateKey.close();
    }

    // ------------------------------------------------------------------ node events (loop thread)

    @Override
    public void onMessage(PublicKey from, long channelId, byte[] message) {
        ChannelKey key = new ChannelKey(from, channelId);
        MeshAssociationHandle h = associations.get(key);
        if (h != null) {
            h.received(message);
            return;
        }
        // A channel we know nothing of: only the first message of a channel the peer opened, an
        // OPEN, starts something. Anything else (a late message on an association that ended, an
        // answer that came after its timeout) is dropped: answering it would reopen the channel.
        AssociationControl.Open open;
        try {
            if (!(AssociationControl.decode(message) instanceof AssociationControl.Open o)) {
                throw new IllegalArgumentException("not OPEN");
            }
            open = o;
        } catch (IllegalArgumentException e) {
            strayMessages.incrementAndGet();
            log.debug("keymesh-pekko: dropped a message on channel {} from {}, which carries no association: {}",
                    channelId, from, e.getMessage());
            return;
        }
        if ((channelId & 1) == parityTowards(from)) {
            strayMessages.incrementAndGet(); // an OPEN on a number only this node hands out
            return;
        }
        MeshTransport t = ports.get(open.toPort());
        if (t == null || t.localAddress() == null) { // none, or its actor system is still starting to listen
            refusedOpens.incrementAndGet();
            refuse(key, "no actor system listens on virtual port " + open.toPort() + " of node " + self.toBase32());
            return;
        }
        MeshAssociationHandle inbound = t.inbound(this, key, open);
        register(inbound);
        runLater(() -> {
            Channel c = node().channel(from, channelId, t.compression());
            inbound.attach(c); // closes it if the association already ended (the peer gave up meanwhile)
            if (!inbound.isEnded()) {
                c.send(new AssociationControl.Accept().encode());
                t.announce(inbound);
            }
        });
    }

    private void refuse(ChannelKey key, String reason) {
        runLater(() -> {
            Channel c = node().channel(key.peer(), key.channelId());
            c.send(new AssociationControl.Refuse(reason).encode());
            c.close();
        });
    }

    @Override
    public void onPeerUp(PublicKey peer) {
        PeerGate g = gate(peer);
        List<PeerGate.Waiting> ready;
        synchronized (g) {
            g.up = true;
            ready = List.copyOf(g.waiting);
            g.waiting.clear();
        }
        for (PeerGate.Waiting w : ready) {
            if (!w.handle().isEnded()) {
                runLater(w.open());
            }
        }
    }

    @Override
    public void onPeerDown(PublicKey peer, String reason) {
        PeerGate g = gate(peer);
        synchronized (g) {
            g.up = false;
        }
    }

    @Override
    public void onChannelClosed(PublicKey peer, long channelId, long errorCode) {
        MeshAssociationHandle h = associations.get(new ChannelKey(peer, channelId));
        if (h != null) {
            h.remoteEnded("the other side ended the association" + (errorCode == 0 ? "" : " (error " + errorCode + ")"));
        }
    }

    @Override
    public void onChannelsLost(PublicKey peer, String reason) {
        for (MeshAssociationHandle h : associations.values()) {
            if (h.peer().equals(peer) && !h.waitsForPeer()) { // those still waiting for the peer's session have no part in it
                h.remoteEnded("the connection to node " + peer.toBase32() + " was lost: " + reason);
            }
        }
    }
}
