package io.keymesh.io;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The datagrams of one receive call, in arrival order, side by side in one array: datagram
 * {@code i} is {@code buffer()[offset(i)..offset(i)+length(i))}, from {@link #from(i)}, with the ECN
 * codepoint {@link #ecn(i)}. A received message (a lone datagram, or a run the kernel coalesced)
 * ends with the datagram for which {@link #endsMessage} is true.
 *
 * <p>Ownership: the I/O fills it and hands it to {@link NodeIo.Receiver#receive(DatagramBatch)};
 * the receiver may read and write each datagram's bytes in place (decrypt them), but nothing outside
 * them, and only during that call: the I/O reuses the batch for the next call. The receiver takes
 * the datagrams in order and tells the I/O when it is done with each message's last one
 * ({@link #endOfMessage}: what answering them queued may leave); one it fails on it reports
 * ({@link #failed}) and goes on with the others. Not thread-safe: the loop thread's (a receiver may
 * hand datagrams' bytes to other threads while the call lasts).
 */
public final class DatagramBatch {
    /** The I/O that fills the batch, as its receiver reports to it. */
    @FunctionalInterface
    public interface Owner {
        /** Receiving a datagram from {@code from} threw {@code e}: logged and counted as a failed callback. */
        void failed(InetSocketAddress from, Throwable e);

        /** The datagrams of one received message have all been taken; by default nothing happens. */
        default void endOfMessage() {}
    }

    private final byte[] buffer;
    private final int[] offsets;
    private final int[] lengths;
    private final int[] ecn;
    private final boolean[] endsMessage;
    private final InetSocketAddress[] from;
    private final Owner owner;
    private int size;
    private int end;

    /** A batch of up to {@code capacity} datagrams with {@code bufferBytes} bytes between them. */
    public DatagramBatch(int capacity, int bufferBytes, Owner owner) {
        this.buffer = new byte[bufferBytes];
        this.offsets = new int[capacity];
        this.lengths = new int[capacity];
        this.ecn = new int[capacity];
        this.endsMessage = new boolean[capacity];
        this.from = new InetSocketAddress[capacity];
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /** Datagrams in the batch. */
    public int size() {
        return size;
    }

    /** The array every datagram of the batch is in. */
    public byte[] buffer() {
        return buffer;
    }

    public int offset(int i) {
        return offsets[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    public InetSocketAddress from(int i) {
        return from[i];
    }

    /** The ECN bits (RFC 3168) of datagram {@code i}'s IP header, 0 where the I/O does not read them. */
    public int ecn(int i) {
        return ecn[i];
    }

    /** True if datagram {@code i} is the last of the received message it came in. */
    public boolean endsMessage(int i) {
        return endsMessage[i];
    }

    /** Reports that receiving datagram {@code i} threw {@code e}. */
    public void failed(int i, Throwable e) {
        owner.failed(from[i], e);
    }

    /** Tells the I/O that the datagrams of a message, up to one that {@link #endsMessage}, have all been taken. */
    public void endOfMessage() {
        owner.endOfMessage();
    }

    /** Empties the batch. */
    public void clear() {
        java.util.Arrays.fill(from, 0, size, null);
        size = 0;
        end = 0;
    }

    /** Room for one more datagram of {@code len} bytes? */
    public boolean fits(int len) {
        return size < offsets.length && buffer.length - end >= len;
    }

    /**
     * Reserves room for a datagram of {@code len} bytes and returns its offset in {@link #buffer()};
     * the caller writes it there. Requires {@link #fits}.
     */
    int reserve(InetSocketAddress source, int len, int ecnBits) {
        int off = end;
        offsets[size] = off;
        lengths[size] = len;
        ecn[size] = ecnBits;
        endsMessage[size] = false;
        from[size] = source;
        size++;
        end += len;
        return off;
    }

    /** The datagram added last ends its message. */
    void endMessage() {
        endsMessage[size - 1] = true;
    }

    /**
     * Adds a copy of {@code src[off..off+len)} from {@code source}, a message of its own.
     *
     * @throws IllegalStateException if it does not fit
     */
    public void add(InetSocketAddress source, byte[] src, int off, int len) {
        if (!fits(len)) {
            throw new IllegalStateException("the batch is full");
        }
        System.arraycopy(src, off, buffer, reserve(Objects.requireNonNull(source, "source"), len, 0), len);
        endMessage();
    }
}
