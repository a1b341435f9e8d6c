package io.keymesh.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Per-source-address limit on handshake initiations, as WireGuard applies under load: a token bucket
 * per source of {@value #PACKETS_PER_SECOND} packets per second with a burst of
 * {@value #PACKETS_BURSTABLE}.
 *
 * <p>A source is an IPv4 address or an IPv6 /64 (as the Linux kernel's WireGuard does, since one
 * host usually holds a whole /64; wireguard-go keys by the full address). IPv4-mapped IPv6
 * addresses ({@code ::ffff:a.b.c.d}) count as the IPv4 address they map.
 *
 * <p>Tokens are kept in nanoseconds of credit: a packet costs {@link #PACKET_COST_NANOS} and the
 * bucket holds at most {@link #TOKEN_MAX_NANOS}. A source seen for the first time is allowed and
 * starts with a full bucket less one packet. Entries idle for more than
 * {@link #GARBAGE_COLLECT_NANOS} are removed by a sweep that runs during {@link #allow}, at most
 * once per {@link #GARBAGE_COLLECT_NANOS}. The table holds at most {@code maxEntries} sources; a
 * new source arriving while it is full is refused (as the kernel does) or, if the limiter was made
 * to allow untracked sources, allowed without an entry; existing sources keep their buckets.
 *
 * <p>Time is the caller's monotonic clock in nanoseconds ({@code nowNanos}); only differences are
 * used, so any origin (e.g. {@link System#nanoTime()}) works. A time earlier than one already seen
 * credits nothing.
 *
 * <p>Not safe for concurrent use: a node drives it from one event loop. The table starts small and
 * doubles up to 2 × {@code maxEntries} slots of 25 bytes (about 400 KiB for
 * {@link #DEFAULT_MAX_ENTRIES}); {@link #allow} allocates nothing except when it doubles. A sweep
 * costs time proportional to the table's slots.
 */
public final class HandshakeRateLimiter {
    /** Sustained handshake initiations allowed per second per source. */
    static final int PACKETS_PER_SECOND = 20;
    /** Initiations a source may send back to back. */
    static final int PACKETS_BURSTABLE = 5;
    /** Credit one initiation costs, in nanoseconds. */
    static final long PACKET_COST_NANOS = 1_000_000_000L / PACKETS_PER_SECOND;
    /** Most credit a bucket holds, in nanoseconds. */
    static final long TOKEN_MAX_NANOS = PACKET_COST_NANOS * PACKETS_BURSTABLE;
    /** Idle time after which a source's entry is dropped, and the interval between sweeps. */
    static final long GARBAGE_COLLECT_NANOS = 1_000_000_000L;
    /** Sources tracked at once by default. */
    public static final int DEFAULT_MAX_ENTRIES = 8192;

    private static final int INITIAL_CAPACITY = 16;
    private static final byte EMPTY = 0;
    private static final byte IPV4 = 4;
    private static final byte IPV6 = 6;
    private static final long IPV6_TWEAK = 0x9e3779b97f4a7c15L;

    private static final VarHandle BE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final int maxEntries;
    private final boolean allowUntracked;
    private final int maxCapacity;
    private final long hashSeed;

    // Open addressing with linear probing; load factor at most 1/2, so an empty slot always exists.
    private byte[] families = new byte[INITIAL_CAPACITY];
    private long[] keys = new long[INITIAL_CAPACITY];
    private long[] tokens = new long[INITIAL_CAPACITY];
    private long[] lastNanos = new long[INITIAL_CAPACITY];
    private int size;

    private boolean gcClockStarted;
    private long lastGcNanos;

    /**
     * @param hashSeed secret random value mixed into the table's hash, so that remote parties
     *     cannot choose addresses that collide
     */
    public HandshakeRateLimiter(long hashSeed) {
        this(DEFAULT_MAX_ENTRIES, hashSeed);
    }

    /**
     * @param maxEntries most sources tracked at once, at least 1
     * @param hashSeed secret random value mixed into the table's hash, so that remote parties
     *     cannot choose addresses that collide
     * @throws IllegalArgumentException if {@code maxEntries} is not in [1, 2<sup>29</sup>]
     */
    public HandshakeRateLimiter(int maxEntries, long hashSeed) {
        this(maxEntries, hashSeed, false);
    }

    /**
     * @param maxEntries most sources tracked at once, at least 1
     * @param hashSeed secret random value mixed into the table's hash, so that remote parties
     *     cannot choose addresses that collide
     * @param allowUntracked what {@link #allow} says of a new source while the table is full: true
     *     allows it (untracked: a limit that fails open, for work that is harmless to do but worth
     *     limiting), false refuses it (as the kernel's WireGuard does for handshakes)
     * @throws IllegalArgumentException if {@code maxEntries} is not in [1, 2<sup>29</sup>]
     */
    public HandshakeRateLimiter(int maxEntries, long hashSeed, boolean allowUntracked) {
        if (maxEntries < 1 || maxEntries > (1 << 29)) {
            throw new IllegalArgumentException("maxEntries must be in [1, 2^29]: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.allowUntracked = allowUntracked;
        this.maxCapacity = Math.max(INITIAL_CAPACITY, Integer.highestOneBit(maxEntries * 2 - 1) << 1);
        this.hashSeed = hashSeed;
    }

    /**
     * Decides whether a handshake initiation from {@code ipAddressBytes} may be processed, and
     * charges the source's bucket if so.
     *
     * @param ipAddressBytes the source address in network byte order: 4 bytes (IPv4) or 16 (IPv6);
     *     not retained
     * @param nowNanos the caller's monotonic clock, in nanoseconds
     * @return whether the initiation is within the source's rate
     * @throws IllegalArgumentException if the address is neither 4 nor 16 bytes long
     */
    public boolean allow(byte[] ipAddressBytes, long nowNanos) {
        byte family;
        long key;
        if (ipAddressBytes.length == 4) {
            family = IPV4;
            key = Integer.toUnsignedLong((int) BE32.get(ipAddressBytes, 0));
        } else if (ipAddressBytes.length == 16) {
            if (isIpv4Mapped(ipAddressBytes)) {
                family = IPV4;
                key = Integer.toUnsignedLong((int) BE32.get(ipAddressBytes, 12));
            } else {
                family = IPV6;
                key = (long) BE64.get(ipAddressBytes, 0);
            }
        } else {
            throw new IllegalArgumentException("IP address must be 4 or 16 bytes, got " + ipAddressBytes.length);
        }

        maybeCollectGarbage(nowNanos);

        int mask = families.length - 1;
        int slot = home(family, key, mask);
        while (families[slot] != EMPTY) {
            if (families[slot] == family && keys[slot] == key) {
                return spend(slot, nowNanos);
            }
            slot = (slot + 1) & mask;
        }

        if (size >= maxEntries) {
            return allowUntracked;
        }
        if ((size + 1) * 2 > families.length && families.length < maxCapacity) {
            grow();
            mask = families.length - 1;
            slot = home(family, key, mask);
            while (families[slot] != EMPTY) {
                slot = (slot + 1) & mask;
            }
        }
        families[slot] = family;
        keys[slot] = key;
        tokens[slot] = TOKEN_MAX_NANOS - PACKET_COST_NANOS;
        lastNanos[slot] = nowNanos;
        size++;
        return true;
    }

    /** Number of sources currently tracked. */
    public int size() {
        return size;
    }

    private boolean spend(int slot, long nowNanos) {
        long elapsed = nowNanos - lastNanos[slot];
        if (elapsed > 0) {
            tokens[slot] = Math.min(TOKEN_MAX_NANOS, tokens[slot] + Math.min(elapsed, TOKEN_MAX_NANOS));
            lastNanos[slot] = nowNanos;
        }
        if (tokens[slot] >= PACKET_COST_NANOS) {
            tokens[slot] -= PACKET_COST_NANOS;
            return true;
        }
        return false;
    }

    private void maybeCollectGarbage(long nowNanos) {
        if (!gcClockStarted) {
            gcClockStarted = true;
            lastGcNanos = nowNanos;
            return;
        }
        if (nowNanos - lastGcNanos < GARBAGE_COLLECT_NANOS) {
            return;
        }
        lastGcNanos = nowNanos;
        if (size == 0) {
            return;
        }
        int capacity = families.length;
        int mask = capacity - 1;
        int start = 0;
        while (families[start] != EMPTY) {
            start++;
        }
        // Sweep once around the ring from an empty slot. Backward-shift deletion only moves entries
        // into the hole being examined or later, so after a removal the same slot is examined again.
        int step = 1;
        while (step <= capacity) {
            int slot = (start + step) & mask;
            if (families[slot] != EMPTY && nowNanos - lastNanos[slot] > GARBAGE_COLLECT_NANOS) {
                removeAt(slot);
            } else {
                step++;
            }
        }
    }

    private void removeAt(int slot) {
        int mask = families.length - 1;
        int hole = slot;
        int next = slot;
        while (true) {
            next = (next + 1) & mask;
            if (families[next] == EMPTY) {
                break;
            }
            int home = home(families[next], keys[next], mask);
            // The entry at next may fill the hole if the hole lies on its probe path [home, next).
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                families[hole] = families[next];
                keys[hole] = keys[next];
                tokens[hole] = tokens[next];
                lastNanos[hole] = lastNanos[next];
                hole = next;
            }
        }
        families[hole] = EMPTY;
        size--;
    }

    private void grow() {
        byte[] oldFamilies = families;
        long[] oldKeys = keys;
        long[] oldTokens = tokens;
        long[] oldLast = lastNanos;
        int capacity = oldFamilies.length * 2;
        families = new byte[capacity];
        keys = new long[capacity];
        tokens = new long[capacity];
        lastNanos = new long[capacity];
        int mask = capacity - 1;
        for (int i = 0; i < oldFamilies.length; i++) {
            if (oldFamilies[i] == EMPTY) {
                continue;
            }
            int slot = home(oldFamilies[i], oldKeys[i], mask);
            while (families[slot] != EMPTY) {
                slot = (slot + 1) & mask;
            }
            families[slot] = oldFamilies[i];
            keys[slot] = oldKeys[i];
            tokens[slot] = oldTokens[i];
            lastNanos[slot] = oldLast[i];
        }
    }

    private int home(byte family, long key, int mask) {
        long h = key ^ hashSeed ^ (family == IPV6 ? IPV6_TWEAK : 0);
        h = mix(mix(h) ^ Long.rotateLeft(hashSeed, 32));
        return (int) h & mask;
    }

    /** The 64-bit finaliser of MurmurHash3: a bijection with full avalanche. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static boolean isIpv4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}
