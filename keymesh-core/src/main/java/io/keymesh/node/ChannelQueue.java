package io.keymesh.node;

import io.keymesh.wire.VarInt;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The messages one {@link Channel} holds until its connection takes them: filled by the threads
 * that send, emptied by the loop thread ({@link #drain}). Small plain messages are framed as the
 * channel's stream carries them — a varint length, then the bytes — into batches of up to
 * {@link #BATCH_BYTES} on the sending thread, so that the loop takes a batch of a few hundred
 * messages in one step instead of each message in its own; larger messages, and every message of a
 * compressed channel, are kept as they are (by reference) and taken one by one. Order is kept
 * across both kinds.
 *
 * <p>Holds at most {@link MeshNode#CHANNEL_QUEUE_BYTES}: the bytes of the messages kept as sent,
 * and of the batches (length prefixes included, so that even empty messages count), or one
 * message of any size when empty. Thread-safe: one lock, held for an append by a sender and for a
 * drain by the loop.
 */
final class ChannelQueue {
    /** Messages of at most this many bytes are framed into batches. */
    static final int SMALL_MESSAGE = 1024;
    /** A batch's capacity: enough for a few hundred small messages. */
    static final int BATCH_BYTES = 16 * 1024;
    /**
     * Arrays of batches acknowledged in full kept for new batches while messages flow, at most:
     * acknowledgements free batches in bursts (one ACK for ten 64 KB packets frees some forty), and
     * a 1 MiB queue is 64 batches.
     */
    static final int SPARE_BATCHES = 64;
    /** Arrays kept once the queue is empty (an idle channel holds little). */
    static final int IDLE_SPARE_BATCHES = 2;

    /** Takes what the queue holds, in order; false if it cannot take the item now (it stays first). */
    interface Taker {
        /** One message as it was sent (a compressed channel's: coded). */
        boolean message(byte[] message);

        /** {@code framed[0..length)}: whole messages, each a varint length and its bytes, none over {@code largest}. */
        boolean framed(byte[] framed, int length, int largest);
    }

    /** Framed messages: {@code bytes[0..length)}, the largest {@code largest} bytes long. */
    private static final class Batch {
        final byte[] bytes;
        int length;
        int largest;

        /** A batch written into {@code bytes} from its start (what a reused array held past {@link #length} is never read). */
        Batch(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    private final ArrayDeque<Object> items = new ArrayDeque<>(); // byte[] (a message) or Batch, oldest first
    /** The last item while it still takes small messages; null once the loop has started taking it. */
    private Batch open;
    /** Bytes held, as the class comment counts them (written under the lock, read without it). */
    private volatile long bytes;
    /** A sender was refused: {@link #drain} reports when the queue is half empty. */
    private boolean wantsWritable;
    /** Batch arrays to fill again (see {@link #reuse}). */
    private final ArrayDeque<byte[]> spares = new ArrayDeque<>(SPARE_BATCHES);
    /**
     * Takes back the array of a batch the connection no longer reads (every byte acknowledged), for
     * a new batch: a steady flow of small messages then allocates little per batch. At most
     * {@link #SPARE_BATCHES} are kept while the queue holds something, {@link #IDLE_SPARE_BATCHES}
     * once it is empty. Any thread.
     */
    final Consumer<byte[]> reuse = this::reuse;

    /**
     * Adds {@code message} (framed into a batch if {@code frame} and it is small), unless the queue
     * holds something and the message would take it over {@link MeshNode#CHANNEL_QUEUE_BYTES}: then
     * false, and a later {@link #drain} reports when there is room again.
     */
    synchronized boolean add(byte[] message, boolean frame) {
        boolean small = frame && message.length <= SMALL_MESSAGE;
        int prefix = small ? VarInt.length(message.length) : 0;
        long size = prefix + (long) message.length;
        long held = bytes;
        if (held > 0 && held + size > MeshNode.CHANNEL_QUEUE_BYTES) {
            wantsWritable = true;
            return false;
        }
        if (small) {
            Batch b = open;
            if (b == null || b.length + prefix + message.length > b.bytes.length) {
                byte[] spare = spares.poll();
                b = new Batch(spare != null ? spare : new byte[BATCH_BYTES]);
                open = b;
                items.add(b);
            }
            VarInt.write(b.bytes, b.length, message.length);
            System.arraycopy(message, 0, b.bytes, b.length + prefix, message.length);
            b.length += prefix + message.length;
            b.largest = Math.max(b.largest, message.length);
        } else {
            open = null; // what follows goes after this message
            items.add(message);
        }
        bytes = held + size;
        return true;
    }

    /**
     * True if {@link #add} would refuse a message of {@code length} bytes now; a later
     * {@link #drain} then reports when there is room, as after a refused {@link #add}.
     */
    synchronized boolean refuses(int length) {
        if (isWritable(length)) {
            return false;
        }
        wantsWritable = true;
        return true;
    }

    /**
     * True if {@link #add} would take a message of {@code length} bytes now (counting the length
     * prefix of a message small enough to be framed, whether it will be or not).
     */
    boolean isWritable(int length) {
        long held = bytes;
        long size = length <= SMALL_MESSAGE ? VarInt.length(length) + (long) length : length;
        return held == 0 || held + size <= MeshNode.CHANNEL_QUEUE_BYTES;
    }

    /** Bytes held, as the class comment counts them. */
    long bytes() {
        return bytes;
    }

    /** True if nothing is held. */
    boolean isEmpty() {
        return bytes == 0;
    }

    /**
     * Loop thread: hands the items to {@code taker} in order until it refuses one or none is left.
     * A batch handed over takes no more messages (the taker keeps its array).
     *
     * @return true if a sender was refused and the queue is now at most half full: time to tell the
     *     application it may send again (once per refusal)
     */
    synchronized boolean drain(Taker taker) {
        Object item;
        long held = bytes;
        try {
            while ((item = items.peek()) != null) {
                if (item == open) {
                    open = null;
                }
                boolean taken;
                int n;
                if (item instanceof Batch b) {
                    taken = taker.framed(b.bytes, b.length, b.largest);
                    n = b.length;
                } else {
                    byte[] m = (byte[]) item;
                    taken = taker.message(m);
                    n = m.length;
                }
                if (!taken) {
                    break;
                }
                items.poll();
                held -= n;
            }
        } finally {
            bytes = held;
        }
        if (items.isEmpty()) {
            while (spares.size() > IDLE_SPARE_BATCHES) {
                spares.poll();
            }
        }
        if (wantsWritable && held < MeshNode.CHANNEL_QUEUE_BYTES / 2) {
            wantsWritable = false;
            return true;
        }
        return false;
    }

    private synchronized void reuse(byte[] batch) {
        if (batch.length == BATCH_BYTES && spares.size() < (items.isEmpty() ? IDLE_SPARE_BATCHES : SPARE_BATCHES)) {
            spares.push(batch);
        }
    }

    /** Drops everything held, spare arrays included (the channel is lost or abandoned). */
    synchronized void clear() {
        items.clear();
        open = null;
        bytes = 0;
        spares.clear();
    }
}
