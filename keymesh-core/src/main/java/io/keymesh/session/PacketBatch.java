package io.keymesh.session;

/**
 * Packets for one endpoint handed to {@link Transmit#send(Endpoint, PacketBatch)} together, so that
 * batched I/O (sendmmsg, UDP GSO) can send them with one system call. Packet {@code i} is
 * {@code buf(i)[offset(i) .. offset(i)+length(i))}. The batch refers to the arrays, it does not copy
 * them; its owner reuses it (and the arrays) once the call returns.
 *
 * <p>Not thread-safe.
 */
public final class PacketBatch {
    private final byte[][] bufs;
    private final int[] offsets;
    private final int[] lengths;
    private int count;

    /** A batch that holds up to {@code capacity} packets. */
    public PacketBatch(int capacity) {
        bufs = new byte[capacity][];
        offsets = new int[capacity];
        lengths = new int[capacity];
    }

    /** Adds a packet; false (nothing added) when the batch is full. */
    public boolean add(byte[] buf, int off, int len) {
        if (count == bufs.length) {
            return false;
        }
        bufs[count] = buf;
        offsets[count] = off;
        lengths[count] = len;
        count++;
        return true;
    }

    /** Forgets every packet. */
    public void clear() {
        java.util.Arrays.fill(bufs, 0, count, null);
        count = 0;
    }

    public int count() {
        return count;
    }

    public boolean isFull() {
        return count == bufs.length;
    }

    public byte[] buf(int i) {
        return bufs[java.util.Objects.checkIndex(i, count)];
    }

    public int offset(int i) {
        return offsets[java.util.Objects.checkIndex(i, count)];
    }

    public int length(int i) {
        return lengths[java.util.Objects.checkIndex(i, count)];
    }
}
