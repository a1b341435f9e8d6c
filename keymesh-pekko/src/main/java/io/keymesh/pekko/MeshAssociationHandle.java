package io.keymesh.pekko;

import io.keymesh.crypto.PublicKey;
import io.keymesh.node.Channel;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.remote.transport.AssociationHandle;
import org.apache.pekko.remote.transport.Transport;
import org.apache.pekko.util.ByteString;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;

/**
 * One association: a reliable keymesh channel between two actor systems' virtual ports. Pekko
 * payloads travel as channel messages, one each, in order.
 *
 * <p>State: ESTABLISHING (outbound: waiting for the peer's session, or OPEN sent and no answer yet) → OPEN → ENDED, or ESTABLISHING →
 * ENDED (refused, timed out, lost, or given up). Every change is one compare-and-set, so exactly one
 * of ACCEPT, the timeout, a refusal or a loss decides an outbound association's outcome. Inbound
 * associations start OPEN.
 *
 * <p>Threading: {@link #write} and {@link #disassociate()} come from Pekko's threads;
 * {@link #received} and the end-of-association calls from the node's loop thread. Events before
 * the read handler is registered ({@link #readHandlerPromise()}) are held, in order, and handed
 * over when it is; the {@link AssociationHandle.Disassociated} event is delivered once.
 */
final class MeshAssociationHandle implements AssociationHandle {
    private static final int ESTABLISHING = 0;
    private static final int OPEN = 1;
    private static final int ENDED = 2;

    private final NodeMux mux;
    private final MeshTransport transport;
    private final NodeMux.ChannelKey key;
    private final Address localAddress;
    private final Address remoteAddress;
    private final Promise<HandleEventListener> readHandler = Futures.promise();
    /** Completes when the other side accepts (outbound); completed at once for inbound associations. */
    private final Promise<AssociationHandle> established = Futures.promise();
    private final HeldEvents<HandleEventListener, HandleEvent> events = new HeldEvents<>(HandleEventListener::notify);
    private final AtomicInteger state;
    private volatile Channel channel;
    private volatile Cancellable timeout;

    MeshAssociationHandle(NodeMux mux, MeshTransport transport, NodeMux.ChannelKey key, Address localAddress,
            Address remoteAddress, boolean inbound) {
        this.mux = mux;
        this.transport = transport;
        this.key = key;
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
        this.state = new AtomicInteger(inbound ? OPEN : ESTABLISHING);
        FutureConverters.asJava(readHandler.future()).thenAccept(events::register);
    }

    @Override
    public Address localAddress() {
        return localAddress;
    }

    @Override
    public Address remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Promise<HandleEventListener> readHandlerPromise() {
        return readHandler;
    }

    NodeMux.ChannelKey key() {
        return key;
    }

    MeshTransport transport() {
        return transport;
    }

    PublicKey peer() {
        return key.peer();
    }

    /** Events held for a read handler not registered yet. */
    int eventsHeld() {
        return events.held();
    }

    /** True once the association has ended (or failed to be established). */
    boolean isEnded() {
        return state.get() == ENDED;
    }

    /** The outbound association's outcome. */
    scala.concurrent.Future<AssociationHandle> established() {
        return established.future();
    }

    /** Binds the channel; before this, {@link #write} refuses. An association that already ended closes it. */
    void attach(Channel c) {
        this.channel = c;
        if (isEnded()) {
            c.close();
        }
    }

    /** True for an outbound association still waiting for its peer's session: no channel yet, not ended. */
    boolean waitsForPeer() {
        return channel == null && state.get() == ESTABLISHING;
    }

    /** The outbound connection-timeout task, cancelled once the outcome is known. */
    void timeoutTask(Cancellable task) {
        this.timeout = task;
        if (state.get() != ESTABLISHING) {
            task.cancel();
        }
    }

    /**
     * Sends one payload; false (and the payload dropped) if the channel cannot take it now, or the
     * association has ended. Never blocks.
     */
    @Override
    public boolean write(ByteString payload) {
        Channel c = channel;
        if (c == null || state.get() != OPEN) {
            return false;
        }
        try {
            byte[] bytes = payload.toArrayUnsafe();
            if (c.send(bytes)) {
                transport.capture(bytes);
                return true;
            }
            transport.countRefusedWrite();
            return false;
        } catch (IllegalStateException e) { // the channel was lost or closed under us (peer removed, node closing)
            remoteEnded("the channel ended: " + e.getMessage());
            return false;
        }
    }

    /**
     * Ends the association (Pekko 1.x); the other side sees it disassociated after the payloads
     * written so far. One still being established fails instead.
     */
    @Override
    public void disassociate() {
        if (state.compareAndSet(OPEN, ENDED)) {
            mux.forget(this);
            Channel c = channel;
            if (c != null) {
                c.close();
            }
            deliver(new Disassociated(AssociationHandle.Unknown$.MODULE$));
        } else {
            failEstablishing(new java.io.IOException("disassociated before the other side answered"));
        }
    }

    /** Ends the association (the form Pekko 2.x calls), logging why at debug level. */
    @Override
    public void disassociate(String reason, LoggingAdapter log) {
        if (log.isDebugEnabled()) {
            log.debug("keymesh association between [{}] and [{}] disassociated because {}", localAddress, remoteAddress, reason);
        }
        disassociate();
    }

    // ------------------------------------------------------------------ from the node (loop thread)

    /** A channel message: the answer to OPEN first (outbound), then payloads. */
    void received(byte[] message) {
        int s = state.get();
        if (s == OPEN) {
            deliver(new InboundPayload(ByteString.fromArrayUnsafe(message)));
            return;
        }
        if (s == ENDED) {
            mux.lateMessage(); // after the end: nobody listens any more
            return;
        }
        AssociationControl answer;
        try {
            answer = AssociationControl.decode(message);
        } catch (IllegalArgumentException e) {
            failEstablishing(invalid("the other node answered with something else than an association answer: " + e.getMessage()));
            return;
        }
        switch (answer) {
            case AssociationControl.Accept a -> {
                if (state.compareAndSet(ESTABLISHING, OPEN)) {
                    cancelTimeout();
                    established.trySuccess(this);
                }
            }
            case AssociationControl.Refuse r -> failEstablishing(invalid(remoteAddress + " refused the association: " + r.reason()));
            case AssociationControl.Open o -> failEstablishing(invalid("the other node opened the same channel"));
        }
    }

    /** The other side ended the association, or the connection to its node was lost. */
    void remoteEnded(String why) {
        if (state.compareAndSet(OPEN, ENDED)) {
            mux.forget(this);
            mux.closeLater(channel);
            deliver(new Disassociated(AssociationHandle.Unknown$.MODULE$));
        } else {
            failEstablishing(new java.io.IOException(why));
        }
    }

    /** No answer in time (outbound). */
    void timedOut(String why) {
        failEstablishing(new java.io.IOException(why));
    }

    /** Ends an association still being established, if it is: the outbound future fails with {@code why}. */
    private void failEstablishing(Throwable why) {
        if (state.compareAndSet(ESTABLISHING, ENDED)) {
            cancelTimeout();
            mux.forget(this);
            mux.closeLater(channel);
            established.tryFailure(why);
        }
    }

    private void cancelTimeout() {
        Cancellable t = timeout;
        if (t != null) {
            t.cancel();
        }
    }

    private static Throwable invalid(String why) {
        return new Transport.InvalidAssociationException(why, null);
    }

    private void deliver(HandleEvent event) {
        events.deliver(event);
    }

    @Override
    public String toString() {
        return "MeshAssociation(" + localAddress + " <-> " + remoteAddress + ", channel " + key.channelId() + ")";
    }
}
