package io.keymesh.sim;

import java.util.Arrays;

/**
 * A binary min-heap of {@link ScheduledEvent}s ordered by (time, sequence), with O(log n) removal
 * of any element (each event knows its index), so cancelled timers leave nothing behind.
 *
 * <p>Not thread-safe.
 */
final class EventQueue {
    private ScheduledEvent[] heap = new ScheduledEvent[256];
    private int size;
    private long nextSequence;

    ScheduledEvent add(long timeNanos, Runnable action) {
        ScheduledEvent e = new ScheduledEvent(this, timeNanos, nextSequence++, action);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        e.index = size;
        heap[size++] = e;
        siftUp(e.index);
        return e;
    }

    int size() {
        return size;
    }

    /** The earliest event, or null if empty. */
    ScheduledEvent peek() {
        return size == 0 ? null : heap[0];
    }

    /** Removes and returns the earliest event, or null if empty. */
    ScheduledEvent poll() {
        if (size == 0) {
            return null;
        }
        ScheduledEvent first = heap[0];
        removeAt(0);
        return first;
    }

    boolean remove(ScheduledEvent e) {
        int i = e.index;
        if (i < 0 || i >= size || heap[i] != e) {
            return false;
        }
        removeAt(i);
        return true;
    }

    private void removeAt(int i) {
        ScheduledEvent removed = heap[i];
        removed.index = -1;
        int last = --size;
        if (i != last) {
            ScheduledEvent moved = heap[last];
            heap[i] = moved;
            moved.index = i;
            heap[last] = null;
            siftDown(i);
            if (heap[i] == moved) {
                siftUp(i);
            }
        } else {
            heap[last] = null;
        }
    }

    private static boolean before(ScheduledEvent a, ScheduledEvent b) {
        return a.timeNanos < b.timeNanos || (a.timeNanos == b.timeNanos && a.sequence < b.sequence);
    }

    private void siftUp(int i) {
        ScheduledEvent e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            ScheduledEvent p = heap[parent];
            if (!before(e, p)) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = e;
        e.index = i;
    }

    private void siftDown(int i) {
        ScheduledEvent e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            ScheduledEvent c = heap[child];
            if (!before(c, e)) {
                break;
            }
            heap[i] = c;
            c.index = i;
            i = child;
        }
        heap[i] = e;
        e.index = i;
    }
}
