package io.keymesh.node;

import io.keymesh.channel.ChannelConnection;
import io.keymesh.compress.Compression;
import io.keymesh.compress.CompressionStats;
import io.keymesh.compress.Dictionary;
import io.keymesh.compress.DictionaryStore;
import io.keymesh.crypto.Aead;
import io.keymesh.crypto.PresharedKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.io.NodeIo;
import io.keymesh.io.UdpIo;
import io.keymesh.overlay.SeekEndpoint;
import io.keymesh.session.DropReason;
import io.keymesh.session.Peer;
import io.keymesh.session.SessionEngine;
import io.keymesh.session.UdpEndpoint;
import io.keymesh.wire.MeshFrame;
import io.keymesh.wire.TransportData;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A keymesh node: one UDP port, a key pair, and peers reached by public key over WireGuard
 * sessions. Strangers, and nodes without the network key, get no answer at all.
 *
 * <p>Threading: the node runs on its {@link NodeIo}'s loop thread. Its public methods may be called
 * from any thread; {@link NodeListener} callbacks run on the loop thread and must not block (hand
 * work to another thread). Methods that return a future complete on the loop thread, or at once
 * when called from it.
 *
 * <p>Closed or failed: once the node is closed, or its loop thread has stopped on a failure (on a
 * real socket: an I/O error of the socket, or a {@link VirtualMachineError} in a callback; a
 * listener that throws anything else is logged and counted, {@link UdpNodeIo#callbackErrors()},
 * and the loop goes on), it takes no more work: {@link #send}, {@link #channel} and
 * {@link Channel#send} throw {@link IllegalStateException}, and methods that return a future return
 * one that has already failed with an {@link IllegalStateException}. A call that was queued for the
 * loop when it stopped fails the same way rather than never completing.
 *
 * <p>Datagrams are unreliable, as UDP: one accepted by {@link #send} may still be lost on the way.
 * Before a session exists they wait (up to 128 per peer) for the handshake. {@link #send} refuses
 * work beyond {@link #MAX_PENDING_SENDS} queued sends or {@link #MAX_PENDING_SEND_BYTES} queued
 * bytes instead of queueing without bound.
 */
public final class MeshNode implements AutoCloseable {
    /**
     * Largest datagram: a UDP payload over IPv4 (65,507) less WireGuard's header and tag (32), the
     * worst-case padding (15) and the frame header (5).
     */
    public static final int MAX_DATAGRAM_LENGTH = 65_507 - TransportData.MIN_LENGTH - 15 - 5;
    /** Sends queued for the loop thread beyond which {@link #send} returns false. */
    public static final int MAX_PENDING_SENDS = 16_384;
    /**
     * Bytes of datagrams queued for the loop thread beyond which {@link #send} returns false. The
     * count alone would let {@link #MAX_PENDING_SENDS} large datagrams hold about a gibibyte of
     * heap; 4 MiB, as much as the socket's send buffer, is milliseconds of work for the loop, and a
     * longer queue would only add delay.
     */
    public static final int MAX_PENDING_SEND_BYTES = 4 << 20;
    /** Bytes of messages a {@link Channel} holds for its connection before it refuses more. */
    public static final int CHANNEL_QUEUE_BYTES = 1 << 20;
    /** The reason {@link #removePeer} gives for the channels and the peer it ends. */
    public static final String PEER_REMOVED = "peer removed";

    private final EngineLoop loop;
    private final GuardedListener listener;
    private final NodeConfig config;
    private final Map<PublicKey, PeerState> peers = new ConcurrentHashMap<>();
    private final RunState run = new RunState();
    private final PayloadRouter router = new PayloadRouter(peers);
    private final NodeStats stats = new NodeStats(peers);
    private final DatagramSender sender;
    private final PeerConnections connections;
    private final MeshOverlay overlay;
    private final Pings pings;
    /** Members let in without being listed, now; loop thread. */
    private int admittedMembers;

    private MeshNode(NodeConfig config, NodeListener listener, NodeIo io) {
        GuardedListener guarded = new GuardedListener(listener);
        this.config = config;
        this.listener = guarded;
        PeerEvents events = new PeerEvents(peers, guarded, router);
        this.loop = new EngineLoop(io, config.privateKey(), events);
        this.sender = new DatagramSender(loop, config.aead(), peers, run);
        this.connections = new PeerConnections(loop, guarded, config, peers, run);
        this.overlay = new MeshOverlay(loop, guarded, config, peers, connections, router);
        events.overlay = overlay;
        events.connections = connections;
        events.clock = io::nanoTime;
        events.maxUdpPayload = config.channels().maxUdpPayload();
        events.silence = new Wakeup(io, events::nextSilence, events::checkSilence);
        events.members = this::admitMember;
        Map<PublicKey, String> names = new java.util.HashMap<>();
        for (PeerConfig p : config.peers()) {
            if (p.name() != null) {
                names.put(p.publicKey(), p.name());
            }
        }
        events.refusals = new RefusedHandshakes(config.privateKey().publicKey(), config.networkKey() != null,
                config.acceptMembers(), key -> names.containsKey(key) ? names.get(key) + " (" + key.toBase64() + ")" : key.toBase64(),
                () -> admittedMembers >= NodeConfig.MAX_ADMITTED_MEMBERS);
        events.engine = loop.engine();
        // Not from inside the engine's timers, which walk its peers: a task right after.
        events.forgetMember = key -> loop.submit((engine, now) -> {
            forget(engine, key);
            return null;
        });
        connections.overlay = overlay;
        overlay.onUnreachable = this::unreachable;
        this.pings = new Pings(io, peers, loop.engine(), overlay);
        overlay.pings = pings;
        stats.overlay = overlay;
        router.registerPayload(MeshFrame.PACKET, connections::receive);
        router.registerFrame(MeshFrame.DATAGRAM, (from, state, b, off, len) -> {
            if (state != null) {
                state.datagramsReceived++;
            }
            guarded.onDatagram(from, b, off, len);
        });
    }

    /** Starts a node on a real UDP socket bound to {@code config.listen()}, with the I/O {@code config.udpIo()} asks for. */
    public static MeshNode start(NodeConfig config, NodeListener listener) {
        return start(config, listener, UdpIo.open(config.listen(), config.udpIo()));
    }

    /** Starts a node on {@code io} (for example a simulated network); {@code config.listen()} is not used. */
    public static MeshNode start(NodeConfig config, NodeListener listener, NodeIo io) {
        MeshNode node = new MeshNode(config, listener, io);
        CompletableFuture<Void> configured = node.loop.call((engine, now) -> {
            engine.setTransportAead(Aead.named(config.aead()));
            if (config.networkKey() != null) {
                engine.setMembershipKey(config.networkKey());
            }
            for (PeerConfig p : config.peers()) {
                node.addPeerOnLoop(engine, p);
            }
            return null;
        });
        node.loop.openOnWorkers(config.effectiveCryptoWorkers(), config.aead());
        node.loop.start(node::loopStopped); // the loop runs queued tasks (the configuration) before it receives
        try {
            configured.join();
        } catch (java.util.concurrent.CompletionException e) {
            node.close();
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
        return node;
    }

    /** This node's public key. */
    public PublicKey publicKey() {
        return config.privateKey().publicKey();
    }

    /** Threads that open received packets together with the loop thread (0: the loop thread alone). */
    public int cryptoWorkers() {
        return loop.cryptoWorkers();
    }

    /** Received batches whose packets the crypto workers helped open, so far; any thread. */
    public long parallelBatches() {
        return loop.parallelBatches();
    }

    /** The bound UDP address. */
    public InetSocketAddress localAddress() {
        return loop.io().localAddress();
    }

    /** True if {@code key} is an allowed peer. */
    public boolean isPeer(PublicKey key) {
        return peers.containsKey(key);
    }

    /**
     * Sends {@code data[off..off+len)} to the peer {@code to} as one datagram. The bytes are copied
     * before return. On a real socket, with a session up and no earlier send to that peer waiting
     * for the loop, the datagram is encrypted and sent on the calling thread before return;
     * otherwise the loop thread sends it (after a handshake if need be), after the sends to that
     * peer queued before it. On the loop thread itself (from a listener callback) it is sent at once,
     * ahead of that peer's datagrams other threads have queued, and never refused.
     *
     * @return true if accepted, false if refused because {@link #MAX_PENDING_SENDS} sends or
     *     {@link #MAX_PENDING_SEND_BYTES} bytes are queued for the loop (counted in {@link #sendsRefused})
     * @throws IllegalArgumentException if {@code to} is not a peer or the datagram is longer than
     *     {@link #MAX_DATAGRAM_LENGTH}
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit in {@code data}
     * @throws IllegalStateException if the node is closed or its loop failed
     */
    public boolean send(PublicKey to, byte[] data, int off, int len) {
        return sender.send(to, data, off, len);
    }

    /**
     * The largest datagram {@link #send} takes for {@code peer} now: what its current path carries
     * (see the class comment); {@link #MAX_DATAGRAM_LENGTH} while no path is known.
     *
     * @throws IllegalArgumentException if {@code peer} is not a peer
     */
    public int maxDatagramLength(PublicKey peer) {
        PeerState s = peers.get(peer);
        if (s == null) {
            throw new IllegalArgumentException("not a peer of this node: " + peer);
        }
        return s.maxDatagram;
    }

    /** {@link #send(PublicKey, byte[], int, int)} of a whole array. */
    public boolean send(PublicKey to, byte[] data) {
        return send(to, data, 0, data.length);
    }

    /**
     * Adds (allows) a peer at run time.
     *
     * @return completes once the peer is added; has failed with {@link IllegalStateException} if
     *     the node is closed or its loop failed
     * @throws IllegalArgumentException if {@code peer} is this node's own key
     */
    public CompletableFuture<Void> addPeer(PeerConfig peer) {
        if (peer.publicKey().equals(publicKey())) {
            throw new IllegalArgumentException("a node cannot be its own peer");
        }
        return onLoop((engine, now) -> {
            addPeerOnLoop(engine, peer);
            return null;
        });
    }

    /**
     * Removes a peer at run time: its connection is closed (the peer is sent a CONNECTION_CLOSE),
     * its session ends with its keys zeroed, and it gets no further answer. The listener hears it as
     * it would hear a connection lost and a peer gone, on the loop thread before the future
     * completes, with the reason {@value #PEER_REMOVED}: {@link NodeListener#onChannelsLost} if the
     * peer had channels (on its connection, or handles not yet lost), then
     * {@link NodeListener#onPeerDown} if it was up. Its channel handles are lost.
     *
     * @return completes with whether {@code key} was a peer; has failed with
     *     {@link IllegalStateException} if the node is closed or its loop failed
     */
    public CompletableFuture<Boolean> removePeer(PublicKey key) {
        return onLoop((engine, now) -> {
            PeerState s = peers.remove(key);
            if (s == null) {
                return false;
            }
            boolean hadChannels = connections.peerRemoved(s, now, PEER_REMOVED); // reports nothing: reported below
            boolean removed = engine.removePeer(key);
            overlay.removePeer(key);
            if (s.admitted) {
                admittedMembers--;
            }
            pings.peerGone(key, PEER_REMOVED);
            boolean wasUp = s.up;
            s.up = false;
            try {
                if (hadChannels) {
                    listener.onChannelsLost(key, PEER_REMOVED);
                }
            } finally {
                if (wasUp) {
                    listener.onPeerDown(key, PEER_REMOVED); // also if the listener threw above
                }
            }
            return removed;
        });
    }

    /**
     * Makes {@code key} a peer if it is not one yet, so that it can be sent to: with
     * {@link NodeConfig#acceptMembers()}, any member's key is taken as a peer with no known path,
     * which the node finds through its members ({@link io.keymesh.overlay.DiscoveryConfig}) when it
     * first sends to it — like a member let in when it reaches us, it counts against
     * {@link NodeConfig#MAX_ADMITTED_MEMBERS}, is forgotten when its session expires, and is
     * forgotten when no member knows it ({@link NodeListener#onPeerUnreachable}). A node that takes
     * only the peers it lists reaches only those.
     *
     * @return completes with true if {@code key} is a peer now; false if it is not and cannot be
     *     (not in member mode, or as many members as allowed); has failed with
     *     {@link IllegalStateException} if the node is closed or its loop failed
     * @throws IllegalArgumentException if {@code key} is this node's own key
     */
    public CompletableFuture<Boolean> reach(PublicKey key) {
        if (key.equals(publicKey())) {
            throw new IllegalArgumentException("a node cannot reach itself as a peer");
        }
        if (peers.containsKey(key)) {
            return CompletableFuture.completedFuture(true);
        }
        return onLoop((engine, now) -> peers.containsKey(key) || admitMember(key));
    }

    /**
     * Starts a handshake with {@code key} now (WireGuard allows one per 5 s).
     *
     * @return completes with whether a handshake was started; fails with
     *     {@link IllegalArgumentException} if {@code key} is not a peer, and with
     *     {@link IllegalStateException} if the node is closed or its loop failed
     */
    public CompletableFuture<Boolean> connect(PublicKey key) {
        return onLoop((engine, now) -> {
            PeerState s = peers.get(key);
            if (s == null) {
                throw new IllegalArgumentException("not a peer of this node: " + key);
            }
            return engine.initiateHandshake(now, s.session);
        });
    }

    /**
     * Pings {@code peer}: a probe inside its session, on the path its packets take now, which the
     * peer answers on the path it came in on, as the overlay's own path probes (a PROBE frame; see
     * docs/architecture.md). The answer is the ping's alone: it feeds no path's round-trip estimate
     * and moves no traffic (like any authenticated packet it shows that its path is alive). Without a
     * session the ping starts a handshake first (one a second at most, not WireGuard's one per 5 s:
     * someone waits) — for a peer with no known path, a seek through the members, at WireGuard's
     * pace — and says so ({@link PingResult#setup()}); the whole ping, handshake included, must be
     * answered within {@code timeout}.
     *
     * @return completes with the answer's path and round-trip time; fails with a
     *     {@link java.util.concurrent.TimeoutException} if none came within {@code timeout} (its message
     *     says whether a session came up), with {@link IllegalArgumentException} if {@code peer} is not a
     *     peer or is a stock WireGuard peer (which answers no probes: {@code keymesh wgping} pings inside
     *     its tunnel instead), and with {@link IllegalStateException} if the peer is removed meanwhile,
     *     too many pings are outstanding, or the node is closed or its loop failed
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public CompletableFuture<PingResult> ping(PublicKey peer, java.time.Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a ping's timeout must be positive, got " + timeout);
        }
        long timeoutNanos = timeout.toNanos();
        return onLoop((engine, now) -> {
            PeerState s = peers.get(peer);
            if (s == null) {
                throw new IllegalArgumentException("not a peer of this node: " + peer);
            }
            CompletableFuture<PingResult> answer = new CompletableFuture<>();
            pings.start(now, s, timeoutNanos, answer);
            return answer;
        }).thenCompose(answer -> answer);
    }

    /** A snapshot of every peer; a failed future ({@link IllegalStateException}) if the node is closed or its loop failed. */
    public CompletableFuture<List<PeerStats>> peerStats() {
        return onLoop(stats::peers);
    }

    /**
     * Packets dropped by the session layer, by reason (only reasons that occurred); a failed future
     * ({@link IllegalStateException}) if the node is closed or its loop failed.
     */
    public CompletableFuture<Map<DropReason, Long>> drops() {
        return onLoop((engine, now) -> stats.drops(engine));
    }

    /**
     * The reliable connection's measurements for {@code peer} (RTT, window, losses, path MTU), or
     * null if none; a failed future ({@link IllegalStateException}) if the node is closed or its
     * loop failed.
     */
    public CompletableFuture<ChannelConnection.Stats> channelStats(PublicKey peer) {
        return onLoop((engine, now) -> stats.channel(peer));
    }

    /**
     * {@link #channelStats(PublicKey)} of every peer that has a reliable connection now, in one
     * task on the loop thread (for metrics, which read every peer at once); a failed future
     * ({@link IllegalStateException}) if the node is closed or its loop failed.
     */
    public CompletableFuture<Map<PublicKey, ChannelConnection.Stats>> channelStats() {
        return onLoop((engine, now) -> stats.channels());
    }

    /**
     * The relay service's counters and this node's own circuits; a failed future
     * ({@link IllegalStateException}) if the node is closed or its loop failed.
     */
    public CompletableFuture<RelayStats> relayStats() {
        return onLoop((engine, now) -> overlay.stats());
    }

    /**
     * Discovery's counters: this node's own seeks and the seeks of others it passed on or answered;
     * a failed future ({@link IllegalStateException}) if the node is closed or its loop failed.
     */
    public CompletableFuture<DiscoveryStats> discoveryStats() {
        return onLoop((engine, now) -> DiscoveryStats.of(overlay.overlay().seeks(), overlay.overlay().reach()));
    }

    /**
     * How many entries the node's tables hold now (peers, indices, channels, paths, circuits, seeks: see
     * {@link TableSizes}), for watching that they stay bounded; a failed future
     * ({@link IllegalStateException}) if the node is closed or its loop failed.
     */
    public CompletableFuture<TableSizes> tableSizes() {
        return onLoop((engine, now) -> stats.tables(engine, admittedMembers, overlay.outboxSize(), pings.pendingSize()));
    }

    /**
     * True when every message accepted by a {@link Channel} is acknowledged by its peer, or that
     * peer's connection is lost: what {@link #close(java.time.Duration)} waits for, for a caller that
     * must not block (on the loop thread, or in a simulation, which polls it); a failed future
     * ({@link IllegalStateException}) if the node is closed or its loop failed.
     */
    public CompletableFuture<Boolean> drained() {
        return onLoop((engine, now) -> connections.drained());
    }

    /** Sends refused because too many datagrams, or too many bytes, were queued for the loop. */
    public long sendsRefused() {
        return sender.sendsRefused();
    }

    /**
     * Exceptions the {@link NodeListener}'s callbacks threw: each is logged and counted, and the node
     * goes on as if the callback had returned.
     */
    public long listenerErrors() {
        return listener.errors();
    }

    /**
     * Payload frames of types this node does not know (skipped), malformed payloads, ignored IP
     * packets; a failed future ({@link IllegalStateException}) if the node is closed or its loop failed.
     */
    public CompletableFuture<long[]> frameCounters() {
        return onLoop((engine, now) -> router.counters());
    }

    /**
     * Runs {@code f} with the session engine on the loop thread: for diagnostics and tests. A failed
     * future ({@link IllegalStateException}) if the node is closed or its loop failed.
     */
    public <T> CompletableFuture<T> withEngine(EngineLoop.EngineFunction<T> f) {
        return onLoop(f);
    }

    /** {@link EngineLoop#call}, unless the node is closed or its loop failed: then a future that has failed. */
    private <T> CompletableFuture<T> onLoop(EngineLoop.EngineFunction<T> f) {
        return run.isOpen() ? loop.call(f) : CompletableFuture.failedFuture(run.stoppedException());
    }

    /**
     * Loop thread, once, when the loop stops for good: whatever stopped it, no session outlives it.
     * A loop that failed takes the node with it: from then on it refuses work as a closed one does
     * (its calls queued meanwhile fail next).
     */
    private void loopStopped(Throwable failure) {
        if (failure != null) {
            run.loopFailed(failure);
        }
        peers.clear();
        loop.engine().removeAllPeers();
        pings.failAll(run.stoppedException());
    }

    /**
     * Stops the node after its reliable channels have delivered what they took: waits until every
     * message accepted by a {@link Channel} is acknowledged by its peer (or that peer's connection
     * is lost), at most {@code drainTimeout}, then {@link #close()}s. Not on the loop thread: nothing
     * is sent or acknowledged while it waits there (from a listener callback, hand it to another
     * thread, or call {@link #close()}).
     *
     * @return true if everything was acknowledged in time
     * @throws IllegalStateException if called on the node's loop thread (in a simulation every
     *     thread is; the node is left open)
     */
    public boolean close(java.time.Duration drainTimeout) {
        if (loop.io().inLoop()) {
            throw new IllegalStateException("close(drainTimeout) called on the node's loop thread, where nothing"
                    + " drains while it waits; call it from another thread, or close() to stop at once");
        }
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        boolean drained = false;
        while (!run.isClosed()) {
            try {
                drained = loop.call((engine, now) -> connections.drained()).get(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                break; // the loop is gone or stuck: close anyway
            }
            if (drained || System.nanoTime() - deadline > 0) {
                break;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        return drained;
    }

    /**
     * Stops the node and releases its socket; every peer's connection sends its peer a
     * CONNECTION_CLOSE, then every session's keys and handshake state are zeroed and no thread can
     * send with them any more (as {@link #removePeer} does). The listener is told nothing of it — no {@link NodeListener#onChannelsLost},
     * no {@link NodeListener#onPeerDown} — as the application ended it all itself. The private key
     * is the caller's to close.
     */
    @Override
    public void close() {
        if (run.isClosed()) {
            return;
        }
        run.markClosed();
        try {
            loop.call((engine, now) -> {
                connections.closeAll(now);
                engine.removeAllPeers(); // after the CONNECTION_CLOSEs, which the sessions encrypt
                peers.clear(); // tasks queued behind this one find no peer: no new handshake, no new connection
                return null;
            }).get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        loop.close();
    }

    /** The overlay; loop thread only (through {@link #withEngine}), for tests. */
    MeshOverlay overlay() {
        return overlay;
    }

    /** The largest message a channel takes; for tests. */
    int maxMessage() {
        return connections.maxMessage();
    }

    /**
     * The reliable channel {@code channelId} to {@code peer}: the same handle until it is closed or
     * its connection is lost, then a new one. Both ends use the same number for one channel. A
     * connection left with no channel is forgotten by both ends after its idle timeout (nothing is
     * reported); the next channel starts a new one, on which every number is free again.
     *
     * @throws IllegalArgumentException if {@code peer} is not a peer, the id is negative, or the id was used and
     *     closed on the current connection (finished channels are retired; their numbers are not reused)
     */
    public Channel channel(PublicKey peer, long channelId) {
        return connections.channel(peer, channelId);
    }

    /**
     * The reliable channel {@code channelId} to {@code peer}, sending with {@code compression}
     * ({@link Compression}): this side's choice for what it sends; the peer decodes whatever it
     * receives, and sends with its own choice. What is used depends on what the peer offered: a
     * dictionary only if both hold exactly the same one, else plain zstd, else raw messages — never
     * a failure. When this node does not compress (off, or zstd's library does not load here), the
     * channel sends without compression ({@link Channel#compression()} says so).
     *
     * @throws IllegalArgumentException as {@link #channel(PublicKey, long)}, and if the channel's live
     *     handle sends with another compression
     */
    public Channel channel(PublicKey peer, long channelId, Compression compression) {
        return connections.channel(peer, channelId, java.util.Objects.requireNonNull(compression, "compression"));
    }

    /** The node's compression counts since it started. Any thread. */
    public CompressionStats compressionStats() {
        return connections.codecs.counters.snapshot();
    }

    /** The dictionaries the node holds, every version, in the order loaded. Any thread. */
    public List<Dictionary> dictionaries() {
        return connections.codecs.store.dictionaries();
    }

    /**
     * Reads the configured dictionaries again, on the caller's thread: a file or resource whose
     * content changed (a retrained dictionary, with a new id) is added as a new version, and the
     * node's peers are told; channels keep the version they use, new channels take the newest one
     * both sides hold. Nothing is dropped.
     *
     * @return the versions added and the problems (a source that cannot be read, is not a dictionary,
     *     or reuses an id held for other content keeps its previous version)
     * @throws IllegalStateException if the node is closed or failed
     */
    public DictionaryStore.Reload reloadDictionaries() {
        run.ensureOpen();
        DictionaryStore.Reload r = connections.codecs.store.reload();
        if (!r.added().isEmpty()) {
            loop.submit((engine, now) -> {
                connections.offerChanged();
                return null;
            });
        }
        return r;
    }

    /** The node's state of {@code peer}, or null; for tests. */
    PeerState peerState(PublicKey peer) {
        return peers.get(peer);
    }

    /** The channel handles the node keeps for {@code peer} (0 if it is not a peer); for tests. */
    int channelHandles(PublicKey peer) {
        return connections.handles(peer);
    }

    /**
     * Loop thread, from inside the engine: a node holding the network key, not listed, starts a
     * handshake. With {@link NodeConfig#acceptMembers()} it is let in (up to
     * {@link NodeConfig#MAX_ADMITTED_MEMBERS}), as a peer without an endpoint: its packets tell
     * where it is.
     */
    private boolean admitMember(PublicKey key) {
        if (!config.acceptMembers() || admittedMembers >= NodeConfig.MAX_ADMITTED_MEMBERS) {
            return false;
        }
        try {
            addPeerOnLoop(loop.engine(), PeerConfig.of(key, null));
        } catch (IllegalArgumentException e) {
            return false; // not a usable key
        }
        peers.get(key).admitted = true;
        admittedMembers++;
        return true;
    }

    /**
     * Loop thread: {@code s}'s peer was sought and no member knows it. Its connection ends (the
     * CONNECTION_CLOSE it queues is dropped with the rest of what waits for a handshake), the
     * handshake is given up, and the listener hears why.
     */
    private void unreachable(PeerState s) {
        long now = loop.io().nanoTime();
        PublicKey key = s.session.publicKey();
        String reason = "unreachable: no member within " + config.discovery().maxHops() + " hops knows " + key;
        boolean hadChannels = connections.peerRemoved(s, now, reason);
        loop.engine().giveUpHandshake(now, s.session);
        pings.peerGone(key, reason);
        overlay.cancelSeek(key); // in case the close above asked for one
        if (s.admitted) {
            forgetNow(loop.engine(), s); // taken in to be sought: nothing to keep of it
        }
        try {
            if (hadChannels) {
                listener.onChannelsLost(key, reason);
            }
        } finally {
            listener.onPeerUnreachable(key, reason);
        }
    }

    /** Loop thread: a member let in without being listed whose session expired is forgotten. */
    private void forget(SessionEngine engine, PublicKey key) {
        PeerState s = peers.get(key);
        if (s == null || !s.admitted) {
            return;
        }
        peers.remove(key); // first: what the connection's close sends goes nowhere
        boolean hadChannels = connections.peerRemoved(s, loop.io().nanoTime(), "session expired");
        forgetNow(engine, s);
        if (hadChannels) {
            listener.onChannelsLost(key, "session expired");
        }
    }

    /** Loop thread: drops a member let in without being listed, whose connection is already ended. */
    private void forgetNow(SessionEngine engine, PeerState s) {
        PublicKey key = s.session.publicKey();
        peers.remove(key);
        engine.removePeer(key);
        overlay.removePeer(key);
        admittedMembers--;
    }

    private void addPeerOnLoop(SessionEngine engine, PeerConfig pc) {
        PresharedKey psk = config.networkKey() == null ? PresharedKey.ZERO : config.networkKey();
        Peer p = engine.addPeer(pc.publicKey(), psk);
        boolean discoverable = pc.endpoint() == null && pc.relays().isEmpty() && !pc.wireGuardCompatible()
                && config.discovery().enabled();
        p.setEndpoint(discoverable ? new SeekEndpoint(pc.publicKey()) : UdpEndpoint.of(pc.endpoint()));
        p.setPersistentKeepaliveSeconds(pc.persistentKeepaliveSeconds());
        if (pc.wireGuardCompatible()) {
            engine.setWireGuardCompatible(p, true);
        }
        PeerState state = new PeerState(p);
        state.name = pc.name();
        state.discoverable = discoverable;
        state.found = pc.endpoint() != null ? new Found(Found.How.ENDPOINT, null)
                : !pc.relays().isEmpty() ? new Found(Found.How.RELAYS, null) : Found.NOT_YET;
        if (pc.endpoint() != null) {
            state.maxDatagram = DatagramLimit.of(p.endpoint(), config.channels().maxUdpPayload(), 0);
        }
        connections.peerAdded(state);
        peers.put(pc.publicKey(), state);
        state.overlayPaths = overlay.addPeer(pc);
    }
}
