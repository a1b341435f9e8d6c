package io.keymesh.pekko;

import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.Address;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.remote.transport.AssociationHandle;
import org.apache.pekko.util.ByteString;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;

/**
 * One side of an association between two actor systems that share a node (same node key,
 * different virtual ports): a node has no channel to itself, so payloads pass in memory, in order,
 * straight to the other side's read handler (held until it registers). A write always succeeds:
 * the receiving actor's mailbox is the only queue, as with any in-JVM delivery.
 */
final class LocalAssociation implements AssociationHandle {
    private final Address localAddress;
    private final Address remoteAddress;
    private final Promise<HandleEventListener> readHandler = Futures.promise();
    private final HeldEvents<HandleEventListener, HandleEvent> events = new HeldEvents<>(HandleEventListener::notify);
    private final AtomicBoolean ended;
    private LocalAssociation other;
    private volatile Set<LocalAssociation> owner = Set.of();

    private LocalAssociation(Address localAddress, Address remoteAddress, AtomicBoolean ended) {
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
        this.ended = ended;
        FutureConverters.asJava(readHandler.future()).thenAccept(events::register);
    }

    /** Both sides: the first is {@code initiator}'s, the second {@code acceptor}'s. */
    static LocalAssociation[] pair(Address initiator, Address acceptor) {
        AtomicBoolean ended = new AtomicBoolean();
        LocalAssociation a = new LocalAssociation(initiator, acceptor, ended);
        LocalAssociation b = new LocalAssociation(acceptor, initiator, ended);
        a.other = b;
        b.other = a;
        return new LocalAssociation[] {a, b};
    }

    /** The set of live local associations this side belongs to; it leaves the set when the association ends. */
    void ownedBy(Set<LocalAssociation> set) {
        owner = set;
        set.add(this);
        if (ended.get()) {
            set.remove(this);
        }
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

    @Override
    public boolean write(ByteString payload) {
        if (ended.get()) {
            return false;
        }
        other.events.deliver(new InboundPayload(payload));
        return true;
    }

    /** Ends both sides; each is told once. */
    @Override
    public void disassociate() {
        if (ended.compareAndSet(false, true)) {
            owner.remove(this);
            other.owner.remove(other);
            Disassociated gone = new Disassociated(AssociationHandle.Unknown$.MODULE$);
            events.deliver(gone);
            other.events.deliver(gone);
        }
    }

    @Override
    public void disassociate(String reason, LoggingAdapter log) {
        if (log.isDebugEnabled()) {
            log.debug("keymesh local association between [{}] and [{}] disassociated because {}", localAddress, remoteAddress, reason);
        }
        disassociate();
    }

    @Override
    public String toString() {
        return "LocalAssociation(" + localAddress + " <-> " + remoteAddress + ")";
    }
}
