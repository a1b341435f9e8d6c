package io.keymesh.forward;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP service forwarding over a node's reliable channels: it exposes named services to the members
 * of the mesh ({@link Service}: nothing else is reachable through it), and listens locally for
 * connections it forwards to a peer's service ({@link LocalForward}, as {@code ssh -L} does, by
 * service name on a node key), or through a SOCKS5 front end that names the service in the host
 * ({@link Socks5}). It asks peers for listeners on their side that forward back to a target here
 * ({@link RemoteForward}, as {@code ssh -R} does) and opens such listeners for peers where a
 * {@link RemoteListenGrant} allows it. Each TCP connection is one channel; {@link ForwardMessage}
 * is the protocol on it, {@link ForwardedConnection} one connection's pumps. Half-closes, resets
 * and back-pressure pass through end to end; a connection buffers at most about its window.
 *
 * <p>It is the node's {@link NodeListener} for channel events (an application that has other uses
 * for its listener passes those events on to it); it assumes every channel of the node is its
 * own. It numbers the channels it opens as the Pekko transport does: even towards a peer whose key
 * sorts higher (unsigned bytes), odd otherwise, so the two sides never pick the same number.
 *
 * <p>Lifecycle: construct it with its configuration, start the node with it as (part of) the
 * listener, then {@link #start} it with the node; {@link #close} before closing the node. Thread-safe:
 * the listener methods run on the node's loop thread and never block; sockets are served by
 * virtual threads; the run-time API ({@link #addForward}, {@link #removeForward},
 * {@link #forwards}, {@link #addRemoteForward}, {@link #addSocks}, {@link #stats}, ...) may be
 * called from any thread.
 */
public final class Forwarder implements NodeListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

    /** A channel of a peer. */
    record ChannelKey(PublicKey peer, long channelId) {}

    final ForwardCounters counters = new ForwardCounters();
    private final ForwardingConfig config;
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final Map<ChannelKey, ForwardedConnection> connections = new ConcurrentHashMap<>();
    /**
     * Entries of {@link #connections} that only wait for the peer's end of a channel this side
     * refused or reset at its first message ({@link ForwardedConnection#isRefusal()}): they carry
     * no socket, so {@link ForwardingConfig#maxConnections()} does not count them. Each is a channel
     * the peer opened and keeps open, so the node's channel limit ({@code ChannelConfig.maxChannels})
     * bounds them per peer.
     */
    private final AtomicInteger refusals = new AtomicInteger();
    /** The local forwards, by bound address, in the order added. */
    private final Map<InetSocketAddress, Bound> forwards = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<PublicKey, AtomicLong> nextChannel = new ConcurrentHashMap<>();
    /** Remote listen requests and the listeners opened for them, by their control channel. */
    private final Map<ChannelKey, ControlChannel> controls = new ConcurrentHashMap<>();
    /** This node's remote forwards, by peer and address asked for, in the order added. */
    private final Map<List<Object>, RemoteForwardRequest> requests = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /** The listeners peers asked this node to open. */
    private final RemoteListens remoteListens;
    /** The SOCKS5 front ends, by bound address. */
    private final Map<InetSocketAddress, LocalListener> socks = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "keymesh-forward-timers");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile SocksHandshakes socksHandshakes = new SocksHandshakes(SocksHandshakes.MAX_IN_PROGRESS,
            SocksHandshakes.DEADLINE_MILLIS);
    private volatile MeshNode node;
    private volatile byte[] selfBytes;
    private volatile boolean closed;

    /** A local forward and its listener. */
    private record Bound(LocalForward forward, LocalListener listener) {}

    public Forwarder(ForwardingConfig config) {
        this.config = config;
        this.remoteListens = new RemoteListens(this, config.remoteListenGrants());
        for (Service s : config.services()) {
            services.put(s.name(), s);
        }
    }

    /**
     * Starts serving {@code node}: binds the configured forwards. If one cannot be bound, those
     * bound before are closed again and the error names the address.
     *
     * @throws IOException if a forward's address cannot be bound
     * @throws IllegalStateException if started before
     */
    public void start(MeshNode node) throws IOException {
        if (this.node != null) {
            throw new IllegalStateException("started already");
        }
        this.selfBytes = node.publicKey().toBytes();
        this.node = node;
        started.countDown();
        try {
            for (LocalForward f : config.forwards()) {
                addForward(f);
            }
            for (InetSocketAddress a : config.socks()) {
                addSocks(a);
            }
        } catch (IOException e) {
            for (LocalForward f : forwards()) {
                removeForward(f.listen());
            }
            for (InetSocketAddress a : socksListeners()) {
                removeSocks(a);
            }
            throw e;
        }
        for (Service s : services.values()) {
            log.info("service {} -> {} for {}", s.name(), s.target(),
                    s.allow().isEmpty() ? "any member" : s.allow().stream().map(PublicKey::toBase64).sorted().toList());
        }
        remoteListens.logGrants();
        for (RemoteForward r : config.remoteForwards()) {
            addRemoteForward(r);
        }
    }

    /** The node; waits for {@link #start} when called from a task that a node event started. */
    MeshNode node() {
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return node;
    }

    // ------------------------------------------------------------------ the run-time API

    /**
     * Listens at {@code f.listen()} and forwards each connection to {@code f.peer()}'s service
     * {@code f.service()}.
     *
     * @return the forward as bound (its port, if 0 was asked for)
     * @throws IOException naming the address if it cannot be bound (in use, not local)
     * @throws IllegalStateException if not started, or closed
     */
    public LocalForward addForward(LocalForward f) throws IOException {
        if (node == null || closed) {
            throw new IllegalStateException(closed ? "closed" : "not started");
        }
        ServerSocket server;
        try {
            server = Sockets.listen(f.listen());
        } catch (IOException e) {
            throw new IOException("forward " + f + ": cannot listen on " + TcpAddress.format(f.listen()) + ": " + e.getMessage(), e);
        }
        LocalForward bound = new LocalForward((InetSocketAddress) server.getLocalSocketAddress(), f.peer(), f.service());
        String name = "forward " + bound;
        synchronized (forwards) {
            if (forwards.containsKey(bound.listen())) {
                Sockets.close(server);
                throw new IOException("already forwarding from " + TcpAddress.format(bound.listen()));
            }
            forwards.put(bound.listen(), new Bound(bound, new LocalListener(server, name,
                    s -> openLocal(bound, s))));
        }
        log.info("{}: listening", name);
        return bound;
    }

    /**
     * Stops listening at {@code listen} (the address {@link #forwards()} gives). Connections
     * already forwarded go on until they end.
     *
     * @return false if no forward listens there
     */
    public boolean removeForward(InetSocketAddress listen) {
        Bound b = forwards.remove(listen);
        if (b == null) {
            return false;
        }
        b.listener().close();
        log.info("forward {}: removed", b.forward());
        return true;
    }

    /**
     * Listens at {@code listen} for SOCKS5 clients (CONNECT, no authentication) and forwards each
     * connection to the service its host names: {@code SERVICE.KEY} or {@code SERVICE.KEY.keymesh},
     * the node's key in base32 (see {@link Socks5}).
     *
     * @return the bound address
     * @throws IOException naming the address if it cannot be bound
     * @throws IllegalStateException if not started, or closed
     */
    public InetSocketAddress addSocks(InetSocketAddress listen) throws IOException {
        if (node == null || closed) {
            throw new IllegalStateException(closed ? "closed" : "not started");
        }
        ServerSocket server;
        try {
            server = Sockets.listen(listen);
        } catch (IOException e) {
            throw new IOException("socks: cannot listen on " + TcpAddress.format(listen) + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) server.getLocalSocketAddress();
        String name = "socks " + TcpAddress.format(bound);
        socks.put(bound, new LocalListener(server, name, s -> Thread.ofVirtual().start(() -> openSocks(name, s))));
        log.info("{}: listening (hosts SERVICE.KEY{} with the node's key in base32)", name, Socks5.SUFFIX);
        return bound;
    }

    /**
     * Stops the SOCKS5 front end at {@code listen}; connections made through it go on.
     *
     * @return false if none listens there
     */
    public boolean removeSocks(InetSocketAddress listen) {
        LocalListener l = socks.remove(listen);
        if (l == null) {
            return false;
        }
        l.close();
        return true;
    }

    /** The SOCKS5 front ends' bound addresses. */
    public List<InetSocketAddress> socksListeners() {
        synchronized (socks) {
            return List.copyOf(socks.keySet());
        }
    }

    /** The local forwards, as bound, in the order added. */
    public List<LocalForward> forwards() {
        synchronized (forwards) {
            return forwards.values().stream().map(Bound::forward).toList();
        }
    }

    /**
     * Asks {@code r.peer()} to listen at {@code r.listen()} and forward each connection back, to be
     * connected to {@code r.target()}; asked again while refused or away (see {@link RemoteForwardRequest}).
     *
     * @return false if this node asks that peer for that address already
     * @throws IllegalStateException if not started, or closed
     */
    public boolean addRemoteForward(RemoteForward r) {
        if (node == null || closed) {
            throw new IllegalStateException(closed ? "closed" : "not started");
        }
        RemoteForwardRequest request = new RemoteForwardRequest(this, r);
        if (requests.putIfAbsent(List.of(r.peer(), r.listen()), request) != null) {
            return false;
        }
        log.info("remote forward {}: asking the peer to listen", r);
        execute(request::ask);
        return true;
    }

    /**
     * Stops asking {@code peer} to listen at {@code listen}: the peer closes its listener;
     * connections already forwarded go on.
     *
     * @return false if this node asked no such thing
     */
    public boolean removeRemoteForward(PublicKey peer, TcpAddress listen) {
        RemoteForwardRequest r = requests.remove(List.of(peer, listen));
        if (r == null) {
            return false;
        }
        r.remove();
        log.info("remote forward {}: removed", r.forward);
        return true;
    }

    /** This node's remote forwards and whether the peer listens for each, in the order added. */
    public List<RemoteForwardStatus> remoteForwards() {
        synchronized (requests) {
            return requests.values().stream().map(RemoteForwardRequest::status).toList();
        }
    }

    /** The addresses this node listens at for peers' remote forwards now. */
    public List<TcpAddress> remoteListeners() {
        return remoteListens.addresses();
    }

    /** The services this node exposes. */
    public List<Service> services() {
        return List.copyOf(services.values());
    }

    /** The counters now. */
    public ForwardStats stats() {
        return counters.snapshot();
    }

    /** The configuration it was built with. */
    public ForwardingConfig config() {
        return config;
    }

    /**
     * Stops every listener and ends every forwarded connection abruptly (sockets reset, channels
     * reset). Call it before closing the node. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (forwards) {
            for (Bound b : forwards.values()) {
                b.listener().close();
            }
            forwards.clear();
        }
        synchronized (socks) {
            for (LocalListener l : socks.values()) {
                l.close();
            }
            socks.clear();
        }
        synchronized (requests) {
            for (RemoteForwardRequest r : requests.values()) {
                r.remove();
            }
            requests.clear();
        }
        remoteListens.closeAll("the forwarder is closing", ForwardedConnection.RESET_CLOSING);
        for (ForwardedConnection c : new ArrayList<>(connections.values())) {
            c.abort("the forwarder is closing", ForwardedConnection.RESET_CLOSING);
        }
        connections.clear();
        refusals.set(0);
        tasks.shutdown();
        timers.shutdownNow();
        started.countDown(); // tasks waiting for a start that never came
    }

    // ------------------------------------------------------------------ opening (listener threads)

    /** A connection accepted by {@code f}'s listener: a channel to the peer, OPEN. Accepting thread. */
    private void openLocal(LocalForward f, Socket s) {
        String name = "forward " + f + ", connection from " + TcpAddress.format((InetSocketAddress) s.getRemoteSocketAddress());
        open(f.peer(), ForwardMessage.KIND_SERVICE, f.service(), s, name, null);
    }

    /**
     * A SOCKS5 client's connection: its request read, then forwarded as a local forward's. At most
     * {@link SocksHandshakes#max()} handshakes run at once (beyond, the connection is reset at
     * once), each for at most {@link SocksHandshakes#deadlineMillis()} in all (then it is reset).
     */
    private void openSocks(String listener, Socket s) {
        String client = listener + ", connection from " + TcpAddress.format((InetSocketAddress) s.getRemoteSocketAddress());
        SocksHandshakes handshakes = socksHandshakes;
        if (!handshakes.tryBegin()) {
            if (handshakes.shouldLogRefusal(System.nanoTime())) {
                log.warn("{}: closed at once: {} SOCKS5 handshakes are in progress, the most this node serves "
                        + "({} connections closed so)", client, handshakes.max(), handshakes.refusedSinceLog());
            }
            Sockets.reset(s);
            return;
        }
        AtomicBoolean decided = new AtomicBoolean(); // by the handshake finishing, or by its deadline
        ScheduledFuture<?> deadline = null;
        Socks5.Target t;
        try {
            deadline = timers.schedule(() -> {
                if (decided.compareAndSet(false, true)) {
                    handshakes.onTimedOut();
                    Sockets.reset(s); // a read or write blocked in the handshake fails now
                }
            }, handshakes.deadlineMillis(), TimeUnit.MILLISECONDS);
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, handshakes.deadlineMillis()));
            t = Socks5.readRequest(s);
            s.setSoTimeout(0);
        } catch (RejectedExecutionException e) {
            Sockets.reset(s); // the forwarder is closing
            return;
        } catch (Socks5.Refused e) {
            log.info("{}: refused: {}", client, e.getMessage());
            Sockets.close(s);
            return;
        } catch (IOException e) {
            boolean late = !decided.compareAndSet(false, true); // the deadline closed the socket
            if (!late && e instanceof SocketTimeoutException) {
                handshakes.onTimedOut(); // a read reached the deadline before the timer did
                late = true;
            }
            log.info("{}: closed: {}", client, late ? "no SOCKS5 request within " + handshakes.deadlineMillis() + " ms"
                    : e.getMessage());
            Sockets.reset(s);
            return;
        } finally {
            handshakes.end();
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
        if (!decided.compareAndSet(false, true)) {
            log.info("{}: closed: no SOCKS5 request within {} ms", client, handshakes.deadlineMillis());
            return; // the deadline closed the socket as the request came
        }
        open(t.peer(), ForwardMessage.KIND_SERVICE, t.service(), s, client + " -> " + t.peer().toBase64() + "/" + t.service(),
                AnswerHook.SOCKS5);
    }

    /**
     * Forwards {@code s} to {@code peer} on a new channel: OPEN of {@code kind} for {@code target},
     * unless the node holds {@link ForwardingConfig#maxConnections()} already (then {@code s} is
     * reset). Accepting thread.
     */
    void open(PublicKey peer, int kind, String target, Socket s, String name, AnswerHook hook) {
        try {
            s.setTcpNoDelay(true);
        } catch (IOException e) {
            Sockets.reset(s);
            return;
        }
        if (closed) {
            Sockets.reset(s);
            return;
        }
        if (forwardedConnections() >= config.maxConnections()) {
            log.warn("{}: closed: this node has {} forwarded connections, the most it takes", name, connections.size());
            Sockets.reset(s);
            return;
        }
        long id = newChannelId(peer);
        ForwardedConnection c = new ForwardedConnection(this, peer, id, true, name, config.window());
        c.answerHook(hook);
        c.attachSocket(s);
        connections.put(new ChannelKey(peer, id), c);
        Channel ch;
        try {
            ch = node().channel(peer, id);
        } catch (IllegalArgumentException | IllegalStateException e) {
            c.abort("cannot open a channel to the peer: " + e.getMessage(), 0);
            return;
        }
        c.attach(ch);
        long timeout = config.openTimeout().toMillis();
        try {
            timers.schedule(() -> execute(() -> c.openTimedOut(timeout)), timeout, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            c.abort("the forwarder is closing", ForwardedConnection.RESET_CLOSING);
            return;
        }
        c.sendOpen(new ForwardMessage.Open(config.window(), kind, target));
    }

    /** A new channel number towards {@code peer}, never one the peer picks. */
    long newChannelId(PublicKey peer) {
        return nextChannel.computeIfAbsent(peer, k -> new AtomicLong()).getAndIncrement() * 2 + parityTowards(peer);
    }

    /** The low bit of the channel numbers this node picks towards {@code peer}. */
    private int parityTowards(PublicKey peer) {
        return Arrays.compareUnsigned(selfBytes, peer.toBytes()) < 0 ? 0 : 1;
    }

    // ------------------------------------------------------------------ answering (node events, then tasks)

    /** An OPEN on a new channel from {@code from}. Loop thread. */
    private void onOpen(PublicKey from, long id, ForwardMessage.Open open) {
        String asked = "node " + from.toBase64() + " asked for service " + open.name() + " (channel " + id + ")";
        if (forwardedConnections() >= config.maxConnections()) {
            refuseNew(from, id, asked, RefuseReason.BUSY, "the node has " + config.maxConnections() + " forwarded connections");
            return;
        }
        TcpAddress target;
        if (open.kind() == ForwardMessage.KIND_SERVICE) {
            Service s = services.get(open.name());
            if (s == null) {
                refuseNew(from, id, asked, RefuseReason.UNKNOWN_SERVICE, "no service " + open.name() + " on this node");
                return;
            }
            if (!s.allows(from)) {
                refuseNew(from, id, asked, RefuseReason.NOT_ALLOWED, "service " + open.name() + " is not allowed for your key");
                return;
            }
            target = s.target();
        } else {
            asked = "node " + from.toBase64() + " forwarded a connection from its listener at " + open.name() + " (channel " + id + ")";
            RemoteForwardRequest r = null;
            try {
                r = requests.get(List.of(from, TcpAddress.parse(open.name())));
            } catch (IllegalArgumentException e) {
                // not an address: asked for by nobody
            }
            if (r == null || !r.isActive()) {
                refuseNew(from, id, asked, RefuseReason.NOT_ALLOWED, "this node asked for no listener at " + open.name());
                return;
            }
            target = r.forward.target();
        }
        String name = (open.kind() == ForwardMessage.KIND_SERVICE ? "service " + open.name() + " for " + from.toBase64()
                : "remote forward " + from.toBase64() + " " + open.name()) + " (channel " + id + ") -> " + target;
        ForwardedConnection c = new ForwardedConnection(this, from, id, false, name, config.window());
        connections.put(new ChannelKey(from, id), c);
        execute(() -> {
            try {
                c.attach(node().channel(from, id));
            } catch (IllegalArgumentException | IllegalStateException e) {
                c.abort("cannot answer on the channel: " + e.getMessage(), 0);
                return;
            }
            TargetConnector.connect(c, target, open.window(), config.connectTimeout());
        });
    }

    /** Refuses a new channel's OPEN and logs who asked for what and why. Loop thread. */
    private void refuseNew(PublicKey from, long id, String asked, RefuseReason reason, String text) {
        log.info("{}: refused: {}", asked, text);
        ForwardedConnection c = refusal(from, id, asked);
        execute(() -> {
            try {
                c.attach(node().channel(from, id));
            } catch (IllegalArgumentException | IllegalStateException e) {
                c.abort("cannot answer on the channel: " + e.getMessage(), 0);
                return;
            }
            c.refuse(reason, text);
        });
    }

    /** The entry of a channel refused or reset at its first message, kept until the peer's end so that later messages on it are strays. */
    private ForwardedConnection refusal(PublicKey from, long id, String name) {
        ForwardedConnection c = new ForwardedConnection(this, from, id, false, name, config.window());
        c.markRefusal();
        refusals.incrementAndGet();
        connections.put(new ChannelKey(from, id), c);
        return c;
    }

    /** Connections counted against {@link ForwardingConfig#maxConnections()}: the table less its refusals. */
    private int forwardedConnections() {
        return connections.size() - refusals.get();
    }

    /** A new channel whose first message is not one: reset and counted. Loop thread. */
    private void malformedFirst(PublicKey from, long id, String why) {
        counters.malformed.incrementAndGet();
        ForwardedConnection c = refusal(from, id, "channel " + id + " from " + from.toBase64());
        execute(() -> {
            try {
                c.attach(node().channel(from, id));
            } catch (IllegalArgumentException | IllegalStateException e) {
                // gone already
            }
            c.abort("protocol error by the peer: " + why, ForwardedConnection.RESET_PROTOCOL);
        });
    }

    // ------------------------------------------------------------------ NodeListener (loop thread)

    @Override
    public void onMessage(PublicKey from, long channelId, byte[] message) {
        ChannelKey key = new ChannelKey(from, channelId);
        ForwardedConnection c = connections.get(key);
        if (c != null) {
            c.onMessage(message);
            return;
        }
        ControlChannel control = controls.get(key);
        if (control != null) {
            control.onMessage(message);
            return;
        }
        if (closed) {
            return;
        }
        if (selfBytes != null && (channelId & 1) == parityTowards(from)) {
            counters.stray.incrementAndGet(); // one of ours that ended: late
            return;
        }
        ForwardMessage m;
        try {
            m = ForwardMessage.decode(message);
        } catch (IllegalArgumentException e) {
            malformedFirst(from, channelId, e.getMessage());
            return;
        }
        switch (m) {
            case ForwardMessage.Open o -> onOpen(from, channelId, o);
            case ForwardMessage.Listen l -> remoteListens.onListen(from, channelId, l);
            case ForwardMessage.UnknownVersion v -> refuseNew(from, channelId, "node " + from.toBase64() + " (channel "
                    + channelId + ") spoke forwarding protocol version " + v.version(), RefuseReason.UNSUPPORTED_VERSION,
                    "this node speaks version " + ForwardMessage.VERSION);
            default -> malformedFirst(from, channelId, "the first message is not OPEN");
        }
    }

    @Override
    public void onChannelWritable(PublicKey peer, long channelId) {
        ForwardedConnection c = connections.get(new ChannelKey(peer, channelId));
        if (c != null) {
            c.onWritable();
        }
    }

    @Override
    public void onChannelClosed(PublicKey peer, long channelId, long errorCode) {
        ChannelKey key = new ChannelKey(peer, channelId);
        ForwardedConnection c = connections.get(key);
        if (c != null) {
            c.onPeerEnded(errorCode);
            return;
        }
        ControlChannel control = controls.get(key);
        if (control != null) {
            control.onPeerEnded(errorCode);
        }
    }

    @Override
    public void onChannelsLost(PublicKey peer, String reason) {
        lose(peer, "the connection to the peer was lost: " + reason);
    }

    @Override
    public void onPeerUnreachable(PublicKey peer, String reason) {
        lose(peer, "the peer is unreachable: " + reason);
    }

    private void lose(PublicKey peer, String why) {
        for (Map.Entry<ChannelKey, ForwardedConnection> e : connections.entrySet()) {
            if (e.getKey().peer().equals(peer)) {
                ForwardedConnection c = e.getValue();
                forget(c);
                execute(() -> c.onLost(why));
            }
        }
        for (Map.Entry<ChannelKey, ControlChannel> e : controls.entrySet()) {
            if (e.getKey().peer().equals(peer)) {
                ControlChannel c = e.getValue();
                execute(() -> c.onLost(why));
            }
        }
    }

    // ------------------------------------------------------------------ for connections

    /** Runs {@code task} on a virtual thread; dropped once closed. */
    void execute(Runnable task) {
        try {
            tasks.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: every connection was ended
        }
    }

    void registerControl(PublicKey peer, long channelId, ControlChannel c) {
        controls.put(new ChannelKey(peer, channelId), c);
    }

    void unregisterControl(PublicKey peer, long channelId, ControlChannel c) {
        controls.remove(new ChannelKey(peer, channelId), c);
    }

    /** {@code l} closed: its address is free for another request. */
    void remoteListenerClosed(RemoteListener l) {
        remoteListens.closed(l);
    }

    /** Runs {@code task} on a virtual thread after {@code millis}; dropped once closed. */
    void scheduleMillis(long millis, Runnable task) {
        try {
            timers.schedule(() -> execute(task), millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** {@code c} is finished both ways: it leaves the table. */
    void forget(ForwardedConnection c) {
        if (connections.remove(new ChannelKey(c.peer, c.channelId), c) && c.isRefusal()) {
            refusals.decrementAndGet();
        }
    }

    /** Entries in the connection table (connections, and channels waiting for the peer's end); for tests. */
    int tableSize() {
        return connections.size();
    }

    /** Tests: other bounds on SOCKS5 handshakes than {@link SocksHandshakes}' defaults (before any SOCKS5 listener serves). */
    void limitSocksHandshakes(int max, long deadlineMillis) {
        socksHandshakes = new SocksHandshakes(max, deadlineMillis);
    }

    /** The SOCKS5 handshakes in progress and their counts; for tests. */
    SocksHandshakes socksHandshakes() {
        return socksHandshakes;
    }

    /** Entries of the table that wait for the peer's end of a refused channel; for tests. */
    int refusalsWaiting() {
        return refusals.get();
    }
}
