package io.keymesh.session;

import java.util.random.RandomGenerator;

/**
 * Receiver indices: random 32-bit values that name a handshake in progress or a keypair, so that a
 * received packet finds its state without revealing identities (whitepaper section 5.4.2).
 * An open-addressing table keyed by primitive {@code int}: a lookup allocates nothing.
 *
 * <p>Not thread-safe.
 */
final class IndexTable {
    private static final Object TOMBSTONE = new Object();
    private final RandomGenerator random;
    private int[] keys = new int[64];
    private Object[] values = new Object[64];
    private int size;
    private int used;

    IndexTable(RandomGenerator random) {
        this.random = random;
    }

    /** Assigns a fresh random index to {@code value} and returns it. */
    int allocate(Object value) {
        while (true) {
            int index = random.nextInt();
            if (get(index) == null) {
                put(index, value);
                return index;
            }
        }
    }

    /** The value at {@code index}, or null. */
    Object get(int index) {
        int mask = keys.length - 1;
        for (int i = mix(index) & mask; ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (v != TOMBSTONE && keys[i] == index) {
                return v;
            }
        }
    }

    /** Replaces the value at an allocated {@code index}. */
    void replace(int index, Object value) {
        int mask = keys.length - 1;
        for (int i = mix(index) & mask; ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                throw new IllegalStateException("index not allocated");
            }
            if (v != TOMBSTONE && keys[i] == index) {
                values[i] = value;
                return;
            }
        }
    }

    /** Frees {@code index} if it currently maps to {@code value}. */
    void remove(int index, Object value) {
        int mask = keys.length - 1;
        for (int i = mix(index) & mask; ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return;
            }
            if (v != TOMBSTONE && keys[i] == index) {
                if (v == value) {
                    values[i] = TOMBSTONE;
                    size--;
                }
                return;
            }
        }
    }

    int size() {
        return size;
    }

    private void put(int index, Object value) {
        if ((used + 1) * 2 > keys.length) {
            rehash(size * 4 > keys.length ? keys.length * 2 : keys.length);
        }
        int mask = keys.length - 1;
        int i = mix(index) & mask;
        while (values[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = index;
        values[i] = value;
        size++;
        used++;
    }

    private void rehash(int capacity) {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new int[capacity];
        values = new Object[capacity];
        size = 0;
        used = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null && oldValues[i] != TOMBSTONE) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int mix(int x) {
        x *= 0x9E3779B9;
        return x ^ (x >>> 16);
    }
}
