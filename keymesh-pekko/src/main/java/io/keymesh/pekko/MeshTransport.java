package io.keymesh.pekko;

import com.typesafe.config.Config;
import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import io.keymesh.node.MeshNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.remote.transport.AssociationHandle;
import org.apache.pekko.remote.transport.Transport;
import scala.Tuple2;
import scala.concurrent.Future;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko classic remoting over keymesh: associations are reliable keymesh channels, addressed by
 * node key and virtual port ({@link MeshAddress}). Enabled by naming
 * {@code pekko.remote.classic.keymesh} in {@code pekko.remote.classic.enabled-transports} (or
 * {@code include "keymesh-remoting"}); the node comes from the {@code keymesh} block.
 *
 * <p>Writes never block and never queue without bound: a full channel refuses the payload and
 * classic remoting retries after its back-off. An association to a key that is not a peer of the
 * node, or a malformed address, fails at once with {@link Transport.InvalidAssociationException}.
 */
public final class MeshTransport implements Transport {
    private static final Map<ActorSystem, MeshTransport> listening = new ConcurrentHashMap<>();
    private final ExtendedActorSystem system;
    /** Null if the block is bad: then {@link #listen} fails with {@link #settingsProblem}, which startup reports. */
    private final MeshTransportSettings settings;
    private final IllegalArgumentException settingsProblem;
    private final String scheme;
    private final Promise<AssociationEventListener> associationListener = Futures.promise();
    private final HeldEvents<AssociationEventListener, AssociationEvent> inbound = new HeldEvents<>(AssociationEventListener::notify);
    private final AtomicReference<NodeMux> muxRef = new AtomicReference<>();
    /** Live associations with actor systems on the same node (both sides are tracked by their own transport). */
    private final Set<LocalAssociation> locals = ConcurrentHashMap.newKeySet();
    private volatile Address localAddress;
    private volatile int port;
    private final AtomicLong refusedWrites = new AtomicLong();
    /** The payload samples this actor system writes (capture-samples); nothing if off. */
    private final PayloadCapture capture;

    /** Called by classic remoting with its actor system and this transport's configuration block. */
    public MeshTransport(ExtendedActorSystem system, Config conf) {
        this.system = system;
        MeshTransportSettings s = null;
        IllegalArgumentException problem = null;
        try {
            s = MeshTransportSettings.from(conf);
        } catch (IllegalArgumentException e) {
            problem = e; // a constructor's exception is only logged by classic remoting; listen's fails startup with it
        }
        this.settings = s;
        this.settingsProblem = problem;
        this.capture = s == null || s.captureCount() == 0 ? new PayloadCapture(null, 0)
                : new PayloadCapture(s.captureDirectory(), s.captureCount());
        this.scheme = s != null ? s.schemeIdentifier() : conf.hasPath("scheme-identifier") ? conf.getString("scheme-identifier") : "mesh";
        FutureConverters.asJava(associationListener.future()).thenAccept(inbound::register);
    }

    @Override
    public String schemeIdentifier() {
        return scheme;
    }

    /**
     * Every address of this scheme: a malformed one is then refused by {@link #associate} with a
     * message that says what is wrong with it, rather than by classic remoting's "no transport is
     * responsible".
     */
    @Override
    public boolean isResponsibleFor(Address address) {
        return true;
    }

    @Override
    public int maximumPayloadBytes() {
        return settings != null ? settings.maximumPayloadBytes() : MeshTransportSettings.MIN_PAYLOAD;
    }

    /**
     * The keymesh node under {@code system}'s remoting (shared with the other actor systems of this
     * JVM that use the same node key), while its keymesh transport is listening: for peer and
     * channel statistics, and for adding peers at run time.
     */
    public static Optional<MeshNode> node(ActorSystem system) {
        MeshTransport t = listening.get(system);
        NodeMux m = t == null ? null : t.muxRef.get();
        return m == null ? Optional.empty() : Optional.of(m.node());
    }

    /** The keymesh transport of {@code system}, while it is listening. */
    public static Optional<MeshTransport> of(ActorSystem system) {
        return Optional.ofNullable(listening.get(system));
    }

    /** Writes refused so far because a channel was full (classic remoting retried them after its back-off). */
    public long refusedWrites() {
        return refusedWrites.get();
    }

    /** The node mux while listening (tests). */
    NodeMux mux() {
        return muxRef.get();
    }

    void countRefusedWrite() {
        refusedWrites.incrementAndGet();
    }

    /** How this actor system's associations send payloads (the compression setting). */
    io.keymesh.compress.Compression compression() {
        return settings == null ? io.keymesh.compress.Compression.NONE : settings.compression();
    }

    /** A payload was written to an association: a sample, while samples are being captured. */
    void capture(byte[] payload) {
        capture.offer(payload);
    }

    /** The samples captured so far (tests). */
    PayloadCapture capturing() {
        return capture;
    }

    /** This actor system's address, once listening. */
    public Address localAddress() {
        return localAddress;
    }

    @Override
    public Future<Tuple2<Address, Promise<AssociationEventListener>>> listen() {
        if (settingsProblem != null) {
            return Futures.failed(settingsProblem);
        }
        try {
            NodeMux m = SharedNodes.acquire(system.settings().config());
            int max = m.maxMessage();
            if (settings.maximumPayloadBytes() > max) {
                SharedNodes.release(m);
                throw new IllegalArgumentException(MeshTransportSettings.PATH + ".maximum-payload-bytes: "
                        + settings.maximumPayloadBytes() + " is more than the node's channel message limit " + max);
            }
            try {
                port = m.bind(settings.port(), this);
            } catch (RuntimeException e) {
                SharedNodes.release(m);
                throw e;
            }
            muxRef.set(m);
            localAddress = MeshAddress.of(schemeIdentifier(), system.name(), m.self(), port);
            listening.put(system, this);
            // Classic remoting does not call shutdown() when another transport fails to listen;
            // the actor system's end releases the node (and its port) in any case.
            system.registerOnTermination(this::shutdown);
            return Futures.successful(new Tuple2<>(localAddress, associationListener));
        } catch (RuntimeException e) {
            return Futures.failed(e);
        }
    }

    @Override
    public Future<AssociationHandle> associate(Address remote) {
        NodeMux m = muxRef.get();
        if (m == null) {
            return Futures.failed(new IllegalStateException("keymesh transport is not listening"));
        }
        PublicKey key;
        int remotePort;
        try {
            key = MeshAddress.keyOf(remote);
            remotePort = MeshAddress.portOf(remote);
        } catch (IllegalArgumentException e) {
            return Futures.failed(new InvalidAssociationException(e.getMessage(), null));
        }
        if (key.equals(m.self())) {
            MeshTransport target = m.transportAt(remotePort);
            if (target == null || target.localAddress() == null) {
                return Futures.failed(new InvalidAssociationException(remote + ": no actor system listens on virtual port "
                        + remotePort + " of this node", null));
            }
            LocalAssociation[] pair = LocalAssociation.pair(localAddress, target.localAddress());
            pair[0].ownedBy(locals);
            pair[1].ownedBy(target.locals);
            target.announce(pair[1]);
            return Futures.successful(pair[0]);
        }
        if (!m.node().isPeer(key) && !m.node().reach(key).join()) {
            return Futures.failed(new InvalidAssociationException(remote + ": node " + key.toBase32()
                    + " is not a peer of this node (add it to keymesh.peers, or set keymesh.accept-members"
                    + " to reach any member by key)", null));
        }
        NodeMux.ChannelKey channelKey = new NodeMux.ChannelKey(key, m.newChannelId(key));
        MeshAssociationHandle h = new MeshAssociationHandle(m, this, channelKey, localAddress, remote, false);
        m.register(h);
        Duration timeout = settings.connectionTimeout();
        h.timeoutTask(system.scheduler().scheduleOnce(scala.concurrent.duration.Duration.fromNanos(timeout.toNanos()),
                () -> h.timedOut("no answer from " + remote + " within " + timeout.toMillis() + " ms"), system.dispatcher()));
        byte[] open = new AssociationControl.Open(port, remotePort, system.name()).encode();
        m.openWhenUp(key, h, () -> {
            try {
                Channel c = m.node().channel(key, channelKey.channelId(), settings.compression());
                h.attach(c); // closes it if the association ended meanwhile
                if (!h.isEnded()) {
                    c.send(open);
                }
            } catch (RuntimeException e) {
                h.remoteEnded("cannot open a channel to " + key.toBase32() + ": " + e.getMessage());
            }
        });
        return h.established();
    }

    /**
     * Ends this actor system's associations (each after what was written to it) and leaves the
     * node; the last actor system to leave stops the node once its channels have delivered (at most
     * 2 s), off the caller's thread. Idempotent.
     */
    @Override
    public Future<Object> shutdown() {
        NodeMux m = muxRef.getAndSet(null);
        if (m == null) {
            return Futures.successful(Boolean.TRUE);
        }
        listening.remove(system, this);
        m.unbind(port, this);
        for (MeshAssociationHandle h : m.associationsOf(this)) {
            h.disassociate();
        }
        for (LocalAssociation l : List.copyOf(locals)) {
            l.disassociate();
        }
        CompletableFuture<Object> released = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("keymesh-pekko-shutdown").start(() -> {
            try {
                SharedNodes.release(m);
            } finally {
                released.complete(Boolean.TRUE);
            }
        });
        return FutureConverters.asScala(released);
    }

    // ------------------------------------------------------------------ from the node mux

    /** A new inbound association for this actor system (not yet announced). */
    MeshAssociationHandle inbound(NodeMux m, NodeMux.ChannelKey key, AssociationControl.Open open) {
        Address remote = MeshAddress.of(schemeIdentifier(), open.systemName(), key.peer(), open.fromPort());
        return new MeshAssociationHandle(m, this, key, localAddress, remote, true);
    }

    /** Tells classic remoting about an accepted inbound association (held until it listens). */
    void announce(AssociationHandle h) {
        inbound.deliver(new InboundAssociation(h));
    }
}
