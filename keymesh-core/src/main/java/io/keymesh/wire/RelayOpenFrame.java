package io.keymesh.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * The RELAY_OPEN mesh frame ({@link MeshFrame#RELAY_OPEN} 0x50): the sender asks the receiver to
 * relay a circuit along a source route.
 * <pre>
 *   type 0x50   length (varint)   circuit id (varint)   route: 1 to 4 node keys, 32 bytes each
 * </pre>
 * The circuit id is chosen by the sender of this frame and names the circuit on this link only;
 * the answer ({@link RelayOpenedFrame} or {@link CircuitReasonFrame}) and the circuit's
 * {@link RelayDataFrame}s and {@link CircuitReasonFrame} on this link carry the same id. The route
 * lists the public keys from the receiver on, in order: the first is the receiver itself, the last
 * the target. A receiver that is not the first drops the frame; a route of the receiver alone makes
 * it the target; otherwise it relays to the second key with the route less its own key. The number of keys
 * is what the body leaves after the circuit id, which must be a positive multiple of 32 and at most
 * {@link #MAX_ROUTE} × 32; anything else is malformed.
 *
 * <p>Writing is static and thread-safe. Reading fills a reusable instance, which copies the route
 * into an array it owns (circuit setup is rare); an instance is not thread-safe. Bad input makes
 * {@code decode} return false; it never throws.
 */
public final class RelayOpenFrame {
    /** The most node keys a route holds. */
    public static final int MAX_ROUTE = 4;
    /** Bytes of one node key (a Curve25519 public key). */
    public static final int KEY_LENGTH = 32;

    private final byte[] route = new byte[MAX_ROUTE * KEY_LENGTH];
    private long circuit;
    private int hops;

    /**
     * Bytes the whole frame takes.
     *
     * @throws IllegalArgumentException if {@code hops} is not 1 to {@link #MAX_ROUTE} or the circuit
     *     id is not a varint
     */
    public static int frameLength(long circuit, int hops) {
        checkHops(hops);
        return MeshFrame.frameLength(VarInt.length(circuit) + hops * KEY_LENGTH);
    }

    /**
     * Writes the frame at {@code b[off]}, its route the {@code hops} keys at
     * {@code route[routeOff..routeOff + hops × 32)} (which may be a decoded frame's {@link #route()}
     * from an offset: a relay forwards the route less its first hop).
     *
     * @return the frame's length
     * @throws IllegalArgumentException if {@code hops} is not 1 to {@link #MAX_ROUTE} or the circuit
     *     id is not a varint
     * @throws IndexOutOfBoundsException if the route is not within {@code route}
     */
    public static int write(byte[] b, int off, long circuit, byte[] route, int routeOff, int hops) {
        checkHops(hops);
        int keys = hops * KEY_LENGTH;
        Objects.checkFromIndexSize(routeOff, keys, route.length);
        int p = MeshFrame.writeHeader(b, off, MeshFrame.RELAY_OPEN, VarInt.length(circuit) + keys);
        p += VarInt.write(b, p, circuit);
        System.arraycopy(route, routeOff, b, p, keys);
        return p + keys - off;
    }

    /**
     * Writes the frame at {@code b[off]}, its route {@code keys} in order.
     *
     * @return the frame's length
     * @throws IllegalArgumentException if there are not 1 to {@link #MAX_ROUTE} keys, a key is not
     *     32 bytes, or the circuit id is not a varint
     */
    public static int write(byte[] b, int off, long circuit, byte[]... keys) {
        checkHops(keys.length);
        for (byte[] k : keys) {
            if (k.length != KEY_LENGTH) {
                throw new IllegalArgumentException("a node key is 32 bytes, not " + k.length);
            }
        }
        int p = MeshFrame.writeHeader(b, off, MeshFrame.RELAY_OPEN, VarInt.length(circuit) + keys.length * KEY_LENGTH);
        p += VarInt.write(b, p, circuit);
        for (byte[] k : keys) {
            System.arraycopy(k, 0, b, p, KEY_LENGTH);
            p += KEY_LENGTH;
        }
        return p - off;
    }

    private static void checkHops(int hops) {
        if (hops < 1 || hops > MAX_ROUTE) {
            throw new IllegalArgumentException("a route has 1 to " + MAX_ROUTE + " hops, not " + hops);
        }
    }

    /**
     * Reads a body, copying the route.
     *
     * @return true if it is a circuit id followed by 1 to {@link #MAX_ROUTE} whole keys; false (and
     *     this instance's fields undefined) otherwise, or if the body is not within {@code b}
     */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        if (bodyOff < 0 || bodyLen < 0 || bodyOff > b.length - bodyLen) {
            return false;
        }
        int end = bodyOff + bodyLen;
        long c = VarInt.read(b, bodyOff, end);
        if (c < 0) {
            return false;
        }
        int p = bodyOff + VarInt.encodedLength(b[bodyOff]);
        int keys = end - p;
        if (keys == 0 || keys % KEY_LENGTH != 0 || keys > MAX_ROUTE * KEY_LENGTH) {
            return false;
        }
        System.arraycopy(b, p, route, 0, keys);
        circuit = c;
        hops = keys / KEY_LENGTH;
        return true;
    }

    /** The circuit id the sender chose. */
    public long circuit() {
        return circuit;
    }

    /** The number of keys in the route, 1 to {@link #MAX_ROUTE}. */
    public int hops() {
        return hops;
    }

    /**
     * A copy of hop {@code i}'s key (0 is the receiver, {@code hops() - 1} the target).
     *
     * @throws IndexOutOfBoundsException if {@code i} is not below {@link #hops()}
     */
    public byte[] hop(int i) {
        Objects.checkIndex(i, hops);
        return Arrays.copyOfRange(route, i * KEY_LENGTH, (i + 1) * KEY_LENGTH);
    }

    /** A copy of the target's key, the route's last. */
    public byte[] target() {
        return hop(hops - 1);
    }

    /** A copy of the whole route: {@link #hops()} keys of 32 bytes, in order. */
    public byte[] route() {
        return Arrays.copyOf(route, hops * KEY_LENGTH);
    }
}
