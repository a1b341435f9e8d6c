package io.keymesh.wire;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The CANDIDATES mesh frame ({@link MeshFrame#CANDIDATES} 0x5C): the sender's candidate addresses
 * (RFC 8445 section 5.1), sent inside the session over the path in use, so that both ends probe
 * each other's candidates at about the same moment (hole punching).
 * <pre>
 *   type 0x5C   length (varint)   round (varint)   flags (1 byte)
 *               candidates, 0 to 8 of:   kind (1 byte)   family (1 byte: 4 or 6)   address (4 or 16 bytes)   port (2 bytes, big-endian)
 * </pre>
 * Round numbers the sender's punching rounds; an answer repeats the round of the offer it answers.
 * Flags bit 0 ({@link #FLAG_ANSWER}): this frame answers an offer and is not to be answered; other
 * bits are sent as zero and ignored. Kind is {@link #KIND_HOST}, {@link #KIND_SERVER_REFLEXIVE} or
 * {@link #KIND_PEER_REFLEXIVE}; other values are legal and read as unknown. The candidates fill the
 * rest of the body; a partial one, a bad family, or more than {@link #MAX_CANDIDATES} make the
 * frame malformed.
 *
 * <p>Writing is static and thread-safe. Reading fills a reusable instance (not thread-safe; it keeps
 * the addresses' offsets into the caller's array, valid while that array is) and never throws.
 */
public final class CandidatesFrame {
    /** Most candidates in one frame (iroh keeps 8 paths; RFC 8445 leaves the number to the agent). */
    public static final int MAX_CANDIDATES = 8;
    /** Flags bit: the frame answers an offer. */
    public static final int FLAG_ANSWER = 0x01;
    /** A host candidate: an address of the sender's own interfaces. */
    public static final int KIND_HOST = 1;
    /** A server-reflexive candidate: the sender's address as another node saw it. */
    public static final int KIND_SERVER_REFLEXIVE = 2;
    /** A peer-reflexive candidate: learnt from a check that arrived from an unknown address. */
    public static final int KIND_PEER_REFLEXIVE = 3;

    /** One candidate to write. */
    public record Candidate(int kind, InetSocketAddress address) {}

    private final int[] kinds = new int[MAX_CANDIDATES];
    private final int[] offsets = new int[MAX_CANDIDATES];
    private byte[] buf;
    private long round;
    private int flags;
    private int count;

    /**
     * Bytes the whole frame takes.
     *
     * @throws IllegalArgumentException if there are more than {@link #MAX_CANDIDATES} or an address is unresolved
     */
    public static int frameLength(long round, List<Candidate> candidates) {
        return MeshFrame.frameLength(bodyLength(round, candidates));
    }

    private static int bodyLength(long round, List<Candidate> candidates) {
        if (candidates.size() > MAX_CANDIDATES) {
            throw new IllegalArgumentException(candidates.size() + " candidates, at most " + MAX_CANDIDATES);
        }
        int n = VarInt.length(round) + 1;
        for (Candidate c : candidates) {
            n += 1 + AddressBytes.length(c.address());
        }
        return n;
    }

    /**
     * Writes the frame at {@code b[off]}; returns its length.
     *
     * @param flags {@link #FLAG_ANSWER} or 0
     * @throws IllegalArgumentException as {@link #frameLength}, or for a kind outside 0–255
     */
    public static int write(byte[] b, int off, long round, int flags, List<Candidate> candidates) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.CANDIDATES, bodyLength(round, candidates));
        p += VarInt.write(b, p, round);
        b[p++] = (byte) flags;
        for (Candidate c : candidates) {
            if (c.kind() < 0 || c.kind() > 0xff) {
                throw new IllegalArgumentException("kind " + c.kind());
            }
            b[p++] = (byte) c.kind();
            p = AddressBytes.write(b, p, c.address());
        }
        return p - off;
    }

    /** Reads a body; false if it breaks the layout above (this instance's fields then undefined). */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        if (bodyOff < 0 || bodyLen < 0 || bodyOff > b.length - bodyLen) {
            return false;
        }
        int end = bodyOff + bodyLen;
        long r = VarInt.read(b, bodyOff, end);
        if (r < 0) {
            return false;
        }
        int p = bodyOff + VarInt.encodedLength(b[bodyOff]);
        if (p >= end) {
            return false;
        }
        flags = b[p++] & 0xff;
        int n = 0;
        while (p < end) {
            if (n == MAX_CANDIDATES || end - p < 2) {
                return false;
            }
            int len = AddressBytes.lengthAt(b, p + 1, end);
            if (len < 0) {
                return false;
            }
            kinds[n] = b[p] & 0xff;
            offsets[n] = p + 1;
            n++;
            p += 1 + len;
        }
        round = r;
        count = n;
        buf = b;
        return true;
    }

    /** The round. */
    public long round() {
        return round;
    }

    /** True if the frame answers an offer. */
    public boolean answer() {
        return (flags & FLAG_ANSWER) != 0;
    }

    /** The flags byte as sent. */
    public int flags() {
        return flags;
    }

    /** How many candidates the frame carries. */
    public int count() {
        return count;
    }

    /** Candidate {@code i}'s kind byte. */
    public int kind(int i) {
        return kinds[i];
    }

    /** Candidate {@code i}'s address, a new object. */
    public InetSocketAddress address(int i) {
        return AddressBytes.read(buf, offsets[i]);
    }
}
