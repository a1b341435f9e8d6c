package io.keymesh.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The TAI64N timestamp carried, encrypted, in a handshake initiation (WireGuard paper §5.4.2): a
 * responder accepts an initiation from a peer only if its timestamp is strictly after the newest one
 * it has seen from that peer, which defeats replay of initiations.
 *
 * <p>Layout ({@value #LENGTH} bytes, big-endian): 8 bytes of TAI64 label (seconds since the Unix
 * epoch plus {@link #LABEL_BASE}), then 4 bytes of nanoseconds within that second. The nanoseconds
 * are whitened, rounded down to a multiple of 2<sup>24</sup> ns (about 16.8 ms), as wireguard-go
 * does, so that the timestamp does not leak the sender's precise clock.
 *
 * <p>Stateless and thread-safe; allocates nothing.
 */
public final class Tai64n {
    /** Length of an encoded timestamp in bytes. */
    public static final int LENGTH = 12;

    /** TAI64 label of the Unix epoch: 2<sup>62</sup> + 10 (the TAI−UTC offset in 1970, no leap seconds). */
    static final long LABEL_BASE = 0x400000000000000aL;

    /** Low bits of the nanosecond field cleared before encoding: 2<sup>24</sup> − 1. */
    static final int WHITENER_MASK = (1 << 24) - 1;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private Tai64n() {}

    /**
     * Writes the whitened timestamp for {@code epochNanos} to {@code out[off, off + LENGTH)}.
     *
     * @param epochNanos wall-clock time in nanoseconds since 1970-01-01T00:00:00Z (not a monotonic
     *     clock: the responder compares timestamps across restarts of the initiator); times before
     *     the epoch are encoded with floor division
     * @throws IndexOutOfBoundsException if the range does not fit in {@code out}
     */
    static void write(long epochNanos, byte[] out, int off) {
        long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        int nanos = (int) Math.floorMod(epochNanos, NANOS_PER_SECOND);
        BE64.set(out, off, LABEL_BASE + seconds);
        BE32.set(out, off + 8, nanos & ~WHITENER_MASK);
    }

    /**
     * Whether timestamp {@code a} is strictly newer than timestamp {@code b}: an unsigned
     * lexicographic comparison of the {@value #LENGTH} bytes at each offset.
     *
     * @throws IndexOutOfBoundsException if either range does not fit in its array
     */
    static boolean isAfter(byte[] a, int aOff, byte[] b, int bOff) {
        return Arrays.compareUnsigned(a, aOff, aOff + LENGTH, b, bOff, bOff + LENGTH) > 0;
    }
}
