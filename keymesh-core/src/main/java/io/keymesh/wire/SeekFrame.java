package io.keymesh.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * The SEEK mesh frame ({@link MeshFrame#SEEK} 0x5A): a node looks for a key it has no path to, through
 * the members it holds sessions with, and carries the WireGuard handshake initiation it made for
 * that key, so that the node that finds the key can pass it on at once.
 * <pre>
 *   type 0x5A   length (varint)
 *   seek id (8)   hops left (1)   origin key (32)   target key (32)
 *   passed: 0 to {@link #MAX_PASSED} node keys (32 each), the members the seek went through after the origin, in order
 *   initiation: a WireGuard handshake initiation ({@link HandshakeInitiation#LENGTH} = 148 bytes, type 1)
 * </pre>
 * The seek id is chosen by the origin and, with the origin's key, names the seek: a member passes
 * each (origin, id) on once. Hops left is how many more members the seek may reach (1 to
 * {@link #MAX_HOPS}); a member that does not know the target passes the seek on with one fewer hop
 * and itself appended to the passed keys, as long as one is left. The passed keys are the way back:
 * the member that finds the target opens a circuit to the origin along them in reverse.
 *
 * <p>The number of passed keys is what the body leaves between the fixed part and the initiation,
 * which must be a whole number of keys, at most {@link #MAX_PASSED}; an initiation of another type or
 * length, a hop count of 0 or above {@link #MAX_HOPS}, or anything else is malformed.
 *
 * <p>Writing is static and thread-safe. Reading fills a reusable instance that copies what it read
 * (seeks are rare next to data); an instance is not thread-safe. Bad input makes {@code decode}
 * return false; it never throws.
 */
public final class SeekFrame {
    /** The most members a seek may reach: the way back is a circuit's source route, at most {@link RelayOpenFrame#MAX_ROUTE} keys. */
    public static final int MAX_HOPS = RelayOpenFrame.MAX_ROUTE;
    /** The most passed keys a seek carries: a member with one hop left does not pass it on. */
    public static final int MAX_PASSED = MAX_HOPS - 1;
    /** Bytes of one node key. */
    public static final int KEY_LENGTH = RelayOpenFrame.KEY_LENGTH;
    /** Bytes of the body before the passed keys: seek id, hops left, origin, target. */
    private static final int FIXED = 8 + 1 + 2 * KEY_LENGTH;

    private final byte[] origin = new byte[KEY_LENGTH];
    private final byte[] target = new byte[KEY_LENGTH];
    private final byte[] passed = new byte[MAX_PASSED * KEY_LENGTH];
    private final byte[] initiation = new byte[HandshakeInitiation.LENGTH];
    private long seekId;
    private int hopsLeft;
    private int passedCount;

    /** Bytes the frame takes with {@code passed} passed keys. */
    public static int frameLength(int passed) {
        return MeshFrame.frameLength(bodyLength(passed));
    }

    private static int bodyLength(int passed) {
        return FIXED + passed * KEY_LENGTH + HandshakeInitiation.LENGTH;
    }

    /**
     * Writes the frame at {@code b[off]}.
     *
     * @param passed the passed keys, {@code passedCount} × 32 bytes from {@code passedOff}
     * @param initiation a handshake initiation at {@code initiation[initOff..initOff+148)}
     * @return the frame's length
     * @throws IllegalArgumentException if {@code hopsLeft} is not 1 to {@link #MAX_HOPS}, there are
     *     more than {@link #MAX_PASSED} passed keys, a key is not 32 bytes, or the initiation is not one
     * @throws IndexOutOfBoundsException if an input or the frame is not within its array
     */
    public static int write(byte[] b, int off, long seekId, int hopsLeft, byte[] origin, byte[] target,
            byte[] passed, int passedOff, int passedCount, byte[] initiation, int initOff) {
        if (hopsLeft < 1 || hopsLeft > MAX_HOPS) {
            throw new IllegalArgumentException("hops left must be 1 to " + MAX_HOPS + ", not " + hopsLeft);
        }
        if (passedCount < 0 || passedCount > MAX_PASSED) {
            throw new IllegalArgumentException("at most " + MAX_PASSED + " passed keys, not " + passedCount);
        }
        if (origin.length != KEY_LENGTH || target.length != KEY_LENGTH) {
            throw new IllegalArgumentException("a node key is 32 bytes");
        }
        Objects.checkFromIndexSize(passedOff, passedCount * KEY_LENGTH, passed.length);
        if (MessageType.of(initiation, initOff, HandshakeInitiation.LENGTH) != MessageType.HANDSHAKE_INITIATION) {
            throw new IllegalArgumentException("not a handshake initiation");
        }
        int p = MeshFrame.writeHeader(b, off, MeshFrame.SEEK, bodyLength(passedCount));
        Bytes.putLongBE(b, p, seekId);
        p += 8;
        b[p++] = (byte) hopsLeft;
        System.arraycopy(origin, 0, b, p, KEY_LENGTH);
        p += KEY_LENGTH;
        System.arraycopy(target, 0, b, p, KEY_LENGTH);
        p += KEY_LENGTH;
        System.arraycopy(passed, passedOff, b, p, passedCount * KEY_LENGTH);
        p += passedCount * KEY_LENGTH;
        System.arraycopy(initiation, initOff, b, p, HandshakeInitiation.LENGTH);
        return p + HandshakeInitiation.LENGTH - off;
    }

    /**
     * Reads a body, copying its fields.
     *
     * @return true if it is well formed (see the class comment); false (fields undefined) otherwise
     */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        if (bodyOff < 0 || bodyLen < 0 || bodyOff > b.length - bodyLen) {
            return false;
        }
        int keys = bodyLen - FIXED - HandshakeInitiation.LENGTH;
        if (keys < 0 || keys % KEY_LENGTH != 0 || keys > MAX_PASSED * KEY_LENGTH) {
            return false;
        }
        int hops = b[bodyOff + 8] & 0xff;
        if (hops < 1 || hops > MAX_HOPS) {
            return false;
        }
        int init = bodyOff + bodyLen - HandshakeInitiation.LENGTH;
        if (MessageType.of(b, init, HandshakeInitiation.LENGTH) != MessageType.HANDSHAKE_INITIATION) {
            return false;
        }
        seekId = Bytes.getLongBE(b, bodyOff);
        hopsLeft = hops;
        int p = bodyOff + 9;
        System.arraycopy(b, p, origin, 0, KEY_LENGTH);
        System.arraycopy(b, p + KEY_LENGTH, target, 0, KEY_LENGTH);
        System.arraycopy(b, p + 2 * KEY_LENGTH, passed, 0, keys);
        passedCount = keys / KEY_LENGTH;
        System.arraycopy(b, init, initiation, 0, HandshakeInitiation.LENGTH);
        return true;
    }

    public long seekId() {
        return seekId;
    }

    /** How many more members the seek may reach, 1 to {@link #MAX_HOPS}. */
    public int hopsLeft() {
        return hopsLeft;
    }

    /** A copy of the origin's key. */
    public byte[] origin() {
        return origin.clone();
    }

    /** A copy of the target's key. */
    public byte[] target() {
        return target.clone();
    }

    /** The number of passed keys, 0 to {@link #MAX_PASSED}. */
    public int passedCount() {
        return passedCount;
    }

    /**
     * A copy of passed key {@code i} (0: the first member after the origin).
     *
     * @throws IndexOutOfBoundsException if {@code i} is not below {@link #passedCount()}
     */
    public byte[] passed(int i) {
        Objects.checkIndex(i, passedCount);
        return Arrays.copyOfRange(passed, i * KEY_LENGTH, (i + 1) * KEY_LENGTH);
    }

    /** The passed keys, {@link #passedCount()} × 32 bytes from offset 0 (the instance's own array: read, do not keep). */
    public byte[] passedKeys() {
        return passed;
    }

    /** The initiation, 148 bytes from offset 0 (the instance's own array: read, do not keep). */
    public byte[] initiation() {
        return initiation;
    }
}
