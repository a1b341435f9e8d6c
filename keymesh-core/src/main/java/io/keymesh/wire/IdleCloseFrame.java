package io.keymesh.wire;

/**
 * The frames by which the two ends of a channel connection agree to forget it while it is idle
 * and holds no channel: IDLE_CLOSE ({@link MeshFrame#IDLE_CLOSE} 0x33) proposes it, and
 * IDLE_CLOSE_ANSWER ({@link MeshFrame#IDLE_CLOSE_ANSWER} 0x34) accepts or refuses that proposal.
 * <pre>
 *   type 0x33   length (varint)   proposal (varint)
 *   type 0x34   length (varint)   proposal (varint)   accepted (varint: 1 accepted, 0 refused)
 * </pre>
 * The proposal number names one proposal of the sender's, so that an answer, or a copy of the
 * proposal sent again, is matched to it. Stateless and thread-safe; reading never throws.
 */
public final class IdleCloseFrame {
    private IdleCloseFrame() {}

    /** Bytes an IDLE_CLOSE frame takes. */
    public static int proposalLength(long proposal) {
        return MeshFrame.frameLength(VarInt.length(proposal));
    }

    /** Writes an IDLE_CLOSE frame at {@code b[off]}; returns its length. */
    public static int writeProposal(byte[] b, int off, long proposal) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.IDLE_CLOSE, VarInt.length(proposal));
        return p + VarInt.write(b, p, proposal) - off;
    }

    /** Reads an IDLE_CLOSE body; returns the proposal number, or -1 if the body is not exactly one varint. */
    public static long readProposal(byte[] b, int bodyOff, int bodyLen) {
        return VarIntBody.read(b, bodyOff, bodyLen);
    }

    /** Bytes an IDLE_CLOSE_ANSWER frame takes. */
    public static int answerLength(long proposal) {
        return MeshFrame.frameLength(VarInt.length(proposal) + 1);
    }

    /** Writes an IDLE_CLOSE_ANSWER frame at {@code b[off]}; returns its length. */
    public static int writeAnswer(byte[] b, int off, long proposal, boolean accepted) {
        int p = MeshFrame.writeHeader(b, off, MeshFrame.IDLE_CLOSE_ANSWER, VarInt.length(proposal) + 1);
        p += VarInt.write(b, p, proposal);
        p += VarInt.write(b, p, accepted ? 1 : 0);
        return p - off;
    }

    /**
     * Reads an IDLE_CLOSE_ANSWER body into {@code out}: {@code out[0]} the proposal number,
     * {@code out[1]} 1 if accepted, 0 if refused.
     *
     * @return false if the body is not exactly two varints or the second is neither 0 nor 1
     */
    public static boolean readAnswer(byte[] b, int bodyOff, int bodyLen, long[] out) {
        return out.length == 2 && VarIntBody.readAll(b, bodyOff, bodyLen, out) && (out[1] == 0 || out[1] == 1);
    }
}
