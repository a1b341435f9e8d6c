package io.keymesh.node;

import io.keymesh.compress.CodedMessage;
import io.keymesh.compress.Compression;
import io.keymesh.crypto.PublicKey;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A reliable, ordered message channel to one peer: messages arrive exactly once, in order, whole,
 * at the peer's {@link NodeListener#onMessage}, unless the connection is lost (the listener is told,
 * {@link NodeListener#onChannelsLost}). Obtained from {@link MeshNode#channel}.
 *
 * <p>Thread-safe. {@link #send} never blocks and never queues without bound: it refuses a message
 * (returns false) when the channel holds {@link MeshNode#CHANNEL_QUEUE_BYTES} of messages not yet
 * taken by the connection, and {@link NodeListener#onChannelWritable} follows once it can take
 * more. The node keeps a sent array: do not change it afterwards.
 *
 * <p>Compression ({@link #compression()}) is this side's choice for what it sends, made when the
 * handle is made; the peer decodes whatever it receives. A compressed channel's messages are
 * compressed on the thread that sends them.
 */
public final class Channel {
    private final PeerConnections connections;
    private final PublicKey peer;
    private final long id;
    /** What {@link #send} took and the connection has not yet. */
    final ChannelQueue queue = new ChannelQueue();
    final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** The loop task that moves this channel's queue into its connection (one object, reused). */
    final Runnable drainTask;
    volatile String lostReason;
    volatile boolean closed;
    /** The error code of {@link #reset}, or 0 if not reset. */
    volatile long resetCode;
    private final Compression compression;
    /** What this channel's messages are coded with; null until the first message (coded channels only). */
    volatile ChannelCodecs.Choice choice;

    Channel(PeerConnections connections, PublicKey peer, long id, Compression compression) {
        this.connections = connections;
        this.compression = compression;
        this.drainTask = () -> connections.drainNow(this);
        this.peer = peer;
        this.id = id;
    }

    /** The peer at the other end. */
    public PublicKey peer() {
        return peer;
    }

    /**
     * How this side sends: {@link Compression#NONE} when asked for, or when the node does not
     * compress (compression off, or zstd's library does not load here).
     */
    public Compression compression() {
        return compression;
    }

    /** True if this side's messages carry a codec header. */
    boolean coded() {
        return compression.coded();
    }

    /** The largest message {@link #send} takes: the node's limit, less the codec header on a compressed channel. */
    public int maxMessage() {
        return connections.maxMessage() - (coded() ? CodedMessage.MAX_HEADER_LENGTH : 0);
    }

    /** The channel's number, shared by both ends. */
    public long id() {
        return id;
    }

    /**
     * Queues one message.
     *
     * @return true if taken; false if the channel is full ({@link NodeListener#onChannelWritable} follows)
     * @throws IllegalArgumentException if the message is larger than the node's maximum message size
     * @throws IllegalStateException if the channel was closed or its connection lost, or the node is
     *     closed or its loop failed
     */
    public boolean send(byte[] message) {
        connections.ensureOpen();
        if (lostReason != null) {
            throw new IllegalStateException("channel " + id + " to " + peer + " is lost: " + lostReason);
        }
        if (closed) {
            throw new IllegalStateException("channel " + id + " to " + peer + " is " + (resetCode != 0 ? "reset" : "closed"));
        }
        if (message.length > maxMessage()) {
            throw new IllegalArgumentException("message of " + message.length + " bytes; at most " + maxMessage());
        }
        boolean coded = coded();
        if (coded && queue.refuses(message.length)) {
            return false; // not compressed for nothing; told when writable
        }
        if (!queue.add(coded ? connections.encode(this, message) : message, !coded)) {
            return false;
        }
        connections.scheduleDrain(this);
        return true;
    }

    /** True if {@link #send} would take a message of {@code length} bytes now. */
    public boolean isWritable(int length) {
        return lostReason == null && !closed && connections.isOpen() && queue.isWritable(length);
    }

    /** Ends our side after the messages sent so far; the peer is told when it has them all. */
    public void close() {
        closed = true;
        try {
            connections.scheduleDrain(this);
        } catch (IllegalStateException e) {
            // the node is closed or failed: its connections are gone, nothing is left to end
        }
    }

    /**
     * Abandons our side at once (an abort, as a TCP reset is): the messages not yet taken by the
     * connection and those not yet acknowledged are dropped, and the peer's listener hears
     * {@link NodeListener#onChannelClosed} with {@code errorCode} (instead of 0) without waiting
     * for them. Like {@link #close}, it ends only our side: what the peer still sends arrives, and
     * the channel is finished once the peer ends its side too (closes or resets). {@link #send}
     * fails from now on. Also after {@link #close}, while the peer has not acknowledged everything;
     * nothing happens on a lost channel, or when the node is closed.
     *
     * @param errorCode 1..2^62-1, the application's reason (0 means a clean end, so it is refused)
     * @throws IllegalArgumentException if {@code errorCode} is out of range
     */
    public void reset(long errorCode) {
        if (errorCode < 1 || errorCode > io.keymesh.wire.VarInt.MAX) {
            throw new IllegalArgumentException("error code must be 1.." + io.keymesh.wire.VarInt.MAX + ", got " + errorCode);
        }
        if (resetCode != 0) {
            return;
        }
        resetCode = errorCode;
        closed = true;
        try {
            connections.scheduleDrain(this);
        } catch (IllegalStateException e) {
            // the node is closed or failed: its connections are gone, nothing is left to reset
        }
    }

    /** Why the channel's connection was lost, or null. A lost channel has dropped the messages it still held. */
    public String lostReason() {
        return lostReason;
    }

    /**
     * Loop thread: the channel's connection is gone (lost, or the peer removed). {@link #send}
     * fails from now on, naming {@code reason}, and the messages still queued are dropped, so that a
     * handle the application keeps holds no memory.
     */
    void lose(String reason) {
        lostReason = reason;
        dropQueued();
    }

    /** Loop thread: drops the queued messages of a lost channel (also those of a send that raced its loss). */
    void dropQueued() {
        queue.clear();
    }

    @Override
    public String toString() {
        return "Channel(" + id + " to " + peer + ")";
    }
}
