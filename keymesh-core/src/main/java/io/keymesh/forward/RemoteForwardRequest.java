package io.keymesh.forward;

import io.keymesh.node.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asking side of a {@link RemoteForward}: a control channel to the peer carrying LISTEN, held
 * open while the peer listens; asked again after a refusal, a lost connection or the peer's end,
 * first after {@link #FIRST_RETRY_MILLIS}, then twice as long each time up to
 * {@link #MAX_RETRY_MILLIS}, until {@link #remove}d. The connections the peer forwards back arrive as
 * OPENs of kind {@link ForwardMessage#KIND_REMOTE} naming {@code forward.listen()}; the forwarder
 * takes them while the request {@link #isActive()}.
 *
 * <p>Thread-safe: its state is guarded by its monitor; node events arrive on the loop thread and
 * only change state and schedule work; channel calls run on the forwarder's threads.
 */
final class RemoteForwardRequest implements ControlChannel {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    static final long FIRST_RETRY_MILLIS = 5_000;
    static final long MAX_RETRY_MILLIS = 60_000;

    final RemoteForward forward;
    private final Forwarder owner;
    private final String name;
    // guarded by this
    private Channel channel;
    private long channelId = -1;
    private boolean listening;
    private boolean removed;
    private String problem;
    /** The current channel's REFUSE, as text: what its end is put down to, whatever ends it. */
    private String refusal;
    private long retryMillis = FIRST_RETRY_MILLIS;
    private long generation;

    RemoteForwardRequest(Forwarder owner, RemoteForward forward) {
        this.owner = owner;
        this.forward = forward;
        this.name = "remote forward " + forward;
    }

    /** Sends LISTEN on a new channel. A forwarder's thread. */
    void ask() {
        long id;
        long gen;
        synchronized (this) {
            if (removed || channel != null) {
                return;
            }
            id = owner.newChannelId(forward.peer());
            channelId = id;
            refusal = null;
            gen = ++generation;
        }
        owner.registerControl(forward.peer(), id, this);
        Channel c;
        try {
            c = owner.node().channel(forward.peer(), id);
            synchronized (this) {
                channel = c;
            }
            c.send(new ForwardMessage.Listen(forward.listen().toString()).encode());
        } catch (IllegalArgumentException | IllegalStateException e) {
            ended(id, "cannot ask the peer: " + e.getMessage(), 0);
            return;
        }
        log.debug("{}: asking the peer to listen", name);
        owner.scheduleMillis(owner.config().openTimeout().toMillis(), () -> {
            synchronized (this) {
                if (gen != generation || listening || removed || channel == null) {
                    return;
                }
            }
            ended(id, "no answer from the peer within " + owner.config().openTimeout().toMillis() + " ms",
                    ForwardedConnection.RESET_TIMEOUT);
        });
    }

    /** True while the peer may forward connections for it (asked, or listening). */
    synchronized boolean isActive() {
        return !removed && channel != null;
    }

    synchronized RemoteForwardStatus status() {
        return new RemoteForwardStatus(forward, listening, problem);
    }

    /** Stops asking: our side of the control channel ends, and with it the peer's listener. Any thread. */
    void remove() {
        Channel c;
        synchronized (this) {
            removed = true;
            listening = false;
            c = channel;
            channel = null;
        }
        if (c != null) {
            owner.unregisterControl(forward.peer(), c.id(), this);
            c.close();
        }
    }

    @Override
    public void onMessage(byte[] message) {
        long id;
        synchronized (this) {
            id = channelId;
        }
        ForwardMessage m;
        try {
            m = ForwardMessage.decode(message);
        } catch (IllegalArgumentException e) {
            owner.counters.malformed.incrementAndGet();
            owner.execute(() -> ended(id, "protocol error by the peer: " + e.getMessage(), ForwardedConnection.RESET_PROTOCOL));
            return;
        }
        switch (m) {
            case ForwardMessage.Listening l -> {
                synchronized (this) {
                    if (listening || removed) {
                        return;
                    }
                    listening = true;
                    problem = null;
                    retryMillis = FIRST_RETRY_MILLIS;
                }
                log.info("{}: the peer listens (port {})", name, l.port());
            }
            case ForwardMessage.Refuse r -> {
                owner.counters.refused(r.reason());
                String why = "refused by the peer: " + r.reason().text() + (r.text().isEmpty() ? "" : " (" + r.text() + ")");
                synchronized (this) {
                    if (id == channelId) {
                        refusal = why;
                    }
                }
                owner.execute(() -> ended(id, why, 0));
            }
            default -> {
                owner.counters.malformed.incrementAndGet();
                owner.execute(() -> ended(id, "protocol error by the peer: unexpected " + m.getClass().getSimpleName(),
                        ForwardedConnection.RESET_PROTOCOL));
            }
        }
    }

    @Override
    public void onPeerEnded(long errorCode) {
        long id;
        synchronized (this) {
            id = channelId;
        }
        owner.execute(() -> ended(id, errorCode == 0 ? "the peer stopped listening"
                : "the peer reset the request (" + ForwardedConnection.resetText(errorCode) + ")", 0));
    }

    @Override
    public void onLost(String reason) {
        long id;
        synchronized (this) {
            id = channelId;
        }
        ended(id, reason, 0);
    }

    /**
     * The control channel {@code id} is over for {@code why}: our side ended ({@code code} 0:
     * closed, else reset), and a new request scheduled unless removed. Once per channel.
     */
    private void ended(long id, String why, long code) {
        Channel c;
        long delay;
        synchronized (this) {
            if (id != channelId || channel == null && channelId < 0) {
                return;
            }
            c = channel;
            channel = null;
            channelId = -1;
            listening = false;
            if (refusal != null) {
                why = refusal; // the peer's close after its REFUSE may be handled first
            }
            problem = why;
            delay = retryMillis;
            retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
            if (removed) {
                return;
            }
        }
        owner.unregisterControl(forward.peer(), id, this);
        if (c != null) {
            if (code == 0) {
                c.close();
            } else {
                c.reset(code);
            }
        }
        log.info("{}: {}; asking again in {} s", name, why, delay / 1000);
        owner.scheduleMillis(delay, this::ask);
    }
}
