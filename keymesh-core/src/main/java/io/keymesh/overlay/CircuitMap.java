package io.keymesh.overlay;

import io.keymesh.crypto.PublicKey;

/**
 * Circuits by (link, circuit id) — the peer a frame came from and the number it names — in an
 * open-addressing table, so a relayed packet's lookup allocates nothing. At most {@code capacity}
 * entries; the table is sized so it stays at most half full.
 *
 * <p>Not thread-safe.
 */
final class CircuitMap<V> {
    private final PublicKey[] links;
    private final long[] ids;
    private final Object[] values;
    private final int capacity;
    private final int mask;
    private int size;

    CircuitMap(int capacity) {
        this.capacity = capacity;
        int slots = Integer.highestOneBit(Math.max(4, capacity) * 2 - 1) << 1;
        links = new PublicKey[slots];
        ids = new long[slots];
        values = new Object[slots];
        mask = slots - 1;
    }

    private int slot(PublicKey link, long id) {
        int h = link.hashCode() * 31 + Long.hashCode(id);
        return (h ^ (h >>> 16)) & mask;
    }

    @SuppressWarnings("unchecked")
    V get(PublicKey link, long id) {
        for (int i = slot(link, id); links[i] != null; i = (i + 1) & mask) {
            if (ids[i] == id && links[i].equals(link)) {
                return (V) values[i];
            }
        }
        return null;
    }

    /** Adds or replaces; false if it is new and the map holds {@code capacity} entries already. */
    boolean put(PublicKey link, long id, V value) {
        int i = slot(link, id);
        for (; links[i] != null; i = (i + 1) & mask) {
            if (ids[i] == id && links[i].equals(link)) {
                values[i] = value;
                return true;
            }
        }
        if (size >= capacity) {
            return false;
        }
        links[i] = link;
        ids[i] = id;
        values[i] = value;
        size++;
        return true;
    }

    /** Removes the entry; returns its value or null. */
    @SuppressWarnings("unchecked")
    V remove(PublicKey link, long id) {
        int i = slot(link, id);
        for (; links[i] != null; i = (i + 1) & mask) {
            if (ids[i] == id && links[i].equals(link)) {
                V v = (V) values[i];
                deleteAt(i);
                return v;
            }
        }
        return null;
    }

    /** Backward-shift deletion (no tombstones): later entries of the probe run move up. */
    private void deleteAt(int hole) {
        links[hole] = null;
        values[hole] = null;
        size--;
        for (int i = (hole + 1) & mask; links[i] != null; i = (i + 1) & mask) {
            int home = slot(links[i], ids[i]);
            if (((i - home) & mask) >= ((i - hole) & mask)) {
                links[hole] = links[i];
                ids[hole] = ids[i];
                values[hole] = values[i];
                links[i] = null;
                values[i] = null;
                hole = i;
            }
        }
    }

    int size() {
        return size;
    }
}
