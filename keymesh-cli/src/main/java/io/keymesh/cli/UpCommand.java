package io.keymesh.cli;

import io.keymesh.config.HostPort;
import io.keymesh.config.Durations;
import io.keymesh.config.NodeConfigLoader;
import io.keymesh.config.LoadedNodeConfig;
import io.keymesh.config.BadConfigException;
import io.keymesh.cli.control.ControlServer;
import io.keymesh.cli.control.ControlSocketException;
import io.keymesh.cli.control.ControlSocketPath;
import io.keymesh.cli.control.ForwardOperations;
import io.keymesh.cli.control.NodeOperations;
import io.keymesh.config.ControlConfig;
import io.keymesh.crypto.PrivateKey;
import io.keymesh.crypto.PublicKey;
import io.keymesh.forward.Forwarder;
import io.keymesh.node.MeshNode;
import io.keymesh.node.NodeConfig;
import io.keymesh.node.NodeListener;
import io.keymesh.node.NodeListeners;
import io.keymesh.node.PathInfo;
import io.keymesh.node.PeerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keymesh up --config FILE}: runs one {@link MeshNode} in the foreground from a HOCON file
 * (see {@link NodeConfigLoader} and {@code reference.conf}).
 *
 * <p>It logs (SLF4J, logger {@code io.keymesh.cli.UpCommand}) the node's public key and bound
 * address, its peers, and then peer up/down, endpoint and path changes as they happen (a peer with
 * a {@code name} as "NAME (KEY)"); it starts a
 * handshake with every peer that has an endpoint, so that reachable peers come up at once, and with
 * a peer that is down whenever it gets a path (a peer reached through relays has none until a
 * circuit to it opens). A peer listed by key only (no endpoint, no relays, not stock WireGuard) is
 * sought through the members (discovery by key) once another peer is up, and again whenever
 * another comes up while it is still down: a seek sent before any session is up would reach no
 * member. Every
 * {@code --status-interval} and once at exit it prints a {@link StatusTable} to standard output
 * ({@code --status-interval 0}: none at all).
 * SIGINT and SIGTERM stop it cleanly with status 0 ({@link SignalStop}); a shutdown hook closes
 * the node on any other way out. {@code --announce} sends one small datagram to a peer each time
 * its session comes up (a connectivity check, logged as "announce from KEY" where it arrives;
 * sent then rather than at start because a datagram for a peer without an endpoint is dropped);
 * {@code --announce-interval} sends one again to every peer that is up that often. Datagrams have
 * no other consumer yet and are counted in the table. With {@code keymesh.metrics.prometheus} or
 * {@code keymesh.web} enabled it serves the node's meters or the topology page over HTTP
 * ({@link HttpEndpoints}) while the node runs. The configured service forwarding
 * ({@code services}, {@code forwards}, ...) runs beside the node ({@link Forwarder}, logger
 * {@code io.keymesh.forward.Forwarder}).
 *
 * <p>It answers {@code keymesh status}, {@code ping}, {@code peer} and {@code forward} on its
 * control socket ({@link ControlServer}; {@code keymesh.control} in the config file), from start to stop.
 *
 * <p>Exit status: 0 after a clean stop or {@code --print-config}; 1 if the node cannot start
 * (address in use, an HTTP endpoint's, or another daemon on its control socket) or a forward cannot
 * listen; 2 for a bad command line or configuration, reported on standard error as
 * {@code keymesh up: FILE: PROBLEM}, one line per problem.
 */
@Command(name = "up", sortOptions = false,
        description = {"Run a node in the foreground from a HOCON config file (Ctrl-C stops it).",
                "It starts a handshake with every peer that has an endpoint, and seeks every peer listed by key only "
                        + "(no endpoint, no via) through its members once another peer is up, again whenever one comes up."})
final class UpCommand implements Callable<Integer> {
    /** Text of an {@code --announce} datagram, followed by the sender's base64 key. */
    static final String ANNOUNCE_PREFIX = "keymesh announce from ";
    /** Received-datagram log events waiting for the command's thread beyond which more are not logged. */
    static final int MAX_QUEUED_DATAGRAM_EVENTS = 1024;
    /** How long the shutdown hook waits for the node to close. */
    static final long SHUTDOWN_WAIT_SECONDS = 5;

    private static final Logger log = LoggerFactory.getLogger(UpCommand.class);
    private static final Consumer<MeshNode> STOP = node -> {};

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "The node's HOCON config file (keys under keymesh { }; see the README).")
    Path config;

    @Option(names = "--status-interval", defaultValue = "60s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Print the peer table this often, and once at exit (default ${DEFAULT-VALUE}; 0: never, not even at exit).")
    Duration statusInterval;

    @Option(names = "--exit-after", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 30s (for scripts and tests; default: run until stopped).")
    Duration exitAfter;

    @Option(names = "--announce",
            description = "Send one small datagram to each peer when its session comes up; each node logs those it receives.")
    boolean announce;

    @Option(names = "--announce-interval", defaultValue = "0s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Also send one to every peer that is up this often (implies --announce; default ${DEFAULT-VALUE}: only when a session comes up).")
    Duration announceInterval;

    @Option(names = "--print-config", description = "Print the effective configuration (secrets hidden) and exit.")
    boolean printConfig;

    /** Completed with the node once it runs (tests read its address); failed if it does not start. */
    final CompletableFuture<MeshNode> started = new CompletableFuture<>();
    /** What it serves over HTTP ({@code keymesh.metrics}, {@code keymesh.web}); set before {@link #started} completes. */
    volatile HttpEndpoints http;

    /** Events for the command's thread; package-private so that tests can see what is queued. */
    final BlockingQueue<Consumer<MeshNode>> events = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedDatagramEvents = new AtomicInteger();
    private final AtomicReference<String> stopReason = new AtomicReference<>();
    /** The node's listener; its state belongs to the command's thread. */
    private Events listener;
    /** The names of the peers that have one; set before the node starts, then only read. */
    private Map<PublicKey, String> names = Map.of();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Runnable unregisterSignals = SignalStop.register(this::requestStop);
        try {
            if (exitAfter != null && exitAfter.isZero()) {
                err.println("keymesh up: --exit-after must be more than 0");
                err.flush();
                return 2;
            }
            if (!announceInterval.isZero()) {
                announce = true;
            }
            LoadedNodeConfig loaded;
            try {
                loaded = NodeConfigLoader.load(config);
            } catch (BadConfigException e) {
                for (String problem : e.problems()) {
                    err.println("keymesh up: " + config + ": " + problem);
                }
                err.flush();
                return 2;
            }
            try {
                for (String warning : loaded.warnings()) {
                    log.warn("{}: {}", config, warning);
                }
                if (printConfig) {
                    spec.commandLine().getOut().print(loaded.render());
                    spec.commandLine().getOut().flush();
                    return 0;
                }
                return run(loaded.node(), loaded, err);
            } finally {
                loaded.node().privateKey().close();
            }
        } finally {
            unregisterSignals.run();
            started.cancel(false); // if the node never started; no effect once it did
        }
    }

    private int run(NodeConfig nodeConfig, LoadedNodeConfig loaded, PrintWriter err) throws InterruptedException {
        Forwarder forwarder = new Forwarder(loaded.forwarding());
        MeshNode node;
        names = names(nodeConfig);
        try {
            listener = new Events(soughtPeers(nodeConfig));
            node = MeshNode.start(nodeConfig, NodeListeners.of(listener, forwarder));
        } catch (UncheckedIOException e) {
            err.println("keymesh up: " + config + ": keymesh.listen: cannot bind UDP " + HostPort.format(nodeConfig.listen())
                    + ": " + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()));
            err.flush();
            return 1;
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("keymesh up: " + config + ": cannot start the node: " + e.getMessage());
            err.flush();
            return 1;
        }
        HttpEndpoints endpoints;
        try {
            endpoints = HttpEndpoints.start(node, loaded.metrics(), loaded.web());
        } catch (HttpEndpoints.BindFailure e) {
            node.close();
            err.println("keymesh up: " + config + ": " + e.key + ": " + e.getMessage());
            err.flush();
            return 1;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        http = endpoints;
        try {
            forwarder.start(node); // before the control socket, whose forward operations use it
        } catch (IOException e) {
            forwarder.close();
            endpoints.close();
            node.close();
            err.println("keymesh up: " + config + ": " + e.getMessage());
            err.flush();
            return 1;
        }
        ControlServer control;
        try {
            control = loaded.control().enabled() ? ControlServer.open(ControlSocketPath.forDaemon(loaded.control(),
                    node.localAddress().getPort()), ForwardOperations.register(NodeOperations.of(node, System.nanoTime()), forwarder)) : null;
        } catch (ControlSocketException e) {
            forwarder.close();
            endpoints.close();
            node.close();
            err.println("keymesh up: " + config + ": keymesh.control.socket: " + e.getMessage());
            err.flush();
            return 1;
        }
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            requestStop("JVM shutdown");
            try {
                closed.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "keymesh-up-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            log.info("node {} listening on {} ({} peers, aead {})", node.publicKey(), HostPort.format(node.localAddress()),
                    nodeConfig.peers().size(), nodeConfig.aead());
            for (PeerConfig p : nodeConfig.peers()) {
                log.info("peer {} {}{}{}{}", label(p.publicKey()),
                        p.endpoint() != null ? "at " + HostPort.format(p.endpoint())
                                : p.relays().isEmpty() ? "without endpoint (waits to be reached)" : "without endpoint",
                        p.relays().isEmpty() ? "" : ", via " + routes(p.relays(), this::label),
                        p.persistentKeepaliveSeconds() == 0 ? "" : ", persistent keepalive " + p.persistentKeepaliveSeconds() + " s",
                        p.wireGuardCompatible() ? ", stock WireGuard" : "");
            }
            if (control != null) {
                log.info("control socket {}", control.path());
            }
            started.complete(node);
            for (PeerConfig p : nodeConfig.peers()) {
                if (p.endpoint() != null) {
                    node.connect(p.publicKey());
                }
            }
            runUntilStopped(node);
            return 0;
        } finally {
            forwarder.close();
            endpoints.close();
            if (control != null) {
                control.close();
            }
            node.close();
            log.info("node {} stopped ({})", node.publicKey(), stopReason.get());
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it finds the node closed
            }
        }
    }

    /** The peers listed by key only, which this node seeks through its members (empty with discovery off). */
    static Set<PublicKey> soughtPeers(NodeConfig nodeConfig) {
        Set<PublicKey> sought = new HashSet<>();
        if (nodeConfig.discovery().enabled()) {
            for (PeerConfig p : nodeConfig.peers()) {
                if (p.endpoint() == null && p.relays().isEmpty() && !p.wireGuardCompatible()) {
                    sought.add(p.publicKey());
                }
            }
        }
        return sought;
    }

    private void runUntilStopped(MeshNode node) throws InterruptedException {
        long start = System.nanoTime();
        boolean statusOn = !statusInterval.isZero();
        long interval = statusInterval.toNanos();
        long nextStatus = statusOn ? start + interval : Long.MAX_VALUE;
        boolean reannounce = !announceInterval.isZero();
        long nextAnnounce = reannounce ? start + announceInterval.toNanos() : Long.MAX_VALUE;
        long exitAt = exitAfter == null ? Long.MAX_VALUE : start + exitAfter.toNanos();
        try {
            while (true) {
                long now = System.nanoTime();
                if (now - exitAt >= 0 && exitAt != Long.MAX_VALUE) {
                    requestStop("--exit-after " + Durations.format(exitAfter) + " elapsed");
                } else if (statusOn && now - nextStatus >= 0) {
                    printStatus(node);
                    nextStatus = Math.max(nextStatus + interval, now);
                    continue;
                } else if (reannounce && now - nextAnnounce >= 0) {
                    events.add(listener::announceToAllUp);
                    nextAnnounce = Math.max(nextAnnounce + announceInterval.toNanos(), now);
                    continue;
                }
                long wake = Math.min(Math.min(exitAt == Long.MAX_VALUE ? Long.MAX_VALUE : exitAt - now,
                        nextStatus == Long.MAX_VALUE ? Long.MAX_VALUE : nextStatus - now),
                        nextAnnounce == Long.MAX_VALUE ? Long.MAX_VALUE : nextAnnounce - now);
                Consumer<MeshNode> event = events.poll(Math.max(0, wake), TimeUnit.NANOSECONDS);
                if (event == STOP) {
                    break;
                }
                if (event != null) {
                    event.accept(node);
                }
            }
        } catch (InterruptedException e) {
            requestStop("interrupted");
            Thread.currentThread().interrupt();
        }
        log.info("stopping: {}", stopReason.get());
        for (Consumer<MeshNode> event; (event = events.poll()) != null; ) {
            if (event != STOP) {
                event.accept(node);
            }
        }
        if (statusOn) {
            printStatus(node);
        }
    }

    /** Stops the node as SIGTERM does, with {@code reason} in the log (for tests and embedding). */
    void stop(String reason) {
        requestStop(reason);
    }

    private void requestStop(String reason) {
        if (stopReason.compareAndSet(null, reason)) {
            events.add(STOP);
        }
    }

    /** "R1 | R2 > R3": routes separated by bars, the relays of one route in order, each as {@code label} names it. */
    private static String routes(List<List<PublicKey>> routes, Function<PublicKey, String> label) {
        return routes.stream()
                .map(route -> route.stream().map(label).collect(Collectors.joining(" > ")))
                .collect(Collectors.joining(" | "));
    }

    /** The configured peers' names, for those that have one. */
    static Map<PublicKey, String> names(NodeConfig nodeConfig) {
        Map<PublicKey, String> names = new HashMap<>();
        for (PeerConfig p : nodeConfig.peers()) {
            if (p.name() != null) {
                names.put(p.publicKey(), p.name());
            }
        }
        return Map.copyOf(names);
    }

    /** How the log names a peer: "NAME (KEY)" if it has a name, else its key (base64). */
    String label(PublicKey key) {
        String name = names.get(key);
        return name == null ? key.toBase64() : name + " (" + key.toBase64() + ")";
    }

    /** A path for the log: "direct ADDRESS" or "relayed via KEY" (the first relay, the whole key), with its RTT if known. */
    static String describe(PathInfo path) {
        return describe(path, PublicKey::toBase64);
    }

    /** As {@link #describe(PathInfo)}, the relay as {@code label} names it. */
    static String describe(PathInfo path, Function<PublicKey, String> label) {
        String where = path.relayed() ? "relayed via " + label.apply(path.via()) : "direct " + HostPort.format(path.address());
        return path.rttNanos() > 0 ? where + " (rtt " + StatusTable.rtt(path.rttNanos()) + ")" : where;
    }

    private void printStatus(MeshNode node) {
        try {
            StatusTable.print(spec.commandLine().getOut(), node.publicKey(), node.localAddress(),
                    node.peerStats().get(5, TimeUnit.SECONDS), node.drops().get(5, TimeUnit.SECONDS),
                    node.relayStats().get(5, TimeUnit.SECONDS), names);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("no status: {}", e.toString());
        }
    }

    /**
     * The node's events, on its loop thread: queued for the command's thread, which logs (and
     * announces, seeks peers listed by key only, and starts handshakes with peers that got a path).
     * Package-private so that tests can drive it without a node.
     */
    final class Events implements NodeListener {
        private final byte[] announcePrefix = ANNOUNCE_PREFIX.getBytes(StandardCharsets.UTF_8);
        /** The peers reported up and not down since; the command's thread only. */
        private final Set<PublicKey> up = new HashSet<>();
        /** The peers listed by key only ({@link #soughtPeers}); never changes. */
        private final Set<PublicKey> sought;

        Events(Set<PublicKey> sought) {
            this.sought = Set.copyOf(sought);
        }

        @Override
        public void onPeerUp(PublicKey peer) {
            events.add(node -> {
                up.add(peer);
                log.info("peer {} up", label(peer));
                if (announce) {
                    announceTo(node, peer);
                }
                // A member to ask: seek the peers listed by key only that are still down. WireGuard's
                // pace (one initiation per 5 s) keeps this from starting a seek already under way again.
                for (PublicKey key : sought) {
                    if (!up.contains(key)) {
                        node.connect(key).thenAccept(sent -> {
                            if (sent) {
                                events.add(n -> log.info("peer {}: seeking it through the members", label(key)));
                            }
                        });
                    }
                }
            });
        }

        /** Command's thread: an announcement to every peer that is up ({@code --announce-interval}). */
        void announceToAllUp(MeshNode node) {
            for (PublicKey peer : up) {
                announceTo(node, peer);
            }
        }

        private void announceTo(MeshNode node, PublicKey peer) {
            node.send(peer, (ANNOUNCE_PREFIX + node.publicKey().toBase64()).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void onPeerUnreachable(PublicKey peer, String reason) {
            events.add(node -> log.info("peer {} unreachable: {}", label(peer), reason));
        }

        @Override
        public void onPeerDown(PublicKey peer, String reason) {
            events.add(node -> {
                up.remove(peer);
                log.info("peer {} down: {}", label(peer), reason);
            });
        }

        @Override
        public void onEndpointChanged(PublicKey peer, InetSocketAddress endpoint) {
            events.add(node -> log.info("peer {} endpoint now {}", label(peer), HostPort.format(endpoint)));
        }

        @Override
        public void onPathChanged(PublicKey peer, PathInfo path) {
            events.add(node -> {
                log.info("peer {} path now {}", label(peer), describe(path, UpCommand.this::label));
                if (!up.contains(peer)) {
                    node.connect(peer); // a handshake over the new path; a failure (peer removed) needs no action
                }
            });
        }

        @Override
        public void onDatagram(PublicKey from, byte[] data, int off, int len) {
            boolean announcement = len >= announcePrefix.length
                    && Arrays.equals(data, off, off + announcePrefix.length, announcePrefix, 0, announcePrefix.length);
            if (!announcement && !log.isDebugEnabled()) {
                return;
            }
            if (queuedDatagramEvents.incrementAndGet() > MAX_QUEUED_DATAGRAM_EVENTS) {
                queuedDatagramEvents.decrementAndGet();
                return; // still counted in the status table
            }
            events.add(node -> {
                queuedDatagramEvents.decrementAndGet();
                if (announcement) {
                    log.info("announce from {} ({} bytes)", label(from), len);
                } else {
                    log.debug("datagram from {} ({} bytes)", label(from), len);
                }
            });
        }
    }
}
