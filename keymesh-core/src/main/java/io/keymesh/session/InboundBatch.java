package io.keymesh.session;

import io.keymesh.crypto.Aead;
import io.keymesh.wire.TransportData;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Received datagrams taken in three stages, so that the transport packets among them can be opened
 * on several threads while the engine still takes every datagram in arrival order (wireguard-go's
 * inbound elements: receive, decrypt in parallel, then the sequential receiver). The engine's thread
 * {@linkplain #add adds} the datagrams and {@linkplain SessionEngine#prepare prepares} the batch:
 * each transport packet's keypair is looked up and the packets to open are listed. Then any threads
 * {@linkplain #open open} them, each packet by one thread. Then the engine's thread
 * {@linkplain SessionEngine#receive(long, InboundBatch, int) receives} each datagram in order: the
 * replay window, keypair confirmation, timers and delivery, and everything that is not a transport
 * packet, as {@link SessionEngine#receive(long, byte[], int, int, Endpoint)} would.
 *
 * <p>Thread-safety: {@link #open} may run on any thread, for different packets at once; it reads
 * the packet's keypair's receive key and writes only that packet's bytes and its result, which it
 * publishes ({@link #isOpening}). While openings run, the engine's thread may go on receiving the
 * datagrams whose opening is done (or that no thread will open), with all that calls: the engine
 * zeroes a keypair's keys only after taking it out of its index table, and a packet whose keypair
 * is no longer there is not used, whatever its opening gave. It {@linkplain #clear clears} the
 * batch only when every opening is done. Everything else: the engine's thread.
 *
 * <p>Buffers: the datagrams stay where they are ({@link #add} keeps the array reference); their
 * owner keeps them unchanged, but for the opening, until the last datagram is received. Grows to
 * the largest batch seen; allocates nothing after that.
 */
public final class InboundBatch {
    /** {@link #opened}: not opened (not a transport packet, no keypair then, expired, or its opening threw). */
    static final int NOT_OPENED = -2;
    /** {@link #opened}: the packet did not authenticate. */
    static final int BAD_TAG = -1;
    /** {@link #opened}: listed to open, not opened yet. */
    static final int TO_OPEN = -3;
    private static final VarHandle RESULT = MethodHandles.arrayElementVarHandle(int[].class);

    private byte[][] bufs;
    private int[] offs;
    private int[] lens;
    private Endpoint[] froms;
    /** The keypair the packet's receiver index named when prepared, or null. */
    private Keypair[] keypairs;
    /**
     * The plaintext length, {@link #BAD_TAG}, {@link #NOT_OPENED} or {@link #TO_OPEN}; written by
     * the opening thread with release semantics, read with acquire.
     */
    private int[] opened;
    /** Datagram numbers of the packets to open, in order. */
    private int[] toOpen;
    private int size;
    private int openings;
    private long openingBytes;

    /** An empty batch with room for {@code capacity} datagrams before it grows. */
    public InboundBatch(int capacity) {
        bufs = new byte[capacity][];
        offs = new int[capacity];
        lens = new int[capacity];
        froms = new Endpoint[capacity];
        keypairs = new Keypair[capacity];
        opened = new int[capacity];
        toOpen = new int[capacity];
    }

    /** Adds a datagram (in arrival order). Engine's thread. */
    public void add(byte[] buf, int off, int len, Endpoint from) {
        if (size == offs.length) {
            grow();
        }
        bufs[size] = buf;
        offs[size] = off;
        lens[size] = len;
        froms[size] = from;
        keypairs[size] = null;
        opened[size] = NOT_OPENED;
        size++;
    }

    /** Forgets the datagrams (and the references to their arrays and keypairs). Engine's thread. */
    public void clear() {
        Arrays.fill(bufs, 0, size, null);
        Arrays.fill(froms, 0, size, null);
        Arrays.fill(keypairs, 0, size, null);
        size = 0;
        openings = 0;
        openingBytes = 0;
    }

    /** Datagrams added. */
    public int size() {
        return size;
    }

    /** Packets to open, once prepared. */
    public int openings() {
        return openings;
    }

    /** Bytes of ciphertext to open, once prepared. */
    public long openingBytes() {
        return openingBytes;
    }

    /**
     * Opens (authenticates and decrypts in place) the {@code j}-th packet to open, {@code 0 <= j <
     * openings()}, with {@code aead}, an instance of the engine's transport kind that is the calling
     * thread's alone, and publishes the result ({@link #isOpening}). Any thread; see the class
     * comment. If it throws, the packet counts as not opened (the engine opens it in its turn).
     */
    public void open(int j, Aead aead) {
        int i = toOpen[j];
        int result = NOT_OPENED;
        try {
            int ctOff = offs[i] + TransportData.HEADER_LENGTH;
            byte[] buf = bufs[i];
            int n = aead.open(keypairs[i].receiveKey, TransportData.counter(buf, offs[i]), null, 0, buf, ctOff,
                    lens[i] - TransportData.HEADER_LENGTH, buf, ctOff);
            result = n < 0 ? BAD_TAG : n;
        } finally {
            RESULT.setRelease(opened, i, result);
        }
    }

    /**
     * True while datagram {@code i} is listed to open and its opening has not finished; once false,
     * what the opening wrote is visible to the caller. Any thread.
     */
    public boolean isOpening(int i) {
        return (int) RESULT.getAcquire(opened, i) == TO_OPEN;
    }

    // ---------------------------------------------------------------- the engine's side

    /** Records that datagram {@code i} is a transport packet for {@code kp}, to be opened. */
    void toOpen(int i, Keypair kp) {
        keypairs[i] = kp;
        opened[i] = TO_OPEN;
        toOpen[openings++] = i;
        openingBytes += lens[i] - TransportData.HEADER_LENGTH;
    }

    byte[] buf(int i) {
        return bufs[i];
    }

    int off(int i) {
        return offs[i];
    }

    int len(int i) {
        return lens[i];
    }

    Endpoint from(int i) {
        return froms[i];
    }

    Keypair keypair(int i) {
        return keypairs[i];
    }

    int opened(int i) {
        return (int) RESULT.getAcquire(opened, i);
    }

    private void grow() {
        int n = Math.max(16, offs.length * 2);
        bufs = Arrays.copyOf(bufs, n);
        offs = Arrays.copyOf(offs, n);
        lens = Arrays.copyOf(lens, n);
        froms = Arrays.copyOf(froms, n);
        keypairs = Arrays.copyOf(keypairs, n);
        opened = Arrays.copyOf(opened, n);
        toOpen = Arrays.copyOf(toOpen, n);
    }
}
