package io.keymesh.wire;

import java.nio.charset.StandardCharsets;

/**
 * The CONNECTION_CLOSE frame ({@link MeshFrame#CONNECTION_CLOSE} 0x1c; RFC 9000 section 19.19):
 * the sender has ended the channel connection.
 * <pre>
 *   type 0x1c   length (varint)   error code (varint)   reason (UTF-8, the rest of the body)
 * </pre>
 * Reading uses a reusable instance; never throws on bad input. Not thread-safe.
 */
public final class ConnectionCloseFrame {
    /** Error code of a clean close. */
    public static final long NO_ERROR = 0;
    /** Longest reason written, in bytes. */
    public static final int MAX_REASON = 256;

    private long errorCode;
    private String reason;

    /** Bytes the whole frame takes. */
    public static int frameLength(long errorCode, String reason) {
        return MeshFrame.frameLength(VarInt.length(errorCode) + reasonBytes(reason).length);
    }

    /** Writes the frame at {@code b[off]}; returns its length. */
    public static int write(byte[] b, int off, long errorCode, String reason) {
        byte[] r = reasonBytes(reason);
        int p = MeshFrame.writeHeader(b, off, MeshFrame.CONNECTION_CLOSE, VarInt.length(errorCode) + r.length);
        p += VarInt.write(b, p, errorCode);
        System.arraycopy(r, 0, b, p, r.length);
        return p + r.length - off;
    }

    private static byte[] reasonBytes(String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        return r.length <= MAX_REASON ? r : java.util.Arrays.copyOf(r, MAX_REASON);
    }

    /** Reads a body; false if the error code is truncated. */
    public boolean decode(byte[] b, int bodyOff, int bodyLen) {
        long code = VarInt.read(b, bodyOff, bodyOff + bodyLen);
        if (code < 0) {
            return false;
        }
        int n = VarInt.encodedLength(b[bodyOff]);
        errorCode = code;
        reason = new String(b, bodyOff + n, bodyLen - n, StandardCharsets.UTF_8);
        return true;
    }

    public long errorCode() {
        return errorCode;
    }

    public String reason() {
        return reason;
    }
}
